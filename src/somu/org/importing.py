"""Importing people from Excel or CSV (社員の一括登録・更新). The template file and the help
on its columns are in :mod:`somu.org.importing_template`.

The file has one header row and one row per person, with the columns 社員番号, 氏名, ふりがな,
部署, 等級, 雇用形態, 入社日, 上長社員番号, メール and 役職 (only 社員番号 and 氏名 are required).

- Rows are matched to people of the active organization by 社員番号: a known number updates that
  person, an unknown one creates a new person.
- On update, an **empty cell keeps** the current value (so a file with only some columns filled
  changes only those), and a cell holding just ``-`` **clears** an optional field (ふりがな, 部署,
  等級, 入社日, 上長社員番号, メール, 役職). A column absent from the file keeps its values too.
  On create, empty cells leave the field empty; an empty 雇用形態 means 正社員.
- 部署 is a path from the top of the organization chart, ``管理本部/総務部``. A department
  missing along the path is an error (a typo must not become a department) unless
  ``create_departments`` is set: then it is created, and the result lists it.
- 上長社員番号 may name a person in the organization or anywhere in the same file.
- 役職 is the name of one of the organization's positions (an unknown name is an error).
- All or nothing: every row is checked first; if anything is wrong, :class:`ImportFailed` lists
  every problem (row, column, value, reason) and nothing is written.
- ``dry_run`` is the preview: the same import, rolled back at the end, so the result (who would
  be created, updated or left alone, which departments would be created) is exactly what the
  real import does to the same data.

Everything is validated in memory against a handful of queries and written with bulk queries,
so a file of several thousand people imports in seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from somu.audit.services import Changes, audit_record_many, diff, snapshot
from somu.core import tenancy
from somu.core.tabular import (
    Column,
    ImportFailed,
    RowError,
    Source,
    cell_text,
    nfkc,
    open_table,
    parse_date,
)
from somu.org.models import Department, EmploymentType, Grade, Person, Position
from somu.org.services import DEPARTMENT_FIELDS, PERSON_FIELDS, Actor, person_problems

__all__ = ["COLUMNS", "ImportFailed", "ImportResult", "RowError", "people_import"]

NUMBER, NAME, KANA, DEPARTMENT, GRADE = "社員番号", "氏名", "ふりがな", "部署", "等級"
EMPLOYMENT, HIRE_DATE, MANAGER, EMAIL = "雇用形態", "入社日", "上長社員番号", "メール"
POSITION = "役職"
CLEAR: Final = "-"
DEPARTMENT_SEPARATORS = ("/", "／")

COLUMNS: Final = (
    Column(NUMBER, required=True,
           aliases=("社員No", "社員No.", "社員コード", "社員ID", "従業員番号", "employee_number")),
    Column(NAME, required=True, aliases=("氏名(漢字)", "名前", "社員名", "name")),
    Column(KANA,
           aliases=("フリガナ", "氏名(ふりがな)", "氏名(カナ)", "よみがな", "カナ", "name_kana")),
    Column(DEPARTMENT, aliases=("所属", "所属部署", "部門", "department")),
    Column(GRADE, aliases=("グレード", "等級コード", "grade")),
    Column(EMPLOYMENT, aliases=("雇用区分", "employment_type")),
    Column(HIRE_DATE, aliases=("入社年月日", "hire_date")),
    Column(MANAGER, aliases=("上長", "上司社員番号", "上長の社員番号", "manager")),
    Column(EMAIL, aliases=("メールアドレス", "Eメール", "E-mail", "email")),
    # Last, so that files laid out before it existed keep their columns where they were.
    Column(POSITION, aliases=("役職名", "position")),
)


_EMPLOYMENT_TYPES: Final = {
    "正社員": EmploymentType.REGULAR,
    "契約社員": EmploymentType.CONTRACT, "契約": EmploymentType.CONTRACT,
    "パート・アルバイト": EmploymentType.PART_TIME, "パート/アルバイト": EmploymentType.PART_TIME,
    "パートアルバイト": EmploymentType.PART_TIME, "パート": EmploymentType.PART_TIME,
    "アルバイト": EmploymentType.PART_TIME,
    "派遣": EmploymentType.DISPATCHED, "派遣社員": EmploymentType.DISPATCHED,
    **{choice.value: choice for choice in EmploymentType},
}
EMPLOYMENT_LABELS: Final = {  # the Japanese names the template offers
    EmploymentType.REGULAR: "正社員", EmploymentType.CONTRACT: "契約社員",
    EmploymentType.PART_TIME: "パート・アルバイト", EmploymentType.DISPATCHED: "派遣",
}


def _key(text: str) -> str:
    """How names are compared: NFKC, no spaces, case-folded (``ｇ１`` = ``G1``)."""
    return "".join(nfkc(text).split()).casefold()


# The column each person field is read from, to say which columns an update changes.
FIELD_COLUMNS: Final = {
    "employee_number": NUMBER, "name": NAME, "name_kana": KANA, "department": DEPARTMENT,
    "grade": GRADE, "employment_type": EMPLOYMENT, "hire_date": HIRE_DATE, "manager": MANAGER,
    "email": EMAIL, "position": POSITION,
}


@dataclass(frozen=True)
class PersonLine:
    """A person the import creates or updates, as the preview shows them."""

    row: int
    number: str
    name: str
    columns: tuple[str, ...] = ()  # on update: the columns whose values change


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int
    updated: int
    unchanged: int
    departments_created: int
    dry_run: bool = False
    # The details behind the counts, for the preview; equality compares the counts only.
    departments: tuple[str, ...] = field(default=(), compare=False)  # paths created
    created_people: tuple[PersonLine, ...] = field(default=(), compare=False)
    updated_people: tuple[PersonLine, ...] = field(default=(), compare=False)


@dataclass
class _Row:
    """One valid row: the fields it sets (absent = keep), with references still unresolved."""

    row: int
    number: str
    values: dict[str, Any]
    department: tuple[str, ...] | None = None  # path; None with "department" in values: clear
    manager: str | None = None  # 社員番号; None with "manager" in values: clear


def people_import(
    *, actor: Actor, source: Source, filename: str = "", today: dt.date | None = None,
    create_departments: bool = False, dry_run: bool = False,
) -> ImportResult:
    """Create or update the active organization's people from an .xlsx or .csv file.

    Raises :class:`ImportFailed` listing every problem; the database is then unchanged. With
    ``dry_run`` nothing is kept either way: the result says what the import would do.
    ``today`` (the local date unless given) bounds the 入社日 as the person service does.
    """
    try:
        with transaction.atomic():
            result = _import(actor=actor, source=source, filename=filename, today=today,
                             create_departments=create_departments, dry_run=dry_run)
            if dry_run:
                transaction.set_rollback(True)
            return result
    except IntegrityError as exc:
        # Only a concurrent write of the same 社員番号 gets here: everything else is checked.
        raise ImportFailed([RowError(None, "", "", _(
            "Someone else changed the same people at the same time; import the file again."
        ))]) from exc


def _import(
    *, actor: Actor, source: Source, filename: str, today: dt.date | None,
    create_departments: bool, dry_run: bool,
) -> ImportResult:
    with open_table(source, columns=COLUMNS, translate=_) as table:
        raw_rows = list(table)
    grades = {_key(g.code): g for g in Grade.objects.all()}
    positions = {_key(p.name): p for p in Position.objects.all()}
    existing = {nfkc(p.employee_number): p for p in Person.objects.all()}
    errors: list[RowError] = []
    parsed: list[_Row] = []
    rows: list[_Row] = []  # the valid ones
    every: list[_Row] = []  # all of them: each problem of each row is reported in one pass
    first_seen: dict[str, int] = {}
    for number, values in raw_rows:
        row, valid = _parse_row(number, values, grades, errors, today, positions)
        every.append(row)
        if row.number in first_seen:
            errors.append(RowError(number, NUMBER, row.number, _(
                "Employee number “%(value)s” also appears in row %(row)s."
            ) % {"value": row.number, "row": first_seen[row.number]}))
            continue
        if row.number:
            first_seen[row.number] = number
            parsed.append(row)
        if valid:
            rows.append(row)
    _check_managers(parsed, existing, errors)
    departments = _DepartmentPaths(list(Department.objects.all()))
    for row in every:
        if row.department:
            departments.plan(row.department)
            if not create_departments and (missing := departments.missing(row.department)):
                errors.append(RowError(row.row, DEPARTMENT, "/".join(row.department), _(
                    "Department “%(name)s” does not exist. Correct the path, or tick “Create "
                    "departments” to create it."
                ) % {"name": "/".join(missing)}))
    if errors:
        order = {column.name: index for index, column in enumerate(COLUMNS)}
        raise ImportFailed(sorted(errors, key=lambda e: (e.row or 0, order.get(e.column, 0))))

    organization_id = tenancy.active_organization_id()
    entries: list[dict[str, Any]] = []
    for department in departments.create(organization_id):
        entries.append({"action": "department.create", "obj": department,
                        "changes": diff({}, snapshot(department, DEPARTMENT_FIELDS))})
    created, updated = _write_people(rows, existing, departments, organization_id)
    for person in created:
        entries.append({"action": "person.create", "obj": person,
                        "changes": diff({}, snapshot(person, PERSON_FIELDS))})
    for person, changes in updated:
        entries.append({"action": "person.update", "obj": person, "changes": changes})
    row_of = {row.number: row.row for row in rows}
    result = ImportResult(
        rows=len(rows), created=len(created), updated=len(updated),
        unchanged=len(rows) - len(created) - len(updated),
        departments_created=len(departments.created),
        dry_run=dry_run,
        departments=tuple(sorted(departments.created_paths)),
        created_people=tuple(PersonLine(row_of[p.employee_number], p.employee_number, p.name)
                             for p in created),
        updated_people=tuple(
            PersonLine(row_of[p.employee_number], p.employee_number, p.name,
                       tuple(FIELD_COLUMNS[f] for f in FIELD_COLUMNS if f in changes))
            for p, changes in updated),
    )
    if dry_run:
        return result
    entries.append({
        "action": "person.import", "object_type": "org.person",
        "object_repr": (filename or "import")[:200],
        "changes": {"rows": [None, result.rows], "created": [None, result.created],
                    "updated": [None, result.updated], "unchanged": [None, result.unchanged],
                    "departments_created": [None, result.departments_created]},
    })
    audit_record_many(actor=actor, entries=entries)
    return result


# ---- parsing one row -----------------------------------------------------------------------------


def _parse_row(
    number: int, values: dict[str, Any], grades: dict[str, Grade], errors: list[RowError],
    today: dt.date | None = None, positions: dict[str, Position] | None = None,
) -> tuple[_Row, bool]:
    """The row's fields, and whether they are valid (problems are added to ``errors``)."""
    found: list[RowError] = []

    def error(column: str, value: Any, reason: str) -> None:
        found.append(RowError(number, column, cell_text(value), reason))

    def text(column: str, field: str) -> str | None:
        value = values.get(column)
        result = cell_text(value)
        limit = getattr(Person._meta.get_field(field), "max_length", None)
        if limit is not None and len(result) > limit:
            error(column, value, _("Too long: at most %(limit)s characters.") % {"limit": limit})
        return result or None

    employee_number = nfkc(text(NUMBER, "employee_number") or "")
    name = text(NAME, "name")
    for column, present in ((NUMBER, employee_number), (NAME, name)):
        if not present:
            error(column, "", _("%(column)s is required.") % {"column": column})
    row = _Row(number, employee_number, {"employee_number": employee_number, "name": name})

    if (kana := text(KANA, "name_kana")) is not None:
        row.values["name_kana"] = "" if kana == CLEAR else kana
    if (email := text(EMAIL, "email")) is not None:
        row.values["email"] = "" if email == CLEAR else email
        if email != CLEAR:
            try:
                validate_email(email)
            except ValidationError:
                error(EMAIL, email, _("“%(value)s” is not a valid email address.")
                      % {"value": email})
    if (value := values.get(GRADE)) is not None:
        code = cell_text(value)
        if code == CLEAR:
            row.values["grade_id"] = None
        elif (grade := grades.get(_key(code))) is None:
            error(GRADE, value, _("Grade “%(value)s” is not registered.") % {"value": code})
        else:
            row.values["grade_id"] = grade.pk
    if (value := values.get(POSITION)) is not None:
        title = cell_text(value)
        if title == CLEAR:
            row.values["position_id"] = None
        elif (position := (positions or {}).get(_key(title))) is None:
            error(POSITION, value, _("Position “%(value)s” is not registered.") % {"value": title})
        else:
            row.values["position_id"] = position.pk
    if (value := values.get(EMPLOYMENT)) is not None:
        label = "".join(nfkc(cell_text(value)).split()).replace("･", "・")
        kind = _EMPLOYMENT_TYPES.get(label) or _EMPLOYMENT_TYPES.get(label.casefold())
        if kind is None:
            error(EMPLOYMENT, value, _(
                "Unknown employment type “%(value)s”: use 正社員, 契約社員, "
                "パート・アルバイト or 派遣."
            ) % {"value": cell_text(value)})
        else:
            row.values["employment_type"] = kind.value
    if (value := values.get(HIRE_DATE)) is not None:
        if cell_text(value) == CLEAR:
            row.values["hire_date"] = None
        else:
            try:
                row.values["hire_date"] = parse_date(value)
            except ValueError:
                error(HIRE_DATE, value, _(
                    "“%(value)s” is not a date: write it like 2024-04-01 or 2024/4/1."
                ) % {"value": cell_text(value)})
    if (value := values.get(MANAGER)) is not None:
        manager = nfkc(cell_text(value))
        row.values["manager"] = True
        row.manager = None if manager == CLEAR else manager
    if (value := values.get(DEPARTMENT)) is not None:
        path = cell_text(value)
        row.values["department"] = True
        if path != CLEAR:
            row.department = _department_path(path, error, value)
    # The person service's own rules (ふりがな in kana, 入社日 not far ahead), on the columns.
    for name, reason in person_problems(row.values, today=today).items():
        column = {"name_kana": KANA, "hire_date": HIRE_DATE}[name]
        error(column, values.get(column), reason)
    errors.extend(found)
    return row, not found


