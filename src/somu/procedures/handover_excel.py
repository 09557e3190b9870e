"""The 引継書 (handover document) as an Excel workbook, printable on A4 landscape.

Sheet 「引継書」: the title, who hands over to whom from when, then one row per item with its
kind, run, step, state, due date, the instructions (手順書) as plain text, and what the
handover did with it. The Markdown is parsed, not pattern-matched, so neither markup nor the
backslashes that escape parameter values (``-5点`` is stored escaped) leak into the cells.
Sheet 「担当業務」: the work the predecessor reported in the newest survey round (task, monthly
hours, who else can do it), read through the survey selectors, so that the successor also sees
the routine work no procedure covers.
Sheet 「移らないもの」: what the handover cannot move — the roles of the predecessor's account that
template assignee rules use (as the account stands now, like the handover page), so whoever
prints the 引継書 also sees which steps can still go to the predecessor until the role changes.
Like the survey report, the workbook is a Japanese
document: its headers are Japanese whatever the page language, and the translated labels
(states, remarks) are rendered in Japanese too.
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
from markdown_it import MarkdownIt
from markdown_it.token import Token

from somu.procedures.models import Handover
from somu.procedures.services.handover import (
    HandoverItem,
    RoleUse,
    handover_items,
    item_change,
    role_uses,
    role_uses_by_role,
)
from somu.survey.selectors import SurveyedWork, person_surveyed_work

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


# Parsing only (nothing is rendered as HTML here): the same CommonMark with tables and
# strikethrough that the step pages render.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
RULE = "―" * 10


def _inline(token: Token) -> str:
    """The text of an inline token: escapes resolved (``\\-5点`` → ``-5点``), markup dropped,
    a link's address written after its text when they differ."""
    out: list[str] = []
    href: list[str] = []
    start: list[int] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "image":
            out.append(child.content or "".join(c.content for c in child.children or []))
        elif child.type == "link_open":
            href.append(str(child.attrGet("href") or ""))
            start.append(len(out))
        elif child.type == "link_close" and href:
            url, begin = href.pop(), start.pop()
            label = "".join(out[begin:])
            if url and url not in (label, f"mailto:{label}"):
                out.append(f"（{url}）")
    return "".join(out)


