"""The 稟議書: a request as the paper form a Japanese office files, as data and as an A4 PDF.

:func:`ringi_sheet` gathers what the form shows (a constant number of queries): the heading,
number and 申請日, the requester with their department (代理申請 noted), the 決裁欄 — one box per
seat of the current route, the final decision on the left and the requester's own box on the
right, as such forms are read — with a stamp (印影) for each decision, the 回覧 boxes, the
content with its form fields, the attachments and the decisions' comments. The printable page
and :func:`ringi_pdf` draw the same :class:`RingiSheet`.

The PDF is drawn with ReportLab's built-in Japanese CID fonts (HeiseiMin-W3, HeiseiKakuGo-W5):
the file names the font and the viewer supplies its own Japanese glyphs, so nothing is bundled.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from somu.approvals.models import (
    Acting,
    Request,
    RequestEvent,
    RequestState,
    SeatState,
    StageKind,
    StageState,
)
from somu.approvals.presenters import yen
from somu.approvals.selectors import request_route
from somu.approvals.services.requests import form_fields
from somu.org.models import Person

# ---- the sheet as data ------------------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """A round red 印影 like a 日付印: the surname over the date, a mark for whose hand it was."""

    surname: str
    date: dt.date | None
    date_text: str  # short, as a 日付印 prints it: 26.6.15
    mark: str = ""  # 代 (代理承認), 代決, 否 (rejected), 戻 (sent back)


@dataclass(frozen=True)
class Box:
    """One box of the 決裁欄 or the 回覧欄: its heading, the seat holder and the stamp, if any."""

    label: str  # 決裁 / 承認 / 審査 / 合議 / 申請 (or the stage's own label)
    position: str  # the seat holder's 役職
    name: str  # the seat holder
    stamp: Stamp | None = None
    note: str = ""  # 不要 (decided without this seat), 省略 (skipped stage)
    rejected: bool = False
    returned: bool = False

    @property
    def stamp_top(self) -> str:
        """The stamp's upper half: the surname, or 否 / 戻 across the whole stamp."""
        if self.stamp is None:
            return ""
        return self.stamp.mark if self.rejected or self.returned else self.stamp.surname

    @property
    def acting_mark(self) -> str:
        """代 or 代決 beside the stamp: the decision was taken in the seat holder's place."""
        return "" if self.stamp is None or self.rejected or self.returned else self.stamp.mark


@dataclass(frozen=True)
class Comment:
    who: str
    what: str
    when: str
    text: str


@dataclass
class RingiSheet:
    heading: str
    number: str
    submitted_on: str
    department: str
    requester: str
    submitted_by: str  # 代理申請: who filed it; "" when the requester did
    title: str
    amount: str
    category: str
    state: str
    rule_version: str
    boxes: list[Box] = field(default_factory=list)
    circulation: list[Box] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    attachments: list[tuple[str, str]] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)


def surname(name: str) -> str:
    """The family name a 印鑑 bears: the part before the space (鈴木 一般 → 鈴木); a name written
    without one keeps its first two characters, the length of most Japanese surnames."""
    parts = re.split(r"[\s\u3000]+", name.strip())
    first = parts[0] if parts else ""
    return first if len(parts) > 1 or len(first) <= 3 else first[:2]


def local_day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def day_text(day: dt.date | None) -> str:
    """A date as a paper form writes it: 2026年6月15日 (June 15, 2026 in English); the pages'
    one date format (2026-06-15 (月)) is for screens."""
    # Translators: a Django date format; Japanese: Y年n月j日
    return formats.date_format(day, pgettext("ringi", "F j, Y")) if day is not None else ""


def _stamp_date(day: dt.date | None) -> str:
    return f"{day.year % 100}.{day.month}.{day.day}" if day is not None else ""


def stamp(person: Person | None, day: dt.date | None, mark: str = "") -> Stamp:
    return Stamp(surname(person.name if person else ""), day, _stamp_date(day), mark)


def heading_of(request: Request) -> str:
    """「稟議書」 for the 稟議, else the type's name as a form's title (購入申請 → 購入申請書)."""
    name = request.request_type.name
    if request.request_type.code == "ringi":
        return pgettext("ringi", "Ringi (request for approval)")
    return f"{name}書" if name.endswith("申請") else name


def kind_label(kind: str) -> str:
    labels: dict[str, str] = {
        StageKind.REVIEW: pgettext("ringi", "Review"),
        StageKind.CONSULT: pgettext("ringi", "Consultation"),
        StageKind.APPROVE: pgettext("ringi", "Approval"),
        StageKind.DECIDE: pgettext("ringi", "Final decision"),
        StageKind.CIRCULATE: pgettext("ringi", "Circulation"),
    }
    return labels.get(kind, kind)


def state_label(state: str) -> str:
    labels: dict[str, str] = {
        RequestState.DRAFT: pgettext("ringi", "Draft"),
        RequestState.IN_PROGRESS: pgettext("ringi", "In progress"),
        RequestState.SENT_BACK: pgettext("ringi", "Sent back"),
        RequestState.RECALLED: pgettext("ringi", "Recalled"),
        RequestState.APPROVED: pgettext("ringi", "Approved"),
        RequestState.REJECTED: pgettext("ringi", "Rejected"),
    }
    return labels.get(state, state)