def _department_path(path: str, error: Any, value: Any) -> tuple[str, ...] | None:
    for separator in DEPARTMENT_SEPARATORS[1:]:
        path = path.replace(separator, DEPARTMENT_SEPARATORS[0])
    parts = [part.strip() for part in path.strip(DEPARTMENT_SEPARATORS[0]).split("/")]
    limit = Department._meta.get_field("name").max_length or 100
    if not parts or any(not part for part in parts):
        error(DEPARTMENT, value, _("Department path has an empty part; write it like "
                                   "管理本部/総務部."))
        return None
    if any(len(part) > limit for part in parts):
        error(DEPARTMENT, value, _("Department names have at most %(limit)s characters.")
              % {"limit": limit})
        return None
    return tuple(parts)


# ---- managers ------------------------------------------------------------------------------------


def _check_managers(rows: Sequence[_Row], existing: dict[str, Person],
                    errors: list[RowError]) -> None:
    """Every manager exists (in the organization or the file) and nobody manages themselves,
    directly or through a chain of managers, once the file is applied.

    ``rows`` includes rows rejected for other reasons: they still name people and managers, and
    every problem of the file is reported at once.
    """
    number_of = {p.pk: number for number, p in existing.items()}
    manager_of: dict[str, str | None] = {
        number: number_of.get(p.manager_id) if p.manager_id else None
        for number, p in existing.items()
    }
    manager_of.update({row.number: None for row in rows if row.number not in manager_of})
    from_file: dict[str, _Row] = {}
    for row in rows:
        if "manager" in row.values:
            manager_of[row.number] = row.manager
            from_file[row.number] = row
    for number, row in from_file.items():
        if row.manager is None:
            continue
        if row.manager == number:
            errors.append(RowError(row.row, MANAGER, row.manager,
                                   _("A person cannot be their own manager.")))
            manager_of[number] = None
        elif row.manager not in manager_of:
            errors.append(RowError(row.row, MANAGER, row.manager, _(
                "No person with employee number “%(value)s” is registered or in this file."
            ) % {"value": row.manager}))
            manager_of[number] = None
    for cycle in _cycles(manager_of):
        shown = " → ".join([*cycle, cycle[0]])
        for number in cycle:
            if (cyclic := from_file.get(number)) is not None:
                errors.append(RowError(cyclic.row, MANAGER, cyclic.manager or "", _(
                    "This manager would create a reporting cycle: %(cycle)s."
                ) % {"cycle": shown}))


