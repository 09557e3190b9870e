"""Approval routes (承認ルート): which rule rows apply to a request, and who approves each stage.

Pure: the organization chart arrives as plain :class:`OrgChart` data, the rule table as
:class:`RuleRow` s, the request as a :class:`Draft` (real or hypothetical, for the route preview
and the "who would approve this?" search). Every decision carries a :class:`Why` a presenter
renders with gettext; a route that cannot be built is a :class:`RouteError` with a code.

- **Matching**: every row of the request type whose category, amount band (inclusive at both
  ends), department (the row's department or anything below it) and condition (:mod:`.expr`
  over the form values) fit contributes its stages — rows add up (経理の合議 above ¥500,000 next
  to 部長の決裁). The route is the stages in :data:`STAGE_KINDS` order; exactly one 決裁.
- **Approvers**: a position (the first department head holding it, walking up from the
  request's department), N levels up, a named person, a person in a form field, the
  requester's manager, or the members of a department. Nobody approves their own request.
- **Vacancies** are never silent: escalate to the next head up, a fallback person, or skip the
  stage (kept in the route, marked skipped; a 決裁 is never skipped).

:class:`RuleTable` indexes the rows by request type and compiles their conditions once; resolve
10,000 drafts against one table (benchmarks/approvals_routing.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from somu.rules.expr import Condition, ExprError, parse_condition

# 審査 合議 承認 決裁 回覧, in route order
StageKind = Literal["review", "consult", "approve", "decide", "circulate"]
STAGE_KINDS: Final[tuple[str, ...]] = ("review", "consult", "approve", "decide", "circulate")
ApproverKind = Literal["position", "levels_up", "person", "group", "manager", "field"]
APPROVER_KINDS: Final[tuple[str, ...]] = (
    "position", "levels_up", "person", "group", "manager", "field")
Vacancy = Literal["escalate", "fallback", "skip"]
Quorum = Literal["all", "any", "at_least"]
DECIDE: Final = "decide"
_ORDER: Final = {kind: i for i, kind in enumerate(STAGE_KINDS)}


@dataclass(frozen=True)
class StageRule:
    """One stage of a rule row: its kind and how its approvers are found.

    ``value``: position → the position name (課長); levels_up → "1".."9"; person → a person id;
    group → a department id; field → the form field key holding a person id; manager → "".
    ``position`` (group only) narrows the members to that position ("" = every active member
    of the department itself, not its subtree).
    """

    kind: StageKind
    approver: ApproverKind
    value: str = ""
    position: str = ""
    quorum: Quorum = "any"
    at_least: int = 1
    vacancy: Vacancy = "escalate"
    fallback: int | None = None
    allow_add: bool = False  # 合議 members may add another participant
    label: str = ""  # the 決裁欄 heading ("" = the presenter derives it)


@dataclass(frozen=True)
class RuleRow:
    """A row of the authority table (職務権限表) as the admin sees it, numbered."""

    number: int
    request_type: str
    stages: tuple[StageRule, ...]
    category: str = ""  # "" = any category
    amount_min: int | None = None  # inclusive (以上)
    amount_max: int | None = None  # inclusive (以下)
    department_id: int | None = None  # this department and everything below it
    condition: str = ""  # an .expr expression over the form values; "" = always


@dataclass(frozen=True)
class ChartPerson:
    id: int
    name: str
    department_id: int | None
    position: str  # "" = none
    manager_id: int | None = None
    active: bool = True


@dataclass(frozen=True)
class ChartDepartment:
    id: int
    name: str
    parent_id: int | None
    head_id: int | None


@dataclass(frozen=True, eq=False)
class OrgChart:
    """The organization as routes see it; ancestor chains and members are cached on first use."""

    people: Mapping[int, ChartPerson]
    departments: Mapping[int, ChartDepartment]
    ranks: Mapping[str, int]  # position name -> rank, 1 = most senior
    _chains: dict[int, tuple[int, ...]] = field(default_factory=dict, init=False, repr=False)
    _members: dict[int, tuple[int, ...]] = field(default_factory=dict, init=False, repr=False)

    def chain(self, department_id: int | None) -> tuple[int, ...]:
        """The department and its ancestors, bottom up (a cycle in the data stops the walk)."""
        if department_id is None:
            return ()
        found = self._chains.get(department_id)
        if found is None:
            out: list[int] = []
            current: int | None = department_id
            while current is not None and current in self.departments and current not in out:
                out.append(current)
                current = self.departments[current].parent_id
            found = self._chains[department_id] = tuple(out)
        return found

    def within(self, department_id: int | None, ancestor: int) -> bool:
        """Whether ``department_id`` is ``ancestor`` or below it."""
        return ancestor in self.chain(department_id)

    def members(self, department_id: int) -> tuple[int, ...]:
        """The active people of the department itself (not its subtree), in id order."""
        if not self._members and self.people:
            grouped: dict[int, list[int]] = {}
            for person in self.people.values():
                if person.active and person.department_id is not None:
                    grouped.setdefault(person.department_id, []).append(person.id)
            self._members.update((d, tuple(sorted(ids))) for d, ids in grouped.items())
        return self._members.get(department_id, ())

    def rank(self, position: str) -> int | None:
        return self.ranks.get(position) if position else None

    def active(self, person_id: int | None) -> ChartPerson | None:
        person = self.people.get(person_id) if person_id is not None else None
        return person if person is not None and person.active else None


@dataclass(frozen=True)
class Draft:
    """A request, real or hypothetical; ``department_id`` None = the requester's department."""

    request_type: str
    requester_id: int
    amount: int | None = None
    category: str = ""
    department_id: int | None = None
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Why:
    """One reason, rendered by a Django-side presenter with gettext."""

    code: str
    params: Mapping[str, str | int]


