"""Importing survey data (工数データの取込) from Excel or CSV into a round, and its templates.

Two layouts are read (``layout="auto"`` tells them apart by their headers):

- **long** (縦持ち): one row per person × task, with 社員番号 or 氏名 (社員番号 wins), the task
  path 部門 / 大分類 / 中分類 / 業務名, and 月間工数(時間) or the twelve month columns 4月 … 3月
  (their sum / 12 is the monthly hours); optional 難易度, リモート可否, 外注可否, 自動化可否 and
  対応可能レベル.
- **wide** (マトリクス): one row per task (the task path, then optional 難易度 and flags), one
  column per person (headed 社員番号, 氏名, ``A001 山田 太郎`` or ``山田 太郎(A001)``), hours in
  the cells. Columns headed 合計, 計, 小計, 総計, 備考 or メモ are ignored, and so are rows whose
  業務名 is 合計, 計, 小計 or 総計.

What the file says replaces what the round holds, for the pairs it covers (the person × task
rows of a long file; every person column × task row of a wide one): hours are replaced, and an
empty or zero cell removes the stored hours; when the long file has a 対応可能レベル column the
capability is replaced the same way. Other pairs of the round are left as they are.

Tasks are matched by their path (full-width and half-width, spaces and case do not matter; a
row without 中分類 matches the one task with that 部門, 大分類 and 業務名). Unknown tasks are
created (in use) when ``create_tasks`` is set, otherwise listed as errors. 難易度 and the flags,
when the file gives them, are task attributes: they are set on the tasks the import creates and
on existing tasks too, where they differ from what the inventory says (the file is the newer
survey). People are never created: they come from the people import.

Hours are numbers from 0 to 400 (full-width digits are fine); a person whose hours in the file
add up to more than 400 a month is an error too. The people of the file become respondents of
the round marked as submitted (the data came from the file), the round's ``data_version`` is
bumped (its cached analysis is recomputed) and one audit event records the import. A closed
round accepts imports: closing stops the questionnaire, not the administrator.

All or nothing: every row is checked first; if anything is wrong, :class:`ImportFailed` lists
every problem (row, column, value, reason) and nothing is written. Everything is validated in
memory against a few queries and written with bulk statements: a 200,000-row file takes about
20 s, most of it reading the workbook.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from somu.audit.services import audit_record
from somu.core.tabular import ImportFailed, RowError, Source
from somu.org.services import Actor
from somu.survey import services
from somu.survey.importing_hours import (
    HOURS,
    LAYOUTS,
    LEVEL,
    MONTHS,
    NAME,
    NUMBER,
    Parsed,
    read_hours_file,
)
from somu.survey.importing_inventory import (
    AUTOMATE,
    CATEGORY,
    DIFFICULTY,
    FUNCTION,
    HEADER_COLOR,
    OUTSOURCE,
    REMOTE,
    SUBCATEGORY,
    TASK,
    ColumnHelp,
    TaskIndex,
    add_help_sheet,
    read_source,
)
from somu.survey.models import (
    Capability,
    Respondent,
    ResponseStatus,
    SurveyRound,
    Task,
    TaskStatus,
    WorkHours,
)

__all__ = ["LAYOUTS", "ImportFailed", "ImportResult", "RowError", "hours_import",
           "hours_template_csv", "hours_template_xlsx"]

Layout = Literal["auto", "long", "wide"]
BATCH = 5000


@dataclass(frozen=True)
class ImportResult:
    layout: str  # the layout read: "long" or "wide"
    rows: int  # data rows read
    people: int
    tasks: int
    hours_saved: int  # person × task hours written
    hours_removed: int  # stored hours the file removed (empty or zero)
    capabilities_saved: int
    tasks_created: int
    tasks_updated: int
    respondents_created: int
    dry_run: bool = False
    # Only a preview (dry run) compares the file with the round, pair by pair: a real import
    # writes without reading the stored hours first, which keeps a 200,000-row file fast.
    hours_new: int | None = None  # pairs the round has no hours for yet
    hours_changed: int | None = None  # pairs whose stored hours differ
    hours_unchanged: int | None = None  # pairs whose stored hours are the same


_PREVIEW_ONLY: Final = frozenset({"dry_run", "hours_new", "hours_changed", "hours_unchanged"})


def hours_import(
    *,
    actor: Actor,
    survey_round: SurveyRound,
    source: Source,
    filename: str = "",
    layout: Layout = "auto",
    create_tasks: bool = False,
    progress: Callable[[int], None] | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import the hours (and capabilities) of an .xlsx or .csv file into ``survey_round``.

    ``progress`` is called with the number of rows read so far, every few thousand rows.
    Raises :class:`ImportFailed` listing every problem; the database is then unchanged. With
    ``dry_run`` nothing is kept either way (the import runs and is rolled back): the result
    says what it would do.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"Unknown layout {layout!r}")
    data = read_source(source)
    parsed = read_hours_file(data, layout, create_tasks, progress or (lambda rows: None))
    try:
        with transaction.atomic():
            result = _write(actor, survey_round, parsed, filename, dry_run)
            if dry_run:
                transaction.set_rollback(True)
            return result
    except IntegrityError as exc:
        # Only a concurrent change of the same round or tasks gets here: the rest is checked.
        raise ImportFailed([RowError(None, "", "", _(
            "Someone else changed the same survey data at the same time; import the file again."
        ))]) from exc


# ---- writing ------------------------------------------------------------------------------------


def _write(actor: Actor, survey_round: SurveyRound, parsed: Parsed, filename: str,
           dry_run: bool) -> ImportResult:
    organization_id = survey_round.organization_id
    known_tasks = {index for index, ref in enumerate(parsed.tasks) if ref.task_id is not None}
    created, updated = _write_tasks(parsed, organization_id)
    task_ids = [ref.task_id or 0 for ref in parsed.tasks]  # every task has an id now
    monthly_field = WorkHours._meta.get_field("monthly")
    hours_rows: list[tuple[Any, ...]] = []
    no_hours: set[tuple[int, int]] = set()
    for (person_id, index), (hours, monthly) in parsed.hours.items():
        # A zero is stored when it comes from monthly values (seasonal work idle this year).
        if hours is not None and (hours or monthly is not None):
            hours_rows.append((
                organization_id, survey_round.pk, person_id, task_ids[index], hours,
                None if monthly is None else monthly_field.get_db_prep_save(monthly, connection),
            ))
        else:
            no_hours.add((person_id, task_ids[index]))
    person_ids = set(parsed.people)
    comparison: dict[str, int] = {}
    if dry_run:
        comparison = _compare_hours(survey_round, parsed, task_ids, known_tasks)
    removed = _replace(WorkHours, survey_round, hours_rows, no_hours,
                       ("organization_id", "round_id", "person_id", "task_id", "hours",
                        "monthly"))
    capabilities = 0
    if parsed.levels is not None:
        capability_rows: list[tuple[Any, ...]] = []
        no_level: set[tuple[int, int]] = set()
        for (person_id, index), level in parsed.levels.items():
            if level is None:
                no_level.add((person_id, task_ids[index]))
            else:
                capability_rows.append(
                    (organization_id, survey_round.pk, person_id, task_ids[index], level))
        _replace(Capability, survey_round, capability_rows, no_level,
                 ("organization_id", "round_id", "person_id", "task_id", "level"))
        capabilities = len(capability_rows)
    respondents = _respondents(survey_round, person_ids)
    services.round_touch(survey_round)
    result = ImportResult(
        layout=parsed.layout, rows=parsed.rows, people=len(person_ids), tasks=len(parsed.tasks),
        hours_saved=len(hours_rows), hours_removed=removed, capabilities_saved=capabilities,
        tasks_created=created, tasks_updated=updated, respondents_created=respondents,
        dry_run=dry_run, **comparison,
    )
    if dry_run:
        return result
    audit_record(
        actor=actor, action="survey_round.import", obj=survey_round,
        changes={"file": [None, (filename or "import")[:200]],
                 **{name: [None, value] for name, value in vars(result).items()
                    if name not in _PREVIEW_ONLY}},
    )
    return result


def _compare_hours(survey_round: SurveyRound, parsed: Parsed, task_ids: list[int],
                   known_tasks: set[int]) -> dict[str, int]:
    """How the file's hours compare with the round's: new, changed and unchanged pairs (an
    empty or zero cell where nothing is stored counts as unchanged)."""
    stored = {
        (person_id, task_id): hours for person_id, task_id, hours in WorkHours.objects.filter(
            round=survey_round, task_id__in={task_ids[i] for i in known_tasks},
        ).values_list("person_id", "task_id", "hours").iterator(chunk_size=BATCH)
    }
    counts = {"hours_new": 0, "hours_changed": 0, "hours_unchanged": 0}
    for (person_id, index), (hours, monthly) in parsed.hours.items():
        before = stored.get((person_id, task_ids[index]))
        keeps = hours is not None and (hours or monthly is not None)
        if before is None:
            counts["hours_new" if keeps else "hours_unchanged"] += 1
        elif keeps and before == hours:
            counts["hours_unchanged"] += 1
        else:
            counts["hours_changed"] += 1
    return counts


def _write_tasks(parsed: Parsed, organization_id: int) -> tuple[int, int]:
    """Apply the file's attributes to existing tasks where they differ; create the new tasks."""
    index = parsed.task_index
    assert index is not None
    changes: dict[tuple[tuple[str, Any], ...], list[int]] = {}
    for ref in parsed.tasks:
        if ref.task_id is None:
            continue
        current = index.attributes[ref.task_id]
        differ = tuple(sorted((name, value) for name, (value, _r, _c) in ref.attributes.items()
                              if current.get(name) != value))
        if differ:
            changes.setdefault(differ, []).append(ref.task_id)
    now = timezone.now()
    for differ, ids in changes.items():
        for start in range(0, len(ids), 500):
            Task.objects.filter(pk__in=ids[start:start + 500]).update(
                updated_at=now, **dict(differ))

    new = [ref for ref in parsed.tasks if ref.task_id is None]
    order = (Task.objects.aggregate(m=Max("sort_order"))["m"] or 0) + 1
    tasks = [
        Task(organization_id=organization_id, function=ref.path[0], category=ref.path[1],
             subcategory=ref.path[2], name=ref.path[3], status=TaskStatus.ACTIVE,
             sort_order=order + i, **{name: value for name, (value, _r, _c)
                                      in ref.attributes.items()})
        for i, ref in enumerate(new)
    ]
    Task.objects.bulk_create(tasks, batch_size=500)
    if any(task.pk is None for task in tasks):  # a database that cannot return ids
        created_ids = {
            TaskIndex.key(path): pk for pk, *path in Task.objects.values_list(
                "pk", "function", "category", "subcategory", "name")}
        for task in tasks:
            task.pk = created_ids[TaskIndex.key(
                (task.function, task.category, task.subcategory, task.name))]
    for ref, task in zip(new, tasks, strict=True):
        ref.task_id = task.pk
    return len(tasks), sum(len(ids) for ids in changes.values())


