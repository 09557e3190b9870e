"""Improvement plans (改善計画): vision, KPIs, improvement items, what-if scenarios with an
optimizer, reviews (定期振り返り) and the activity report (活動報告).

The map:

- ``models.py`` — what each record is; ``permissions.py`` — who may do what.
- ``engine/`` — pure, no Django: scenario operations applied to a round's data and the
  analysis recomputed (``engine.scenario``), the HiGHS optimizers (``engine.leveling``,
  ``engine.crosstraining``).
- ``kpis.py`` — each KPI definition: how its value, trend and rows are computed.
- ``services/`` — every write: ``vision``, ``kpis``, ``items`` (and the work an item starts),
  ``scenarios`` (and the optimizer's proposals), ``reviews``, ``reports``.
- ``selectors.py`` — reads for the pages, the API and the exports.
- ``api/``, ``views/``, ``templates/plans/`` — the API and the pages, split like services.
- ``report_book.py``, ``report_pdf.py`` — the 活動報告 as Excel (native charts) and PDF.
"""
