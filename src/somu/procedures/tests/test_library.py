"""The built-in library: every procedure is valid, adopts and launches anywhere, and its
statutory deadlines come out on the right days of the Japanese business calendar.

Deadline rules encoded (see each YAML's notes for the sources): 「○日以内」 counts from the day
after the event (民法140条, 初日不算入); a legal deadline on a holiday moves to the next open day
by law, but the templates aim at the *previous* business day (roll: previous).
"""

from __future__ import annotations

import calendar as months
import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from somu.core import tenancy
from somu.core.permissions import Role
from somu.procedures.engine.parse import parse_spec_dict, spec_dict
from somu.procedures.engine.plan import plan_launch
from somu.procedures.engine.yamlio import load_yaml
from somu.procedures.models import Step, StepState, Template
from somu.procedures.services import launching, library
from somu.procedures.services import runs as run_services
from somu.rules.calendar import BusinessCalendar
from somu.rules.due import due_from_base

D = dt.date
JP = BusinessCalendar()  # 土日, national holidays, 年末年始 12/29–1/3: every new organization's
MARCH_2 = D(2026, 3, 2)

REQUIRED = {"入社手続き", "退職手続き", "月次決算", "年末調整", "定時株主総会", "請求書発行",
            "PCキッティング・アカウント発行", "備品発注", "健康診断"}

# Parameters a launch of each library procedure needs (people of conftest's organization A).
SAMPLE_PARAMS: dict[str, dict[str, Any]] = {
    "onboarding": {"入社者": "A002", "入社日": "2026-04-01", "被扶養者あり": True},
    "offboarding": {"退職者": "A002", "退職日": "2026-03-31", "退職金あり": True},
    "health_check": {"健診開始日": "2026-06-01", "受診締切日": "2026-06-30"},
    "year_end_adjustment": {"納期の特例": True},
    "monthly_close": {},
    "invoicing": {"送付方法": "電子と郵送"},
    "weekly_expense_check": {},
    "agm": {"総会日": "2026-06-26", "基準日": "2026-03-31", "役員改選": True},
    "supplies_order": {"品目": "事務用チェア", "数量": 4, "概算金額": 180000,
                       "希望納期": "2026-04-20"},
    "pc_kitting": {"利用者": "A002", "利用開始日": "2026-04-01", "スマートフォン貸与": True},
    "contract_signing": {"契約相手": "株式会社テスト商事", "契約種別": "業務委託",
                         "契約開始日": "2026-04-01", "申請番号": "契約-2025-00001"},
}
KEYS = [entry.key for entry in library.library_entries()]


def due_dates(key: str, values: dict[str, Any], start: dt.date = MARCH_2
              ) -> dict[str, dt.date | None]:
    """Each step's due date for typed ``values`` on the default Japanese calendar."""
    spec = library.library_entry(key).spec
    return {p.key: p.due_date for p in plan_launch(spec, values=values, start=start, calendar=JP)}


def add_months(day: dt.date, count: int) -> dt.date:
    year, month = divmod(day.month - 1 + count, 12)
    year += day.year
    last = months.monthrange(year, month + 1)[1]
    return D(year, month + 1, min(day.day, last))


def end_of_period_in_months(first: dt.date, count: int) -> dt.date:
    """The last day of a period of ``count`` months whose first day is ``first`` (民法143条):
    the day before the corresponding day, or the month's end when there is none."""
    target_year, target_month = divmod(first.month - 1 + count, 12)
    target_year += first.year
    last = months.monthrange(target_year, target_month + 1)[1]
    if first.day > last:  # no corresponding day: the period ends with that month
        return D(target_year, target_month + 1, last)
    return D(target_year, target_month + 1, first.day) - dt.timedelta(days=1)


# ---- the files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(library.LIBRARY_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_library_file_parses_validates_and_round_trips(path):
    spec = parse_spec_dict(load_yaml(path.read_bytes()))
    assert 8 <= len(spec.steps) <= 20
    assert parse_spec_dict(spec_dict(spec)) == spec
    assert spec.on_unresolved_assignee == "owner"
    assert "http" in spec.notes  # the template cites its sources
    for step in spec.steps:
        assert step.estimated_minutes, step.key
        # Rules that resolve in any organization: no 社員番号, no department names.
        assert step.assignee.kind != "person", step.key
        assert not (step.assignee.kind == "role" and step.assignee.value), step.key