def _replace(model: type[Model], survey_round: SurveyRound, rows: list[tuple[Any, ...]],
             removed: set[tuple[int, int]], columns: tuple[str, ...]) -> int:
    """Write ``rows`` into the round (replacing the values of pairs it has), and delete the
    ``removed`` (person id, task id) pairs; returns how many rows were deleted.

    ``INSERT … ON CONFLICT … DO UPDATE`` (SQLite and PostgreSQL alike) with one prepared
    statement for all rows: re-importing a file then rewrites values in place instead of
    deleting and re-inserting every row and its index entries, and no model instance is built
    per row (Django's ``bulk_create`` would spend most of a 200,000-row import doing that).
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    unique = ("round_id", "person_id", "task_id")
    values = [c for c in columns if c not in unique and c != "organization_id"]
    # Identifiers come from the model and are quoted; every value is a parameter.
    upsert = (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(quote(c) for c in unique)}) DO UPDATE SET "
        + ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in values)
    )
    doomed: list[tuple[int]] = []
    if removed:
        doomed = [(pk,) for pk, person_id, task_id in model.objects.filter(  # type: ignore[attr-defined]
            round=survey_round).values_list("pk", "person_id", "task_id").iterator(
            chunk_size=BATCH) if (person_id, task_id) in removed]
    with connection.cursor() as cursor:
        for start in range(0, len(doomed), BATCH):
            cursor.executemany(f"DELETE FROM {table} WHERE {quote('id')} = %s",  # noqa: S608
                               doomed[start:start + BATCH])
        for start in range(0, len(rows), BATCH):
            cursor.executemany(upsert, rows[start:start + BATCH])
    return len(doomed)


def _respondents(survey_round: SurveyRound, person_ids: set[int]) -> int:
    """Mark the people of the file as having answered: their data came from the file."""
    already = set(Respondent.objects.filter(round=survey_round).values_list("person_id",
                                                                           flat=True))
    now = timezone.now()
    new = [
        Respondent(organization_id=survey_round.organization_id, round=survey_round,
                   person_id=person_id, status=ResponseStatus.SUBMITTED, saved_at=now,
                   submitted_at=now)
        for person_id in sorted(person_ids - already)
    ]
    Respondent.objects.bulk_create(new, batch_size=BATCH)
    return len(new)


# ---- the templates -------------------------------------------------------------------------------


_PATH_HELP: Final = (
    ColumnHelp(FUNCTION, "○", gettext_lazy(
        "Function of the task (総務, 人事労務, 経理財務, 法務, 情報システム, 経営企画 …)."),
        "経理財務"),
    ColumnHelp(CATEGORY, "○", gettext_lazy("Category of the task."), "債権管理"),
    ColumnHelp(SUBCATEGORY, "", gettext_lazy(
        "Subcategory; may be left empty when the task is unique without it."), "請求"),
    ColumnHelp(TASK, "○", gettext_lazy("Task name as in the work inventory."), "請求書発行"),
)
_ATTRIBUTE_HELP: Final = (
    ColumnHelp(DIFFICULTY, "", gettext_lazy(
        "Difficulty of the task, 1 (routine) to 5 (expert judgement); updates the inventory."),
        "2"),
    ColumnHelp(REMOTE, "", gettext_lazy("Can the task be done remotely: ○ or ×."), "○"),
    ColumnHelp(OUTSOURCE, "", gettext_lazy("Can the task be outsourced: ○ or ×."), "×"),
    ColumnHelp(AUTOMATE, "", gettext_lazy("Can the task be automated: ○ or ×."), "○"),
)
LONG_HELP: Final = (
    ColumnHelp(NUMBER, "△", gettext_lazy(
        "社員番号 of a registered person. 社員番号 or 氏名 is needed; when both are given, "
        "社員番号 is used."), "A001"),
    ColumnHelp(NAME, "△", gettext_lazy(
        "Full name as registered; a name shared by several people is an error."), "山田 太郎"),
    *_PATH_HELP,
    ColumnHelp(HOURS, "△", gettext_lazy(
        "Average hours a month the person spends on the task (0–400)."), "20"),
    ColumnHelp("4月 … 3月", "△", gettext_lazy(
        "Hours in each month, for seasonal work: the monthly hours are their sum / 12. Fill "
        "these or 月間工数(時間)."), "30"),
    *_ATTRIBUTE_HELP,
    ColumnHelp(LEVEL, "", gettext_lazy(
        "How well the person can do the task: 0 cannot, 1 learning, 2 with a manual, 3 alone, "
        "4 can teach (3:一人で可 is read too)."), "3"),
)
WIDE_HELP: Final = (
    *_PATH_HELP,
    ColumnHelp("A001 山田 太郎", "○", gettext_lazy(
        "One column per person, headed with the 社員番号, the name, or both; each cell holds "
        "the person's monthly hours on the row's task (empty: none)."), "20"),
    *_ATTRIBUTE_HELP,
)
RULES: Final = (
    gettext_lazy("Long layout: one row per person and task. Wide layout: one row per task and "
                 "one column per person."),
    gettext_lazy("People must already be registered (import them first); unknown tasks are "
                 "errors unless “create unknown tasks” is chosen."),
    gettext_lazy("More than 400 hours a month, on one task or in total for one person, is an "
                 "error."),
    gettext_lazy("Importing again replaces the hours of the people and tasks in the file; an "
                 "empty or 0 cell removes them."),
    gettext_lazy("Nothing is saved if any row has an error: fix the rows listed and import the "
                 "whole file again."),
    gettext_lazy("CSV files may be saved as UTF-8 (with or without BOM) or Shift_JIS (CP932)."),
)

_SEASONAL = ["", "", "", "", "", "", "", "10", "30", "20", "", ""]  # 年末調整: 11月–1月


def _template(layout: str) -> tuple[list[str], list[list[str]]]:
    """The header row and a few example rows (tasks of the starter inventory)."""
    if layout == "wide":
        header = [FUNCTION, CATEGORY, SUBCATEGORY, TASK, "A001 山田 太郎", "A002 鈴木 花子",
                  DIFFICULTY, REMOTE, OUTSOURCE, AUTOMATE]
        return header, [
            ["経理財務", "債権管理", "請求", "請求書発行", "20", "8", "", "", "", ""],
            ["人事労務", "給与", "給与計算", "給与計算", "35", "", "", "", "", ""],
            ["総務", "庶務", "来客・電話", "来客・電話対応", "", "30", "", "", "", ""],
        ]
    header = [NUMBER, NAME, FUNCTION, CATEGORY, SUBCATEGORY, TASK, HOURS, *MONTHS, DIFFICULTY,
              REMOTE, OUTSOURCE, AUTOMATE, LEVEL]
    empty_months = [""] * 12
    return header, [
        ["A001", "山田 太郎", "経理財務", "債権管理", "請求", "請求書発行", "20", *empty_months,
         "", "", "", "", "4"],
        ["A001", "山田 太郎", "人事労務", "給与", "年末調整", "年末調整", "", *_SEASONAL,
         "", "", "", "", "3"],
        ["A002", "鈴木 花子", "経理財務", "債権管理", "請求", "請求書発行", "8", *empty_months,
         "", "", "", "", "2"],
        ["A002", "鈴木 花子", "総務", "庶務", "来客・電話", "来客・電話対応", "30", *empty_months,
         "", "", "", "", "3"],
    ]


def hours_template_csv(layout: str) -> bytes:
    """The template as CSV, UTF-8 with a BOM so that Excel opens it with the right encoding."""
    header, rows = _template(layout)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue().encode("utf-8-sig")


def hours_template_xlsx(layout: str) -> bytes:
    """The template as a workbook: the data sheet (with drop-downs) and a sheet of help."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    header, rows = _template(layout)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "工数"
    header_fill = PatternFill("solid", fgColor=HEADER_COLOR)
    sheet.append(header)
    for row in rows:
        sheet.append([_number(cell) for cell in row])
    for index, name in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 6 if name in MONTHS else 16
        if name == NUMBER:
            sheet.column_dimensions[letter].number_format = "@"  # keeps leading zeros
        for choices, columns in (("○,×", (REMOTE, OUTSOURCE, AUTOMATE)),
                                 ("1,2,3,4,5", (DIFFICULTY,)), ("0,1,2,3,4", (LEVEL,))):
            if name in columns:
                validation = DataValidation(type="list", allow_blank=True,
                                            formula1=f'"{choices}"')
                validation.add(f"{letter}2:{letter}100000")
                sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"

    rules: list[Promise | str] = [*RULES]
    if layout == "long":
        rules.append(_("△: one of these columns is needed."))
    add_help_sheet(workbook, str(_("Importing survey hours")), rules,
                   WIDE_HELP if layout == "wide" else LONG_HELP)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number(text: str) -> Any:
    """Hours and levels as numbers in the workbook, as people type them; the rest as text."""
    if text.isdigit() and not text.startswith("0"):
        return int(text)
    return text if text else None
