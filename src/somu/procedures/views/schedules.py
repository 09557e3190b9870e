"""Recurring schedule pages (定期実行): the list, creating and editing one with a preview of its
next launch dates, and deleting one. ``somu worker`` does the launching (:mod:`.schedules`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from somu.core.permissions import has_perm
from somu.core.requests import AuthedRequest
from somu.core.web import apply_errors, int_or_none, is_htmx, org_view
from somu.org.selectors import department_paths
from somu.procedures.forms_admin import WEEKDAYS, RuleForm, ScheduleForm
from somu.procedures.models import Run, Schedule, Template
from somu.procedures.permissions import MANAGE_PROCEDURES, VIEW_PROCEDURES
from somu.procedures.services import schedules

PREVIEW_DATES = 5


def describe_recurrence(rule: Mapping[str, Any]) -> str:
    """A schedule's rule in words: 毎月第3営業日, 毎年11月1日（休日なら前営業日）, 毎週月曜日."""
    kind = rule.get("kind")
    if kind == "monthly_business_day":
        n = int(rule.get("n") or 0)
        if n == -1:
            text = _("Every month on the last business day")
        elif n < 0:
            text = _("Every month on business day %(n)d counted from the end") % {"n": -n}
        else:
            text = _("Every month on business day %(n)d") % {"n": n}
    elif kind == "monthly_day":
        text = _("Every month on day %(day)d") % {"day": int(rule.get("day") or 0)}
    elif kind == "yearly":
        text = _("Every year on %(month)d/%(day)d") % {
            "month": int(rule.get("month") or 0), "day": int(rule.get("day") or 0)}
    elif kind == "weekly":
        weekday = dict(WEEKDAYS).get(int(rule.get("weekday") or 0), "?")
        interval = int(rule.get("interval_weeks") or 1)
        if interval > 1:
            text = ngettext("Every %(n)d week on %(weekday)s", "Every %(n)d weeks on %(weekday)s",
                            interval) % {"n": interval, "weekday": weekday}
        else:
            text = _("Every %(weekday)s") % {"weekday": weekday}
    else:
        return str(rule)
    roll = rule.get("roll", "none")
    if roll == "previous":
        text += _(" (the business day before, if not a business day)")
    elif roll == "next":
        text += _(" (the next business day, if not a business day)")
    return text


@org_view(VIEW_PROCEDURES)
def schedule_list(request: AuthedRequest) -> HttpResponse:
    rows = list(schedules.schedule_list())
    failures = list(schedules.schedule_failures()[:20])
    return render(request, "procedures/schedule_list.html", {
        "rows": [(s, describe_recurrence(s.rule)) for s in rows],
        "failures": failures,
        "can_manage": has_perm(request.membership, MANAGE_PROCEDURES),
    })


def _templates(schedule: Schedule | None) -> list[Template]:
    templates = list(Template.objects.filter(archived=False, current_version__isnull=False)
                     .select_related("current_version").order_by("category", "name", "pk"))
    # An archived template stays selectable for the schedule that already uses it.
    if schedule is not None and all(t.pk != schedule.template_id for t in templates):
        templates.append(schedule.template)
    return templates


def _chosen(request: HttpRequest, schedule: Schedule | None,
            templates: list[Template]) -> Template | None:
    by_id = {t.pk: t for t in templates}
    source = request.POST if request.method == "POST" else request.GET
    if "template" in source:
        return by_id.get(int_or_none(source.get("template")) or 0)
    if schedule is not None:
        return by_id.get(schedule.template_id)
    return None


def _initial(schedule: Schedule | None, template: Template | None) -> dict[str, Any]:
    if schedule is None:
        initial: dict[str, Any] = {"kind": "monthly_business_day", "n": 1, "roll": "none",
                                   "interval_weeks": 1, "active": True}
        if template is not None:
            initial.update({"template": template.pk, "name": template.name})
        return initial
    initial = {"template": schedule.template_id, "name": schedule.name,
               "owner": schedule.owner_id, "active": schedule.active,
               **RuleForm.initial_from_rule(schedule.rule)}
    if template is not None and template.pk != schedule.template_id:
        initial["template"] = template.pk
    return initial


def _preview(rule_form: RuleForm) -> tuple[list[Any], list[str]]:
    """The next launch dates of the rule the form holds, or why there are none."""
    if not rule_form.is_valid():
        errors = [
            f"{rule_form.fields[name].label}: {' '.join(str(e) for e in errs)}"
            if name in rule_form.fields else " ".join(str(e) for e in errs)
            for name, errs in rule_form.errors.items()]
        return [], errors
    try:
        return schedules.schedule_preview(rule_form.rule(), PREVIEW_DATES), []
    except ValidationError as exc:
        return [], exc.messages


@org_view(MANAGE_PROCEDURES)
def schedule_edit(request: HttpRequest, schedule_id: int | None = None) -> HttpResponse:
    schedule = get_object_or_404(Schedule.objects.select_related("template"), pk=schedule_id) \
        if schedule_id else None
    if request.GET.get("preview") == "1":
        # htmx: the next launch dates while the rule is edited.
        dates, errors = _preview(RuleForm(request.GET))
        return render(request, "procedures/schedule_preview.html",
                      {"dates": dates, "errors": errors})
    templates = _templates(schedule)
    template = _chosen(request, schedule, templates)
    initial = _initial(schedule, template)
    if schedule is not None and template is not None and template.pk == schedule.template_id \
            and template.current_version is not None:
        from somu.procedures.selectors.templates import version_spec

        initial.update(ScheduleForm.initial_params(version_spec(template.current_version),
                                                   schedule.params or {}))
    form = ScheduleForm(request.POST if request.method == "POST" else None, initial=initial,
                        templates=templates, template=template,
                        owner=schedule.owner if schedule is not None else None,
                        departments=department_paths())
    if request.method == "POST" and form.is_valid():
        try:
            saved = schedules.schedule_save(actor=request.user, schedule=schedule,
                                            data=form.data_for_service())
        except ValidationError as exc:
            apply_errors(form, exc, field_map={"rule": "kind"})
        else:
            messages.success(request, _("The schedule “%(name)s” has been saved. Next launch: "
                                        "%(date)s.") % {
                "name": saved.name,
                "date": date_format(saved.next_occurrence) if saved.next_occurrence else "—"})
            return redirect("procedures:schedule_list")
    if is_htmx(request) and request.GET.get("params") == "1":
        # htmx: another template was chosen; only its parameter fields are swapped in.
        return render(request, "procedures/schedule_params.html", {"form": form})
    rule_form = RuleForm(request.POST if request.method == "POST" else
                         {k: v for k, v in initial.items() if k in RuleForm.base_fields})
    dates, preview_errors = _preview(rule_form)
    return render(request, "procedures/schedule_form.html", {
        "form": form, "schedule": schedule, "template": template,
        "dates": dates, "errors": preview_errors,
    })


@org_view(MANAGE_PROCEDURES)
def schedule_delete(request: HttpRequest, schedule_id: int) -> HttpResponse:
    schedule = get_object_or_404(Schedule.objects.select_related("template"), pk=schedule_id)
    if request.method == "POST":
        schedules.schedule_delete(actor=request.user, schedule=schedule)
        messages.success(request, _("The schedule “%(name)s” has been deleted.") % {
            "name": schedule.name})
        return redirect("procedures:schedule_list")
    return render(request, "procedures/schedule_confirm_delete.html", {
        "schedule": schedule, "rule": describe_recurrence(schedule.rule),
        "runs": Run.objects.filter(schedule=schedule).count(),
    })