def test_the_library_has_every_required_procedure_and_a_weekly_one():
    names = {entry.name for entry in library.library_entries()}
    assert names >= REQUIRED
    assert "週次 経費精算チェック" in names
    assert len(names) == len(KEYS) >= 10


def test_an_entry_summarizes_its_procedure():
    entry = library.library_entry("onboarding")
    assert (entry.name, entry.category) == ("入社手続き", "人事労務")
    assert entry.step_count == len(entry.spec.steps) == len(entry.data["steps"])
    assert [p.key for p in entry.parameters][:2] == ["入社者", "入社日"]
    assert "日本年金機構" in entry.notes
    assert any("健康保険法施行規則24条" in notes for _name, notes in entry.statutory_steps)


def test_an_unknown_library_key_is_a_key_error():
    with pytest.raises(KeyError):
        library.library_entry("no-such-procedure")


# ---- adopting and launching --------------------------------------------------------------------


@pytest.fixture
def roles(make_user, org_a, people_a, manager_a):  # type: ignore[no-untyped-def]
    """佐藤 holds the staff role and 山田 (manager_a) the manager role in organization A."""
    return make_user("sato_staff", org_a, Role.STAFF, person=people_a.sato)


@pytest.mark.parametrize("key", KEYS)
def test_every_library_procedure_adopts_and_launches_in_a_fresh_organization(
        key, org_a, people_a, roles):
    with tenancy.activate(org_a):
        template = library.library_adopt(actor=roles, key=key, owner=people_a.sato)
        assert template.library_key == key
        assert template.current_version.number == 1
        assert template.current_version.spec == library.library_entry(key).data
        run = run_services.run_launch(actor=roles, template=template, params=SAMPLE_PARAMS[key],
                                      starter=people_a.suzuki, start_date=D(2026, 3, 2))
        steps = list(Step.objects.filter(run=run))
    assert len(steps) == library.library_entry(key).step_count
    live = [s for s in steps if s.state != StepState.SKIPPED]
    assert live and all(s.assignee_id is not None for s in live)
    # Every rule found its person here: nothing fell back to the owner.
    assert not [s.key for s in live if s.assignee_flagged]
    assert any(s.state == StepState.READY for s in steps)


def test_without_role_holders_the_steps_go_to_the_owner_flagged(org_a, people_a):
    with tenancy.activate(org_a):
        template = library.library_adopt(actor=None, key="monthly_close", owner=people_a.yamada)
        run = run_services.run_launch(actor=None, template=template, params={},
                                      start_date=D(2026, 5, 8))
        steps = {s.key: s for s in Step.objects.filter(run=run)}
    assert steps["cutoff"].assignee == people_a.yamada
    assert steps["cutoff"].assignee_flagged
    assert steps["review"].assignee_flagged  # nobody holds the manager role either


def test_adopting_a_procedure_whose_name_is_taken_says_so(org_a, people_a):
    with tenancy.activate(org_a):
        library.library_adopt(actor=None, key="supplies_order")
        # A template of that name the organization made itself (not an earlier adoption).
        Template.objects.filter(name="備品発注").update(library_key="")
        with pytest.raises(ValidationError) as exc:
            library.library_adopt(actor=None, key="supplies_order")
        assert Template.objects.filter(name="備品発注").count() == 1
    assert "備品発注" in exc.value.message_dict["name"][0]


def test_a_launched_run_uses_the_statutory_due_dates(org_a, people_a, roles):
    with tenancy.activate(org_a):
        template = library.library_adopt(actor=roles, key="onboarding", owner=people_a.sato)
        run = run_services.run_launch(actor=roles, template=template, starter=people_a.suzuki,
                                      params={"入社者": "A002", "入社日": "2026-04-01"})
        due = dict(Step.objects.filter(run=run).values_list("key", "due_date"))
    assert due["shaho"] == D(2026, 4, 6)
    assert due["koyo"] == D(2026, 5, 8)


# ---- statutory deadlines -----------------------------------------------------------------------


def test_shaho_acquisition_is_due_five_days_after_hire_not_counting_the_hire_day():
    # 健康保険法施行規則24条: 入社 4/1 (Wed) → 4/2 is day 1 → 4/6 (Mon).
    due = due_dates("onboarding", {"入社日": D(2026, 4, 1), "社会保険加入": True,
                                   "被扶養者あり": True})
    assert due["shaho"] == D(2026, 4, 6)
    assert due["dependents"] == D(2026, 4, 6)  # 健康保険法施行規則38条, also 5 days


