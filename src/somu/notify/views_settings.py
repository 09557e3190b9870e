"""The notification settings pages (admins): chat webhooks, and the deliveries the worker made.

Digests are built and sent by ``somu worker`` (see :mod:`somu.notify.jobs`); these pages
configure where they go, send a test message on demand, and show what failed, with a retry.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from somu.core.web import apply_errors, org_view
from somu.notify import selectors, sending, webhooks
from somu.notify.chat import DeliveryError
from somu.notify.forms import WebhookForm, masked_url
from somu.notify.home import FAILED_DAYS
from somu.notify.jobs import digest_hour
from somu.notify.models import Delivery, DeliveryChannel, DeliveryStatus, Webhook
from somu.notify.permissions import MANAGE_NOTIFICATIONS

# The deliveries page shows this many days back, and at most this many rows.
RECENT_DAYS = FAILED_DAYS  # the home page counts the failures this page lists
MAX_DELIVERIES = 300
RETRYABLE = (DeliveryStatus.FAILED, DeliveryStatus.GAVE_UP, DeliveryStatus.UNCERTAIN)


def _recipient(delivery: Delivery) -> str:
    if delivery.channel == DeliveryChannel.EMAIL:
        person = delivery.person
        if person is None:
            return "—"
        return f"{person.name} <{person.email}>" if person.email else person.name
    return delivery.webhook.name if delivery.webhook is not None else "—"


@org_view(MANAGE_NOTIFICATIONS)
def notification_settings(request: HttpRequest) -> HttpResponse:
    problems_only = request.GET.get("problems") == "1"
    since = timezone.localdate() - dt.timedelta(days=RECENT_DAYS)
    deliveries = list(selectors.delivery_list(problems_only=problems_only)
                      .filter(day__gte=since)[:MAX_DELIVERIES])
    webhooks = list(selectors.webhook_list())
    return render(request, "notify/settings.html", {
        "webhooks": [(w, masked_url(w.url)) for w in webhooks],
        "deliveries": [(d, _recipient(d), d.status in RETRYABLE) for d in deliveries],
        "problems_only": problems_only,
        "recent_days": RECENT_DAYS,
        "max_deliveries": MAX_DELIVERIES,
        "digest_hour": digest_hour(),
    })


@org_view(MANAGE_NOTIFICATIONS)
def webhook_edit(request: HttpRequest, webhook_id: int | None = None) -> HttpResponse:
    webhook = get_object_or_404(Webhook.objects.all(), pk=webhook_id) if webhook_id else None
    form = WebhookForm(request.POST or None, webhook=webhook)
    if request.method == "POST" and form.is_valid():
        try:
            saved = webhooks.webhook_save(actor=request.user, webhook=webhook,
                                          data=form.data_for_service())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The webhook “%(name)s” has been saved. Send a test "
                                        "message to check it.") % {"name": saved.name})
            return redirect("notify:settings")
    return render(request, "notify/webhook_form.html", {"form": form, "webhook": webhook})


@org_view(MANAGE_NOTIFICATIONS)
def webhook_delete(request: HttpRequest, webhook_id: int) -> HttpResponse:
    webhook = get_object_or_404(Webhook.objects.all(), pk=webhook_id)
    if request.method == "POST":
        webhooks.webhook_delete(actor=request.user, webhook=webhook)
        messages.success(request, _("The webhook “%(name)s” has been deleted.") % {
            "name": webhook.name})
        return redirect("notify:settings")
    return render(request, "notify/webhook_confirm_delete.html", {
        "webhook": webhook, "url": masked_url(webhook.url),
        "deliveries": Delivery.objects.filter(webhook=webhook).count(),
    })


@require_POST
@org_view(MANAGE_NOTIFICATIONS)
def webhook_test(request: HttpRequest, webhook_id: int) -> HttpResponse:
    webhook = get_object_or_404(Webhook.objects.all(), pk=webhook_id)
    try:
        # Synchronous on purpose: the admin waits for the answer (at most the HTTP timeout).
        webhooks.webhook_send_test(webhook=webhook)
    except DeliveryError as exc:
        messages.error(request, _("The test message to “%(name)s” failed: %(error)s") % {
            "name": webhook.name, "error": exc})
    else:
        messages.success(request, _("The test message to “%(name)s” was accepted. Check that "
                                    "it arrived in the channel.") % {"name": webhook.name})
    return redirect("notify:settings")


@require_POST
@org_view(MANAGE_NOTIFICATIONS)
def delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery.objects.all(), pk=delivery_id)
    try:
        sending.delivery_retry(actor=request.user, delivery=delivery)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_back(request))
    # Try once right away so the admin sees the outcome; if it fails again the worker keeps
    # retrying with backoff (or the delivery gives up, as before).
    if sending.send_delivery(delivery.pk):
        messages.success(request, _("The notification has been sent again."))
    else:
        delivery.refresh_from_db()
        if delivery.status == DeliveryStatus.SENT:
            messages.success(request, _("The notification has been sent again."))
        elif delivery.status == DeliveryStatus.PENDING:
            messages.info(request, _("The notification will be sent by the worker shortly."))
        else:
            messages.error(request, _("Sending failed again: %(error)s") % {
                "error": delivery.last_error or "—"})
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    url = reverse("notify:settings")
    return f"{url}?problems=1" if request.POST.get("problems") == "1" else url

