"""Reading a survey data file (long or wide layout) into checked, in-memory rows.

The rules are described in :mod:`somu.survey.importing`, which writes what this module reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from django.utils.translation import gettext as _

from somu.core.tabular import (
    MSG_MISSING_HEADER,
    Column,
    ImportFailed,
    RowError,
    Table,
    cell_text,
    nfkc,
    normalize_header,
    open_table,
)
from somu.org.models import Person
from somu.survey import services
from somu.survey.importing_inventory import (
    ATTRIBUTE_COLUMNS,
    CATEGORY,
    DIFFICULTY,
    FLAG_FIELDS,
    FUNCTION,
    SUBCATEGORY,
    TASK,
    TASK_PATH_COLUMNS,
    Path,
    TaskIndex,
    parse_difficulty,
    parse_flag,
    parse_level,
    path_errors,
)
from somu.survey.models import (
    FISCAL_MONTHS,
    Task,
)

LAYOUTS: Final = ("auto", "long", "wide")

NUMBER, NAME, HOURS, LEVEL = "社員番号", "氏名", "月間工数(時間)", "対応可能レベル"
MONTHS: Final = tuple(f"{month}月" for month in FISCAL_MONTHS)
IGNORED_HEADERS: Final = ("合計", "計", "小計", "総計", "備考", "メモ")
TOTAL_ROWS: Final = frozenset({"合計", "計", "小計", "総計"})
MAX_HOURS = Decimal(services.MAX_MONTHLY_HOURS)
PROGRESS_EVERY = 2000

PERSON_COLUMNS: Final = (
    Column(NUMBER, aliases=("社員No", "社員No.", "社員コード", "社員ID", "従業員番号")),
    Column(NAME, aliases=("氏名(漢字)", "名前", "社員名")),
)
HOURS_COLUMNS: Final = (
    Column(HOURS, aliases=("月間工数", "工数", "時間", "月間時間", "工数(時間)", "月間工数(h)")),
    *(Column(name, aliases=(f"{month:02d}月", f"{month}月工数", f"{month}月(時間)"))
      for month, name in zip(FISCAL_MONTHS, MONTHS, strict=True)),
)
LEVEL_COLUMN: Final = Column(LEVEL, aliases=("対応レベル", "対応可否レベル", "スキルレベル"))
LONG_ONLY: Final = (NUMBER, NAME, HOURS, *MONTHS, LEVEL)
ALL_COLUMNS: Final = (*PERSON_COLUMNS, *TASK_PATH_COLUMNS, *HOURS_COLUMNS, *ATTRIBUTE_COLUMNS,
                      LEVEL_COLUMN)
WIDE_COLUMNS: Final = (*TASK_PATH_COLUMNS, *ATTRIBUTE_COLUMNS,
                       *(Column(name) for name in IGNORED_HEADERS))
ATTRIBUTE_FIELDS: Final = {DIFFICULTY: "difficulty", **FLAG_FIELDS}


# ---- what a file holds, once read -----------------------------------------------------------


@dataclass
class TaskRef:
    """A task the file names: an existing one (``task_id``) or one to create."""

    row: int
    path: Path
    task_id: int | None
    # field → (value, row, column) as the file first gives it
    attributes: dict[str, tuple[Any, int, str]] = field(default_factory=dict)


@dataclass
class Parsed:
    """A file read and checked: what :func:`somu.survey.importing.hours_import` writes."""

    layout: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    tasks: list[TaskRef] = field(default_factory=list)
    people: dict[int, int] = field(default_factory=dict)  # person id → first row
    person_columns: dict[int, str] = field(default_factory=dict)  # the column naming them
    # (person id, task index) → (hours, monthly values); hours None: remove
    hours: dict[tuple[int, int], tuple[Decimal | None, list[str] | None]] = field(
        default_factory=dict)
    levels: dict[tuple[int, int], int | None] | None = None  # None: the file has no levels
    task_index: TaskIndex | None = None


@dataclass(frozen=True)
class PersonRef:
    id: int
    number: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.number})"


def _key(text: str) -> str:
    return "".join(nfkc(text).split()).casefold()


class People:
    """The organization's people, found by 社員番号, by name, or by a wide file's header."""

    def __init__(self, rows: Iterable[tuple[int, str, str]]) -> None:
        self.by_number: dict[str, PersonRef] = {}
        self.by_name: dict[str, list[PersonRef]] = {}
        for pk, number, name in rows:
            person = PersonRef(pk, number, name)
            self.by_number.setdefault(nfkc(number), person)
            self.by_name.setdefault(_key(name), []).append(person)

    def number(self, text: str) -> PersonRef | None:
        return self.by_number.get(nfkc(text))

    def named(self, text: str) -> list[PersonRef]:
        return self.by_name.get(_key(text), [])

    def header(self, header: str) -> tuple[PersonRef | None, str]:
        """The person a wide file's column header names, or why none is found."""
        text = nfkc(re.sub(r"\.0$", "", header))
        if (person := self.number(text)) is not None:
            return person, ""
        pairs: list[tuple[str, str]] = []  # (社員番号?, 氏名?)
        if match := re.fullmatch(r"(.+?)\s*[(\[【<]\s*(.+?)\s*[)\]】>]", text):
            pairs += [(match[2], match[1]), (match[1], match[2])]
        tokens = [t for t in re.split(r"[\s:_/|]+", text) if t]
        if len(tokens) > 1:
            pairs += [(tokens[0], " ".join(tokens[1:])), (tokens[-1], " ".join(tokens[:-1]))]
        for number, name in pairs:
            if (person := self.number(number)) is not None:
                # "A001 山田" is fine for 山田 太郎; "A001 鈴木" is a typo in one or the other.
                if _key(name) not in _key(person.name):
                    return None, _(
                        "社員番号 %(number)s is %(person)s, not %(name)s."
                    ) % {"number": person.number, "person": person.name, "name": name}
                return person, ""
        named = self.named(text)
        if len(named) == 1:
            return named[0], ""
        if named:
            return None, _ambiguous(text, named)
        return None, _("No registered person matches this column; head it with the 社員番号, "
                       "the name, or both (A001 山田 太郎).")