@dataclass(frozen=True)
class ResolvedStage:
    kind: StageKind
    row: int
    index: int  # the stage rule's position within its row
    approvers: tuple[int, ...]  # person ids, in order; empty only when skipped
    quorum: Quorum
    at_least: int
    allow_add: bool
    label: str
    skipped: bool
    why: tuple[Why, ...]


@dataclass(frozen=True)
class Route:
    stages: tuple[ResolvedStage, ...]
    rows: tuple[int, ...]  # the matching rows' numbers, in table order

    @property
    def decision(self) -> ResolvedStage:
        return next(s for s in self.stages if s.kind == DECIDE)


class RouteError(Exception):
    """Why no route: ``code`` and ``params`` for the presenter, the ``row`` and ``stage`` index."""

    def __init__(self, code: str, params: Mapping[str, str | int] | None = None, *,
                 row: int | None = None, stage: int | None = None) -> None:
        self.code = code
        self.params: Mapping[str, str | int] = dict(params or {})
        self.row = row
        self.stage = stage
        super().__init__(f"{code} {dict(self.params)}" if self.params else code)

    def __repr__(self) -> str:
        return f"RouteError({self.code!r}, {dict(self.params)!r}, row={self.row}, " \
               f"stage={self.stage})"


# ---- matching --------------------------------------------------------------------------------

def _compile(row: RuleRow) -> Condition:
    try:
        return parse_condition(row.condition)
    except ExprError as exc:
        raise RouteError("condition_error", {"row": row.number, "message": str(exc)},
                         row=row.number) from exc


def _holds(row: RuleRow, condition: Condition, values: Mapping[str, Any]) -> bool:
    try:
        return condition.evaluate(values)
    except (TypeError, ValueError, ArithmeticError) as exc:  # an odd value the language missed
        raise RouteError("condition_error", {"row": row.number, "message": str(exc)},
                         row=row.number) from exc


def _in_band(row: RuleRow, amount: int | None) -> bool:
    if row.amount_min is None and row.amount_max is None:
        return True
    if amount is None:
        return False
    return (row.amount_min is None or amount >= row.amount_min) and (
        row.amount_max is None or amount <= row.amount_max)


def _fits(row: RuleRow, chart: OrgChart, draft: Draft, department_id: int | None) -> bool:
    """Everything but the condition."""
    return (row.request_type == draft.request_type
            and (not row.category or row.category == draft.category)
            and _in_band(row, draft.amount)
            and (row.department_id is None or chart.within(department_id, row.department_id)))


def _department(chart: OrgChart, draft: Draft) -> int | None:
    if draft.department_id is not None:
        return draft.department_id
    requester = chart.people.get(draft.requester_id)
    return requester.department_id if requester else None


def matches(row: RuleRow, chart: OrgChart, draft: Draft) -> bool:
    """Whether ``row`` applies to ``draft``; a condition that does not compile is a RouteError."""
    if not _fits(row, chart, draft, _department(chart, draft)):
        return False
    return not row.condition or _holds(row, _compile(row), draft.values)


