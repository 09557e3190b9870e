"""The notification centre's pages: the list, read marks, the link that opens a notification,
and the settings section of the account page (plus the bell of the top bar)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from somu.core.requests import AuthedRequest
from somu.core.web import org_view, paginate, querystring_without_page, render_page
from somu.notify import selectors, services
from somu.notify.forms import PreferencesForm
from somu.notify.models import Notification
from somu.org.models import Membership, Person
from somu.org.permissions import VIEW_ORG

PAGE_SIZE = 30


def _person(request: AuthedRequest) -> Person | None:
    membership: Membership = request.membership
    return membership.person


def _notification(request: AuthedRequest, notification_id: int) -> tuple[Person, Notification]:
    """The caller's person and their notification; anyone else's is not found."""
    person = _person(request)
    if person is None:
        raise Http404
    try:
        return person, selectors.notification_get(person=person,
                                                  notification_id=notification_id)
    except Notification.DoesNotExist:
        raise Http404 from None


def bell(request: HttpRequest) -> SafeString:
    """The top bar's bell: a link to the centre with the unread count (one COUNT query)."""
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None or membership.person_id is None:
        return SafeString("")
    return render_to_string("notify/_bell.html", {
        "unread": selectors.unread_count(person_id=membership.person_id),
    }, request=request)


@org_view(VIEW_ORG)
def notification_list(request: AuthedRequest) -> HttpResponse:
    person = _person(request)
    if person is None:
        return render_page(request, "notify/list.html", {"person": None})
    page = paginate(request, selectors.notification_list(person=person), PAGE_SIZE)
    return render_page(request, "notify/list.html", {
        "person": person, "page": page, "query": querystring_without_page(request),
        "unread": selectors.unread_count(person_id=person.pk),
    }, partial="notify/_list.html")


@require_POST
@org_view(VIEW_ORG)
def notification_read(request: AuthedRequest, notification_id: int) -> HttpResponse:
    person, notification = _notification(request, notification_id)
    services.notification_mark_read(person=person, notification=notification)
    return redirect("notify:list")


@require_POST
@org_view(VIEW_ORG)
def notification_read_all(request: AuthedRequest) -> HttpResponse:
    person = _person(request)
    if person is not None:
        services.notifications_mark_all_read(person=person)
        messages.success(request, _("All notifications are marked read."))
    return redirect("notify:list")


@org_view(VIEW_ORG)
def notification_open(request: AuthedRequest, notification_id: int) -> HttpResponse:
    """Mark the notification read and go where it leads (the centre when it leads nowhere)."""
    person, notification = _notification(request, notification_id)
    services.notification_mark_read(person=person, notification=notification)
    # Only a path of this site: a stored link must never send anyone elsewhere.
    if notification.url and url_has_allowed_host_and_scheme(
            notification.url, allowed_hosts={request.get_host()}):
        return redirect(notification.url)
    return redirect("notify:list")


def preferences_section(request: AuthedRequest) -> SafeString:
    """The account page's 通知設定 section (for a member linked to a person)."""
    person = _person(request)
    if person is None:
        return SafeString("")
    form = PreferencesForm(preferences=selectors.preferences_of(person=person))
    return render_to_string(
        "notify/_preferences.html", {"form": form}, request=request)


@require_POST
@org_view(VIEW_ORG)
def preferences_update(request: AuthedRequest) -> HttpResponse:
    person = _person(request)
    if person is None:
        raise Http404
    form = PreferencesForm(request.POST, preferences=selectors.preferences_of(person=person))
    if form.is_valid():
        services.preferences_save(actor=request.user, person=person, data=form.choices())
        messages.success(request, _("Your notification settings have been saved."))
    else:
        messages.error(request, _("The notification settings could not be saved."))
    return redirect("/account/#notifications")
