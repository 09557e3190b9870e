"""The work inventory (業務一覧) as an Excel file: export, import, and the task columns shared
with the survey data import (:mod:`somu.survey.importing`).

The file has one row per task with the columns 部門, 大分類, 中分類, 業務名, 説明, 頻度, 難易度,
対象, リモート可否, 外注可否, 自動化可否, 必要スキル, 備考 and 状態 (部門, 大分類 and 業務名 are
required). :func:`task_export_xlsx` writes exactly what :func:`task_import` reads, so exporting
and importing again changes nothing.

- A row whose path (部門 > 大分類 > 中分類 > 業務名) is in the inventory updates that task; other
  rows add tasks. Paths are compared ignoring full-width/half-width, spaces and case.
- As in the people import, an **empty cell keeps** the current value (a new task gets the
  default: empty, ×, 使用中) and a cell holding just ``-`` **clears** 説明, 頻度, 難易度, 対象,
  必要スキル or 備考. A column absent from the file keeps its values too.
- 必要スキル names a skill; a skill not registered yet is created.
- All or nothing, with every problem listed (row, column, value, reason).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import IO, Any, Final

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from somu.audit.services import audit_record_many, diff, snapshot
from somu.core import tenancy
from somu.core.tabular import Column, ImportFailed, RowError, Source, cell_text, nfkc, open_table
from somu.org.models import Skill
from somu.org.services import Actor
from somu.survey.models import STANDARD_FUNCTIONS, Frequency, Scope, Task, TaskStatus
from somu.survey.services import TASK_FIELDS

__all__ = ["TaskImportResult", "task_export_xlsx", "task_import"]

Path = tuple[str, str, str, str]  # function, category, subcategory, name

FUNCTION, CATEGORY, SUBCATEGORY, TASK = "部門", "大分類", "中分類", "業務名"
DESCRIPTION, FREQUENCY, DIFFICULTY, SCOPE = "説明", "頻度", "難易度", "対象"
REMOTE, OUTSOURCE, AUTOMATE = "リモート可否", "外注可否", "自動化可否"
SKILL, NOTES, STATUS = "必要スキル", "備考", "状態"
CLEAR: Final = "-"
HEADER_COLOR: Final = "DDEBF7"
YES, NO = "○", "×"

TASK_PATH_COLUMNS: Final = (
    Column(FUNCTION, aliases=("業務部門", "機能")),
    Column(CATEGORY, aliases=("大区分",)),
    Column(SUBCATEGORY, aliases=("中区分",)),
    Column(TASK, aliases=("業務", "業務名称", "タスク")),
)
FLAG_FIELDS: Final = {REMOTE: "remote_ok", OUTSOURCE: "outsourceable", AUTOMATE: "automatable"}
ATTRIBUTE_COLUMNS: Final = (  # task attributes a survey data file may carry as well
    Column(DIFFICULTY, aliases=("難易度(1-5)",)),
    Column(REMOTE, aliases=("リモート可", "リモート", "在宅可否")),
    Column(OUTSOURCE, aliases=("外注可", "外注", "アウトソース可否")),
    Column(AUTOMATE, aliases=("自動化可", "自動化")),
)
COLUMNS: Final = (
    *(Column(c.name, required=c.name != SUBCATEGORY, aliases=c.aliases)
      for c in TASK_PATH_COLUMNS),
    Column(DESCRIPTION, aliases=("業務内容", "概要")),
    Column(FREQUENCY, aliases=("発生頻度",)),
    ATTRIBUTE_COLUMNS[0],
    Column(SCOPE, aliases=("対象範囲", "社内外")),
    *ATTRIBUTE_COLUMNS[1:],
    Column(SKILL, aliases=("スキル",)),
    Column(NOTES, aliases=("メモ",)),
    Column(STATUS, aliases=("ステータス",)),
)

FREQUENCY_LABELS: Final = {
    Frequency.DAILY: "毎日", Frequency.WEEKLY: "毎週", Frequency.MONTHLY: "毎月",
    Frequency.QUARTERLY: "四半期", Frequency.YEARLY: "毎年", Frequency.AD_HOC: "随時",
}
SCOPE_LABELS: Final = {Scope.INTERNAL: "社内", Scope.EXTERNAL: "社外", Scope.BOTH: "両方"}
STATUS_LABELS: Final = {
    TaskStatus.ACTIVE: "使用中", TaskStatus.PROPOSED: "提案中", TaskStatus.ARCHIVED: "アーカイブ",
}
_FREQUENCIES: Final = {
    **{label: code for code, label in FREQUENCY_LABELS.items()},
    **{code.value: code for code in Frequency},
    "日次": Frequency.DAILY, "週次": Frequency.WEEKLY, "月次": Frequency.MONTHLY,
    "四半期毎": Frequency.QUARTERLY, "四半期ごと": Frequency.QUARTERLY,
    "年次": Frequency.YEARLY, "年1回": Frequency.YEARLY, "不定期": Frequency.AD_HOC,
    "都度": Frequency.AD_HOC,
}
_SCOPES: Final = {**{label: code for code, label in SCOPE_LABELS.items()},
                  **{code.value: code for code in Scope}, "社内外": Scope.BOTH}
_STATUSES: Final = {**{label: code for code, label in STATUS_LABELS.items()},
                    **{code.value: code for code in TaskStatus}, "廃止": TaskStatus.ARCHIVED}
_TRUE: Final = frozenset({"○", "◯", "〇", "◎", "可", "可能", "はい", "yes", "y", "1", "true",
                          "✓", "✔"})
_FALSE: Final = frozenset({"×", "✕", "✖", "x", "不可", "不可能", "いいえ", "no", "n", "0",
                           "false"})
_LEVELS: Final = {
    "できない": 0, "不可": 0, "対応不可": 0,
    "学習中": 1, "見習い": 1, "勉強中": 1,
    "マニュアルがあれば可": 2, "マニュアルがあればできる": 2, "手順書があれば可": 2,
    "一人で可": 3, "一人でできる": 3, "独力で可": 3,
    "指導可": 4, "指導できる": 4, "教えられる": 4, "人に教えられる": 4,
}


# ---- values shared with the survey data import ---------------------------------------------------


def _key(text: str) -> str:
    """How names are compared: NFKC, no spaces, case-folded (``ＰＣ`` = ``pc``)."""
    return "".join(nfkc(text).split()).casefold()


def _compact(value: Any) -> str:
    return "".join(nfkc(cell_text(value)).split()).casefold()


def parse_flag(value: Any) -> bool:
    """○/× and the other ways people write yes and no. Raises ``ValueError``."""
    text = _compact(value)
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(_("Write ○ or × (also 可/不可, はい/いいえ, Yes/No, 1/0)."))


def parse_difficulty(value: Any) -> int:
    text = _compact(value)
    if re.fullmatch(r"[1-5](\.0+)?", text):
        return int(float(text))
    raise ValueError(_("Difficulty is a whole number from 1 to 5."))


def parse_level(value: Any) -> int:
    """対応可能レベル 0–4, as a number or a label: ``3``, ``3:一人で可``, ``一人で可``."""
    text = _compact(value)
    match = re.fullmatch(r"(\d+)(?:\.0+)?(?:[:.\-・)]?(\D.*))?", text)
    level = int(match[1]) if match else _LEVELS.get(text)
    if level is None or not 0 <= level <= 4:
        raise ValueError(_("Capability level is 0 (cannot) to 4 (can teach), e.g. 3 or "
                           "3:一人で可."))
    return level


_MAX_LENGTHS: Final = {
    name: Task._meta.get_field(name).max_length or 0  # type: ignore[union-attr]
    for name in ("function", "category", "subcategory", "name")
}


def path_errors(number: int, values: dict[str, Any]) -> tuple[Path, list[RowError]]:
    """The task path of a row, and what is wrong with it (required parts, lengths)."""
    path = (cell_text(values.get(FUNCTION)), cell_text(values.get(CATEGORY)),
            cell_text(values.get(SUBCATEGORY)), cell_text(values.get(TASK)))
    errors: list[RowError] = []
    for column, text, field in zip((FUNCTION, CATEGORY, SUBCATEGORY, TASK), path,
                                   ("function", "category", "subcategory", "name"), strict=True):
        limit = _MAX_LENGTHS[field]
        if not text and column != SUBCATEGORY:
            errors.append(RowError(number, column, "", _("%(column)s is required.")
                                   % {"column": column}))
        elif len(text) > limit:
            errors.append(RowError(number, column, text, _(
                "Too long: at most %(limit)s characters.") % {"limit": limit}))
    return path, errors


class TaskIndex:
    """The inventory's tasks by path; a path without 中分類 finds the one task that fits."""

    def __init__(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """``rows``: (pk, function, category, subcategory, name, difficulty, remote_ok,
        outsourceable, automatable)."""
        self.by_key: dict[tuple[str, ...], int] = {}
        self.without_subcategory: dict[tuple[str, ...], list[int]] = {}
        self.attributes: dict[int, dict[str, Any]] = {}
        for pk, *path, difficulty, remote_ok, outsourceable, automatable in rows:
            key = self.key(path)
            self.by_key.setdefault(key, pk)
            self.without_subcategory.setdefault((key[0], key[1], key[3]), []).append(pk)
            self.attributes[pk] = {"difficulty": difficulty, "remote_ok": remote_ok,
                                   "outsourceable": outsourceable, "automatable": automatable}

    @staticmethod
    def key(path: Iterable[str]) -> tuple[str, ...]:
        return tuple(_key(part) for part in path)

    def find(self, path: Path) -> int | None:
        key = self.key(path)
        found = self.by_key.get(key)
        if found is None and not key[2]:
            candidates = self.without_subcategory.get((key[0], key[1], key[3]), [])
            found = candidates[0] if len(candidates) == 1 else None
        return found


def read_source(source: Source) -> bytes:
    """The whole file: imports read it twice at most, and an upload is at most tens of MB."""
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | os.PathLike):
        return FilePath(source).read_bytes()
    handle: IO[bytes] = source
    if handle.seekable():
        handle.seek(0)
    return handle.read()