def _ambiguous(name: str, people: list[PersonRef]) -> str:
    return _("“%(name)s” matches several people: %(people)s; use the 社員番号.") % {
        "name": name, "people": ", ".join(p.label for p in people)}


# ---- reading ------------------------------------------------------------------------------------


def read_hours_file(data: bytes, layout: str, create_tasks: bool,
                    progress: Callable[[int], None]) -> Parsed:
    """Every row of ``data``, checked; raises :class:`ImportFailed` listing every problem."""
    with open_table(data, columns=ALL_COLUMNS, translate=_) as table:
        present = set(table.columns)
        if layout == "auto":
            layout = "long" if present & set(LONG_ONLY[:-1]) else "wide"
        people = People(Person.objects.values_list("pk", "employee_number", "name"))
        tasks = TaskIndex(Task.objects.values_list(
            "pk", "function", "category", "subcategory", "name", "difficulty", "remote_ok",
            "outsourceable", "automatable"))
        parsed = Parsed(layout, task_index=tasks)
        if layout == "long":
            _missing_long(table, parsed.errors)
            if not parsed.errors:
                _read_long(table, people, tasks, parsed, progress)
        else:
            ignored = {normalize_header(h) for h in IGNORED_HEADERS}
            extra = [h for h in table.extra_headers if normalize_header(h) not in ignored]
            header_row = table.header_row
            _missing_wide(table, extra, parsed.errors)
    if layout == "wide" and not parsed.errors:
        wide_columns = (*WIDE_COLUMNS, *(Column(h) for h in extra))
        with open_table(data, columns=wide_columns, translate=_) as table:
            _read_wide(table, extra, header_row, people, tasks, parsed, progress)
    if parsed.rows:
        _check_totals(parsed, people)
        _check_tasks(parsed, create_tasks)
    if parsed.errors:
        raise ImportFailed(parsed.errors)
    progress(parsed.rows)
    return parsed


def _missing(table: Table, name: str) -> RowError:
    return RowError(table.header_row, name, "", _(MSG_MISSING_HEADER) % {"column": name})