def _cycles(manager_of: dict[str, str | None]) -> list[list[str]]:
    """The cycles of the "reports to" graph; each person has at most one manager, so a walk
    from every person, remembering finished ones, finds them all in linear time."""
    done: set[str] = set()
    cycles: list[list[str]] = []
    for start in manager_of:
        path: list[str] = []
        on_path: dict[str, int] = {}
        current: str | None = start
        while current is not None and current not in done and current not in on_path:
            on_path[current] = len(path)
            path.append(current)
            current = manager_of.get(current)
        if current is not None and current in on_path:
            cycles.append(path[on_path[current]:])
        done.update(path)
    return cycles


# ---- departments ---------------------------------------------------------------------------------


class _DepartmentPaths:
    """Department paths resolved against the chart, and the departments to create for them."""

    def __init__(self, departments: Iterable[Department]) -> None:
        self._ids: dict[tuple[int | None, str], int] = {}
        self._next_order: dict[int | None, int] = {}
        for d in sorted(departments, key=lambda d: (d.sort_order, d.name, d.pk)):
            # Two siblings of the same name: the first in chart order is the one a path means.
            self._ids.setdefault((d.parent_id, _key(d.name)), d.pk)
            self._next_order[d.parent_id] = max(self._next_order.get(d.parent_id, 0),
                                                d.sort_order) + 1
        self._planned: dict[tuple[str, ...], str] = {}  # normalized path → name as written
        self._new_ids: dict[tuple[str, ...], int] = {}
        self.created: list[Department] = []
        self.created_paths: list[str] = []

    def plan(self, path: tuple[str, ...]) -> None:
        for depth in range(1, len(path) + 1):
            key = tuple(_key(part) for part in path[:depth])
            self._planned.setdefault(key, path[depth - 1])

    def missing(self, path: tuple[str, ...]) -> tuple[str, ...]:
        """The path down to its first department that does not exist yet; empty if all do."""
        for depth in range(1, len(path) + 1):
            if self._resolve(tuple(_key(part) for part in path[:depth])) is None:
                return path[:depth]
        return ()

    def _resolve(self, key: tuple[str, ...]) -> int | None:
        parent: int | None = None
        for depth in range(1, len(key) + 1):
            found = self._ids.get((parent, key[depth - 1])) or self._new_ids.get(key[:depth])
            if found is None:
                return None
            parent = found
        return parent

    def create(self, organization_id: int) -> list[Department]:
        """Create the planned departments that do not exist yet, parents first."""
        for key in sorted(self._planned, key=len):
            if self._resolve(key) is not None:
                continue
            parent_id = self._resolve(key[:-1]) if len(key) > 1 else None
            order = self._next_order.get(parent_id, 1)
            self._next_order[parent_id] = order + 1
            department = Department(organization_id=organization_id, name=self._planned[key],
                                    parent_id=parent_id, sort_order=order)
            department.save()
            self._new_ids[key] = department.pk
            self.created.append(department)
            self.created_paths.append("/".join(self._planned[k] for k in
                                               (key[:d] for d in range(1, len(key) + 1))))
        return self.created

    def id_of(self, path: tuple[str, ...]) -> int:
        found = self._resolve(tuple(_key(part) for part in path))
        assert found is not None, "create() runs before id_of()"
        return found


