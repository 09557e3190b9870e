"""The 決裁権限規程 as a table of strings: one line per stage, the same columns in the browser
editor, the Excel file and (later) the API. This is the ONE parser from such lines to
:class:`~somu.approvals.services.rules.RowInput`, and its inverse.

Lines with the same 行番号 form one rule row; they must agree on the row's columns (申請種別,
区分, 金額, 部署, 条件, 備考) — a later line may leave them empty. Names stand for ids: a request
type by name or code, a department by name, code or path (管理本部/総務部), a person by 社員番号,
a position by name. Every error names the line (the sheet's row number, or the editor's line),
the column by its Japanese header, the value and the reason; nothing is saved when any line is
wrong (:func:`rule_table_save`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Final, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from somu.approvals import presenters
from somu.approvals.models import RequestType, RuleVersion
from somu.approvals.services import rules
from somu.core.tabular import Column, ImportFailed, RowError, cell_text, nfkc
from somu.org.models import Department, Membership, Person, Position
from somu.rules import routing

NUMBER, TYPE, CATEGORY, AMOUNT_MIN, AMOUNT_MAX = "行番号", "申請種別", "区分", "金額（以上）", \
    "金額（以下）"
DEPARTMENT, CONDITION, KIND, APPROVER, VALUE = "部署", "条件", "段階", "承認者の種類", "承認者"
POSITION, QUORUM, AT_LEAST, VACANCY, FALLBACK = "役職で絞る", "方式", "必要人数", "不在時", \
    "代替承認者"
ALLOW_ADD, LABEL, NOTE = "追加可", "表示名", "備考"
HEADERS: Final = (NUMBER, TYPE, CATEGORY, AMOUNT_MIN, AMOUNT_MAX, DEPARTMENT, CONDITION, KIND,
                  APPROVER, VALUE, POSITION, QUORUM, AT_LEAST, VACANCY, FALLBACK, ALLOW_ADD,
                  LABEL, NOTE)
# The columns of the rule row (the same on every line of a row); the others are the stage's.
ROW_COLUMNS: Final = (TYPE, CATEGORY, AMOUNT_MIN, AMOUNT_MAX, DEPARTMENT, CONDITION, NOTE)
REQUIRED: Final = (NUMBER, TYPE, KIND, APPROVER)
COLUMNS: Final = tuple(Column(h, required=h in REQUIRED) for h in HEADERS)
# ASCII names of the columns, for the browser editor's inputs.
KEYS: Final = dict(zip(HEADERS, (
    "number", "type", "category", "amount_min", "amount_max", "department", "condition", "kind",
    "approver", "value", "position", "quorum", "at_least", "vacancy", "fallback", "allow_add",
    "label", "note"), strict=True))

KIND_LABELS: Final = {"review": "審査", "consult": "合議", "approve": "承認", "decide": "決裁",
                      "circulate": "回覧"}
APPROVER_LABELS: Final = {"position": "役職", "levels_up": "N階層上", "person": "指名",
                          "group": "部署メンバー", "manager": "上長", "field": "フォーム項目"}
QUORUM_LABELS: Final = {"any": "いずれか1名", "all": "全員", "at_least": "N名以上"}
VACANCY_LABELS: Final = {"escalate": "上位者へ", "fallback": "代替承認者へ", "skip": "スキップ"}
YES: Final = "○"
_YES_WORDS: Final = ("○", "◯", "〇", "o", "yes", "true", "1", "はい", "可", "✓", "✔")
_ALIASES: Final = {  # other words people write for the same choice
    "approver": {"N階層上": ("n階層上", "階層上", "階層"), "部署メンバー": ("部署", "メンバー"),
                 "指名": ("個人", "社員"), "フォーム項目": ("項目", "フォーム")},
    "quorum": {"いずれか1名": ("いずれか", "1名", "誰か"), "全員": ("全員一致",)},
    "vacancy": {"上位者へ": ("上位者", "上位"), "代替承認者へ": ("代替承認者", "代替"),
                "スキップ": ("省略",)},
}


@dataclass(frozen=True)
class Line:
    """One line of the table as typed: its number (the sheet's row, or the editor's line) and
    the cells by Japanese header (absent or None = empty)."""

    number: int
    cells: Mapping[str, Any]

    def text(self, column: str) -> str:
        return cell_text(self.cells.get(column))


@dataclass
class Names:
    """The organization's names the table uses, loaded once (five queries)."""

    types: list[RequestType]
    departments: list[Department]
    people: dict[str, Person]  # by 社員番号 (NFKC)
    positions: set[str]
    _paths: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Names:
        return cls(types=list(RequestType.objects.all()),
                   departments=list(Department.objects.all()),
                   people={nfkc(p.employee_number): p for p in Person.objects.all()},
                   positions=set(Position.objects.values_list("name", flat=True)))

    def path(self, department: Department) -> str:
        if not self._paths:
            by_id = {d.pk: d for d in self.departments}
            for d in self.departments:
                parts: list[str] = []
                seen: set[int] = set()
                current: Department | None = d
                while current is not None and current.pk not in seen:
                    seen.add(current.pk)
                    parts.append(current.name)
                    current = by_id.get(current.parent_id) if current.parent_id else None
                self._paths[d.pk] = "/".join(reversed(parts))
        return self._paths.get(department.pk, department.name)

    def department_name(self, department: Department) -> str:
        """The name the table writes: the plain name, or the path when the name is not unique."""
        same = sum(1 for d in self.departments if d.name == department.name)
        return department.name if same == 1 else self.path(department)

    def request_type(self, text: str) -> RequestType | None:
        key = _key(text)
        return next((t for t in self.types if _key(t.code) == key), None) or next(
            (t for t in self.types if _key(t.name) == key), None)

    def department(self, text: str) -> tuple[Department | None, str]:
        """The department a cell names, or None and why not."""
        key = _key(text)
        if "/" in text or "／" in text:
            found = [d for d in self.departments
                     if _key(self.path(d)) == _key(text.replace("／", "/").strip("/"))]
        else:
            found = [d for d in self.departments if d.code and _key(d.code) == key] or [
                d for d in self.departments if _key(d.name) == key]
        if len(found) == 1:
            return found[0], ""
        if found:
            return None, _("Several departments are called “%(value)s”: write the path, like "
                           "管理本部/総務部.") % {"value": text}
        return None, _("There is no department “%(value)s”.") % {"value": text}