class RuleTable:
    """Rows indexed by request type with their conditions compiled: build once, resolve often."""

    def __init__(self, rows: Sequence[RuleRow], chart: OrgChart) -> None:
        self.rows = tuple(rows)
        self.chart = chart
        self._by_type: dict[str, list[tuple[RuleRow, Condition | RouteError | None]]] = {}
        for row in self.rows:
            condition: Condition | RouteError | None = None
            if row.condition.strip():
                try:
                    condition = _compile(row)
                except RouteError as exc:
                    condition = exc  # raised only when a request reaches this row
            self._by_type.setdefault(row.request_type, []).append((row, condition))

    def matching(self, draft: Draft, department_id: int | None) -> list[RuleRow]:
        out = []
        for row, condition in self._by_type.get(draft.request_type, ()):
            if not _fits(row, self.chart, draft, department_id):
                continue
            if isinstance(condition, RouteError):
                raise condition
            if condition is None or _holds(row, condition, draft.values):
                out.append(row)
        return out


# ---- resolving -------------------------------------------------------------------------------

def resolve(rows: Sequence[RuleRow] | RuleTable, chart: OrgChart, draft: Draft) -> Route:
    """The route of ``draft``, or a :class:`RouteError` saying why there is none."""
    table = rows if isinstance(rows, RuleTable) and rows.chart is chart else RuleTable(
        rows.rows if isinstance(rows, RuleTable) else rows, chart)
    requester = chart.people.get(draft.requester_id)
    if requester is None:
        raise RouteError("unknown_requester", {"id": draft.requester_id})
    department = _department(chart, draft)
    matched = table.matching(draft, department)
    if not matched:
        raise RouteError("no_rule", {"request_type": draft.request_type})
    deciding = [row.number for row in matched for s in row.stages if s.kind == DECIDE]
    if not deciding:
        raise RouteError("no_decision", {"rows": ", ".join(str(r.number) for r in matched)})
    if len(deciding) > 1:
        raise RouteError("ambiguous", {"row_a": deciding[0], "row_b": deciding[1]},
                         row=deciding[1])
    finder = _Finder(chart, requester, department, draft)
    stages = [finder.stage(row, index, rule)
              for row in matched for index, rule in enumerate(row.stages)]
    stages.sort(key=lambda s: _ORDER[s.kind])  # stable: table order, then stage index
    return Route(stages=tuple(stages), rows=tuple(row.number for row in matched))


def group_positions(text: str) -> tuple[str, ...]:
    """A group's position filter: one position or several (「部長、課長」 / "部長,課長")."""
    return tuple(p.strip() for p in text.replace("、", ",").split(",") if p.strip())


class _Vacant(Exception):  # a signal inside _Finder, never leaves it
    def __init__(self, start: int | None, reason: str) -> None:
        self.start = start  # the department escalation walks up from
        self.reason = reason