# ---- writing people ------------------------------------------------------------------------------


def _write_people(
    rows: Sequence[_Row], existing: dict[str, Person], departments: _DepartmentPaths,
    organization_id: int,
) -> tuple[list[Person], list[tuple[Person, Changes]]]:
    """Bulk-create new people and bulk-update changed ones; returns them with their changes."""
    ids = {number: p.pk for number, p in existing.items()}
    new_people: list[Person] = []
    later: list[tuple[Person, str]] = []  # new people whose manager is new as well
    for row in rows:
        if row.number in existing:
            continue
        person = Person(organization_id=organization_id, employee_number=row.number)
        _apply(person, row, departments, ids)
        if row.manager is not None and row.manager not in ids:
            later.append((person, row.manager))
        new_people.append(person)
    Person.objects.bulk_create(new_people, batch_size=500)
    if any(p.pk is None for p in new_people):  # a database that cannot return ids
        created_ids = dict(Person.objects.filter(
            employee_number__in=[p.employee_number for p in new_people]
        ).values_list("employee_number", "id"))
        for person in new_people:
            person.pk = created_ids[person.employee_number]
    ids.update({p.employee_number: p.pk for p in new_people})
    for person, manager in later:
        person.manager_id = ids[manager]
    _update_columns(((p, ("manager",)) for p, _m in later), organization_id)

    updated: list[tuple[Person, Changes]] = []
    now = timezone.now()
    for row in rows:
        if row.number not in existing:
            continue
        person = existing[row.number]
        before = snapshot(person, PERSON_FIELDS)
        _apply(person, row, departments, ids)
        changes = diff(before, snapshot(person, PERSON_FIELDS))
        if changes:
            person.updated_at = now
            updated.append((person, changes))
    _update_columns(((p, (*c, "updated_at")) for p, c in updated), organization_id)
    return new_people, updated