def _key(text: str) -> str:
    return "".join(nfkc(text).split()).casefold()


# ---- amounts ------------------------------------------------------------------------------------

_AMOUNT = re.compile(r"^(?:(\d+(?:\.\d+)?)億)?(?:(\d+(?:\.\d+)?)万)?(?:(\d+(?:\.\d+)?)千)?"
                     r"(\d+)?$")


# The largest bound a row takes (10 trillion yen: what the database and a request hold).
MAX_AMOUNT: Final = 10**13
MAX_ROW: Final = 100_000
# The stored columns' lengths (a longer cell is an error naming it, never a database error).
MAX_LENGTHS: Final = {CATEGORY: 100, CONDITION: 500, NOTE: 300}


def parse_amount(value: Any) -> int | None:
    """Yen from a cell: 1000000, 1,000,000, ¥1,000,000, 100万, 1億5000万, 100万円; empty: None.
    Raises ValueError for anything else (negative, a fraction of a yen, words)."""
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise ValueError(value)
    if isinstance(value, int):
        if not 0 <= value <= MAX_AMOUNT:
            raise ValueError(value)
        return value
    if isinstance(value, float):
        if not value.is_integer() or not 0 <= value <= MAX_AMOUNT:
            raise ValueError(value)
        return int(value)
    text = "".join(nfkc(str(value)).split())
    if not text:
        return None
    text = text.replace("¥", "").replace("￥", "").replace("\\", "").replace(",", "")
    text = text.removesuffix("円")
    match = _AMOUNT.match(text)
    if not text or match is None or not any(match.groups()):
        raise ValueError(value)
    oku, man, sen, rest = match.groups()
    try:
        total = sum((Decimal(part) * unit for part, unit in (
            (oku, 100_000_000), (man, 10_000), (sen, 1_000), (rest, 1)) if part),
            Decimal(0))
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if total != total.to_integral_value() or total > MAX_AMOUNT:
        raise ValueError(value)
    return int(total)


