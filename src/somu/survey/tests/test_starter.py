"""The starter inventory an organization adopts: enough realistic tasks, valid as Tasks."""

from collections import Counter

import pytest

from somu.survey import starter
from somu.survey.models import STANDARD_FUNCTIONS, Frequency, Scope, Task
from somu.survey.starter import SKILLS, STARTER_TASKS, StarterTask, functions


def test_it_offers_at_least_80_tasks_and_8_per_function() -> None:
    assert len(STARTER_TASKS) >= 80
    per_function = Counter(t.function for t in STARTER_TASKS)
    assert set(per_function) == set(STANDARD_FUNCTIONS)
    assert min(per_function.values()) >= 8


def test_it_lists_the_functions_in_the_standard_display_order() -> None:
    assert functions() == STANDARD_FUNCTIONS


def test_every_task_path_is_unique() -> None:
    paths = Counter(t.path for t in STARTER_TASKS)
    assert [p for p, n in paths.items() if n > 1] == []


def test_every_task_uses_the_models_choices_and_a_difficulty_from_1_to_5() -> None:
    for t in STARTER_TASKS:
        assert t.frequency in Frequency.values, t.name
        assert t.scope in Scope.values, t.name
        assert 1 <= t.difficulty <= 5, t.name


def test_every_task_fits_the_task_fields() -> None:
    limits = {
        f: Task._meta.get_field(f).max_length
        for f in ("function", "category", "subcategory", "name")
    }
    for t in STARTER_TASKS:
        for field, limit in limits.items():
            assert 0 < len(getattr(t, field)) <= limit, (t.name, field)
        assert t.description.endswith("。"), t.name


def test_required_skills_come_from_the_small_skill_set() -> None:
    used = {t.skill for t in STARTER_TASKS if t.skill}
    assert used <= set(SKILLS)
    assert 8 <= len(SKILLS) <= 15


def test_it_contains_the_tasks_the_issue_names() -> None:
    names = {t.name for t in STARTER_TASKS}
    expected = {
        "請求書発行", "月次決算", "給与計算", "年末調整", "入退社手続き", "契約書審査",
        "備品管理", "PCキッティング", "アカウント管理", "株主総会運営", "来客・電話対応",
    }
    assert expected - names == set()
    assert any(n.startswith("社会保険手続き") for n in names)


def test_its_flags_mark_outsourcing_automation_and_remote_work_plausibly() -> None:
    by_name = {t.name: t for t in STARTER_TASKS}
    assert by_name["給与計算"].outsourceable
    assert by_name["売掛金消込"].automatable
    assert not by_name["来客・電話対応"].remote_ok
    assert by_name["契約書審査"].skill == "契約法務"
    assert all(isinstance(t, StarterTask) for t in STARTER_TASKS)


def test_a_task_with_malformed_flags_is_refused() -> None:
    with pytest.raises(ValueError, match="flags of '業務'"):
        starter._t("総務", "庶務", "", "業務", "説明。", "daily", 1, "internal", "RX-")
