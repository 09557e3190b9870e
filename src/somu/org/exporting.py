"""Exporting people to Excel or CSV (社員の一括出力), in the very columns the people import reads.

Export → edit in Excel → import is the way to change many people at once: the file holds
社員番号, 氏名, ふりがな, 部署 (the path from the top of the chart), 等級 (its code), 雇用形態
(its Japanese name), 入社日, 上長社員番号, メール and 役職 (its name), so importing it unchanged
changes nobody.

CSV comes as UTF-8 with a BOM (Excel opens it with the right encoding) or as CP932 (Shift_JIS
as Windows writes it, for older tools). A name CP932 cannot hold (𠮷, emoji) is refused with the
person and the character rather than written as “?”, which the import would then save.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from somu.org import selectors
from somu.org.importing import COLUMNS, DEPARTMENT, EMPLOYMENT_LABELS, HIRE_DATE, MANAGER, NUMBER
from somu.org.models import EmploymentType, Person

ENCODINGS: Final = {"utf-8": "utf-8-sig", "cp932": "cp932"}
FORMATS: Final = ("xlsx", "csv")
HEADERS: Final = tuple(column.name for column in COLUMNS)


def people_export_rows(*, filters: selectors.PersonFilter) -> list[list[Any]]:
    """One row per person matching ``filters``, in :data:`HEADERS` order; two queries."""
    paths = selectors.department_paths()
    people = selectors.person_list(filters=filters)
    return [_row(person, paths) for person in people]


def _row(person: Person, paths: dict[int, str]) -> list[Any]:
    return [
        person.employee_number,
        person.name,
        person.name_kana,
        paths.get(person.department_id, "") if person.department_id else "",
        person.grade.code if person.grade_id and person.grade else "",
        EMPLOYMENT_LABELS.get(EmploymentType(person.employment_type), ""),
        person.hire_date,
        person.manager.employee_number if person.manager_id and person.manager else "",
        person.email,
        person.position.name if person.position_id and person.position else "",
    ]


def people_export_csv(rows: Iterable[list[Any]], *, encoding: str = "utf-8") -> bytes:
    """The rows as CSV in ``encoding`` (a key of :data:`ENCODINGS`); CP932 refuses, with a
    :class:`ValidationError` naming the person, a character it cannot hold."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    all_rows = list(rows)
    for row in all_rows:
        writer.writerow([csv_cell(value) for value in row])
    text = buffer.getvalue()
    try:
        return text.encode(ENCODINGS[encoding])
    except UnicodeEncodeError:
        raise unencodable_error(all_rows, ENCODINGS[encoding]) from None


def csv_cell(value: Any) -> str:
    """A cell as CSV text (dates as ISO); shared with the other apps' CSV exports."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def unencodable_error(rows: list[list[Any]], encoding: str) -> ValidationError:
    for row in rows:
        for value in row:
            for char in csv_cell(value):
                try:
                    char.encode(encoding)
                except UnicodeEncodeError:
                    return ValidationError(_(
                        "“%(char)s” in the data of %(name)s (%(number)s) cannot be written in "
                        "Shift_JIS (CP932); export as UTF-8 or Excel instead."
                    ) % {"char": char, "name": row[1], "number": row[0]}, code="encoding")
    return ValidationError(_("The data cannot be written in this encoding."), code="encoding")


def people_export_xlsx(rows: Iterable[list[Any]]) -> bytes:
    """The rows as a workbook whose first sheet the import reads back unchanged."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "社員"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    text_columns = {HEADERS.index(NUMBER) + 1, HEADERS.index(MANAGER) + 1}
    date_column = HEADERS.index(HIRE_DATE) + 1
    for row in rows:
        sheet.append(row)
        cells = sheet[sheet.max_row]
        for index in text_columns:
            cells[index - 1].number_format = "@"  # keeps 00123 as typed text
        cells[date_column - 1].number_format = "yyyy/m/d"
    widths = {NUMBER: 12, DEPARTMENT: 28, HIRE_DATE: 12, MANAGER: 14}
    for index, name in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(name, 18)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
