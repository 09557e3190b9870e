"""What the approvals app adds to the home page: how many requests await the member's
decision (and their 後閲 and 回覧), and the oldest of them."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from somu.approvals import selectors
from somu.core.home import Lead, TaskPanel, Waiting
from somu.org.models import Membership

OLDEST = 5


def _inbox(membership: Membership, today: dt.date) -> list[selectors.InboxItem]:
    """The member's inbox, read once per request however many panels show it."""
    cached = getattr(membership, "_approvals_inbox", None)
    if cached is None or cached[0] != today:
        assert membership.person is not None
        cached = (today, selectors.inbox(membership.person, today=today))
        membership._approvals_inbox = cached  # type: ignore[attr-defined]
    return cached[1]


def lead(*, membership: Membership, today: dt.date) -> list[Lead]:
    """"2 requests await your decision." when there are any."""
    if membership.person is None:
        return []
    waiting = len(_inbox(membership, today))
    reviews = selectors.post_reviews_of(membership.person).count()
    if not waiting and not reviews:
        return []
    text = ngettext("%(n)s request awaits your decision.",
                    "%(n)s requests await your decision.", waiting) % {"n": waiting} \
        if waiting else ""
    warning = ngettext("%(n)s decision taken in your absence to review (後閲).",
                       "%(n)s decisions taken in your absence to review (後閲).",
                       reviews) % {"n": reviews} if reviews else ""
    return [Lead(text or warning, reverse("approvals:inbox"), _("Awaiting my decision"),
                 warning if text else "")]


def waiting(*, membership: Membership, today: dt.date) -> list[Waiting]:
    """The oldest requests awaiting the member's decision."""
    if membership.person is None:
        return []
    return [_waiting(item) for item in _inbox(membership, today)[:OLDEST]]


def _waiting(item: selectors.InboxItem) -> Waiting:
    detail = _("requested by %(name)s, waiting since %(date)s") % {
        "name": item.request.requester.name,
        "date": date_format(item.seat.pending_since.date()) if item.seat.pending_since else "—"}
    if item.principal is not None:
        detail += " " + _("(as deputy of %(name)s)") % {"name": item.principal.name}
    return Waiting(title=f"{item.request.number} {item.request.title}", detail=detail,
                   url=reverse("approvals:request_detail", args=[item.request.pk]))


def task_panel(*, membership: Membership, today: dt.date) -> list[TaskPanel]:
    """"Requests awaiting your decision" on My tasks (own, as deputy, 回覧 and 後閲 together)."""
    if membership.person is None:
        return []
    items = _inbox(membership, today)
    reviews = list(selectors.post_reviews_of(membership.person))
    shown = tuple(_waiting(item) for item in items[:OLDEST]) + tuple(
        Waiting(title=f"{r.request.number} {r.request.title}",
                detail=_("decided in your absence: to review (後閲)"),
                url=reverse("approvals:request_detail", args=[r.request_id]))
        for r in reviews[:OLDEST])
    return [TaskPanel(_("Requests awaiting your decision"), len(items) + len(reviews),
                      reverse("approvals:inbox"), _("Awaiting my decision"), shown)]