class _Finder:
    """Finds the approvers of one draft's stages."""

    def __init__(self, chart: OrgChart, requester: ChartPerson, department: int | None,
                 draft: Draft) -> None:
        self.chart = chart
        self.requester = requester
        self.department = department
        self.draft = draft

    def heads(self, start: int | None) -> Iterator[tuple[ChartDepartment, ChartPerson | None]]:
        """(department, its active head or None) walking up from ``start``."""
        for department_id in self.chart.chain(start):
            department = self.chart.departments[department_id]
            yield department, self.chart.active(department.head_id)

    def stage(self, row: RuleRow, index: int, rule: StageRule) -> ResolvedStage:
        why: list[Why] = [Why("rule_row", {"row": row.number})]
        seat = rule.value if rule.approver == "position" else ""
        skipped = False
        try:
            approvers = self.approvers(rule, why)
        except _Vacant as vacant:
            approvers, skipped = self.vacancy(row, index, rule, seat, vacant, why)
        if not skipped and rule.quorum == "at_least" and rule.at_least > len(approvers):
            raise RouteError("quorum_too_high", {
                "row": row.number, "stage": index, "count": len(approvers),
                "at_least": rule.at_least}, row=row.number, stage=index)
        return ResolvedStage(
            kind=rule.kind, row=row.number, index=index, approvers=approvers,
            quorum=rule.quorum, at_least=rule.at_least, allow_add=rule.allow_add,
            label=rule.label, skipped=skipped, why=tuple(why))

    def approvers(self, rule: StageRule, why: list[Why]) -> tuple[int, ...]:
        if rule.approver == "position":
            return (self.position(rule.value, why),)
        if rule.approver == "levels_up":
            return (self.levels_up(rule.value, why),)
        if rule.approver == "group":
            return self.group(rule, why)
        if rule.approver == "person":
            params: dict[str, str | int] = {}
            person_id, code = _as_id(rule.value), "person_named"
        elif rule.approver == "field":
            person_id = _as_id(self.draft.values.get(rule.value))
            code, params = "field_person", {"field": rule.value}
        else:
            person_id, code, params = self.requester.manager_id, "manager", {}
        return (self.one(person_id, code, params, why),)

    def one(self, person_id: int | None, code: str, params: dict[str, str | int],
            why: list[Why]) -> int:
        known = self.chart.people.get(person_id) if person_id is not None else None
        start = known.department_id if known else self.department
        person = self.chart.active(person_id)
        if person is None:
            raise _Vacant(start, "inactive" if known else "missing")
        if person.id == self.requester.id:
            why.append(Why("requester_removed", {"person": person.name, "person_id": person.id}))
            raise _Vacant(start, "requester")
        why.append(Why(code, {**params, "person": person.name, "person_id": person.id}))
        return person.id

    def position(self, position: str, why: list[Why]) -> int:
        rank = self.chart.rank(position)
        found_self = False
        for department, head in self.heads(self.department):
            if head is None:
                continue  # a vacant seat: look further up
            if found_self:
                if (head_rank := self.chart.rank(head.position)) is not None and rank is not None \
                        and head_rank < rank and head.id != self.requester.id:
                    why.append(Why("self_escalated", {
                        "person": self.requester.name, "next": head.name, "person_id": head.id,
                        "department": department.name}))
                    return head.id
                continue
            if head.position == position:
                if head.id == self.requester.id:
                    found_self = True
                    continue
                why.append(Why("position_found", {
                    "position": position, "department": department.name,
                    "department_id": department.id, "person": head.name,
                    "person_id": head.id}))
                return head.id
            head_rank = self.chart.rank(head.position)
            if rank is not None and head_rank is not None and head_rank < rank:
                break  # passed a more senior head: the position is vacant on this chain
        raise _Vacant(self.department, "requester" if found_self else "vacant")

    def levels_up(self, value: str, why: list[Why]) -> int:
        levels = int(value) if value.isdecimal() else 0
        seen: list[int] = []
        passed_self = False
        for department, head in self.heads(self.department):
            if head is None or head.id in seen:
                continue
            if head.id == self.requester.id:
                passed_self = True
                continue
            seen.append(head.id)
            if len(seen) == levels:
                if passed_self:
                    why.append(Why("self_escalated", {
                        "person": self.requester.name, "next": head.name, "person_id": head.id,
                        "department": department.name}))
                why.append(Why("levels_up_found", {
                    "levels": levels, "department": department.name,
                    "department_id": department.id, "person": head.name, "person_id": head.id}))
                return head.id
        raise _Vacant(None, "too_few_levels")  # no head left to escalate to

    def group(self, rule: StageRule, why: list[Why]) -> tuple[int, ...]:
        department_id = _as_id(rule.value)
        department = self.chart.departments.get(department_id) if department_id else None
        if department is None:
            raise _Vacant(None, "missing")
        members = [p for p in self.chart.members(department.id)
                   if not rule.position
                   or self.chart.people[p].position in group_positions(rule.position)]
        if self.requester.id in members:
            members.remove(self.requester.id)
            why.append(Why("requester_removed", {"person": self.requester.name,
                                                 "person_id": self.requester.id}))
        if not members:
            raise _Vacant(department.id, "empty")
        why.append(Why("group_members", {"department": department.name,
                                         "department_id": department.id,
                                         "count": len(members)}))
        return tuple(members)

    def vacancy(self, row: RuleRow, index: int, rule: StageRule, seat: str, vacant: _Vacant,
                why: list[Why]) -> tuple[tuple[int, ...], bool]:
        def fail(reason: str) -> RouteError:
            return RouteError("unresolvable", {
                "row": row.number, "stage": index, "kind": rule.kind, "position": seat,
                "approver": rule.approver, "reason": reason}, row=row.number, stage=index)

        if rule.vacancy == "skip":
            if rule.kind == DECIDE:
                raise fail("decision_skipped")
            why.append(Why("vacant_skipped", {"position": seat, "approver": rule.approver,
                                              "reason": vacant.reason}))
            return (), True
        if rule.vacancy == "fallback":
            person = self.chart.active(rule.fallback)
            if person is None:
                raise fail("fallback_inactive" if rule.fallback is not None
                           else "fallback_missing")
            if person.id == self.requester.id:
                raise fail("fallback_is_requester")
            why.append(Why("vacant_fallback", {"position": seat, "person": person.name,
                                               "person_id": person.id,
                                               "reason": vacant.reason}))
            return (person.id,), False
        rank = self.chart.rank(seat) if seat else None
        for department, head in self.heads(vacant.start):
            if head is None or head.id == self.requester.id:
                continue
            if rank is not None and not ((r := self.chart.rank(head.position)) and r < rank):
                continue
            why.append(Why("vacant_escalated", {
                "position": seat, "department": department.name, "department_id": department.id,
                "person": head.name, "person_id": head.id, "reason": vacant.reason}))
            return (head.id,), False
        raise fail(vacant.reason)


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    return None