def _choice(text: str, labels: Mapping[str, str], group: str = "") -> str | None:
    """The code a Japanese word (or the code itself) stands for."""
    key = _key(text)
    for code, label in labels.items():
        if key in (_key(label), code):
            return code
        if any(key == _key(alias) for alias in _ALIASES.get(group, {}).get(label, ())):
            return code
    return None


# ---- parsing ------------------------------------------------------------------------------------


@dataclass
class ParsedTable:
    """The rows, and which lines each row came from (to point the service's errors back)."""

    rows: list[rules.RowInput]
    lines: dict[int, list[int]]  # rule row number → its lines, in stage order


def parse_lines(lines: Sequence[Line], names: Names | None = None) -> ParsedTable:
    """The rows the lines describe; raises :class:`ImportFailed` listing every problem."""
    names = names or Names.load()
    errors: list[RowError] = []
    groups: dict[int, list[Line]] = {}
    for line in lines:
        text = line.text(NUMBER)
        try:
            number = int(nfkc(text))
            if not 1 <= number <= MAX_ROW:
                raise ValueError
        except ValueError:
            errors.append(RowError(line.number, NUMBER, text, _(
                "Enter the rule row's number (1, 2, 3 …); lines with the same number form one "
                "row.") if not text else _("Not a row number: write a whole number from 1.")))
            continue
        groups.setdefault(number, []).append(line)
    rows: list[rules.RowInput] = []
    row_lines: dict[int, list[int]] = {}
    for number, group in groups.items():
        row = _parse_row(number, group, names, errors)
        row_lines[number] = [line.number for line in group]
        if row is not None:
            rows.append(row)
    if errors:
        order = {h: i for i, h in enumerate(HEADERS)}
        raise ImportFailed(sorted(errors, key=lambda e: (e.row or 0, order.get(e.column, 0))))
    return ParsedTable(rows=sorted(rows, key=lambda r: r.number), lines=row_lines)


def _parse_row(number: int, group: list[Line], names: Names,
               errors: list[RowError]) -> rules.RowInput | None:
    first = group[0]
    found: list[RowError] = []

    def error(line: Line, column: str, reason: str) -> None:
        found.append(RowError(line.number, column, line.text(column), reason))

    for line in group[1:]:
        for column in ROW_COLUMNS:
            text = line.text(column)
            if text and _key(text) != _key(first.text(column)):
                error(line, column, _(
                    "Lines of row %(row)s disagree: the first line (%(line)s) has “%(first)s”. "
                    "Repeat the same value or leave it empty.") % {
                    "row": number, "line": first.number, "first": first.text(column)})
    for column, limit in MAX_LENGTHS.items():
        if len(first.text(column)) > limit:
            error(first, column, _("Too long: at most %(n)s characters.") % {"n": limit})
    request_type = names.request_type(first.text(TYPE))
    if request_type is None:
        error(first, TYPE, _("There is no request type “%(value)s”.") % {
            "value": first.text(TYPE)} if first.text(TYPE) else _("Enter the request type."))
    category = first.text(CATEGORY)
    if category and request_type is not None and request_type.categories \
            and category not in request_type.categories:
        error(first, CATEGORY, _("“%(type)s” has no category “%(value)s” (it has: %(choices)s).")
              % {"type": request_type.name, "value": category,
                 "choices": "、".join(request_type.categories)})
    bounds: list[int | None] = []
    for column in (AMOUNT_MIN, AMOUNT_MAX):
        try:
            bounds.append(parse_amount(first.cells.get(column)))
        except ValueError:
            bounds.append(None)
            error(first, column, _("Not an amount: write yen like 1,000,000, ¥1,000,000 or "
                                   "100万, or leave it empty for no bound."))
    department = None
    if text := first.text(DEPARTMENT):
        department, reason = names.department(text)
        if department is None:
            error(first, DEPARTMENT, reason)
    stages = [_parse_stage(line, names, request_type, error) for line in group]
    errors.extend(found)
    if found or request_type is None:
        return None
    return rules.RowInput(
        number=number, request_type=request_type, category=category,
        amount_min=bounds[0], amount_max=bounds[1], department=department,
        condition=first.text(CONDITION), note=first.text(NOTE),
        stages=tuple(s for s in stages if s is not None))