def _missing_path(table: Table, errors: list[RowError]) -> None:
    for name in (FUNCTION, CATEGORY, TASK):
        if name not in table.columns:
            errors.append(_missing(table, name))


def _missing_long(table: Table, errors: list[RowError]) -> None:
    present = set(table.columns)
    if not present & {NUMBER, NAME}:
        errors.append(RowError(table.header_row, NUMBER, "", _(
            "The file needs a “社員番号” or a “氏名” column.")))
    _missing_path(table, errors)
    if not present & {HOURS, *MONTHS}:
        errors.append(RowError(table.header_row, HOURS, "", _(
            "The file needs a “月間工数(時間)” column or the month columns 4月 … 3月.")))


def _missing_wide(table: Table, person_headers: list[str], errors: list[RowError]) -> None:
    _missing_path(table, errors)
    for name in table.columns:
        if name in LONG_ONLY:
            errors.append(RowError(table.header_row, name, "", _(
                "This column belongs to the long layout (one row per person and task), not to "
                "the matrix of tasks and people.")))
    if not person_headers and not errors:
        errors.append(RowError(table.header_row, "", "", _(
            "The file has no person columns: head each column of hours with a 社員番号 or a "
            "name.")))


class _Rows:
    """State shared by both layouts while reading: tasks, attributes, person totals."""

    def __init__(self, tasks: TaskIndex, parsed: Parsed) -> None:
        self.tasks = tasks
        self.parsed = parsed
        self.errors = parsed.errors
        self.by_id: dict[int, int] = {}  # existing task id → index
        self.by_path: dict[tuple[str, ...], int] = {}  # new task key → index
        self.cache: dict[tuple[Callable[[Any], Any], type, Any], Any] = {}
        self.task_cache: dict[tuple[Any, ...], int] = {}

    def task(self, number: int, values: dict[str, Any]) -> int | None:
        """The index of the row's task in ``parsed.tasks`` (added when first seen)."""
        raw = (values.get(FUNCTION), values.get(CATEGORY), values.get(SUBCATEGORY),
               values.get(TASK))
        if (index := self.task_cache.get(raw)) is not None:
            return index
        path, errors = path_errors(number, values)
        if errors:
            self.errors.extend(errors)
            return None
        index = self.task_cache[raw] = self._index(number, path)
        return index

    def _index(self, number: int, path: Path) -> int:
        task_id = self.tasks.find(path)
        if task_id is not None:
            index = self.by_id.get(task_id)
            if index is None:
                index = self.by_id[task_id] = len(self.parsed.tasks)
                self.parsed.tasks.append(TaskRef(number, path, task_id))
            return index
        key = TaskIndex.key(path)
        index = self.by_path.get(key)
        if index is None:
            index = self.by_path[key] = len(self.parsed.tasks)
            self.parsed.tasks.append(TaskRef(number, path, None))
        return index

    def attributes(self, number: int, values: dict[str, Any], index: int | None) -> None:
        for column, name in ATTRIBUTE_FIELDS.items():
            raw = values.get(column)
            if raw is None:
                continue
            value = self.value(parse_difficulty if column == DIFFICULTY else parse_flag, raw)
            if isinstance(value, Invalid):
                self.errors.append(RowError(number, column, cell_text(raw), value.reason))
                continue
            if index is None:
                continue
            ref = self.parsed.tasks[index]
            seen = ref.attributes.get(name)
            if seen is None:
                ref.attributes[name] = (value, number, column)
            elif seen[0] != value:
                self.errors.append(RowError(number, column, cell_text(raw), _(
                    "Row %(row)s gives this task a different %(column)s (%(value)s)."
                ) % {"row": seen[1], "column": column, "value": _shown(seen[0])}))

    def value(self, parse: Callable[[Any], Any], raw: Any) -> Any:
        """``parse(raw)``, or :class:`Invalid` with the reason; cached, as files repeat values."""
        key = (parse, type(raw), raw)
        try:
            return self.cache[key]
        except KeyError:
            pass
        try:
            found = parse(raw)
        except ValueError as exc:
            found = Invalid(str(exc))
        self.cache[key] = found
        return found

    def hours(self, raw: Any) -> Decimal | Invalid:
        return self.value(_parse_hours, raw)


