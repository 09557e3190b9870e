"""The 引継書 (handover document) as an Excel workbook, printable on A4 landscape.

One sheet 「引継書」: the title, who hands over to whom from when, then one row per item with its
kind, run, step, state, due date, the instructions (手順書) as plain text, and what the handover
did with it. Like the survey report, the workbook is a Japanese document: its headers are
Japanese whatever the page language, and the translated labels (states, remarks) are rendered in
Japanese too.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
from typing import Any

import xlsxwriter
from django.utils import timezone, translation

from somu.procedures.handover import HandoverItem, handover_items, item_change
from somu.procedures.models import Handover

# On every Windows since Vista and what the survey report uses; LibreOffice substitutes a CJK
# font (Noto Sans CJK JP) where it is missing.
FONT = "Meiryo UI"
MAX_TEXT = 32_000  # Excel's cell limit is 32,767 characters
MAX_ROW_HEIGHT = 409  # points: Excel's limit
LINE_HEIGHT = 13.5  # points per wrapped line at 10 pt

COLUMNS: tuple[tuple[str, float], ...] = (
    ("区分", 11),
    ("手順（実行）", 26),
    ("ステップ", 26),
    ("状態", 9),
    ("期限", 11),
    ("手順書", 62),
    ("備考", 30),
)


def text_width(text: str) -> int:
    """Columns a text takes: wide (CJK) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)


def _lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide."""
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(text_width(line) / usable)) for line in text.split("\n"))


_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(\S(?:.*?\S)?)\1")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_BULLET = re.compile(r"^(\s*)[-*+]\s+")


def markdown_plain(text: str) -> str:
    """Markdown as a printed manual reads it: no markup, links spelled out, bullets as ・."""
    lines = []
    for raw in text.replace("\r\n", "\n").strip().split("\n"):
        line = _HEADING.sub("", raw)
        line = _BULLET.sub(lambda m: m.group(1) + "・", line)
        line = _LINK.sub(lambda m: m.group(1) if m.group(1) == m.group(2)
                         else f"{m.group(1)}（{m.group(2)}）", line)
        line = _EMPHASIS.sub(lambda m: m.group(2), line)
        lines.append(line.rstrip())
    # Collapse runs of blank lines: a manual, not a listing.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def item_manual(item: HandoverItem) -> str:
    """The 手順書 cell: the instructions, then the checklist as boxes to tick."""
    parts = [markdown_plain(item.instructions)] if item.instructions.strip() else []
    if item.checklist:
        parts.append("\n".join(f"□ {entry}" for entry in item.checklist))
    return "\n\n".join(parts)[:MAX_TEXT]


def _row(item: HandoverItem, *, from_name: str, to_name: str) -> list[Any]:
    if item.kind == "schedule_owner":
        procedure = f"{item.schedule_name}（{item.template_name}）"
    else:
        procedure = item.run_name or item.template_name
    remarks = item_change(item, from_name=from_name, to_name=to_name)
    if item.notes:
        remarks = f"{remarks}\n{item.notes}"
    return [item.kind_label, procedure, item.step_name, item.state_label, item.due_date,
            item_manual(item), remarks]


def handover_workbook(handover: Handover) -> bytes:
    """The 引継書 of an executed handover as .xlsx bytes."""
    with translation.override("ja"):
        return _build(handover)


def _build(handover: Handover) -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {
        "in_memory": True,
        # Names and instructions come from users: never turn them into formulas or links.
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "default_format_properties": {"font_name": FONT, "font_size": 10, "font_scheme": "none"},
    })

    def fmt(**props: Any) -> Any:
        return wb.add_format({"font_name": FONT, "font_scheme": "none", **props})

    title = fmt(bold=True, font_size=16)
    label = fmt(bold=True, bg_color="#EEF2F7", border=1)
    value = fmt(border=1, text_wrap=True, valign="top")
    header = fmt(bold=True, bg_color="#DDE7F3", border=1, text_wrap=True, valign="vcenter",
                 align="center")
    cell = fmt(border=1, text_wrap=True, valign="top")
    date_cell = fmt(border=1, valign="top", num_format="yyyy-mm-dd", align="center")
    stay_cell = fmt(border=1, text_wrap=True, valign="top", bg_color="#FFF8C5")

    ws = wb.add_worksheet("引継書")
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as it takes
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C&P / &N")
    for j, (_title, width) in enumerate(COLUMNS):
        ws.set_column(j, j, width)

    a, b = handover.from_person, handover.to_person
    last = len(COLUMNS) - 1
    ws.merge_range(0, 0, 0, last, "引継書", title)
    ws.set_row(0, 26)
    executed = timezone.localtime(handover.executed_at).date() if handover.executed_at else None
    facts: list[tuple[str, str]] = [
        ("前任者", _person(a)),
        ("後任者", _person(b)),
        ("効力発生日", _date(handover.effective_date)),
        ("作成日", _date(executed)),
        ("実行者", handover.executed_by.get_username() if handover.executed_by else ""),
    ]
    if handover.note:
        facts.append(("備考", handover.note))
    row = 2
    for name, text in facts:
        ws.write_string(row, 0, name, label)
        ws.merge_range(row, 1, row, last, text, value)
        if "\n" in text:
            ws.set_row(row, LINE_HEIGHT * min(_lines(text, 150), 10))
        row += 1

    row += 1
    head = row
    for j, (name, _width) in enumerate(COLUMNS):
        ws.write_string(head, j, name, header)
    ws.set_row(head, 20)
    items = handover_items(handover)
    for i, item in enumerate(items):
        r = head + 1 + i
        values = _row(item, from_name=a.name, to_name=b.name)
        style = cell if item.moves else stay_cell
        height = 1
        for j, v in enumerate(values):
            if isinstance(v, dt.date):
                ws.write_datetime(r, j, dt.datetime.combine(v, dt.time()), date_cell)
            elif v is None or v == "":
                ws.write_blank(r, j, None, style)
            else:
                ws.write_string(r, j, str(v), style)
                height = max(height, _lines(str(v), COLUMNS[j][1]))
        # Excel does not grow rows for wrapped text it did not type itself: size them here.
        ws.set_row(r, min(LINE_HEIGHT * height + 3, MAX_ROW_HEIGHT))
    if not items:
        ws.write_string(head + 1, 0, "引き継ぐものはありません。")
    ws.repeat_rows(head)  # the header on every printed page
    ws.freeze_panes(head + 1, 0)
    ws.autofilter(head, 0, head + max(len(items), 1), last)
    wb.close()
    return buffer.getvalue()


def _person(person: Any) -> str:
    department = person.department.name if getattr(person, "department", None) else ""
    text = f"{person.name}（社員番号 {person.employee_number}）"
    return f"{text}　{department}" if department else text


def _date(day: dt.date | None) -> str:
    if day is None:
        return ""
    weekday = "月火水木金土日"[day.weekday()]
    return f"{day.year}年{day.month}月{day.day}日（{weekday}）"
