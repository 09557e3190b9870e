"""What the survey app adds to the home page: the surveys a person is asked to answer, and for
those who read the analysis the latest round's 属人化率 and overloaded people.

The figures come from the round's stored analysis (two values read out of its JSON, not the
whole result, which is megabytes for a large organization): the home page never computes an
analysis. When the inputs changed since, the figures are shown as of the last computation and
the analysis page recomputes them.
"""

from __future__ import annotations

import datetime as dt
import json

from django.db.models import Count, Q, QuerySet
from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from somu.core.home import Attention, Waiting
from somu.core.percent import format_percent
from somu.core.permissions import has_perm
from somu.org.models import Membership
from somu.survey import terms
from somu.survey.models import (
    AnalysisSnapshot,
    ResponseStatus,
    RoundStatus,
    SurveyRound,
    WorkHours,
)
from somu.survey.permissions import ANSWER_SURVEY, VIEW_ANALYSIS
from somu.survey.selectors import pending_surveys_for


def waiting_surveys(*, membership: Membership, today: dt.date) -> list[Waiting]:
    """The open rounds the member has been asked to answer and has not submitted (one query)."""
    if membership.person is None or not has_perm(membership, ANSWER_SURVEY):
        return []
    return [Waiting(
        title=_("Please answer the work survey “%(name)s”.") % {"name": r.round.name},
        detail=(_("by %(date)s") % {"date": date_format(r.round.due_on)}
                if r.round.due_on else ""),
        url=reverse("survey:questionnaire", args=[r.round_id]),
        overdue=r.round.due_on is not None and r.round.due_on < today,
    ) for r in pending_surveys_for(person=membership.person)]


def attention(*, membership: Membership, today: dt.date) -> list[Attention]:
    """The latest closed round with hours: its 属人化率 (by hours) and its overloaded people.

    An open round's figures move with every answer, so they are never shown as the result:
    with no closed round yet, the newest open one is shown as 「回答受付中（n/m件）」.
    """
    if not has_perm(membership, VIEW_ANALYSIS):
        return []
    with_hours = SurveyRound.objects.filter(pk__in=WorkHours.objects.values("round_id"))
    latest = (with_hours.filter(status=RoundStatus.CLOSED).order_by("-updated_at", "-pk")
              .only("id", "name", "due_on", "updated_at").first())
    if latest is None:
        return _collecting(with_hours)
    url = reverse("survey:analysis", args=[latest.pk])
    closed_on = latest.due_on or timezone.localtime(latest.updated_at).date()
    round_label = _("%(round)s (closed, %(date)s)") % {
        "round": latest.name, "date": date_format(closed_on)}
    figures = AnalysisSnapshot.objects.filter(round=latest).values(
        "computed_at",
        rate=KT("result__dependency__rate_by_hours"),
        overloaded=KT("result__balance__0__overloaded_person_ids"),
    ).first()
    if figures is None or figures["rate"] is None:
        return [Attention(str(terms.DEPENDENCY_RATE_HOURS), "—", url,
                          note=_("%(round)s: open the analysis to compute it")
                          % {"round": round_label})]
    rate = float(figures["rate"])
    overloaded = len(json.loads(figures["overloaded"] or "[]"))
    when = timezone.localtime(figures["computed_at"]).date()
    note = _("%(round)s, as of %(date)s") % {"round": round_label, "date": date_format(when)}
    return [
        Attention(str(terms.DEPENDENCY_RATE_HOURS), format_percent(rate),
                  f"{url}?section=dependency", note=note, warn=rate > 0),
        Attention(str(terms.OVERLOADED_PEOPLE), f"{overloaded:,}", f"{url}?section=load",
                  note=note, warn=overloaded > 0),
    ]


def _collecting(with_hours: QuerySet[SurveyRound]) -> list[Attention]:
    """No closed round yet: the newest open one, as how far its answers have come."""
    current = (with_hours.filter(status=RoundStatus.OPEN).order_by("-created_at", "-pk")
               .annotate(asked=Count("respondents"),
                         answered=Count("respondents",
                                        filter=Q(respondents__status=ResponseStatus.SUBMITTED)))
               .first())
    if current is None:
        return []
    value = _("Collecting answers (%(answered)s of %(asked)s)") % {
        "answered": f"{current.answered:,}", "asked": f"{current.asked:,}"}
    return [Attention(str(terms.DEPENDENCY_RATE_HOURS), value,
                      reverse("survey:analysis", args=[current.pk]),
                      note=_("%(round)s: the figure is shown once the round is closed")
                      % {"round": current.name})]
