"""The workbook writer behind the survey report: named cell formats in one font, tables with
fitted columns, frozen headers and filters, and charts in the report's style (XlsxWriter)."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from xlsxwriter.chart import Chart
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from somu.core.money import YEN_EXCEL_FORMAT
from somu.core.percent import PERCENT_EXCEL_FORMAT

FONT = "Meiryo UI"  # on every Windows since Vista; LibreOffice substitutes a CJK font elsewhere
MAX_TEXT = 32_000  # Excel's cell limit is 32,767 characters

FORMATS: dict[str, dict[str, Any]] = {
    "text": {},
    "wrap": {"text_wrap": True, "valign": "top"},
    "hours": {"num_format": "#,##0.0"},
    "yen": {"num_format": YEN_EXCEL_FORMAT},
    "rate": {"num_format": PERCENT_EXCEL_FORMAT},
    "int": {"num_format": "#,##0"},
    "ratio": {"num_format": "0.00"},
    "flag": {"align": "center"},
}

@dataclass(frozen=True)
class Col:
    title: str
    fmt: str = "text"
    width: float | None = None  # None: fitted to the header and the first rows


def text_width(text: str) -> int:
    """Columns a text takes: wide (CJK) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class Book:
    """The workbook, its formats and the few ways the report writes tables and charts."""

    def __init__(self, buffer: io.BytesIO) -> None:
        self.wb = xlsxwriter.Workbook(buffer, {
            "in_memory": True,
            # Names come from users: never turn them into formulas, links or numbers.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": True,  # a figure that is not a number must not stop the export
            "default_format_properties": {
                "font_name": FONT, "font_size": 10, "font_scheme": "none"},
        })
        self.fmt: dict[str, Format] = {k: self._format(v) for k, v in FORMATS.items()}
        self.header = self._format({"bold": True, "bg_color": "#DDE7F3", "border": 1,
                                    "text_wrap": True, "valign": "vcenter"})
        self.title = self._format({"bold": True, "font_size": 14})
        self.bold = self._format({"bold": True})
        self.note = self._format({"font_color": "#555555", "italic": True})

    def _format(self, props: Mapping[str, Any]) -> Format:
        return self.wb.add_format({"font_name": FONT, "font_scheme": "none", **props})

    def sheet(self, name: str) -> Worksheet:
        ws = self.wb.add_worksheet(name)
        # Printed on A4 landscape, one page wide (tables with their charts beside them).
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        return ws

    def table(
        self,
        ws: Worksheet,
        cols: Sequence[Col],
        rows: Iterable[Sequence[Any]],
        *,
        top: int = 0,
        left: int = 0,
        freeze: bool = True,
        autofilter: bool = True,
    ) -> int:
        """Write a header and rows at (top, left); return the number of data rows."""
        widths = [text_width(c.title) for c in cols]
        for j, col in enumerate(cols):
            ws.write_string(top, left + j, col.title, self.header)
        n = 0
        for i, row in enumerate(rows):
            r = top + 1 + i
            for j, value in enumerate(row):
                self._cell(ws, r, left + j, value, cols[j].fmt)
                if i < 200 and isinstance(value, str):
                    widths[j] = max(widths[j], text_width(value))
            n = i + 1
        wrapped = False
        for j, col in enumerate(cols):
            width = col.width or min(max(widths[j] + 2, 8 if col.fmt != "text" else 6), 48)
            if col.fmt in ("hours", "yen", "int") and col.width is None:
                width = max(width, 11)
            ws.set_column(left + j, left + j, width)
            wrapped = wrapped or text_width(col.title) > width
        if wrapped:
            ws.set_row(top, 30)
        if freeze:
            ws.freeze_panes(top + 1, 0)
        if autofilter:
            ws.autofilter(top, left, top + max(n, 1), left + len(cols) - 1)
        return n

    def _cell(self, ws: Worksheet, r: int, c: int, value: Any, fmt: str) -> None:
        if value is None:
            return
        if isinstance(value, bool):
            if value:
                ws.write_string(r, c, "○", self.fmt["flag"])
        elif isinstance(value, int | float):
            ws.write_number(r, c, value, self.fmt[fmt])
        else:
            ws.write_string(r, c, str(value)[:MAX_TEXT], self.fmt[fmt])

    def chart(
        self,
        kind: str,
        subtype: str | None = None,
        *,
        title: str,
        x: Mapping[str, Any] | None = None,
        y: Mapping[str, Any] | None = None,
        legend: bool = True,
        width: int = 760,
        height: int = 420,
    ) -> Chart:
        """A chart in the report's font; ``x``/``y`` add to the axis options (XlsxWriter's
        ``set_*_axis`` replaces them, so they are set once here). In a bar chart ``x`` is the
        value axis and ``y`` the category axis."""
        options = {"type": kind} | ({"subtype": subtype} if subtype else {})
        chart = self.wb.add_chart(options)
        assert chart is not None
        font = {"name": FONT, "size": 9}
        grid = {"major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}}
        value_axis_is_x = kind == "bar"
        chart.set_title({"name": title, "name_font": {"name": FONT, "size": 12, "bold": True}})
        chart.set_legend({"position": "bottom", "font": font} if legend else {"none": True})
        chart.set_x_axis({"num_font": font, "name_font": font,
                          **(grid if value_axis_is_x else {}), **(x or {})})
        chart.set_y_axis({"num_font": font, "name_font": font,
                          **({} if value_axis_is_x else grid), **(y or {})})
        chart.set_size({"width": width, "height": height})
        return chart