# ---- static checks (the editor and the import) -----------------------------------------------

def _bands_meet(a: RuleRow, b: RuleRow) -> bool:
    lows = [x for x in (a.amount_min, b.amount_min) if x is not None]
    highs = [x for x in (a.amount_max, b.amount_max) if x is not None]
    return not lows or not highs or max(lows) <= min(highs)


def _can_overlap(a: RuleRow, b: RuleRow, chart: OrgChart) -> bool:
    return (a.request_type == b.request_type
            and (not a.category or not b.category or a.category == b.category)
            and _bands_meet(a, b)
            and (a.department_id is None or b.department_id is None
                 or chart.within(a.department_id, b.department_id)
                 or chart.within(b.department_id, a.department_id))
            and (a.condition.strip() == b.condition.strip()
                 or not a.condition.strip() or not b.condition.strip()))


def overlapping_rows(rows: Sequence[RuleRow], chart: OrgChart) -> list[tuple[int, int]]:
    """Pairs of rows that both decide and can match one request (two different non-empty
    conditions are not compared: resolve() still refuses a request both match)."""
    deciding: dict[str, list[RuleRow]] = {}
    for row in rows:
        if any(s.kind == DECIDE for s in row.stages):
            deciding.setdefault(row.request_type, []).append(row)
    out: list[tuple[int, int]] = []
    for group in deciding.values():
        for i, a in enumerate(group):
            out.extend((a.number, b.number) for b in group[i + 1:] if _can_overlap(a, b, chart))
    return out


def validate_rows(rows: Sequence[RuleRow], chart: OrgChart) -> list[RouteError]:
    """Every problem of the table, in row order, overlaps last."""
    errors: list[RouteError] = []
    for row in rows:
        errors.extend(_row_problems(row, chart))
    errors.extend(RouteError("overlap", {"row_a": a, "row_b": b}, row=b)
                  for a, b in overlapping_rows(rows, chart))
    return errors


def _row_problems(row: RuleRow, chart: OrgChart) -> Iterator[RouteError]:
    n = row.number

    def error(code: str, stage: int | None = None, **params: str | int) -> RouteError:
        return RouteError(code, {"row": n, **params}, row=n, stage=stage)

    if any(x is not None and x < 0 for x in (row.amount_min, row.amount_max)) or (
            row.amount_min is not None and row.amount_max is not None
            and row.amount_min > row.amount_max):
        yield error("bad_band")
    if row.department_id is not None and row.department_id not in chart.departments:
        yield error("unknown_department", id=row.department_id)
    if row.condition.strip():
        try:
            _compile(row)
        except RouteError as exc:
            yield exc
    if not row.stages:
        yield error("no_stages")
    if sum(s.kind == DECIDE for s in row.stages) > 1:
        yield error("ambiguous", row_a=n, row_b=n)
    for i, stage in enumerate(row.stages):
        yield from _stage_problems(stage, chart, lambda code, i=i, **p: error(code, i, **p))


def _stage_problems(stage: StageRule, chart: OrgChart, error: Any) -> Iterator[RouteError]:
    if stage.approver == "position" and stage.value not in chart.ranks:
        yield error("unknown_position", position=stage.value)
    if stage.approver == "group":
        for name in group_positions(stage.position):
            if name not in chart.ranks:
                yield error("unknown_position", position=name)
    if stage.approver == "levels_up" and stage.value not in tuple("123456789"):
        yield error("bad_levels", levels=stage.value)
    if stage.approver == "person" and _as_id(stage.value) not in chart.people:
        yield error("unknown_person", id=stage.value)
    if stage.approver == "group" and _as_id(stage.value) not in chart.departments:
        yield error("unknown_department", id=stage.value)
    if stage.approver == "field" and not stage.value.strip():
        yield error("missing_field")
    if stage.at_least < 1:
        yield error("bad_quorum", at_least=stage.at_least)
    if stage.vacancy == "fallback" and stage.fallback is None:
        yield error("fallback_missing")
    if stage.fallback is not None and stage.fallback not in chart.people:
        yield error("unknown_person", id=stage.fallback)
    if stage.vacancy == "skip" and stage.kind == DECIDE:
        yield error("unresolvable", reason="decision_skipped")