def _parse_stage(line: Line, names: Names, request_type: RequestType | None,
                 error: Any) -> routing.StageRule | None:
    ok = True

    def bad(column: str, reason: str) -> None:
        nonlocal ok
        ok = False
        error(line, column, reason)

    def pick(column: str, labels: Mapping[str, str], group: str, default: str) -> str:
        text = line.text(column)
        if not text:
            if not default:
                bad(column, _("Choose one of: %(choices)s.") % {
                    "choices": "、".join(labels.values())})
            return default
        code = _choice(text, labels, group)
        if code is None:
            bad(column, _("Choose one of: %(choices)s.") % {
                "choices": "、".join(labels.values())})
            return default
        return code

    kind = pick(KIND, KIND_LABELS, "kind", "")
    approver = pick(APPROVER, APPROVER_LABELS, "approver", "")
    quorum = pick(QUORUM, QUORUM_LABELS, "quorum", "any")
    vacancy = pick(VACANCY, VACANCY_LABELS, "vacancy", "escalate")
    value = line.text(VALUE)
    if approver == "position":
        if not value:
            bad(VALUE, _("Enter the position, e.g. 課長."))
        elif value not in names.positions:
            bad(VALUE, _("There is no position “%(value)s”.") % {"value": value})
    elif approver == "levels_up":
        value = nfkc(value).removesuffix("階層上").removesuffix("階層")
        if value not in tuple("123456789"):
            bad(VALUE, _("Enter how many levels up, from 1 to 9."))
    elif approver == "person":
        person = names.people.get(nfkc(value))
        if person is None:
            bad(VALUE, _("No person has the employee number “%(value)s”.") % {"value": value}
                if value else _("Enter the approver's employee number."))
        else:
            value = str(person.pk)
    elif approver == "group":
        department, reason = names.department(value) if value else (
            None, _("Enter the department whose members approve."))
        if department is None:
            bad(VALUE, reason)
        else:
            value = str(department.pk)
    elif approver == "field":
        keys = {f.get("key"): f for f in (request_type.fields if request_type else [])}
        if not value:
            bad(VALUE, _("Enter the key of the form field that holds the approver."))
        elif request_type is not None and (value not in keys
                                           or keys[value].get("type") != "person"):
            bad(VALUE, _("“%(type)s” has no person field “%(value)s”.") % {
                "type": request_type.name, "value": value})
    elif approver == "manager":
        value = ""
    position = line.text(POSITION)
    if position and approver != "group":
        bad(POSITION, _("Only for 部署メンバー: leave it empty."))
    elif position and (unknown := [p for p in routing.group_positions(position)
                                   if p not in names.positions]):
        # One position or several (「部長、課長」).
        bad(POSITION, _("There is no position “%(value)s”.") % {"value": "、".join(unknown)})
    at_least = 1
    if text := nfkc(line.text(AT_LEAST)).removesuffix("名"):
        try:
            at_least = int(text)
            if at_least < 1:
                raise ValueError
        except ValueError:
            bad(AT_LEAST, _("Enter a whole number from 1."))
        if quorum != "at_least" and ok:
            bad(AT_LEAST, _("Only for N名以上: leave it empty."))
    elif quorum == "at_least":
        bad(AT_LEAST, _("Enter how many approvals N名以上 needs."))
    fallback: int | None = None
    if text := nfkc(line.text(FALLBACK)):
        person = names.people.get(text)
        if person is None:
            bad(FALLBACK, _("No person has the employee number “%(value)s”.") % {"value": text})
        else:
            fallback = person.pk
    elif vacancy == "fallback":
        bad(FALLBACK, _("Enter the fallback approver's employee number (代替承認者へ needs "
                        "one)."))
    allow_add = False
    if text := line.text(ALLOW_ADD):
        if _key(text) not in _YES_WORDS:
            bad(ALLOW_ADD, _("Write ○, or leave it empty."))
        allow_add = True
    if not ok:
        return None
    return routing.StageRule(
        kind=cast(routing.StageKind, kind), approver=cast(routing.ApproverKind, approver),
        value=value, position=position, quorum=cast(routing.Quorum, quorum), at_least=at_least,
        vacancy=cast(routing.Vacancy, vacancy), fallback=fallback, allow_add=allow_add,
        label=line.text(LABEL))