# ---- help for the files --------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnHelp:
    name: str
    required: str  # ○ required; △ one of a group (explained by the rules)
    description: Promise | str
    example: str


COLUMN_HELP: Final = (
    ColumnHelp(FUNCTION, "○", gettext_lazy("Function the task belongs to."), "総務"),
    ColumnHelp(CATEGORY, "○", gettext_lazy("Category of the task."), "庶務"),
    ColumnHelp(SUBCATEGORY, "", gettext_lazy("Subcategory; may be empty."), "来客・電話"),
    ColumnHelp(TASK, "○", gettext_lazy(
        "Task name. With 部門, 大分類 and 中分類 it identifies the task: a path already in the "
        "inventory updates that task, a new one adds a task."), "来客・電話対応"),
    ColumnHelp(DESCRIPTION, "", gettext_lazy("What the task is, in a sentence."),
               "来訪者の受付と代表電話の取り次ぎ"),
    ColumnHelp(FREQUENCY, "", gettext_lazy("毎日, 毎週, 毎月, 四半期, 毎年 or 随時."), "毎日"),
    ColumnHelp(DIFFICULTY, "", gettext_lazy("1 (routine) to 5 (expert judgement)."), "1"),
    ColumnHelp(SCOPE, "", gettext_lazy("Whom the task serves: 社内, 社外 or 両方."), "社外"),
    ColumnHelp(REMOTE, "", gettext_lazy("Can the task be done remotely: ○ or ×."), "×"),
    ColumnHelp(OUTSOURCE, "", gettext_lazy("Can the task be outsourced: ○ or ×."), "○"),
    ColumnHelp(AUTOMATE, "", gettext_lazy("Can the task be automated: ○ or ×."), "×"),
    ColumnHelp(SKILL, "", gettext_lazy("Name of the skill the task needs; a new name adds the "
                                       "skill."), "Excel"),
    ColumnHelp(NOTES, "", gettext_lazy("Anything else worth knowing."), ""),
    ColumnHelp(STATUS, "", gettext_lazy("使用中, 提案中 or アーカイブ; a new task is 使用中."),
               "使用中"),
)
RULES: Final = (
    gettext_lazy("The first row holds the column names; each following row is one task."),
    gettext_lazy("部門, 大分類 and 業務名 are required; the other columns may be left out."),
    gettext_lazy("A task whose path is already in the inventory is updated; others are added."),
    gettext_lazy("When updating, an empty cell keeps the current value; a cell with only “-” "
                 "clears it."),
    gettext_lazy("Nothing is saved if any row has an error: fix the rows listed and import the "
                 "whole file again."),
    gettext_lazy("CSV files may be saved as UTF-8 (with or without BOM) or Shift_JIS (CP932)."),
)


