"""The plans engine: scenarios (what-if 新体制) and the optimizer, on one round's survey data.

Pure: no Django. It reads :class:`somu.survey.analysis.SurveyData` and returns plain
dataclasses; problems are codes with parameters that the Django side words.

- :mod:`.ops` — the scenario operations (parse, dump, apply);
- :mod:`.scenario` — the figures of a scenario and their comparison with the baseline;
- :mod:`.leveling` — the leveling proposal (HiGHS);
- :mod:`.crosstraining` — the cross-training proposal (HiGHS).
"""