# ---- the table's static checks, pointed back at lines ------------------------------------------

# The column a routing error is about (stage errors: the stage's line).
_ERROR_COLUMNS: Final = {
    "bad_band": AMOUNT_MIN, "condition_error": CONDITION, "no_stages": KIND,
    "ambiguous": KIND, "bad_levels": VALUE, "missing_field": VALUE, "bad_quorum": AT_LEAST,
    "fallback_missing": FALLBACK, "unresolvable": VACANCY, "overlap": NUMBER,
    "duplicate_row": NUMBER,
}


def placed_problems(parsed: ParsedTable, problems: Sequence[routing.RouteError],
                    lines: Sequence[Line]) -> list[RowError]:
    """The static checks' errors on the lines and columns they are about."""
    by_number = {line.number: line for line in lines}
    stages = {r.number: r.stages for r in parsed.rows}
    out = []
    for problem in problems:
        row_lines = parsed.lines.get(problem.row or 0, [])
        index = problem.stage if problem.stage is not None else 0
        line_number = row_lines[index] if index < len(row_lines) else (
            row_lines[0] if row_lines else None)
        column = _ERROR_COLUMNS.get(problem.code, "")
        if problem.code == "unknown_department":
            column = DEPARTMENT if problem.stage is None else VALUE
        elif problem.code in ("unknown_position", "unknown_person") and problem.stage is not None:
            stage = stages[problem.row or 0][problem.stage]
            column = (FALLBACK if problem.code == "unknown_person" and stage.fallback is not None
                      and str(problem.params.get("id")) == str(stage.fallback)
                      else POSITION if problem.code == "unknown_position"
                      and stage.approver == "group" else VALUE)
        line = by_number.get(line_number) if line_number is not None else None
        out.append(RowError(line_number, column, line.text(column) if line and column else "",
                            presenters.error_text(problem)))
    return out


@transaction.atomic
def rule_table_save(*, membership: Membership, effective_from: dt.date | None,
                    lines: Sequence[Line], note: str = "", now: dt.datetime,
                    dry_run: bool = False) -> tuple[RuleVersion | None, ParsedTable]:
    """Parse the lines and save them as a new revision (nothing with ``dry_run``: the checks
    only). Raises :class:`ImportFailed` naming every wrong line; nothing is stored then."""
    errors: list[RowError] = []
    if effective_from is None:
        errors.append(RowError(None, "改定日", "", _("Enter the date the revision takes "
                                                     "effect.")))
    if not lines:
        errors.append(RowError(None, "", "", _("The table has no rows.")))
    parsed = ParsedTable([], {})
    try:
        if lines:
            parsed = parse_lines(lines)
    except ImportFailed as exc:
        errors.extend(exc.errors)
    if errors:
        raise ImportFailed(errors)
    problems = rules.rows_problems(parsed.rows)
    if problems:
        raise ImportFailed(placed_problems(parsed, problems, lines))
    if dry_run:
        return None, parsed
    try:
        version = rules.rule_version_save(membership=membership, effective_from=effective_from,
                                          rows=parsed.rows, note=note, now=now)
    except ValidationError as exc:  # what the parse cannot know; normally caught above
        raise ImportFailed(_service_errors(exc, parsed)) from exc
    return version, parsed


