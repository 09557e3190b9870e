"""What the notify app adds to the home page: the notifications that failed recently, for
those who manage notifications."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from somu.core.home import Attention
from somu.core.permissions import has_perm
from somu.notify.models import Delivery
from somu.notify.permissions import MANAGE_NOTIFICATIONS
from somu.notify.selectors import PROBLEMS
from somu.org.models import Membership

# The failed notifications counted are the ones the notifications page lists (its window).
FAILED_DAYS = 14


def attention(*, membership: Membership, today: dt.date) -> list[Attention]:
    """Notifications that failed (or whose outcome is unknown) in the last two weeks."""
    if not has_perm(membership, MANAGE_NOTIFICATIONS):
        return []
    failed = Delivery.objects.filter(
        status__in=PROBLEMS, day__gte=today - dt.timedelta(days=FAILED_DAYS)).count()
    return [Attention(_("Failed notifications"), f"{failed:,}",
                      reverse("notify:settings") + "?problems=1",
                      note=_("last %(days)s days") % {"days": FAILED_DAYS}, warn=failed > 0)]
