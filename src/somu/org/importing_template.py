"""The template file for importing people (CSV or an Excel workbook with drop-downs and a notes
sheet), and the help on its columns and rules that the import page shows."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from somu.org.importing import (
    COLUMNS,
    DEPARTMENT,
    EMAIL,
    EMPLOYMENT,
    EMPLOYMENT_LABELS,
    GRADE,
    HIRE_DATE,
    KANA,
    MANAGER,
    NAME,
    NUMBER,
    POSITION,
)
from somu.org.models import Grade, Position


@dataclass(frozen=True)
class ColumnHelp:
    name: str
    required: bool
    description: Promise | str
    example: str


COLUMN_HELP: Final = (
    ColumnHelp(NUMBER, True, gettext_lazy(
        "Identifies the person: an existing number updates that person, a new one adds a "
        "person."), "00123"),
    ColumnHelp(NAME, True, gettext_lazy("Full name."), "山田 太郎"),
    ColumnHelp(KANA, False, gettext_lazy("Reading of the name, in kana."), "やまだ たろう"),
    ColumnHelp(DEPARTMENT, False, gettext_lazy(
        "Path from the top of the organization chart, separated by “/”. A department that "
        "does not exist is an error, unless “Create departments” is ticked."), "管理本部/総務部"),
    ColumnHelp(GRADE, False, gettext_lazy("Code of a registered grade."), "G2"),
    ColumnHelp(EMPLOYMENT, False, gettext_lazy(
        "正社員, 契約社員, パート・アルバイト (or パート, アルバイト) or 派遣. Empty on a new "
        "person: 正社員."), "正社員"),
    ColumnHelp(HIRE_DATE, False, gettext_lazy(
        "A date: 2024-04-01, 2024/4/1, an Excel date or R6.4.1."), "2024/4/1"),
    ColumnHelp(MANAGER, False, gettext_lazy(
        "社員番号 of the person's manager: someone already registered or in the same file."),
        "00001"),
    ColumnHelp(EMAIL, False, gettext_lazy("Work email address."), "yamada@example.co.jp"),
    ColumnHelp(POSITION, False, gettext_lazy(
        "Name of a registered position (役職), as on the positions page."), "課長"),
)

RULES: Final = (
    gettext_lazy("The first row holds the column names; each following row is one person."),
    gettext_lazy("社員番号 and 氏名 are required; the other columns may be left out."),
    gettext_lazy("A person whose 社員番号 is already registered is updated; others are added."),
    gettext_lazy("When updating, an empty cell keeps the current value; a cell with only “-” "
                 "clears it."),
    gettext_lazy("The file is checked first and a preview shows who would be added, updated or "
                 "left alone; nothing is saved until you confirm."),
    gettext_lazy("Nothing is saved if any row has an error: fix the rows listed and import the "
                 "whole file again."),
    gettext_lazy("CSV files may be saved as UTF-8 (with or without BOM) or Shift_JIS (CP932)."),
)


def template_csv() -> bytes:
    """The header row as CSV, UTF-8 with a BOM so that Excel opens it with the right encoding."""
    return (",".join(column.name for column in COLUMNS) + "\r\n").encode("utf-8-sig")


def template_xlsx() -> bytes:
    """A workbook with the header row (with drop-downs for 雇用形態 and the organization's
    grades) on the first sheet and the rules and column reference on a second sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "社員"
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    widths = {NUMBER: 12, NAME: 18, KANA: 20, DEPARTMENT: 28, GRADE: 8, EMPLOYMENT: 18,
              HIRE_DATE: 12, MANAGER: 14, EMAIL: 30, POSITION: 12}
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.name)
        cell.font = Font(bold=True)
        cell.fill = required_fill if column.required else header_fill
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = widths[column.name]
        if column.name in (NUMBER, MANAGER):
            # Text, so that leading zeros (00123) survive typing.
            sheet.column_dimensions[letter].number_format = "@"
        elif column.name == HIRE_DATE:
            sheet.column_dimensions[letter].number_format = "yyyy/m/d"
    sheet.freeze_panes = "A2"
    letters = {c.name: get_column_letter(i) for i, c in enumerate(COLUMNS, start=1)}
    employment = DataValidation(type="list", allow_blank=True,
                                formula1='"' + ",".join(EMPLOYMENT_LABELS.values()) + '"')
    employment.add(f"{letters[EMPLOYMENT]}2:{letters[EMPLOYMENT]}10000")
    sheet.add_data_validation(employment)
    codes = [g.code for g in Grade.objects.order_by("sort_order", "code")]
    listed = ",".join(codes)
    # Excel limits an inline list to 255 characters; longer lists go without a drop-down.
    if codes and len(listed) < 250 and not any('"' in c or "," in c for c in codes):
        grades = DataValidation(type="list", allow_blank=True, formula1=f'"{listed}"')
        grades.add(f"{letters[GRADE]}2:{letters[GRADE]}10000")
        sheet.add_data_validation(grades)
    titles = [p.name for p in Position.objects.order_by("rank", "name")]
    listed_titles = ",".join(titles)
    if titles and len(listed_titles) < 250 and not any('"' in t or "," in t for t in titles):
        drop_down = DataValidation(type="list", allow_blank=True, formula1=f'"{listed_titles}"')
        drop_down.add(f"{letters[POSITION]}2:{letters[POSITION]}10000")
        sheet.add_data_validation(drop_down)

    notes = workbook.create_sheet(str(_("Notes")))
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 8
    notes.column_dimensions["C"].width = 80
    notes.column_dimensions["D"].width = 24
    notes.append([str(_("Importing people"))])
    notes["A1"].font = Font(bold=True, size=14)
    for rule in RULES:
        notes.append(["・" + str(rule)])
    notes.append([])
    notes.append([str(_("Column")), str(_("Required")), str(_("Description")),
                  str(_("Example"))])
    for cell in notes[notes.max_row]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    for item in COLUMN_HELP:
        notes.append([item.name, "○" if item.required else "", str(item.description),
                      item.example])
        notes.cell(row=notes.max_row, column=3).alignment = Alignment(wrap_text=True)
    if codes:
        notes.append([])
        notes.append([str(_("Registered grades")), "", ", ".join(codes)])
    if titles:
        notes.append([str(_("Registered positions")), "", ", ".join(titles)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