def add_help_sheet(workbook: Any, title: str, rules: Iterable[Promise | str],
                   columns: Iterable[ColumnHelp]) -> None:
    """A second sheet (記入方法) with the rules and one line per column."""
    from openpyxl.styles import Alignment, Font, PatternFill

    notes = workbook.create_sheet("記入方法")
    for letter, width in zip("ABCD", (18, 8, 80, 24), strict=True):
        notes.column_dimensions[letter].width = width
    notes.append([title])
    notes["A1"].font = Font(bold=True, size=14)
    for rule in rules:
        notes.append(["・" + str(rule)])
    notes.append([])
    notes.append([str(_("Column")), str(_("Required")), str(_("Description")),
                  str(_("Example"))])
    for cell in notes[notes.max_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_COLOR)
    for item in columns:
        notes.append([item.name, item.required, str(item.description), item.example])
        notes.cell(row=notes.max_row, column=3).alignment = Alignment(wrap_text=True)


# ---- export --------------------------------------------------------------------------------------


def _row(task: Task) -> list[Any]:
    return [
        task.function, task.category, task.subcategory, task.name, task.description,
        FREQUENCY_LABELS.get(task.frequency, ""),  # type: ignore[call-overload]
        task.difficulty, SCOPE_LABELS.get(task.scope, ""),  # type: ignore[call-overload]
        YES if task.remote_ok else NO, YES if task.outsourceable else NO,
        YES if task.automatable else NO,
        task.required_skill.name if task.required_skill else "", task.notes,
        STATUS_LABELS.get(task.status, task.status),  # type: ignore[call-overload]
    ]