def test_shaho_acquisition_due_in_the_year_end_holidays_moves_before_them():
    # 入社 12/28 → 1/2 (年末年始) → the last business day before: 12/28 itself.
    assert due_dates("onboarding", {"入社日": D(2026, 12, 28)})["shaho"] == D(2026, 12, 28)
    # 入社 3/2 (Mon) → 3/7 (Sat) → Friday 3/6.
    assert due_dates("onboarding", {"入社日": D(2026, 3, 2)})["shaho"] == D(2026, 3, 6)


def test_employment_insurance_acquisition_is_due_on_the_10th_of_the_next_month():
    # 雇用保険法施行規則6条: 入社 4/1 → 5/10 is a Sunday → Friday 5/8 (roll previous).
    assert due_dates("onboarding", {"入社日": D(2026, 4, 1)})["koyo"] == D(2026, 5, 8)
    # Across the year: 入社 12/1 → 1/10/2027 (Sun) → Friday 1/8.
    assert due_dates("onboarding", {"入社日": D(2026, 12, 1)})["koyo"] == D(2027, 1, 8)
    # A business day stays: 入社 6/15 → 7/10/2026 (Fri).
    assert due_dates("onboarding", {"入社日": D(2026, 6, 15)})["koyo"] == D(2026, 7, 10)


def test_leaving_on_march_31_gives_the_offboarding_deadlines():
    due = due_dates("offboarding", {"退職日": D(2026, 3, 31)})
    # 資格喪失届 (健保・厚年), 5 days: 退職日+5 = 4/5 (Sun) → Friday 4/3.
    assert due["shaho_loss"] == D(2026, 4, 3)
    # 雇用保険 資格喪失届・離職証明書, 10 days: 4/10 (Fri).
    assert due["koyo_loss"] == D(2026, 4, 10)
    # 住民税 給与所得者異動届出書: 翌月10日 = 4/10.
    assert due["resident_tax"] == D(2026, 4, 10)
    # 源泉徴収票 within one month (legally 4/30): 退職日+27 = 4/27 (Mon).
    assert due["gensen_slip"] == D(2026, 4, 27)


def test_leaving_before_golden_week_rolls_back_over_the_holidays():
    due = due_dates("offboarding", {"退職日": D(2026, 4, 30)})
    # 5/5 こどもの日 → 5/4 みどりの日, 5/3 (Sun), 5/2 (Sat) → Friday 5/1.
    assert due["shaho_loss"] == D(2026, 5, 1)
    assert due["koyo_loss"] == D(2026, 5, 8)  # 5/10 (Sun) → 5/8
    assert due["gensen_slip"] == D(2026, 5, 27)


@pytest.mark.parametrize("key,step,base_param,months_after", [
    ("offboarding", "gensen_slip", "退職日", 1),  # 所得税法226条: 退職の日以後1か月以内
    ("offboarding", "retirement_allowance", "退職日", 1),
    ("health_check", "doctor_opinion", "健診開始日", 3),  # 安衛則51条の2: 3か月以内
])
def test_month_deadlines_written_in_days_are_never_later_than_the_law(
        key, step, base_param, months_after):
    rule = library.library_entry(key).spec.step(step).due  # type: ignore[union-attr]
    day = D(2025, 1, 1)
    while day < D(2028, 1, 1):
        # 退職の日「以後」 counts the day itself; 健診の日「から」 starts the next day.
        first = day if key == "offboarding" else day + dt.timedelta(days=1)
        legal = end_of_period_in_months(first, months_after)
        assert due_from_base(rule, day, JP) <= legal, (step, day)
        day += dt.timedelta(days=1)


def test_year_end_adjustment_deadlines_fall_in_january():
    due = due_dates("year_end_adjustment", {"納期の特例": True}, start=D(2026, 11, 2))
    assert due["pay_tax_special"] == D(2027, 1, 20)  # 7〜12月分, 1/20 (Wed)
    # 法定調書合計表・源泉徴収票・給与支払報告書: 1/31 (Sun) → Friday 1/29.
    assert due["statutory_reports"] == D(2027, 1, 29)
    assert due["municipal_reports"] == D(2027, 1, 29)
    assert due["slips_to_employees"] == D(2027, 1, 29)
    plain = due_dates("year_end_adjustment", {"納期の特例": False}, start=D(2026, 11, 2))
    assert plain["pay_tax"] == D(2027, 1, 8)  # 12月分: 1/10 (Sun) → Friday 1/8


