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

from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from somu.core.home import Attention, Waiting
from somu.core.permissions import ANSWER_SURVEY, VIEW_ANALYSIS, has_perm
from somu.org.models import Membership
from somu.survey import terms
from somu.survey.models import AnalysisSnapshot, SurveyRound, WorkHours
from somu.survey.selectors import pending_surveys_for


def waiting_surveys(*, membership: Membership, today: dt.date) -> list[Waiting]:
    """The open rounds the member has been asked to answer and has not submitted (one query)."""
    if membership.person is None or not has_perm(membership, ANSWER_SURVEY):
        return []
    return [Waiting(
        title=_("Please answer the work survey “%(name)s”.") % {"name": r.round.name},
        detail=(_("by %(date)s") % {"date": f"{r.round.due_on:%Y-%m-%d}"}
                if r.round.due_on else ""),
        url=reverse("survey:questionnaire", args=[r.round_id]),
        overdue=r.round.due_on is not None and r.round.due_on < today,
    ) for r in pending_surveys_for(person=membership.person)]


def attention(*, membership: Membership, today: dt.date) -> list[Attention]:
    """The newest round with hours: its 属人化率 (by hours) and its overloaded people."""
    if not has_perm(membership, VIEW_ANALYSIS):
        return []
    latest = (SurveyRound.objects.filter(pk__in=WorkHours.objects.values("round_id"))
              .order_by("-created_at", "-pk").only("id", "name").first())
    if latest is None:
        return []
    url = reverse("survey:analysis", args=[latest.pk])
    figures = AnalysisSnapshot.objects.filter(round=latest).values(
        "computed_at",
        rate=KT("result__dependency__rate_by_hours"),
        overloaded=KT("result__balance__0__overloaded_person_ids"),
    ).first()
    if figures is None or figures["rate"] is None:
        return [Attention(str(terms.DEPENDENCY_RATE_HOURS), "—", url,
                          note=_("%(round)s: open the analysis to compute it")
                          % {"round": latest.name})]
    rate = float(figures["rate"])
    overloaded = len(json.loads(figures["overloaded"] or "[]"))
    when = timezone.localtime(figures["computed_at"]).date()
    note = _("%(round)s, as of %(date)s") % {"round": latest.name, "date": f"{when:%Y-%m-%d}"}
    return [
        Attention(str(terms.DEPENDENCY_RATE_HOURS), f"{rate * 100:.1f}%",
                  f"{url}?section=dependency", note=note, warn=rate > 0),
        Attention(str(terms.OVERLOADED_PEOPLE), f"{overloaded:,}", f"{url}?section=load",
                  note=note, warn=overloaded > 0),
    ]