def _seat_box(stage: Any, seat: Any) -> Box:
    position = seat.person.position.name if seat.person.position else ""
    label = stage.label or kind_label(stage.kind)
    day = local_day(seat.decided_at)
    mark = {Acting.DELEGATE: pgettext("ringi", "Dep."),
            Acting.SUPERIOR: pgettext("ringi", "For")}.get(seat.acting, "")
    hand = seat.decided_by or seat.person
    if seat.state in (SeatState.APPROVED, SeatState.SEEN):
        return Box(label, position, seat.person.name, stamp(hand, day, mark))
    if seat.state == SeatState.REJECTED:
        return Box(label, position, seat.person.name,
                   stamp(hand, day, pgettext("ringi", "Rejected mark")), rejected=True)
    if seat.state == SeatState.RETURNED:
        return Box(label, position, seat.person.name,
                   stamp(hand, day, pgettext("ringi", "Returned mark")), returned=True)
    if stage.state == StageState.SKIPPED:
        return Box(label, position, seat.person.name, note=pgettext("ringi", "Skipped"))
    if seat.state == SeatState.NOT_NEEDED:
        return Box(label, position, seat.person.name, note=pgettext("ringi", "Not needed"))
    return Box(label, position, seat.person.name)


def _value_text(spec: Any, value: Any, people: dict[int, str]) -> str:
    if value in (None, ""):
        return ""
    if spec.type == "boolean":
        return _("Yes") if value else _("No")
    if spec.type == "date":
        try:
            return day_text(dt.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if spec.type == "person":
        return people.get(int(value), "") if str(value).isdecimal() else ""
    if spec.type == "number" and isinstance(value, int):
        return f"{value:,}"
    return str(value)


_COMMENTED = ("approved", "rejected", "returned", "commented", "post_reviewed")


def _decision_words() -> dict[str, str]:
    return {"approved": pgettext("ringi", "approved"), "rejected": pgettext("ringi", "rejected"),
            "returned": pgettext("ringi", "sent back"),
            "commented": pgettext("ringi", "comment"),
            "post_reviewed": pgettext("ringi", "reviewed after the fact")}


def ringi_sheet(request: Request) -> RingiSheet:
    """What the 稟議書 shows (about eight queries, whatever the route's length)."""
    specs = form_fields(request.request_type)
    values = request.values or {}
    person_ids = {int(values[f.key]) for f in specs if f.type == "person"
                  and str(values.get(f.key, "")).isdecimal()}
    people = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "name"))
    rv = request.rule_version
    sheet = RingiSheet(
        heading=heading_of(request),
        number=request.number,
        submitted_on=day_text(request.submitted_on),
        department=request.department.name if request.department else "",
        requester=request.requester.name,
        submitted_by=(request.submitted_by.name if request.submitted_by
                      and request.submitted_by_id != request.requester_id else ""),
        title=request.title,
        amount=yen(request.amount) if request.request_type.has_amount else "",
        category=request.category,
        state=state_label(request.state),
        rule_version=pgettext("ringi", "Revision %(number)s") % {"number": rv.number}
        if rv else "",
        fields=[(f.label, _value_text(f, values.get(f.key), people)) for f in specs],
        attachments=[(a.filename, filesizeformat(a.size))
                     for a in request.attachments.order_by("uploaded_at", "pk")],
    )
    for stage in request_route(request):
        for seat in stage.current_seats:  # type: ignore[attr-defined]  # a cancelled seat (recall, rejection) stays empty
            box = _seat_box(stage, seat)
            (sheet.circulation if stage.kind == StageKind.CIRCULATE else sheet.boxes).append(box)
    # The final decision on the left, the requester's own box on the right.
    sheet.boxes.reverse()
    requester_position = request.requester.position.name if request.requester.position else ""
    sheet.boxes.append(Box(
        pgettext("ringi", "Applicant"), requester_position, request.requester.name,
        stamp(request.requester, request.submitted_on) if request.submitted_on else None))
    events = (RequestEvent.objects.filter(request=request, kind__in=_COMMENTED)
              .exclude(comment="").select_related("actor", "on_behalf_of", "stage")
              .order_by("at", "pk"))
    for event in events:
        who = event.actor.name if event.actor else ""
        if event.on_behalf_of is not None:
            template = (pgettext("ringi", "%(who)s (decided for %(whom)s)")
                        if event.acting == Acting.SUPERIOR
                        else pgettext("ringi", "%(who)s (deputy of %(whom)s)"))
            who = template % {"who": who, "whom": event.on_behalf_of.name}
        what = _decision_words().get(event.kind, event.get_kind_display())
        if event.stage is not None:
            what = f"{event.stage.label or kind_label(event.stage.kind)}：{what}"
        sheet.comments.append(Comment(who, what, day_text(local_day(event.at)), event.comment))
    return sheet


def reading_request(pk: int) -> Request:
    """The request with what the sheet reads alongside it (one query)."""
    return (Request.objects.select_related(
        "request_type", "requester__position", "department", "submitted_by", "rule_version")
        .get(pk=pk))


def pdf_filename(request: Request) -> str:
    """稟議-2026-00042.pdf (a draft has no number yet: its id)."""
    return f"{request.number or f'request-{request.pk}'}.pdf"


def ringi_pdf(sheet: RingiSheet) -> bytes:
    from somu.approvals.printing_pdf import draw  # ReportLab: loaded when a PDF is asked for

    buffer = io.BytesIO()
    draw(sheet, buffer)
    return buffer.getvalue()
