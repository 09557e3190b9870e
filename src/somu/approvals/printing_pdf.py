"""The 稟議書 drawn as an A4 PDF with ReportLab (see :mod:`somu.approvals.printing`).

Imported only when a PDF is asked for. The fonts are ReportLab's built-in Japanese CID fonts:
the PDF names them and the viewer draws the glyphs with its own Japanese fonts.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

if TYPE_CHECKING:  # printing imports this module when a PDF is asked for
    from somu.approvals.printing import Box, RingiSheet

GOTHIC = "HeiseiKakuGo-W5"
MINCHO = "HeiseiMin-W3"
RED = colors.HexColor("#d0312d")
GREY = colors.HexColor("#555555")
LINE = colors.HexColor("#333333")
SHADE = colors.HexColor("#eeeeee")
MARGIN = 15 * mm
BOX_W = 21 * mm
HEAD_H = 9 * mm
BODY_H = 21 * mm


def _fonts() -> None:
    registered = pdfmetrics.getRegisteredFontNames()
    for name in (GOTHIC, MINCHO):
        if name not in registered:
            pdfmetrics.registerFont(UnicodeCIDFont(name))


def _style(size: float, font: str = GOTHIC, **kwargs: Any) -> ParagraphStyle:
    return ParagraphStyle(f"s{size}{font}", fontName=font, fontSize=size, leading=size * 1.45,
                          wordWrap="CJK", **kwargs)


def _p(text: str, size: float = 9.5, **kwargs: Any) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), _style(size, **kwargs))


class StampRow(Flowable):
    """A row of 決裁欄 boxes (heading over a square with the stamp), right-aligned."""

    def __init__(self, boxes: list[Box], title: str = "") -> None:
        super().__init__()
        self.boxes = boxes
        self.title = title
        self.title_w = 7 * mm if title else 0
        self.width = self.title_w + BOX_W * len(boxes)
        self.height = HEAD_H + BODY_H
        self.hAlign = "RIGHT"

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(LINE)
        c.setLineWidth(0.7)
        if self.title:
            c.rect(0, 0, self.title_w, self.height)
            c.setFont(GOTHIC, 8)
            c.setFillColor(colors.black)
            y = self.height / 2 + len(self.title) * 4.5 - 8
            for char in self.title:  # written top to bottom, as on paper
                c.drawCentredString(self.title_w / 2, y, char)
                y -= 9
        for i, box in enumerate(self.boxes):
            x = self.title_w + i * BOX_W
            c.setStrokeColor(LINE)
            c.setFillColor(SHADE)
            c.rect(x, BODY_H, BOX_W, HEAD_H, fill=1)
            c.setFillColor(colors.white)
            c.rect(x, 0, BOX_W, BODY_H, fill=0)
            c.setFillColor(colors.black)
            c.setFont(GOTHIC, 7.5)
            c.drawCentredString(x + BOX_W / 2, BODY_H + HEAD_H - 3.8 * mm, _fit(box.label, 7))
            c.setFont(GOTHIC, 6)
            c.drawCentredString(x + BOX_W / 2, BODY_H + 1.6 * mm, _fit(box.position, 8))
            c.setFillColor(GREY)
            c.setFont(GOTHIC, 5.5)
            c.drawCentredString(x + BOX_W / 2, 1.4 * mm, _fit(box.name, 10))
            if box.stamp is not None:
                _draw_stamp(c, x + BOX_W / 2, BODY_H / 2 + 1.2 * mm, box)
            elif box.note:
                c.setFont(GOTHIC, 7)
                c.drawCentredString(x + BOX_W / 2, BODY_H / 2, box.note)


def _fit(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _draw_stamp(c: Any, cx: float, cy: float, box: Box) -> None:
    stamp = box.stamp
    assert stamp is not None
    r = 7.6 * mm
    c.saveState()
    c.setStrokeColor(RED)
    c.setFillColor(RED)
    c.setLineWidth(1.1)
    c.circle(cx, cy, r)
    c.setLineWidth(0.6)
    half = (r**2 - (0.5 * mm) ** 2) ** 0.5
    c.line(cx - half, cy - 0.5 * mm, cx + half, cy - 0.5 * mm)
    upper = box.stamp_top
    size = 11 if len(upper) <= 1 else 8.5 if len(upper) <= 2 else 7 if len(upper) <= 3 else 5.5
    c.setFont(MINCHO, size)
    c.drawCentredString(cx, cy + 1.6 * mm, upper)
    c.setFont(GOTHIC, 6)
    c.drawCentredString(cx, cy - 3.6 * mm, stamp.date_text)
    mark = box.acting_mark
    if mark:  # 代 / 代決: whose hand it was, beside the stamp
        w = (len(mark) * 6 + 3)
        c.setLineWidth(0.7)
        c.rect(cx + r - w + 3, cy + r - 4, w, 9, fill=0)
        c.setFont(GOTHIC, 6)
        c.drawCentredString(cx + r - w / 2 + 3, cy + r - 2, mark)
    c.restoreState()


def _info_table(sheet: RingiSheet, width: float) -> Table:
    rows = [
        (pgettext("ringi", "No."), sheet.number),
        (pgettext("ringi", "Date"), sheet.submitted_on),
        (pgettext("ringi", "Department"), sheet.department),
        (pgettext("ringi", "Applicant"), sheet.requester),
    ]
    if sheet.submitted_by:
        rows.append((pgettext("ringi", "Filed by"),
                     pgettext("ringi", "%(name)s (on behalf)") % {"name": sheet.submitted_by}))
    table = Table([[_p(k, 8.5), _p(v, 9.5)] for k, v in rows],
                  colWidths=[18 * mm, width - 18 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 1.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return table


def _content_table(sheet: RingiSheet, width: float) -> Table:
    rows: list[tuple[str, str]] = [(pgettext("ringi", "Subject"), sheet.title)]
    if sheet.amount:
        rows.append((pgettext("ringi", "Amount"), sheet.amount))
    if sheet.category:
        rows.append((pgettext("ringi", "Category"), sheet.category))
    rows.extend(sheet.fields)
    if sheet.attachments:
        rows.append((pgettext("ringi", "Attachments"),
                     "\n".join(f"{name}（{size}）" for name, size in sheet.attachments)))
    data = [[_p(k, 9), _p(v, 10, font=MINCHO)] for k, v in rows]
    # splitInRow: a long 目的 or 概要 continues on the next page instead of failing the PDF.
    table = Table(data, colWidths=[34 * mm, width - 34 * mm], splitInRow=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, LINE),
        ("BACKGROUND", (0, 0), (0, -1), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def _comments_table(sheet: RingiSheet, width: float) -> Table:
    head = [pgettext("ringi", "When"), pgettext("ringi", "Name"),
            pgettext("ringi", "Decision"), pgettext("ringi", "Comment")]
    data = [[_p(h, 8.5) for h in head]]
    data += [[_p(c.when, 8.5), _p(c.who, 8.5), _p(c.what, 8.5), _p(c.text, 9, font=MINCHO)]
             for c in sheet.comments]
    table = Table(data, colWidths=[28 * mm, 32 * mm, 30 * mm, width - 90 * mm], repeatRows=1,
                  splitInRow=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, LINE),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def draw(sheet: RingiSheet, out: IO[bytes]) -> None:
    _fonts()
    width = A4[0] - 2 * MARGIN
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN, title=
                            f"{sheet.heading} {sheet.number}".strip(), author=sheet.requester,
                            subject=sheet.title)
    story: list[Flowable] = [
        Paragraph(escape(sheet.heading), _style(20, MINCHO, alignment=TA_CENTER)),
        Spacer(0, 6 * mm),
    ]
    stamps = StampRow(sheet.boxes)
    info_w = min(72 * mm, width - stamps.width - 4 * mm)
    if info_w >= 48 * mm:
        top = Table([[_info_table(sheet, info_w), stamps]],
                    colWidths=[info_w, width - info_w])
        top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                 ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        story.append(top)
    else:  # a long route: the boxes under the requester, in rows that fit the page
        info_w = 72 * mm
        story.append(_info_table(sheet, info_w))
        per_row = max(1, int(width // BOX_W))
        for start in range(0, len(sheet.boxes), per_row):
            story += [Spacer(0, 2 * mm), StampRow(sheet.boxes[start:start + per_row])]
    if sheet.circulation:
        per_row = max(1, int((width - 7 * mm) // BOX_W))
        for start in range(0, len(sheet.circulation), per_row):
            story += [Spacer(0, 2 * mm), StampRow(sheet.circulation[start:start + per_row],
                                                   pgettext("ringi", "Circulation"))]
    story += [Spacer(0, 6 * mm), _content_table(sheet, width)]
    if sheet.comments:
        story += [Spacer(0, 5 * mm), _p(pgettext("ringi", "Comments"), 10),
                  Spacer(0, 1.5 * mm), _comments_table(sheet, width)]

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(GOTHIC, 7)
        canvas.setFillColor(GREY)
        left = " ".join(x for x in (sheet.number, sheet.rule_version) if x)
        canvas.drawString(MARGIN, 9 * mm, left)
        canvas.drawRightString(A4[0] - MARGIN, 9 * mm, f"{document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
