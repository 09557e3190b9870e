"""The 決裁権限規程 as an Excel workbook: export a revision, import a file as a new revision.

The first sheet is the table (:mod:`somu.approvals.rules_table`'s columns, one line per stage),
so exporting and importing the same file round-trips exactly; the second sheet holds the
revision (版, 改定日, 改定理由) and the third explains the columns and the words they allow.
Reading goes through :mod:`somu.core.tabular` like the people import (the same bad-file
messages); an import is all or nothing and lists every error with line, column, value and
reason.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Final

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from somu.approvals import rules_table as rt
from somu.approvals.models import RuleVersion
from somu.approvals.services import rules
from somu.audit.services import audit_record
from somu.core.tabular import ImportFailed, Source, open_table
from somu.org.models import Membership, User

TABLE_SHEET: Final = "決裁権限規程"
INFO_SHEET: Final = "改定情報"
HELP_SHEET: Final = "説明"

COLUMN_HELP: Final = (
    (rt.NUMBER, True, gettext_lazy(
        "The rule row. One line per stage: lines with the same number form one row and must "
        "agree on 申請種別, 区分, 金額, 部署, 条件 and 備考 (later lines may leave them empty)."),
     "1"),
    (rt.TYPE, True, gettext_lazy("The request type, by name or code."), "購入申請"),
    (rt.CATEGORY, False, gettext_lazy("Only requests of this category (empty: any)."), "備品"),
    (rt.AMOUNT_MIN, False, gettext_lazy(
        "From this amount, inclusive (empty: no lower bound). 1,000,000, ¥1,000,000 and "
        "100万 are understood."), "100,001"),
    (rt.AMOUNT_MAX, False, gettext_lazy("Up to this amount, inclusive (empty: no upper bound)."),
     "1,000,000"),
    (rt.DEPARTMENT, False, gettext_lazy(
        "Only requests from this department and the departments below it (name, code, or path "
        "like 管理本部/総務部)."), "総務部"),
    (rt.CONDITION, False, gettext_lazy(
        "Only when this condition on the form holds (empty: always)."), '契約種別 == "NDA"'),
    (rt.KIND, True, "審査 / 合議 / 承認 / 決裁 / 回覧", "決裁"),
    (rt.APPROVER, True, "役職 / N階層上 / 指名 / 部署メンバー / 上長 / フォーム項目", "役職"),
    (rt.VALUE, False, gettext_lazy(
        "役職: the position name; N階層上: 1–9; 指名: the employee number; 部署メンバー: the "
        "department; 上長: empty; フォーム項目: the key of a person field of the form."), "部長"),
    (rt.POSITION, False, gettext_lazy("部署メンバー only: just the members with this position."),
     ""),
    (rt.QUORUM, False, gettext_lazy("いずれか1名 (default) / 全員 / N名以上"), "全員"),
    (rt.AT_LEAST, False, gettext_lazy("N名以上 only: how many approvals are needed."), "2"),
    (rt.VACANCY, False, gettext_lazy(
        "When nobody holds the seat: 上位者へ (default: the next head up) / 代替承認者へ / "
        "スキップ (never for 決裁)."), "上位者へ"),
    (rt.FALLBACK, False, gettext_lazy("The employee number of the fallback approver."), "C010"),
    (rt.ALLOW_ADD, False, gettext_lazy("○: participants may add another participant (合議)."),
     "○"),
    (rt.LABEL, False, gettext_lazy("The heading of the stage on the 稟議書 (empty: derived)."),
     ""),
    (rt.NOTE, False, gettext_lazy("A note on the row."), ""),
)

_WIDTHS: Final = {rt.NUMBER: 7, rt.TYPE: 16, rt.CATEGORY: 10, rt.AMOUNT_MIN: 14,
                  rt.AMOUNT_MAX: 14, rt.DEPARTMENT: 16, rt.CONDITION: 22, rt.KIND: 7,
                  rt.APPROVER: 13, rt.VALUE: 12, rt.POSITION: 10, rt.QUORUM: 11,
                  rt.AT_LEAST: 8, rt.VACANCY: 12, rt.FALLBACK: 11, rt.ALLOW_ADD: 7,
                  rt.LABEL: 12, rt.NOTE: 24}


def rules_xlsx(version: RuleVersion, *, exported_on: dt.date) -> bytes:
    """The revision as a workbook (table, revision info, column help)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lines = rt.row_lines(rules.row_inputs(version))
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = TABLE_SHEET
    sheet.append(list(rt.HEADERS))
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for index, name in enumerate(rt.HEADERS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = required_fill if name in rt.REQUIRED else header_fill
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS[name]
    letters = {name: get_column_letter(i) for i, name in enumerate(rt.HEADERS, start=1)}
    for line in lines:
        sheet.append([line.get(h, "") if line.get(h, "") != "" else None for h in rt.HEADERS])
        row = sheet.max_row
        for cell in sheet[row]:
            # openpyxl stores text starting with "=" as a live formula: it is text here.
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
        for column in (rt.AMOUNT_MIN, rt.AMOUNT_MAX):
            sheet[f"{letters[column]}{row}"].number_format = "#,##0"
        for column in (rt.VALUE, rt.FALLBACK):
            sheet[f"{letters[column]}{row}"].number_format = "@"  # 社員番号 00123 stays text
    for column, labels in ((rt.KIND, rt.KIND_LABELS), (rt.APPROVER, rt.APPROVER_LABELS),
                           (rt.QUORUM, rt.QUORUM_LABELS), (rt.VACANCY, rt.VACANCY_LABELS),
                           (rt.ALLOW_ADD, {"yes": rt.YES})):
        validation = DataValidation(type="list", allow_blank=True,
                                    formula1='"' + ",".join(labels.values()) + '"')
        validation.add(f"{letters[column]}2:{letters[column]}2000")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions

    info = workbook.create_sheet(INFO_SHEET)
    info.column_dimensions["A"].width = 12
    info.column_dimensions["B"].width = 50
    for label, value in (("版", version.number), ("改定日", version.effective_from),
                         ("改定理由", version.note), ("出力日", exported_on)):
        info.append([label, value])
        info.cell(row=info.max_row, column=1).font = Font(bold=True)
        if isinstance(value, dt.date):
            info.cell(row=info.max_row, column=2).number_format = "yyyy/m/d"
            info.cell(row=info.max_row, column=2).alignment = Alignment(horizontal="left")

    notes = workbook.create_sheet(HELP_SHEET)
    for letter, width in zip("ABCD", (14, 6, 80, 20), strict=True):
        notes.column_dimensions[letter].width = width
    notes.append([str(_("The approval rules (決裁権限規程)"))])
    notes["A1"].font = Font(bold=True, size=14)
    for rule in RULES:
        notes.append(["・" + str(rule)])
    notes.append([])
    notes.append([str(_("Column")), str(_("Required")), str(_("Description")),
                  str(_("Example"))])
    for cell in notes[notes.max_row]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    for name, required, description, example in COLUMN_HELP:
        notes.append([name, "○" if required else "", str(description), example])
        notes.cell(row=notes.max_row, column=3).alignment = Alignment(wrap_text=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


RULES: Final = (
    gettext_lazy("The first sheet is the table: one line per stage of a rule row."),
    gettext_lazy("A request gets the stages of every row it matches; exactly one of them must "
                 "be the 決裁."),
    gettext_lazy("Importing the file saves a new revision in force from the date you give; "
                 "the revisions before it are kept."),
    gettext_lazy("Nothing is saved if any line has an error: every error is listed with its "
                 "row, column, value and reason."),
)


@dataclass(frozen=True)
class ImportResult:
    version: RuleVersion | None  # None: a dry run
    rows: list[rules.RowInput]
    lines: list[dict[str, str]]  # the table as it would be shown (for the preview)
    effective_from: dt.date | None
    dry_run: bool


def rules_import(*, membership: Membership, source: Source, filename: str = "",
                 effective_from: dt.date | None, note: str = "", now: dt.datetime,
                 dry_run: bool = False) -> ImportResult:
    """The file's first sheet as a new revision in force from ``effective_from`` (with
    ``dry_run`` only checked). Raises :class:`ImportFailed` listing every problem."""
    with open_table(source, columns=rt.COLUMNS, translate=_) as table:
        lines = [rt.Line(number, cells) for number, cells in table]
    with transaction.atomic():
        version, parsed = rt.rule_table_save(
            membership=membership, effective_from=effective_from, lines=lines,
            note=note or _("Imported from %(file)s") % {"file": filename or "Excel"},
            now=now, dry_run=dry_run)
        if version is not None:
            audit_record(actor=membership.user, action="approval_rules.import", obj=version,
                         changes={"file": [None, filename or None],
                                  "rows": [None, len(parsed.rows)]})
    shown = rt.row_lines(parsed.rows, amounts="yen")
    return ImportResult(version=version, rows=parsed.rows,
                        lines=[{rt.KEYS[k]: str(v) for k, v in line.items()} for line in shown],
                        effective_from=effective_from, dry_run=dry_run)


def rules_export(*, version: RuleVersion, actor: User | None, today: dt.date) -> bytes:
    """The revision as a workbook; the export is in the audit log."""
    content = rules_xlsx(version, exported_on=today)
    audit_record(actor=actor, action="approval_rules.export", obj=version,
                 changes={"revision": [None, version.number]})
    return content


def export_filename(version: RuleVersion) -> str:
    return f"決裁権限規程-第{version.number}版-{version.effective_from:%Y%m%d}.xlsx"


__all__ = ["ImportFailed", "ImportResult", "export_filename", "rules_export", "rules_import",
           "rules_xlsx"]