def task_export_xlsx() -> bytes:
    """Every task of the active organization's inventory, in the columns the import reads."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "業務一覧"
    sheet.append([c.name for c in COLUMNS])
    widths = (12, 16, 16, 28, 48, 8, 8, 8, 10, 10, 10, 16, 24, 10)
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_COLOR)
        sheet.column_dimensions[get_column_letter(index)].width = width
    rank = {function: index for index, function in enumerate(STANDARD_FUNCTIONS)}
    # The standard functions in their usual order (総務, 人事労務, 経理財務, …), then the others.
    for task in sorted(Task.objects.select_related("required_skill"), key=lambda t: (
        rank.get(t.function, len(rank)), t.function, t.category, t.subcategory, t.sort_order,
        t.name, t.pk,
    )):
        sheet.append(_row(task))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    letters = {c.name: get_column_letter(i) for i, c in enumerate(COLUMNS, start=1)}
    for column, choices in ((FREQUENCY, FREQUENCY_LABELS.values()), (SCOPE, SCOPE_LABELS.values()),
                            (STATUS, STATUS_LABELS.values()), (REMOTE, (YES, NO)),
                            (OUTSOURCE, (YES, NO)), (AUTOMATE, (YES, NO)),
                            (DIFFICULTY, ("1", "2", "3", "4", "5"))):
        validation = DataValidation(type="list", allow_blank=True,
                                    formula1='"' + ",".join(choices) + '"')
        validation.add(f"{letters[column]}2:{letters[column]}10000")
        sheet.add_data_validation(validation)
    add_help_sheet(workbook, str(_("The work inventory")), RULES, COLUMN_HELP)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---- import --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskImportResult:
    rows: int
    created: int
    updated: int
    unchanged: int
    skills_created: int
    dry_run: bool = False


def task_import(*, actor: Actor, source: Source, filename: str = "",
                dry_run: bool = False) -> TaskImportResult:
    """Create or update the active organization's tasks from an .xlsx or .csv file.

    Raises :class:`ImportFailed` listing every problem; the database is then unchanged. With
    ``dry_run`` nothing is kept either way (the import runs and is rolled back): the result
    says what it would do.
    """
    try:
        with transaction.atomic():
            result = _import(actor, source, filename, dry_run)
            if dry_run:
                transaction.set_rollback(True)
            return result
    except IntegrityError as exc:
        raise ImportFailed([RowError(None, "", "", _(
            "Someone else changed the same tasks at the same time; import the file again."
        ))]) from exc


def _choice(values: dict[str, Any], column: str, choices: Mapping[str, str], data: dict[str, Any],
            field: str, errors: list[RowError], number: int, reason: str) -> None:
    raw = values.get(column)
    if raw is None:
        return
    text = nfkc(cell_text(raw))
    if text == CLEAR and field != "status":
        data[field] = ""
    elif (code := choices.get(text) or choices.get(text.casefold())) is not None:
        data[field] = str(code)
    else:
        errors.append(RowError(number, column, cell_text(raw), reason))


def _parse_row(number: int, values: dict[str, Any], errors: list[RowError]) -> dict[str, Any]:
    """The fields a row sets (absent: keep); ``required_skill`` is still a name here."""
    data: dict[str, Any] = {}
    for column, field in ((DESCRIPTION, "description"), (NOTES, "notes"),
                          (SKILL, "required_skill")):
        if (raw := values.get(column)) is not None:
            text = cell_text(raw)
            data[field] = "" if text == CLEAR else text
    if len(data.get("required_skill", "")) > 100:
        errors.append(RowError(number, SKILL, data["required_skill"], _(
            "Too long: at most %(limit)s characters.") % {"limit": 100}))
    _choice(values, FREQUENCY, _FREQUENCIES, data, "frequency", errors, number,
            _("Write one of 毎日, 毎週, 毎月, 四半期, 毎年, 随時."))
    _choice(values, SCOPE, _SCOPES, data, "scope", errors, number,
            _("Write one of 社内, 社外, 両方."))
    _choice(values, STATUS, _STATUSES, data, "status", errors, number,
            _("Write one of 使用中, 提案中, アーカイブ."))
    if (raw := values.get(DIFFICULTY)) is not None:
        try:
            data["difficulty"] = None if cell_text(raw) == CLEAR else parse_difficulty(raw)
        except ValueError as exc:
            errors.append(RowError(number, DIFFICULTY, cell_text(raw), str(exc)))
    for column, field in FLAG_FIELDS.items():
        if (raw := values.get(column)) is not None:
            try:
                data[field] = parse_flag(raw)
            except ValueError as exc:
                errors.append(RowError(number, column, cell_text(raw), str(exc)))
    return data


def _import(actor: Actor, source: Source, filename: str, dry_run: bool) -> TaskImportResult:
    with open_table(read_source(source), columns=COLUMNS, translate=_) as table:
        raw_rows = list(table)
    tasks = {TaskIndex.key((t.function, t.category, t.subcategory, t.name)): t
             for t in Task.objects.order_by("pk")}
    skills = {_key(s.name): s for s in Skill.objects.all()}
    errors: list[RowError] = []
    rows: list[tuple[int, Path, dict[str, Any]]] = []
    first_seen: dict[tuple[str, ...], int] = {}
    for number, values in raw_rows:
        path, path_problems = path_errors(number, values)
        errors.extend(path_problems)
        data = _parse_row(number, values, errors)
        if path_problems:
            continue
        key = TaskIndex.key(path)
        if key in first_seen:
            errors.append(RowError(number, TASK, path[3], _(
                "Row %(row)s has the same task.") % {"row": first_seen[key]}))
            continue
        first_seen[key] = number
        rows.append((number, path, data))
    if errors:
        raise ImportFailed(errors)

    organization_id = tenancy.active_organization_id()
    entries: list[dict[str, Any]] = []
    order = (Task.objects.aggregate(m=Max("sort_order"))["m"] or 0) + 1
    created: list[Task] = []
    updated: list[tuple[Task, dict[str, list[Any]]]] = []
    now = timezone.now()
    for _number, path, data in rows:
        if "required_skill" in data:
            data["required_skill"] = _skill(data["required_skill"], skills, organization_id,
                                            entries)
        task = tasks.get(TaskIndex.key(path))
        if task is None:
            task = Task(organization_id=organization_id, function=path[0], category=path[1],
                        subcategory=path[2], name=path[3], sort_order=order + len(created))
            for name, value in data.items():
                setattr(task, name, value)
            created.append(task)
            continue
        before = snapshot(task, TASK_FIELDS)
        for name, value in data.items():
            setattr(task, name, value)
        changes = diff(before, snapshot(task, TASK_FIELDS))
        if changes:
            task.updated_at = now
            updated.append((task, changes))
    Task.objects.bulk_create(created, batch_size=500)
    fields = sorted({name for _t, changes in updated for name in changes} | {"updated_at"})
    Task.objects.bulk_update([t for t, _c in updated], fields, batch_size=200)
    for task in created:
        entries.append({"action": "survey_task.create", "obj": task,
                        "changes": diff({}, snapshot(task, TASK_FIELDS))})
    for task, changes in updated:
        entries.append({"action": "survey_task.update", "obj": task, "changes": changes})
    skills_created = sum(1 for e in entries if e["action"] == "skill.create")
    result = TaskImportResult(rows=len(rows), created=len(created), updated=len(updated),
                              unchanged=len(rows) - len(created) - len(updated),
                              skills_created=skills_created, dry_run=dry_run)
    if dry_run:
        return result
    entries.append({
        "action": "survey_task.import", "object_type": "survey.task",
        "object_repr": (filename or "import")[:200],
        "changes": {name: [None, value] for name, value in vars(result).items()
                    if name != "dry_run"},
    })
    audit_record_many(actor=actor, entries=entries)
    return result


def _skill(name: str, skills: dict[str, Skill], organization_id: int,
           entries: list[dict[str, Any]]) -> Skill | None:
    if not name:
        return None
    skill = skills.get(_key(name))
    if skill is None:
        skill = Skill.objects.create(organization_id=organization_id, name=name)
        skills[_key(name)] = skill
        entries.append({"action": "skill.create", "obj": skill,
                        "changes": {"name": [None, name]}})
    return skill
