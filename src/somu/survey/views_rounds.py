"""Pages of survey rounds (調査回): the list, the round's progress, invitations and reminders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from somu.core.percent import format_percent
from somu.core.permissions import has_perm
from somu.core.requests import AuthedRequest
from somu.core.web import apply_errors, org_view, paginate, querystring_without_page, render_page
from somu.org.selectors import department_tree, flatten_tree
from somu.survey import selectors, services
from somu.survey.forms import InviteForm, RoundForm
from somu.survey.models import (
    Capability,
    Respondent,
    ResponseStatus,
    RoundStatus,
    WorkHours,
)
from somu.survey.permissions import MANAGE_SURVEY, VIEW_ANALYSIS, VIEW_TEAM_ANALYSIS

RESPONDENTS_PER_PAGE = 100


@org_view(VIEW_TEAM_ANALYSIS)
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = list(selectors.round_list())
    return render(request, "survey/round_list.html", {
        "rounds": rounds,
        # Compare an earlier round (before an improvement) with a later one (after it).
        "compare_before": rounds[1].pk if len(rounds) > 1 else None,
        "compare_after": rounds[0].pk if rounds else None,
    })


@org_view(MANAGE_SURVEY)
def round_edit(request: HttpRequest, round_id: int | None = None) -> HttpResponse:
    survey_round = selectors.round_get(round_id=round_id) if round_id else None
    form = RoundForm(request.POST or None, instance=survey_round)
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            allow_past_due = data.pop("allow_past_due", False)
            saved = services.round_save(actor=request.user, survey_round=survey_round,
                                        data=data, allow_past_due=allow_past_due)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The round has been saved."))
            return redirect("survey:round_detail", round_id=saved.pk)
    return render(request, "survey/round_form.html", {"form": form, "round": survey_round})


RESPONDENT_FILTERS = (
    ("", gettext_lazy("Everyone")),
    (selectors.PENDING, gettext_lazy("Not answered yet")),
    (ResponseStatus.NOT_STARTED, ResponseStatus.NOT_STARTED.label),
    (ResponseStatus.IN_PROGRESS, ResponseStatus.IN_PROGRESS.label),
    (ResponseStatus.SUBMITTED, ResponseStatus.SUBMITTED.label),
)


@org_view(VIEW_ANALYSIS)
def round_detail(request: AuthedRequest, round_id: int) -> HttpResponse:
    survey_round = selectors.round_get(round_id=round_id)
    status = request.GET.get("status", "")
    if status not in {value for value, _label in RESPONDENT_FILTERS}:
        status = ""
    page = paginate(
        request, selectors.respondent_list(survey_round=survey_round, status=status),
        per_page=RESPONDENTS_PER_PAGE,
    )
    can_manage = has_perm(request.membership, MANAGE_SURVEY)
    progress = selectors.round_progress(survey_round=survey_round)
    context: dict[str, Any] = {
        "round": survey_round,
        "progress": progress,
        "rate_percent": round(progress.rate * 100),  # the bar's width
        "rate_text": format_percent(progress.rate),  # as every page writes a share: 45.5%
        "page": page,
        "status": status,
        "status_filters": RESPONDENT_FILTERS,
        "query": querystring_without_page(request),
        "can_manage": can_manage,
        "is_open": survey_round.status == RoundStatus.OPEN,
    }
    if can_manage and survey_round.status != RoundStatus.CLOSED:
        # People are chosen with a searching picker: the page does not list the organization.
        context["invite_form"] = InviteForm()
        context["department_nodes"] = flatten_tree(department_tree())
    return render_page(request, "survey/round_detail.html", context,
                       partial="survey/_round_respondents.html")


@org_view(MANAGE_SURVEY)
def round_delete(request: HttpRequest, round_id: int) -> HttpResponse:
    survey_round = selectors.round_get(round_id=round_id)
    if request.method == "POST":
        services.round_delete(actor=request.user, survey_round=survey_round)
        messages.success(request, _("The round “%(name)s” has been deleted.") % {
            "name": survey_round.name})
        return redirect("survey:round_list")
    return render(request, "survey/round_confirm_delete.html", {
        "round": survey_round,
        "respondents": Respondent.objects.filter(round=survey_round).count(),
        "hours_rows": WorkHours.objects.filter(round=survey_round).count(),
        "capability_rows": Capability.objects.filter(round=survey_round).count(),
    })


@require_POST
@org_view(MANAGE_SURVEY)
def round_invite(request: HttpRequest, round_id: int) -> HttpResponse:
    survey_round = selectors.round_get(round_id=round_id)
    form = InviteForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("survey:round_detail", round_id=survey_round.pk)
    data = form.cleaned_data
    try:
        new = services.respondents_invite(
            actor=request.user, survey_round=survey_round,
            department_ids=[d.pk for d in data["departments"]],
            person_ids=[p.pk for p in data["people"]],
            include_subdepartments=data["include_subdepartments"],
            send_mail=data["send_mail"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("survey:round_detail", round_id=survey_round.pk)
    if not new:
        messages.info(request, _("Everyone chosen had already been invited."))
    else:
        emailed = sum(1 for r in new if r.person.email) if data["send_mail"] else 0
        messages.success(request, _(
            "%(n)s people have been invited; %(mailed)s of them by email."
        ) % {"n": len(new), "mailed": emailed})
        without = len(new) - emailed
        if data["send_mail"] and without:
            messages.warning(request, _(
                "%(n)s of them have no email address: tell them to open "
                "“My survey answers” after signing in."
            ) % {"n": without})
    return redirect("survey:round_detail", round_id=survey_round.pk)


@require_POST
@org_view(MANAGE_SURVEY)
def round_remind(request: HttpRequest, round_id: int) -> HttpResponse:
    survey_round = selectors.round_get(round_id=round_id)
    respondent_ids: list[int] | None = None
    if request.POST.get("scope") == "selected":
        respondent_ids = [int(v) for v in request.POST.getlist("respondent") if v.isdigit()]
        if not respondent_ids:
            messages.error(request, _("Tick the people to remind first."))
            return redirect("survey:round_detail", round_id=survey_round.pk)
    try:
        count = services.respondents_remind(
            actor=request.user, survey_round=survey_round, respondent_ids=respondent_ids
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if count:
            messages.success(request, _("%(n)s people who have not submitted were reminded.") % {
                "n": count})
        else:
            messages.info(request, _("Nobody to remind: everyone chosen has submitted."))
    return redirect("survey:round_detail", round_id=survey_round.pk)
