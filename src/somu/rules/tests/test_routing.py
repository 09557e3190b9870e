"""Approval routes: which rows apply to a request and who approves each stage, with the reasons.

The chart every case uses (ranks 社長 1 … 一般 6)::

    本社 (社長 田中)
    ├── 営業本部 (本部長 佐藤)
    │   └── 営業部 (部長 鈴木)
    │       ├── 第一課 (課長 高橋; 伊藤 一般, manager 高橋)
    │       └── 第二課 (no head; 渡辺 一般, no manager)
    └── 管理本部 (本部長 山本)
        ├── 経理部 (部長 中村; 小林 係長, 加藤 一般, 木村 retired)
        └── 法務部 (部長 吉田, retired; 松本 一般)
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from somu.rules.routing import (
    ChartDepartment,
    ChartPerson,
    Draft,
    OrgChart,
    Route,
    RouteError,
    RuleRow,
    RuleTable,
    StageRule,
    matches,
    overlapping_rows,
    resolve,
    validate_rows,
)

RANKS = {"社長": 1, "本部長": 2, "部長": 3, "課長": 4, "係長": 5, "一般": 6}
HQ, SALES_DIV, SALES, TEAM1, TEAM2, ADMIN_DIV, ACCOUNTING, LEGAL = 1, 2, 3, 4, 5, 6, 7, 8
TANAKA, SATO, SUZUKI, TAKAHASHI, ITO, WATANABE = 1, 2, 3, 4, 5, 6
YAMAMOTO, NAKAMURA, YOSHIDA, KOBAYASHI, KATO, KIMURA, MATSUMOTO = 10, 11, 12, 13, 14, 15, 16


def chart(*, people: dict[int, dict[str, Any]] | None = None,
          heads: dict[int, int | None] | None = None) -> OrgChart:
    """The chart above; ``people``/``heads`` change a person's fields or a department's head."""
    staff = [
        ChartPerson(TANAKA, "田中", HQ, "社長"),
        ChartPerson(SATO, "佐藤", SALES_DIV, "本部長", manager_id=TANAKA),
        ChartPerson(SUZUKI, "鈴木", SALES, "部長", manager_id=SATO),
        ChartPerson(TAKAHASHI, "高橋", TEAM1, "課長", manager_id=SUZUKI),
        ChartPerson(ITO, "伊藤", TEAM1, "一般", manager_id=TAKAHASHI),
        ChartPerson(WATANABE, "渡辺", TEAM2, "一般"),
        ChartPerson(YAMAMOTO, "山本", ADMIN_DIV, "本部長", manager_id=TANAKA),
        ChartPerson(NAKAMURA, "中村", ACCOUNTING, "部長", manager_id=YAMAMOTO),
        ChartPerson(YOSHIDA, "吉田", LEGAL, "部長", active=False),
        ChartPerson(KOBAYASHI, "小林", ACCOUNTING, "係長", manager_id=NAKAMURA),
        ChartPerson(KATO, "加藤", ACCOUNTING, "一般", manager_id=KOBAYASHI),
        ChartPerson(KIMURA, "木村", ACCOUNTING, "一般", active=False),
        ChartPerson(MATSUMOTO, "松本", LEGAL, "一般"),
    ]
    departments = [
        ChartDepartment(HQ, "本社", None, TANAKA),
        ChartDepartment(SALES_DIV, "営業本部", HQ, SATO),
        ChartDepartment(SALES, "営業部", SALES_DIV, SUZUKI),
        ChartDepartment(TEAM1, "第一課", SALES, TAKAHASHI),
        ChartDepartment(TEAM2, "第二課", SALES, None),
        ChartDepartment(ADMIN_DIV, "管理本部", HQ, YAMAMOTO),
        ChartDepartment(ACCOUNTING, "経理部", ADMIN_DIV, NAKAMURA),
        ChartDepartment(LEGAL, "法務部", ADMIN_DIV, YOSHIDA),
    ]
    by_id = {p.id: dataclasses.replace(p, **(people or {}).get(p.id, {})) for p in staff}
    depts = {d.id: dataclasses.replace(d, head_id=(heads or {}).get(d.id, d.head_id))
             for d in departments}
    return OrgChart(people=by_id, departments=depts, ranks=RANKS)


CHART = chart()
NAMES = {p.id: p.name for p in CHART.people.values()}


def decide(approver: str = "position", value: str = "", **kw: Any) -> StageRule:
    return StageRule(kind="decide", approver=approver, value=value, **kw)  # type: ignore[arg-type]


def row(number: int, *stages: StageRule, request_type: str = "稟議", **kw: Any) -> RuleRow:
    return RuleRow(number=number, request_type=request_type, stages=stages, **kw)


def draft(requester: int = ITO, **kw: Any) -> Draft:
    return Draft(request_type=kw.pop("request_type", "稟議"), requester_id=requester, **kw)


def names(route: Route) -> list[tuple[str, list[str]]]:
    return [(s.kind, [NAMES[p] for p in s.approvers]) for s in route.stages]


def whys(route: Route, stage: int = 0) -> list[str]:
    return [w.code for w in route.stages[stage].why]


def refused(rows: list[RuleRow], d: Draft, org: OrgChart = CHART) -> RouteError:
    with pytest.raises(RouteError) as exc:
        resolve(rows, org, d)
    return exc.value


# ---- amount bands and departments -------------------------------------------------------------

BANDS = [
    row(1, decide(value="課長"), amount_max=100_000),
    row(2, decide(value="部長"), amount_min=100_001, amount_max=1_000_000),
    row(3, decide(value="本部長"), amount_min=1_000_001, amount_max=10_000_000),
    row(4, decide(value="社長"), amount_min=10_000_001),
]


@pytest.mark.parametrize(("amount", "decider", "row_number"), [
    (0, "高橋", 1), (100_000, "高橋", 1), (100_001, "鈴木", 2), (1_000_000, "鈴木", 2),
    (1_000_001, "佐藤", 3), (10_000_000, "佐藤", 3), (10_000_001, "田中", 4),
], ids=lambda v: f"{v:,}" if isinstance(v, int) and v > 10 else str(v))
def test_an_amount_exactly_on_a_threshold_belongs_to_the_band_that_names_it(
        amount, decider, row_number):
    route = resolve(BANDS, CHART, draft(amount=amount))
    assert names(route) == [("decide", [decider])]
    assert route.rows == (row_number,)


def test_a_request_without_an_amount_matches_no_banded_row_but_an_unbanded_one():
    assert refused(BANDS, draft(amount=None)).code == "no_rule"
    unbanded = [row(9, decide(value="部長"))]
    assert names(resolve(unbanded, CHART, draft(amount=None))) == [("decide", ["鈴木"])]


@pytest.mark.parametrize(("department", "requester", "applies"), [
    (SALES, ITO, True),            # 第一課 is below 営業部
    (SALES, WATANABE, True),       # so is 第二課
    (SALES_DIV, ITO, True),        # two levels down
    (TEAM1, WATANABE, False),      # a sibling is not below
    (SALES, KATO, False),          # 経理部 is in another division
    (TEAM1, SUZUKI, False),        # the parent is not below its child
], ids=["a child", "another child", "a grandchild", "a sibling", "another division",
        "the parent"])
def test_a_row_for_a_department_applies_to_it_and_everything_below_it(
        department, requester, applies):
    assert matches(row(1, decide(value="部長"), department_id=department), CHART,
                   draft(requester)) is applies


def test_the_draft_may_name_another_department_than_the_requesters():
    rows = [row(1, decide(value="部長"), department_id=ACCOUNTING)]
    assert names(resolve(rows, CHART, draft(ITO, department_id=ACCOUNTING))) == [
        ("decide", ["中村"])]


def test_a_category_row_applies_only_to_that_category_and_a_blank_one_to_any():
    rows = [row(1, decide(value="部長"), category="接待交際費"),
            row(2, StageRule("consult", "person", str(NAKAMURA)))]
    assert resolve(rows, CHART, draft(category="接待交際費")).rows == (1, 2)
    assert refused(rows, draft(category="会議費")).code == "no_decision"


# ---- positions up the chain -------------------------------------------------------------------

@pytest.mark.parametrize(("position", "approver", "department"), [
    ("課長", "高橋", "第一課"), ("部長", "鈴木", "営業部"), ("本部長", "佐藤", "営業本部"),
    ("社長", "田中", "本社"),
])
def test_a_position_is_the_first_head_holding_it_walking_up_from_the_requester(
        position, approver, department):
    route = resolve([row(1, decide(value=position))], CHART, draft(ITO))
    assert names(route) == [("decide", [approver])]
    found = route.stages[0].why[-1]
    assert (found.code, found.params["department"], found.params["person"]) == (
        "position_found", department, approver)


def test_a_requester_who_is_himself_the_kacho_goes_to_the_next_more_senior_head():
    route = resolve([row(1, decide(value="課長"))], CHART, draft(TAKAHASHI))
    assert names(route) == [("decide", ["鈴木"])]
    escalated = route.stages[0].why[-1]
    assert (escalated.code, escalated.params["person"], escalated.params["next"]) == (
        "self_escalated", "高橋", "鈴木")


def test_the_president_deciding_his_own_request_has_nobody_left():
    error = refused([row(1, decide(value="社長"))], draft(TANAKA))
    assert (error.code, error.params["reason"], error.row, error.stage) == (
        "unresolvable", "requester", 1, 0)


VACANT_TEAM2 = [  # 第二課 has no head: its 課長 is vacant for 渡辺
    ("escalate", {}, ["鈴木"], "vacant_escalated"),
    ("fallback", {"fallback": KOBAYASHI}, ["小林"], "vacant_fallback"),
]


@pytest.mark.parametrize(("vacancy", "extra", "approvers", "code"), VACANT_TEAM2,
                         ids=["escalate", "fallback"])
def test_a_vacant_kacho_seat_escalates_or_falls_back_and_says_so(vacancy, extra, approvers,
                                                                 code):
    route = resolve([row(1, decide(value="課長", vacancy=vacancy, **extra))], CHART,
                    draft(WATANABE))
    assert names(route) == [("decide", approvers)]
    assert whys(route) == ["rule_row", code]
    assert route.stages[0].why[-1].params["position"] == "課長"


def test_a_vacant_kacho_approval_may_be_skipped_but_stays_in_the_route():
    rows = [row(1, StageRule("approve", "position", "課長", vacancy="skip"), decide(value="部長"))]
    route = resolve(rows, CHART, draft(WATANABE))
    assert names(route) == [("approve", []), ("decide", ["鈴木"])]
    assert route.stages[0].skipped and whys(route) == ["rule_row", "vacant_skipped"]


def test_a_vacant_decision_is_never_skipped():
    error = refused([row(1, decide(value="課長", vacancy="skip"))], draft(WATANABE))
    assert (error.code, error.params["reason"]) == ("unresolvable", "decision_skipped")


def test_an_inactive_head_is_a_vacant_seat():
    org = chart(people={TAKAHASHI: {"active": False}})
    route = resolve([row(1, decide(value="課長"))], org, draft(ITO))
    assert names(route) == [("decide", ["鈴木"])]
    assert route.stages[0].why[-1].code == "vacant_escalated"


def test_a_head_of_a_more_senior_position_ends_the_search_for_a_junior_one():
    # 部長 鈴木 requests; 営業部's head is himself (部長, more senior than 課長): 課長 is vacant.
    route = resolve([row(1, decide(value="課長"))], CHART, draft(SUZUKI))
    assert names(route) == [("decide", ["佐藤"])]


def test_a_fallback_who_left_or_is_the_requester_is_refused():
    inactive = [row(1, decide(value="課長", vacancy="fallback", fallback=KIMURA))]
    assert refused(inactive, draft(WATANABE)).params["reason"] == "fallback_inactive"
    own = [row(1, decide(value="課長", vacancy="fallback", fallback=WATANABE))]
    assert refused(own, draft(WATANABE)).params["reason"] == "fallback_is_requester"


def test_escalation_with_nobody_more_senior_left_is_unresolvable():
    org = chart(heads={HQ: None, SALES_DIV: None})
    assert refused([row(1, decide(value="本部長"))], draft(ITO), org).code == "unresolvable"


# ---- levels up, people, fields, managers, groups ----------------------------------------------

@pytest.mark.parametrize(("requester", "levels", "approver"), [
    (ITO, "1", "高橋"), (ITO, "2", "鈴木"), (ITO, "3", "佐藤"), (ITO, "4", "田中"),
    (TAKAHASHI, "1", "鈴木"),   # he heads 第一課 himself
    (WATANABE, "1", "鈴木"),    # 第二課 has no head
])
def test_levels_up_counts_distinct_active_heads_above_the_requester(requester, levels, approver):
    route = resolve([row(1, decide("levels_up", levels))], CHART, draft(requester))
    assert names(route) == [("decide", [approver])]
    assert route.stages[0].why[-1].code == "levels_up_found"


def test_levels_up_past_the_root_is_vacant():
    assert refused([row(1, decide("levels_up", "5"))], draft(ITO)).code == "unresolvable"
    route = resolve([row(1, decide("levels_up", "5", vacancy="fallback", fallback=TANAKA))],
                    CHART, draft(ITO))
    assert names(route) == [("decide", ["田中"])]


def test_levels_up_from_a_kacho_says_it_passed_over_him():
    route = resolve([row(1, decide("levels_up", "1"))], CHART, draft(TAKAHASHI))
    assert whys(route) == ["rule_row", "self_escalated", "levels_up_found"]


@pytest.mark.parametrize(("stage", "values", "requester", "approver", "code"), [
    (decide("person", str(NAKAMURA)), {}, ITO, "中村", "person_named"),
    (decide("field", "承認者"), {"承認者": NAKAMURA}, ITO, "中村", "field_person"),
    (decide("field", "承認者"), {"承認者": str(NAKAMURA)}, ITO, "中村", "field_person"),
    (decide("manager"), {}, ITO, "高橋", "manager"),
    (decide("manager"), {}, KATO, "小林", "manager"),
], ids=["a named person", "a person id in a field", "a person id typed as text",
        "the requester's manager", "a manager who is not a head"])
def test_a_person_field_or_manager_approver_is_that_person(stage, values, requester, approver,
                                                           code):
    route = resolve([row(1, stage)], CHART, draft(requester, values=values))
    assert names(route) == [("decide", [approver])]
    assert route.stages[0].why[-1].code == code


def test_a_named_person_who_left_escalates_to_the_head_above_his_seat():
    # 吉田 (法務部長) left: 法務部 has no active head, so 管理本部's 山本 decides.
    route = resolve([row(1, decide("person", str(YOSHIDA)))], CHART, draft(ITO))
    assert names(route) == [("decide", ["山本"])]
    assert route.stages[0].why[-1].code == "vacant_escalated"


def test_an_empty_field_or_a_missing_manager_is_vacant():
    empty = [row(1, decide("field", "承認者", vacancy="fallback", fallback=NAKAMURA))]
    assert names(resolve(empty, CHART, draft(values={"承認者": ""}))) == [("decide", ["中村"])]
    route = resolve([row(1, decide("manager"))], CHART, draft(WATANABE))
    assert names(route) == [("decide", ["鈴木"])]  # 第二課 has no head; 営業部 does


def test_nobody_approves_their_own_request_named_in_a_field():
    rows = [row(1, decide("field", "承認者", vacancy="fallback", fallback=SUZUKI))]
    route = resolve(rows, CHART, draft(ITO, values={"承認者": ITO}))
    assert names(route) == [("decide", ["鈴木"])]
    assert whys(route) == ["rule_row", "requester_removed", "vacant_fallback"]


def test_a_group_is_the_active_members_of_the_department_in_id_order():
    route = resolve([row(1, decide("group", str(ACCOUNTING), quorum="all"))], CHART, draft())
    assert names(route) == [("decide", ["中村", "小林", "加藤"])]  # 木村 retired
    assert route.stages[0].quorum == "all"
    assert route.stages[0].why[-1].params["count"] == 3


def test_a_group_may_be_narrowed_to_a_position():
    rows = [row(1, decide("group", str(ACCOUNTING), position="係長"))]
    assert names(resolve(rows, CHART, draft())) == [("decide", ["小林"])]


def test_a_group_may_be_narrowed_to_several_positions():
    rows = [row(1, decide("group", str(ACCOUNTING), position="部長、係長", quorum="all"))]
    assert names(resolve(rows, CHART, draft())) == [("decide", ["中村", "小林"])]


def test_an_unknown_position_among_several_in_a_group_filter_is_named():
    rows = [row(1, decide("group", str(ACCOUNTING), position="部長,課長代理"))]
    assert [(e.code, e.params.get("position")) for e in validate_rows(rows, CHART)] == [
        ("unknown_position", "課長代理")]


def test_a_requester_in_the_group_is_taken_out_of_it():
    route = resolve([row(1, decide("group", str(ACCOUNTING)))], CHART, draft(KATO))
    assert names(route) == [("decide", ["中村", "小林"])]
    assert whys(route) == ["rule_row", "requester_removed", "group_members"]


def test_a_group_with_nobody_active_left_is_vacant():
    rows = [row(1, decide("group", str(LEGAL), position="部長"))]
    assert names(resolve(rows, CHART, draft())) == [("decide", ["山本"])]


@pytest.mark.parametrize(("at_least", "ok"), [(1, True), (3, True), (4, False)])
def test_a_quorum_of_at_least_n_needs_n_approvers(at_least, ok):
    rows = [row(1, decide("group", str(ACCOUNTING), quorum="at_least", at_least=at_least))]
    if ok:
        assert resolve(rows, CHART, draft()).stages[0].at_least == at_least
    else:
        error = refused(rows, draft())
        assert (error.code, error.params["count"], error.params["at_least"]) == (
            "quorum_too_high", 3, 4)


# ---- conditions, additive rows and the stage order --------------------------------------------

def test_a_condition_over_the_form_values_adds_its_row_only_when_it_holds():
    rows = [row(1, decide(value="部長")),
            row(2, StageRule("consult", "group", str(LEGAL)), condition='契約種別 == "NDA"')]
    nda = resolve(rows, CHART, draft(values={"契約種別": "NDA"}))
    assert names(nda) == [("consult", ["松本"]), ("decide", ["鈴木"])]
    assert nda.rows == (1, 2)
    assert names(resolve(rows, CHART, draft(values={"契約種別": "売買"}))) == [
        ("decide", ["鈴木"])]


def test_additive_rows_put_every_stage_in_the_fixed_order_of_kinds():
    rows = [
        row(1, StageRule("circulate", "person", str(SATO)), decide(value="部長"),
            StageRule("approve", "position", "課長"), amount_min=100_001, amount_max=1_000_000),
        row(2, StageRule("consult", "person", str(NAKAMURA), label="経理"),
            amount_min=500_001),
        row(3, StageRule("review", "person", str(KOBAYASHI))),
    ]
    route = resolve(rows, CHART, draft(amount=600_000))
    assert names(route) == [("review", ["小林"]), ("consult", ["中村"]), ("approve", ["高橋"]),
                            ("decide", ["鈴木"]), ("circulate", ["佐藤"])]
    assert [(s.row, s.index) for s in route.stages] == [(3, 0), (2, 0), (1, 2), (1, 1), (1, 0)]
    assert route.stages[1].label == "経理"
    assert names(resolve(rows, CHART, draft(amount=500_000)))[1] == ("approve", ["高橋"])


def test_stages_of_one_kind_keep_the_order_of_their_rows_in_the_table():
    rows = [row(7, StageRule("consult", "person", str(NAKAMURA))), row(2, decide(value="部長")),
            row(5, StageRule("consult", "person", str(YAMAMOTO)))]
    assert [s.row for s in resolve(rows, CHART, draft()).stages] == [7, 5, 2]


def test_a_person_in_two_consecutive_stages_stays_in_both():
    rows = [row(1, StageRule("approve", "position", "部長"), decide(value="部長"))]
    assert names(resolve(rows, CHART, draft())) == [("approve", ["鈴木"]), ("decide", ["鈴木"])]


# ---- refusals --------------------------------------------------------------------------------

def test_no_matching_row_no_decision_and_two_decisions_are_refused():
    assert refused(BANDS, draft(request_type="出張")).code == "no_rule"
    consult_only = [row(1, StageRule("consult", "person", str(NAKAMURA)))]
    assert refused(consult_only, draft()).code == "no_decision"
    two = [row(3, decide(value="課長")), row(8, decide(value="部長"), amount_min=0)]
    error = refused(two, draft(amount=5))
    assert (error.code, error.params) == ("ambiguous", {"row_a": 3, "row_b": 8})


def test_a_condition_that_does_not_compile_names_its_row_when_a_request_reaches_it():
    rows = [row(1, decide(value="部長")), row(4, decide(value="課長"), condition="金額 = 3",
                                              request_type="出張")]
    assert names(resolve(rows, CHART, draft())) == [("decide", ["鈴木"])]
    error = refused(rows, draft(request_type="出張"))
    assert (error.code, error.row, error.params["row"]) == ("condition_error", 4, 4)
    assert "==" in str(error.params["message"])


def test_an_unknown_requester_is_refused():
    assert refused(BANDS, draft(999, amount=1)).code == "unknown_requester"


def test_a_prepared_table_resolves_like_the_plain_rows():
    table = RuleTable(BANDS, CHART)
    for amount in (1, 100_001, 5_000_000, 20_000_000):
        assert resolve(table, CHART, draft(amount=amount)) == resolve(
            BANDS, CHART, draft(amount=amount))


# ---- the editor's static checks ---------------------------------------------------------------

@pytest.mark.parametrize(("a", "b", "flagged"), [
    ({"amount_max": 100_000}, {"amount_min": 100_001}, False),
    ({"amount_max": 100_000}, {"amount_min": 100_000}, True),
    ({"amount_min": 0, "amount_max": 10}, {}, True),
    ({"category": "会議費"}, {"category": "交際費"}, False),
    ({"category": "会議費"}, {}, True),
    ({"department_id": SALES}, {"department_id": TEAM1}, True),
    ({"department_id": TEAM1}, {"department_id": TEAM2}, False),
    ({"condition": "a == 1"}, {"condition": "a == 1"}, True),
    ({"condition": "a == 1"}, {"condition": "a == 2"}, False),
    ({"condition": "a == 1"}, {}, True),
    ({"request_type": "出張"}, {}, False),
], ids=["adjacent bands", "bands sharing their edge", "a band inside an open one",
        "different categories", "a category and any", "a department and its child",
        "sibling departments", "equal conditions", "different conditions",
        "a condition and none", "different request types"])
def test_two_deciding_rows_overlap_when_one_request_can_match_both(a, b, flagged):
    rows = [row(1, decide(value="課長"), **a), row(2, decide(value="部長"), **b)]
    assert overlapping_rows(rows, CHART) == ([(1, 2)] if flagged else [])


def test_a_row_without_a_decision_overlaps_nothing():
    rows = [row(1, decide(value="部長")), row(2, StageRule("consult", "person", "11"))]
    assert overlapping_rows(rows, CHART) == []


@pytest.mark.parametrize(("bad", "code", "params"), [
    (row(3, decide(value="部長"), amount_min=10, amount_max=5), "bad_band", {}),
    (row(3, decide(value="部長"), amount_min=-1), "bad_band", {}),
    (row(3, decide(value="専務")), "unknown_position", {"position": "専務"}),
    (row(3, decide("group", str(ACCOUNTING), position="主任")), "unknown_position",
     {"position": "主任"}),
    (row(3, decide("person", "999")), "unknown_person", {"id": "999"}),
    (row(3, decide("group", "999")), "unknown_department", {"id": "999"}),
    (row(3, decide(value="部長"), department_id=999), "unknown_department", {"id": 999}),
    (row(3, decide(value="部長"), condition="金額 >"), "condition_error", None),
    (row(3, decide("levels_up", "0")), "bad_levels", {"levels": "0"}),
    (row(3, decide("levels_up", "10")), "bad_levels", {"levels": "10"}),
    (row(3, decide("group", "7", quorum="at_least", at_least=0)), "bad_quorum",
     {"at_least": 0}),
    (row(3, decide(value="部長", vacancy="fallback")), "fallback_missing", {}),
    (row(3, decide(value="部長", vacancy="skip")), "unresolvable",
     {"reason": "decision_skipped"}),
    (row(3), "no_stages", {}),
    (row(3, decide(value="部長"), decide(value="課長")), "ambiguous", {"row_a": 3, "row_b": 3}),
], ids=["a minimum above the maximum", "a negative bound", "an unknown position",
        "an unknown group position", "an unknown person", "an unknown group department",
        "an unknown row department", "a condition that does not compile", "zero levels up",
        "ten levels up", "a quorum of zero", "a fallback vacancy without a fallback",
        "a skippable decision", "a row without stages", "two decisions in one row"])
def test_validation_names_each_problem_with_its_row(bad, code, params):
    errors = validate_rows([row(1, decide(value="課長"), request_type="出張"), bad], CHART)
    assert [(e.code, e.row) for e in errors] == [(code, 3)]
    if params is not None:
        assert {k: v for k, v in errors[0].params.items() if k != "row"} == params


def test_validation_reports_every_overlap_with_both_rows():
    rows = [row(1, decide(value="課長"), amount_max=100_000),
            row(2, decide(value="部長"), amount_min=100_000, amount_max=1_000_000),
            row(3, decide(value="本部長"), amount_min=1_000_001),
            row(4, decide(value="社長"), amount_min=5_000_000)]
    assert [(e.code, e.params["row_a"], e.params["row_b"]) for e in validate_rows(rows, CHART)] \
        == [("overlap", 1, 2), ("overlap", 3, 4)]


def test_a_clean_table_validates_without_errors():
    assert validate_rows(BANDS, CHART) == []