@dataclass(frozen=True)
class Invalid:
    reason: str


def _parse_hours(raw: Any) -> Decimal:
    if isinstance(raw, bool):  # TRUE/FALSE in a cell of hours
        raise ValueError(_("Enter a number of hours."))
    return services.parse_hours(raw)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "○" if value else "×"
    return str(value)


def _read_long(table: Table, people: People, tasks: TaskIndex, parsed: Parsed,
               progress: Callable[[int], None]) -> None:
    state = _Rows(tasks, parsed)
    errors = parsed.errors
    months_present = [m for m in MONTHS if m in table.columns]
    has_level = LEVEL in table.columns
    parsed.levels = {} if has_level else None
    person_cache: dict[tuple[Any, Any], tuple[PersonRef | None, str, str]] = {}
    unknown: dict[tuple[str, str], list[int]] = {}  # (column, value) → rows
    seen: dict[tuple[int, int], int] = {}
    count = 0
    for number, values in table:
        count += 1
        if count % PROGRESS_EVERY == 0:
            progress(count)
        raw_number, raw_name = values.get(NUMBER), values.get(NAME)
        resolved = person_cache.get((raw_number, raw_name))
        if resolved is None:
            resolved = person_cache[(raw_number, raw_name)] = _long_person(
                people, raw_number, raw_name)
        person, column, value = resolved
        if person is None and not column:
            errors.append(RowError(number, NUMBER, "", _("社員番号 or 氏名 is required.")))
        elif person is None:
            unknown.setdefault((column, value), []).append(number)
        index = state.task(number, values)
        state.attributes(number, values, index)
        hours, monthly = _long_hours(state, number, values, months_present)
        level: int | None = None
        if has_level and (raw := values.get(LEVEL)) is not None:
            level = state.value(parse_level, raw)
            if isinstance(level, Invalid):
                errors.append(RowError(number, LEVEL, cell_text(raw), level.reason))
                level = None
        if person is None or index is None:
            continue
        pair = (person.id, index)
        if (first := seen.get(pair)) is not None:
            ref = parsed.tasks[index]
            errors.append(RowError(number, TASK, ref.path[3], _(
                "Rows %(first)s and %(row)s are both for %(person)s and this task."
            ) % {"first": first, "row": number, "person": person.label}))
            continue
        seen[pair] = number
        if person.id not in parsed.people:
            parsed.people[person.id] = number
            parsed.person_columns[person.id] = column
        parsed.hours[pair] = (hours, monthly)
        if parsed.levels is not None:
            parsed.levels[pair] = level
    parsed.rows = count
    for (column, value), rows in unknown.items():
        reason = _unknown_reason(people, column, value, rows)
        errors.append(RowError(rows[0], column, value, reason))


def _long_person(
    people: People, raw_number: Any, raw_name: Any
) -> tuple[PersonRef | None, str, str]:
    """The person of a long row, or the column and value that name nobody (or several)."""
    if raw_number is not None:
        text = nfkc(cell_text(raw_number))
        return people.number(text), NUMBER, text
    if raw_name is None:
        return None, "", ""
    text = cell_text(raw_name)
    named = people.named(text)
    return (named[0] if len(named) == 1 else None), NAME, text


def _unknown_reason(people: People, column: str, value: str, rows: list[int]) -> str:
    if column == NAME and (named := people.named(value)):
        reason = _ambiguous(value, named)
    elif column == NAME:
        reason = _("No registered person is named “%(value)s”.") % {"value": value}
    else:
        reason = _("No person with 社員番号 “%(value)s” is registered.") % {"value": value}
    if len(rows) > 1:
        shown = ", ".join(str(r) for r in rows[:10]) + (", …" if len(rows) > 10 else "")
        reason += " " + _("(%(count)s rows: %(rows)s)") % {"count": len(rows), "rows": shown}
    return reason