def markdown_plain(text: str) -> str:
    """Markdown as a printed manual reads it: no markup or escapes, links spelled out, bullets
    as ・ and numbered items as 1., indented by level, tables as rows of cells."""
    lines: list[str] = []
    lists: list[list[int]] = []  # per open list: [is ordered, next number]
    prefix = ""  # the marker waiting for the first line of a list item
    row: list[str] = []  # the cells of the table row being read
    in_cell = False

    def emit(content: str) -> None:
        nonlocal prefix
        indent = "　" * max(len(lists) - 1, 0)
        for i, line in enumerate(content.split("\n")):
            lead = prefix if i == 0 else " " * len(prefix)
            lines.append(f"{indent}{lead}{line}".rstrip())
        prefix = ""

    for token in _MARKDOWN.parse(text.replace("\r\n", "\n")):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([kind == "ordered_list_open", int(token.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                lines.append("")
        elif kind == "list_item_open" and lists:
            ordered, number = lists[-1]
            prefix = f"{number}. " if ordered else "・"
            lists[-1][1] = number + 1
        elif kind in ("th_open", "td_open"):
            in_cell = True
        elif kind in ("th_close", "td_close"):
            in_cell = False
        elif kind == "inline" and in_cell:
            row.append(_inline(token))
        elif kind == "inline":
            emit(_inline(token))
        elif kind in ("paragraph_close", "heading_close") and not lists:
            lines.append("")
        elif kind in ("fence", "code_block"):
            emit(token.content.rstrip("\n"))
            lines.append("")
        elif kind == "hr":
            lines.extend([RULE, ""])
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            emit(" | ".join(row))
        elif kind == "table_close":
            lines.append("")
    # Collapse runs of blank lines: a manual, not a listing.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


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

    ws = _sheet(wb, "引継書", COLUMNS)
    ws.set_footer("&C&P / &N")

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
    work = person_surveyed_work(person=a)
    if work is not None:
        facts.append(("担当業務", f"{len(work.tasks)} 業務・月 {work.hours:,.1f} 時間"
                      f"（「{work.survey_round.name}」の調査より。シート「担当業務」）"))
    # As the account stands now: once the admin changed the role, the warning goes.
    kept = role_uses(a)
    if kept:
        roles = "、".join(label for label, _uses in role_uses_by_role(kept))
        facts.append(("移らないもの", f"アカウントのロール（{roles}）。引継ぎでは移りません"
                      "（シート「移らないもの」）"))
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
    if work is not None:
        _work_sheet(wb, fmt, a.name, work)
    if kept:
        _kept_sheet(wb, fmt, a.name, kept)
    wb.close()
    return buffer.getvalue()


WORK_COLUMNS: tuple[tuple[str, float], ...] = (
    ("部門", 12), ("大分類", 16), ("中分類", 16), ("業務", 30), ("月間工数（時間）", 12),
    ("対応できる他の人", 40),
)


def _work_sheet(wb: Any, fmt: Any, name: str, work: SurveyedWork) -> None:
    """The predecessor's surveyed tasks, largest hours first, with who else can do each."""
    ws = _sheet(wb, "担当業務", WORK_COLUMNS)
    last = len(WORK_COLUMNS) - 1
    ws.merge_range(0, 0, 0, last, f"{name} さんの担当業務", fmt(bold=True, font_size=14))
    ws.merge_range(1, 0, 1, last, f"「{work.survey_round.name}」の調査より。工数は月平均、"
                   "多い順。対応できる他の人は対応可能レベル3以上の在籍者"
                   "（レベルの回答がない業務は工数を報告した人）。", fmt(text_wrap=True))
    ws.set_row(1, 28)
    header = fmt(bold=True, bg_color="#DDE7F3", border=1, text_wrap=True, valign="vcenter",
                 align="center")
    cell = fmt(border=1, text_wrap=True, valign="top")
    hours = fmt(border=1, valign="top", num_format="#,##0.0")
    alone = fmt(border=1, text_wrap=True, valign="top", bg_color="#FDE2E1")
    head = 3
    for j, (title, _width) in enumerate(WORK_COLUMNS):
        ws.write_string(head, j, title, header)
    for i, task in enumerate(work.tasks, start=head + 1):
        for j, text in enumerate((task.function, task.category, task.subcategory, task.name)):
            if text:
                ws.write_string(i, j, text, cell)
            else:
                ws.write_blank(i, j, None, cell)
        ws.write_number(i, 4, task.hours, hours)
        if task.others:
            ws.write_string(i, 5, "、".join(task.others), cell)
        else:
            ws.write_string(i, 5, "なし（属人化）", alone)  # nobody else: the risk to hand over
    ws.write_string(head + len(work.tasks) + 1, 3, "合計", header)
    ws.write_number(head + len(work.tasks) + 1, 4, work.hours, hours)
    ws.repeat_rows(head)
    ws.freeze_panes(head + 1, 0)
    ws.autofilter(head, 0, head + len(work.tasks), last)


KEPT_COLUMNS: tuple[tuple[str, float], ...] = (
    ("ロール", 20), ("対象部門", 16), ("手順テンプレート", 30),
    ("このロールで割り当てるステップ", 60),
)


def _kept_sheet(wb: Any, fmt: Any, name: str, uses: list[RoleUse]) -> None:
    """The roles of the predecessor's account that templates use: one row per role and
    template, with the steps the role assigns."""
    ws = _sheet(wb, "移らないもの", KEPT_COLUMNS)
    last = len(KEPT_COLUMNS) - 1
    ws.merge_range(0, 0, 0, last, f"{name} さんのアカウントのロール（引継ぎでは移りません）",
                   fmt(bold=True, font_size=14))
    ws.merge_range(1, 0, 1, last, (
        "引継ぎはアカウントを変更しません。次のロールは手順テンプレートの担当者ルールで使われて"
        "いるため、ロールを変更するまで、新しく起動した手順のこれらのステップは"
        f" {name} さんに割り当てられることがあります。"
        "「アカウントとロール」でロールを変更してください。"), fmt(text_wrap=True))
    ws.set_row(1, 42)
    header = fmt(bold=True, bg_color="#DDE7F3", border=1, text_wrap=True, valign="vcenter",
                 align="center")
    cell = fmt(border=1, text_wrap=True, valign="top")
    head = 3
    for j, (title, _width) in enumerate(KEPT_COLUMNS):
        ws.write_string(head, j, title, header)
    for i, use in enumerate(uses, start=head + 1):
        steps = "、".join(use.steps)
        values = (use.role_label, use.department or "組織全体", use.template_name, steps)
        for j, text in enumerate(values):
            ws.write_string(i, j, text, cell)
        ws.set_row(i, min(LINE_HEIGHT * _lines(steps, KEPT_COLUMNS[3][1]) + 3, MAX_ROW_HEIGHT))
    ws.repeat_rows(head)
    ws.freeze_panes(head + 1, 0)


def _sheet(wb: Any, title: str, columns: tuple[tuple[str, float], ...]) -> Any:
    """A sheet printed on A4 landscape, one page wide, with the columns' widths."""
    ws = wb.add_worksheet(title)
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as it takes
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    for j, (_title, width) in enumerate(columns):
        ws.set_column(j, j, width)
    return ws


def _person(person: Any) -> str:
    department = person.department.name if getattr(person, "department", None) else ""
    text = f"{person.name}（社員番号 {person.employee_number}）"
    return f"{text}　{department}" if department else text


def _date(day: dt.date | None) -> str:
    if day is None:
        return ""
    weekday = "月火水木金土日"[day.weekday()]
    return f"{day.year}年{day.month}月{day.day}日（{weekday}）"