def _service_errors(exc: ValidationError, parsed: ParsedTable) -> list[RowError]:
    if not hasattr(exc, "error_dict"):
        return [RowError(None, "", "", m) for m in exc.messages]
    out: list[RowError] = []
    for key, messages in exc.message_dict.items():
        number = int(key[4:]) if key.startswith("row_") and key[4:].isdecimal() else None
        line = parsed.lines.get(number or 0, [None])[0]
        column = "改定日" if key == "effective_from" else ""
        out.extend(RowError(line, column, "", m) for m in messages)
    return out


# ---- the inverse: rows as lines -----------------------------------------------------------------


def row_lines(rows: Sequence[rules.RowInput], names: Names | None = None, *,
              amounts: str = "plain", people: str = "number") -> list[dict[str, Any]]:
    """The rows as table lines (dicts by header), which :func:`parse_lines` reads back to the
    same rows. ``amounts``: "plain" (ints, for Excel), "comma" (1,000,000 for the editor) or
    "yen" (¥1,000,000 to read); ``people``: "number" (社員番号) or "name" (山田 太郎（C001）,
    to read)."""
    names = names or Names.load()
    by_id = {p.pk: p for p in names.people.values()}
    departments = {d.pk: d for d in names.departments}
    out: list[dict[str, Any]] = []

    def amount(value: int | None) -> Any:
        if value is None:
            return ""
        return value if amounts == "plain" else (
            f"{value:,}" if amounts == "comma" else presenters.yen(value))

    for row in rows:
        base: dict[str, Any] = {
            NUMBER: row.number, TYPE: row.request_type.name, CATEGORY: row.category,
            AMOUNT_MIN: amount(row.amount_min), AMOUNT_MAX: amount(row.amount_max),
            DEPARTMENT: names.department_name(row.department) if row.department else "",
            CONDITION: row.condition, NOTE: row.note}
        for stage in row.stages or (None,):
            line = dict(base)
            if stage is not None:
                line.update(_stage_cells(stage, by_id, departments, names, people == "name"))
            out.append(line)
    return out


def _stage_cells(stage: routing.StageRule, people: Mapping[int, Person],
                 departments: Mapping[int, Department], names: Names,
                 by_name: bool) -> dict[str, Any]:
    def who(person: Person) -> str:
        return f"{person.name}（{person.employee_number}）" if by_name else person.employee_number

    value = stage.value
    if stage.approver == "person":
        person = people.get(int(value)) if value.isdecimal() else None
        value = who(person) if person else value
    elif stage.approver == "group":
        department = departments.get(int(value)) if value.isdecimal() else None
        value = names.department_name(department) if department else value
    fallback = people.get(stage.fallback) if stage.fallback is not None else None
    return {
        KIND: KIND_LABELS[stage.kind], APPROVER: APPROVER_LABELS[stage.approver],
        VALUE: value, POSITION: stage.position, QUORUM: QUORUM_LABELS[stage.quorum],
        AT_LEAST: stage.at_least if stage.quorum == "at_least" else "",
        VACANCY: VACANCY_LABELS[stage.vacancy],
        FALLBACK: who(fallback) if fallback else "",
        ALLOW_ADD: YES if stage.allow_add else "", LABEL: stage.label}


def lines_of(cells: Sequence[Mapping[str, Any]], start: int = 1) -> list[Line]:
    """Dicts by header as numbered lines (the editor's lines count from 1)."""
    return [Line(number=i, cells=c) for i, c in enumerate(cells, start=start)]


def lines_from_keys(items: Sequence[Mapping[str, Any]], start: int = 1) -> list[Line]:
    """Lines given with the ASCII keys of :data:`KEYS` (``amount_max``, ``kind`` …), as the
    browser editor posts them and an API would send them."""
    headers = {key: header for header, key in KEYS.items()}
    return [Line(number=i, cells={headers[k]: v for k, v in item.items() if k in headers})
            for i, item in enumerate(items, start=start)]