def _long_hours(state: _Rows, number: int, values: dict[str, Any],
                months_present: list[str]) -> tuple[Decimal | None, list[str] | None]:
    errors = state.errors
    monthly: list[Decimal] | None = None
    if months_present and any(values.get(m) is not None for m in months_present):
        monthly = []
        for month in MONTHS:
            raw = values.get(month)
            value = state.hours(raw) if raw is not None else Decimal(0)
            if isinstance(value, Invalid):
                errors.append(RowError(number, month, cell_text(raw), value.reason))
                value = Decimal(0)
            monthly.append(value)
    raw = values.get(HOURS)
    hours: Decimal | None = None
    if raw is not None:
        parsed = state.hours(raw)
        if isinstance(parsed, Invalid):
            errors.append(RowError(number, HOURS, cell_text(raw), parsed.reason))
            return None, None
        hours = parsed
    if monthly is None:
        return hours, None
    average = services.monthly_average(monthly)
    if hours is not None and abs(hours - average) > Decimal("0.01"):
        errors.append(RowError(number, HOURS, cell_text(raw), _(
            "The monthly values average %(average)s hours; 月間工数 must be that or empty."
        ) % {"average": format(average.normalize(), "f")}))
    return average, [str(v) for v in monthly]


def _read_wide(table: Table, headers: list[str], header_row: int, people: People,
               tasks: TaskIndex, parsed: Parsed, progress: Callable[[int], None]) -> None:
    state = _Rows(tasks, parsed)
    errors = parsed.errors
    columns: dict[str, PersonRef] = {}
    first_column: dict[int, str] = {}
    for header in headers:
        person, reason = people.header(header)
        if person is None:
            errors.append(RowError(header_row, header, header, reason))
        elif person.id in first_column:
            errors.append(RowError(header_row, header, header, _(
                "Columns “%(first)s” and “%(column)s” are both for %(person)s."
            ) % {"first": first_column[person.id], "column": header, "person": person.label}))
        else:
            columns[header] = person
            first_column[person.id] = header
            parsed.person_columns[person.id] = header
    task_rows: dict[int, int] = {}
    count = 0
    for number, values in table:
        count += 1
        if count % PROGRESS_EVERY == 0:
            progress(count)
        name = values.get(TASK)
        if name is not None and nfkc(cell_text(name)) in TOTAL_ROWS:
            continue
        index = state.task(number, values)
        state.attributes(number, values, index)
        if index is not None and (first := task_rows.get(index)) is not None:
            errors.append(RowError(number, TASK, parsed.tasks[index].path[3], _(
                "Rows %(first)s and %(row)s are for the same task."
            ) % {"first": first, "row": number}))
            continue
        if index is not None:
            task_rows[index] = number
        for header, person in columns.items():
            raw = values.get(header)
            hours = state.hours(raw) if raw is not None else None
            if isinstance(hours, Invalid):
                errors.append(RowError(number, header, cell_text(raw), hours.reason))
                continue
            if index is None:
                continue
            parsed.hours[(person.id, index)] = (hours, None)
            if hours:
                parsed.people.setdefault(person.id, number)
    parsed.rows = count
    # Every person column is in the file, whether or not they have hours in it.
    for person in columns.values():
        parsed.people.setdefault(person.id, header_row)


def _check_totals(parsed: Parsed, people: People) -> None:
    totals: dict[int, Decimal] = {}
    for (person_id, _index), (hours, _monthly) in parsed.hours.items():
        if hours:
            totals[person_id] = totals.get(person_id, Decimal(0)) + hours
    labels = {p.id: p for p in people.by_number.values()}
    for person_id, total in totals.items():
        if total > MAX_HOURS:
            person = labels[person_id]
            parsed.errors.append(RowError(
                parsed.people[person_id], parsed.person_columns[person_id],
                format(total.normalize(), "f"), _(
                    "%(person)s has %(total)s hours a month in this file, more than %(max)s."
                ) % {"person": person.label, "total": format(total.normalize(), "f"),
                     "max": services.MAX_MONTHLY_HOURS}))


def _check_tasks(parsed: Parsed, create_tasks: bool) -> None:
    if create_tasks:
        return
    for ref in parsed.tasks:
        if ref.task_id is None:
            parsed.errors.append(RowError(ref.row, TASK, ref.path[3], _(
                "The task “%(path)s” is not in the inventory: add it, or import with "
                "“create unknown tasks”."
            ) % {"path": " > ".join(p for p in ref.path if p)}))