def test_year_end_adjustment_pays_either_monthly_or_under_the_special_rule():
    spec = library.library_entry("year_end_adjustment").spec
    states = {p.key: p.state for p in plan_launch(
        spec, values={"納期の特例": True}, start=D(2026, 11, 2), calendar=JP)}
    assert (states["pay_tax"], states["pay_tax_special"]) == ("skipped", "waiting")


def test_agm_notice_leaves_fourteen_clear_days_before_the_meeting():
    values = {"総会日": D(2026, 6, 26), "基準日": D(2026, 3, 31), "公開会社": True,
              "取締役会設置会社": True, "役員改選": True}
    due = due_dates("agm", values, start=D(2026, 4, 1))
    assert due["notice_two_weeks"] == D(2026, 6, 11)  # 会社法299条1項: 中14日
    assert (D(2026, 6, 26) - due["notice_two_weeks"]).days - 1 == 14  # type: ignore[operator]
    assert due["keep_documents"] == D(2026, 6, 11)  # 会社法442条: 2週間前の日 at the latest
    assert due["notice_one_week"] == D(2026, 6, 18)  # 非公開会社: 中7日
    assert due["registration"] == D(2026, 7, 10)  # 会社法915条: 2週間以内
    assert due["meeting"] == D(2026, 6, 26)


def test_agm_sends_the_notice_one_or_two_weeks_ahead_by_company_type():
    spec = library.library_entry("agm").spec

    def states(**values: Any) -> dict[str, str]:
        base = {"総会日": D(2026, 6, 26), "基準日": D(2026, 3, 31)}
        return {p.key: p.state for p in plan_launch(
            spec, values={**base, **values}, start=D(2026, 4, 1), calendar=JP)}

    private = states(公開会社=False, 書面投票=False)
    assert (private["notice_one_week"], private["notice_two_weeks"]) == ("waiting", "skipped")
    voting = states(公開会社=False, 書面投票=True)
    assert (voting["notice_one_week"], voting["notice_two_weeks"]) == ("skipped", "waiting")
    assert states(役員改選=False)["registration"] == "skipped"


def test_health_check_opinion_is_due_within_three_months_of_the_first_exam():
    due = due_dates("health_check", {"健診開始日": D(2026, 6, 1), "受診締切日": D(2026, 6, 30)})
    assert due["doctor_opinion"] == D(2026, 8, 28)  # +89 = 8/29 (Sat) → 8/28; legally 9/1


def test_monthly_close_pays_withholding_tax_by_the_10th():
    due = due_dates("monthly_close", {"源泉納期の特例": False}, start=D(2026, 5, 8))
    assert due["withholding_tax"] == D(2026, 5, 8)  # 5/10 (Sun) → Friday 5/8
    assert due["cutoff"] == D(2026, 5, 8)
    assert due["review"] == D(2026, 5, 15)


@pytest.mark.parametrize(("changes", "key", "message"), [
    ({"数量": -3}, "数量", ("Enter a number from %(min)s to %(max)s.",
                          {"min": "1", "max": "10,000"})),
    ({"概算金額": "-180000"}, "概算金額", ("Enter a number from %(min)s to %(max)s.",
                                     {"min": "0", "max": "1,000,000,000"})),
    ({"概算金額": "1e308"}, "概算金額", ("Enter a number from %(min)s to %(max)s.",
                                   {"min": "0", "max": "1,000,000,000"})),
    ({"希望納期": "1900-01-01"}, "希望納期", ("Enter a date from %(min)s to %(max)s.",
                                        {"min": "2000-01-01", "max": "2100-12-31"})),
])
def test_out_of_range_run_parameters_get_a_field_error_and_launch_nothing(
        org_a, people_a, roles, tr, changes, key, message):
    with tenancy.activate(org_a):
        template = library.library_adopt(actor=roles, key="supplies_order", owner=people_a.sato)
        with pytest.raises(launching.LaunchError) as exc:
            run_services.run_launch(actor=roles, template=template,
                                    params={**SAMPLE_PARAMS["supplies_order"], **changes},
                                    starter=people_a.suzuki, start_date=D(2026, 3, 2))
        assert not Step.objects.exists()
    assert exc.value.message_dict == {key: [tr(message[0]) % message[1]]}