def _update_columns(
    changes: Iterable[tuple[Person, Sequence[str]]], organization_id: int
) -> None:
    """Write the named fields of each person: one prepared UPDATE per set of fields, executed
    for all its rows at once.

    Django's ``bulk_update`` builds a CASE expression per field and row, which takes tens of
    seconds for a few thousand people; ``executemany`` of a plain UPDATE takes milliseconds on
    SQLite and is pipelined by psycopg on PostgreSQL.
    """
    groups: dict[tuple[str, ...], list[Person]] = {}
    for person, names in changes:
        groups.setdefault(tuple(sorted(names)), []).append(person)
    quote = connection.ops.quote_name
    meta = Person._meta
    with connection.cursor() as cursor:
        for group, people in groups.items():
            fields = [cast(Field, meta.get_field(name)) for name in group]
            assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
            # Identifiers come from the model and are quoted; every value is a parameter.
            sql = (f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608
                   f"WHERE {quote('id')} = %s AND {quote('organization_id')} = %s")
            cursor.executemany(sql, [
                [*(f.get_db_prep_save(getattr(p, f.attname), connection) for f in fields),
                 p.pk, organization_id]
                for p in people
            ])


def _apply(person: Person, row: _Row, departments: _DepartmentPaths, ids: dict[str, int]) -> None:
    """Set the row's fields on ``person``; a manager not in ``ids`` yet is left for later."""
    for name, value in row.values.items():
        if name == "department":
            person.department_id = departments.id_of(row.department) if row.department else None
        elif name == "manager":
            if row.manager is None or row.manager in ids:
                person.manager_id = ids[row.manager] if row.manager else None
        elif name != "employee_number" or person.pk is None:
            setattr(person, name, value)
