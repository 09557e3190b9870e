"""What the request page shows, in words: the route as 決裁欄 boxes, the form values, the
history sentences and the differences between submitted versions.

Reads only (the page's queries are here, counted by the page tests); no rule is decided here:
which buttons show is a hint, the services decide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from somu.approvals import presenters, selectors
from somu.approvals.models import (
    Acting,
    EventKind,
    PostReview,
    PostReviewState,
    Request,
    RequestEvent,
    RequestRevision,
    RequestState,
    Seat,
    SeatState,
    Stage,
    StageKind,
    StageState,
)
from somu.approvals.services.requests import form_fields
from somu.org.models import Person
from somu.rules.forms import FormFieldSpec


def people_names(ids: Iterable[Any]) -> dict[int, str]:
    wanted = {int(i) for i in ids if str(i).isdecimal()}
    return dict(Person.objects.filter(pk__in=wanted).values_list("pk", "name")) if wanted else {}


def display_value(spec: FormFieldSpec, value: Any, names: Mapping[int, str]) -> str:
    """A form value as people read it: a person's name, 2026-06-15 (月), はい/いいえ, 1,200."""
    if spec.type == "boolean":
        return _("Yes") if value else _("No")
    if value in (None, ""):
        return ""
    if spec.type == "person":
        return names.get(int(value), _("(unknown person)")) if str(value).isdecimal() else ""
    if spec.type == "date":
        try:
            return date_format(dt.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if spec.type == "number" and isinstance(value, int):
        return f"{value:,}"
    return str(value)


def person_ids_in(specs: Iterable[FormFieldSpec], values: Iterable[Mapping[str, Any]]) -> set[Any]:
    keys = [s.key for s in specs if s.type == "person"]
    return {v.get(k) for v in values for k in keys if v.get(k) not in (None, "")}


@dataclass
class SeatBox:
    seat: Seat
    acting: str = ""


@dataclass
class StageBox:
    stage: Stage
    heading: str
    seats: list[SeatBox]
    whys: list[str]
    quorum: str = ""


def _seat_acting(seat: Seat) -> str:
    by = seat.decided_by.name if seat.decided_by else ""
    if seat.acting == Acting.DELEGATE:
        return (_("代理承認 by %(name)s (delegation no. %(n)s)")
                % {"name": by, "n": seat.delegation_id or "—"})
    if seat.acting == Acting.SUPERIOR:
        return _("代決 by %(name)s") % {"name": by}
    return ""


def _quorum_text(stage: Stage, count: int) -> str:
    if stage.kind not in (StageKind.CONSULT, StageKind.REVIEW) or count < 2:
        return ""
    if stage.quorum == "all":
        return _("all must agree")
    if stage.quorum == "at_least":
        return _("at least %(n)s of %(count)s") % {"n": stage.at_least, "count": count}
    return _("any one of them")


def route_boxes(stages: list[Stage]) -> list[StageBox]:
    boxes = []
    for stage in stages:
        seats: list[Seat] = getattr(stage, "current_seats", [])
        boxes.append(StageBox(
            stage=stage,
            heading=stage.label or presenters.stage_kind_label(stage.kind),
            seats=[SeatBox(seat, _seat_acting(seat)) for seat in seats],
            whys=[presenters.why_text(w) for w in stage.why or []],
            quorum=_quorum_text(stage, len(seats))))
    return boxes


# ---- the history --------------------------------------------------------------------------------


@dataclass
class HistoryLine:
    event: RequestEvent
    text: str
    link: str = ""
    link_text: str = ""
    error: str = ""


def _acting_suffix(event: RequestEvent) -> str:
    principal = event.on_behalf_of.name if event.on_behalf_of else ""
    if event.acting == Acting.DELEGATE:
        return _(" as deputy for %(name)s (delegation no. %(n)s)") % {
            "name": principal, "n": event.delegation_id or "—"}
    if event.acting == Acting.SUPERIOR:
        return _(" in the place of %(name)s (代決)") % {"name": principal}
    return ""


def _stage_name(event: RequestEvent) -> str:
    if event.stage is None:
        return ""
    return event.stage.label or presenters.stage_kind_label(event.stage.kind)


def history(request: Request) -> list[HistoryLine]:
    events = (RequestEvent.objects.filter(request=request)
              .select_related("actor", "on_behalf_of", "stage").order_by("at", "pk"))
    out = []
    for event in events:
        who = event.actor.name if event.actor else _("somu")
        data = event.data or {}
        kind = event.kind
        line = HistoryLine(event, "")
        if kind == EventKind.CREATED:
            line.text = _("%(who)s created the draft.") % {"who": who}
        elif kind in (EventKind.SUBMITTED, EventKind.RESUBMITTED):
            template = (_("%(who)s submitted version %(n)s.") if kind == EventKind.SUBMITTED
                        else _("%(who)s resubmitted it as version %(n)s."))
            line.text = template % {"who": who, "n": data.get("revision", "")}
            if event.on_behalf_of:
                line.text += " " + (_("(代理申請 for %(name)s)")
                                    % {"name": event.on_behalf_of.name})
        elif kind == EventKind.ROUTE_CHANGED:
            line.text = _("The route was resolved again because the content changed.")
        elif kind == EventKind.RECALLED:
            line.text = _("%(who)s took the request back (取り戻し).") % {"who": who}
        elif kind in (EventKind.APPROVED, EventKind.REJECTED, EventKind.RETURNED):
            stage = _stage_name(event)
            if kind == EventKind.APPROVED:
                text = _("%(who)s approved (%(stage)s)") % {"who": who, "stage": stage}
            elif kind == EventKind.REJECTED:
                text = _("%(who)s rejected (%(stage)s)") % {"who": who, "stage": stage}
            elif "to_stage" in data:
                text = (_("%(who)s sent it back to stage %(n)s (%(stage)s)")
                        % {"who": who, "n": int(data["to_stage"]) + 1, "stage": stage})
            else:
                text = (_("%(who)s sent it back to the requester (%(stage)s)")
                        % {"who": who, "stage": stage})
            line.text = text + _acting_suffix(event)
        elif kind == EventKind.SEEN:
            line.text = _("%(who)s has read it (回覧).") % {"who": who}
        elif kind == EventKind.PARTICIPANT_ADDED:
            line.text = (_("%(who)s asked %(name)s into the consultation (合議).")
                         % {"who": who, "name": data.get("name", "")})
        elif kind == EventKind.STAGE_SKIPPED:
            reasons = " ".join(presenters.why_text(w) for w in data.get("why", []))
            line.text = (_("The stage “%(stage)s” is skipped: %(why)s")
                         % {"stage": _stage_name(event), "why": reasons})
        elif kind == EventKind.COMPLETED:
            line.text = _("Finally approved (決裁).")
        elif kind == EventKind.LAUNCHED:
            if data.get("run"):
                line.text = _("The follow-up procedure was started:")
                line.link = reverse("procedures:run_detail", args=[data["run"]])
                line.link_text = str(data.get("name", ""))
            else:
                line.text = _("The follow-up procedure could not be started.")
                line.error = str(data.get("error", ""))
        elif kind == EventKind.POST_REVIEWED:
            line.text = ((_("%(who)s flagged the decision taken in their absence (後閲).")
                          if data.get("flagged") else
                          _("%(who)s acknowledged the decision taken in their absence (後閲)."))
                         % {"who": who})
        else:
            line.text = _("%(who)s commented.") % {"who": who}
        out.append(line)
    return out


# ---- versions -----------------------------------------------------------------------------------


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class VersionDiff:
    before: RequestRevision
    after: RequestRevision
    changes: list[Change] = field(default_factory=list)


def version_diffs(request: Request) -> list[VersionDiff]:
    """What changed from each submitted version to the next (newest first)."""
    if request.revision < 2:
        return []
    revisions = list(RequestRevision.objects.filter(request=request).order_by("number"))
    specs = form_fields(request.request_type)
    names = people_names(person_ids_in(specs, (r.values for r in revisions)))
    out = []
    for before, after in pairwise(revisions):
        diff = VersionDiff(before, after)
        pairs = [(_("Title"), before.title, after.title),
                 (_("Amount"), presenters.yen(before.amount), presenters.yen(after.amount)),
                 (pgettext("approvals", "Category"), before.category, after.category)]
        pairs += [(s.label, display_value(s, before.values.get(s.key), names),
                   display_value(s, after.values.get(s.key), names)) for s in specs]
        pairs.append((_("Attachments"), "、".join(before.attachments),
                      "、".join(after.attachments)))
        diff.changes = [Change(label, a or "—", b or "—") for label, a, b in pairs if a != b]
        out.append(diff)
    return list(reversed(out))


# ---- what the viewer may do ---------------------------------------------------------------------


@dataclass
class Actions:
    owner: bool = False
    edit: bool = False
    submit: bool = False
    recall: bool = False
    delete: bool = False
    decide: list[selectors.InboxItem] = field(default_factory=list)
    return_targets: list[Stage] = field(default_factory=list)
    superior_seats: list[Seat] = field(default_factory=list)
    add_to_stage: Stage | None = None
    seen: bool = False
    post_review: PostReview | None = None

    @property
    def any(self) -> bool:
        return bool(self.edit or self.submit or self.recall or self.delete or self.decide
                    or self.superior_seats or self.add_to_stage or self.seen
                    or self.post_review)


def actions_for(me: Person | None, request: Request, stages: list[Stage],
                today: dt.date) -> Actions:
    """The buttons worth showing ``me`` (the services check again when pressed)."""
    out = Actions()
    if me is None:
        return out
    seats = [seat for stage in stages for seat in getattr(stage, "current_seats", [])]
    out.owner = me.pk in (request.requester_id, request.submitted_by_id)
    if out.owner:
        out.edit = out.submit = request.is_editable
        out.delete = request.revision == 0
        out.recall = (request.state == RequestState.IN_PROGRESS
                      and not any(seat.decided_at for seat in seats))
    if request.state == RequestState.IN_PROGRESS:
        out.decide = [item for item in selectors.inbox(me, today=today)
                      if item.request.pk == request.pk]
        active = selectors.active_stage(stages)
        if out.decide and active is not None:
            out.return_targets = [s for s in stages if s.index < active.index
                                  and s.state == StageState.DONE]
        mine = {item.seat.pk for item in out.decide}
        if me.pk not in (request.requester_id, request.submitted_by_id):
            out.superior_seats = [
                seat for stage in stages if stage.state == StageState.ACTIVE
                and stage.kind != StageKind.CIRCULATE
                for seat in getattr(stage, "current_seats", [])
                if seat.state == SeatState.PENDING and seat.pk not in mine
                and seat.person_id != me.pk and selectors.is_superior_of(me, seat.person)]
        out.add_to_stage = next(
            (s for s in stages if s.kind == StageKind.CONSULT and s.allow_add
             and s.state == StageState.ACTIVE
             and any(seat.person_id == me.pk for seat in getattr(s, "current_seats", []))),
            None)
    out.seen = any(seat.person_id == me.pk and seat.state == SeatState.PENDING
                   and seat.stage_id in {s.pk for s in stages if s.kind == StageKind.CIRCULATE}
                   for seat in seats)
    out.post_review = PostReview.objects.filter(
        request=request, person=me, state=PostReviewState.PENDING).first()
    return out


def values_shown(request: Request) -> list[tuple[str, str]]:
    specs = form_fields(request.request_type)
    names = people_names(person_ids_in(specs, [request.values]))
    return [(spec.label, display_value(spec, (request.values or {}).get(spec.key), names))
            for spec in specs]
