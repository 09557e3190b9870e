"""The audit log page, for admins and auditors."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from somu.audit import presenters, selectors
from somu.audit.models import AuditEvent
from somu.audit.permissions import VIEW_AUDIT
from somu.core.web import org_view, paginate, querystring_without_page, render_page


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@org_view(VIEW_AUDIT)
def event_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.AuditFilter(
        action=request.GET.get("action", ""),
        object_type=request.GET.get("object_type", ""),
        actor=request.GET.get("actor", "").strip(),
        q=request.GET.get("q", "").strip(),
        date_from=_date(request.GET.get("date_from")),
        date_to=_date(request.GET.get("date_to")),
    )
    page = paginate(request, selectors.audit_event_list(filters=filters))
    context = {
        "page": page,
        "rows": presenters.present_events(page),
        "filters": filters,
        "actions": presenters.choices_of(
            selectors.audit_actions(), lambda a: presenters.action_label(a)[0]),
        "object_types": presenters.choices_of(
            selectors.audit_object_types(), presenters.object_type_label),
        "query": querystring_without_page(request),
    }
    return render_page(request, "audit/event_list.html", context, partial="audit/_event_table.html")


@org_view(VIEW_AUDIT)
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(AuditEvent, pk=event_id)
    return render(request, "audit/event_detail.html", {
        "event": event, "view": presenters.present_event(event)})
