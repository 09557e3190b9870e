"""Reads for procedure templates: lists, versions, the spec of a version, and the words that
describe due-date and assignee rules (with the due-date preview of a template)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from somu.core.permissions import ROLE_LABELS, Role
from somu.procedures.engine import plan as planning
from somu.procedures.engine.parse import parse_spec_dict
from somu.procedures.engine.spec import (
    START,
    AssigneeRule,
    DueRule,
    TemplateSpec,
)
from somu.procedures.models import RunStatus, Template, TemplateVersion
from somu.procedures.services.launching import (
    Directory,
    calendar_for_active_organization,
    coerce_params,
    default_run_name,
    due_order_warnings,
)

# ---- templates ---------------------------------------------------------------------------------


def template_list(*, include_archived: bool = False) -> QuerySet[Template]:
    """Templates with ``run_count`` (all runs) and ``open_runs`` (running)."""
    templates = Template.objects.select_related("current_version", "owner").annotate(
        run_count=Count("runs", distinct=True),
        open_runs=Count("runs", filter=Q(runs__status=RunStatus.RUNNING), distinct=True),
    )
    if not include_archived:
        templates = templates.filter(archived=False)
    return templates.order_by("category", "name", "pk")


def template_get(*, template_id: int) -> Template:
    return get_object_or_404(
        Template.objects.select_related("current_version", "owner"), pk=template_id
    )


def template_versions(*, template: Template) -> QuerySet[TemplateVersion]:
    """The template's versions, newest first, with who saved them."""
    return template.versions.select_related("created_by").order_by("-number")


def template_version_get(*, template: Template, number: int) -> TemplateVersion:
    return get_object_or_404(TemplateVersion.objects.select_related("template"),
                             template=template, number=number)


_SPEC_CACHE: dict[tuple[int, str], TemplateSpec] = {}
_SPEC_CACHE_SIZE: Final = 512


def version_spec(version: TemplateVersion) -> TemplateSpec:
    """The parsed spec of a version; versions never change, so it is parsed once per process.

    The key includes the creation time so a reused id (a rolled-back test) cannot collide.
    """
    cached: TemplateSpec | None = getattr(version, "_parsed_spec", None)
    if cached is not None:
        return cached
    key = (version.pk or 0, version.created_at.isoformat() if version.created_at else "")
    spec = _SPEC_CACHE.get(key) if version.pk else None
    if spec is None:
        spec = parse_spec_dict(version.spec)
        if version.pk:
            if len(_SPEC_CACHE) >= _SPEC_CACHE_SIZE:
                _SPEC_CACHE.clear()
            _SPEC_CACHE[key] = spec
    version._parsed_spec = spec  # type: ignore[attr-defined]
    return spec


# ---- describing rules --------------------------------------------------------------------------


def _param_label(key: str, spec: TemplateSpec | None) -> str:
    param = spec.parameter(key) if spec is not None else None
    return param.label if param is not None and param.label else key


def describe_due(rule: DueRule | None, spec: TemplateSpec | None = None) -> str:
    """The rule in words, e.g. "入社日 + 5 calendar days, rolled to the previous business day"."""
    if rule is None:
        return _("No due date")
    if rule.after_step:
        step = spec.step(rule.after_step) if spec is not None else None
        base = _("completion of “%(step)s”") % {"step": step.name if step else rule.after_step}
    elif rule.base == START:
        base = _("the start date")
    else:
        base = _param_label(rule.base, spec)
    if rule.kind == "end_of_month":
        if rule.months == 0:
            text = _("end of the month of %(base)s") % {"base": base}
        else:
            text = ngettext("end of the month %(n)d month after %(base)s",
                            "end of the month %(n)d months after %(base)s",
                            rule.months) % {"n": rule.months, "base": base}
    elif rule.kind == "day_of_month":
        if rule.months == 0:
            text = _("day %(day)d of the month of %(base)s") % {"day": rule.day, "base": base}
        else:
            text = ngettext("day %(day)d of the month %(n)d month after %(base)s",
                            "day %(day)d of the month %(n)d months after %(base)s",
                            rule.months) % {"day": rule.day, "n": rule.months, "base": base}
    elif rule.offset == 0:
        text = base
    else:
        n = abs(rule.offset)
        params = {"base": base, "n": n}
        if rule.unit == "business":
            text = (ngettext("%(base)s + %(n)d business day", "%(base)s + %(n)d business days", n)
                    if rule.offset > 0 else
                    ngettext("%(base)s − %(n)d business day", "%(base)s − %(n)d business days",
                             n)) % params
        else:
            text = (ngettext("%(base)s + %(n)d calendar day", "%(base)s + %(n)d calendar days", n)
                    if rule.offset > 0 else
                    ngettext("%(base)s − %(n)d calendar day", "%(base)s − %(n)d calendar days",
                             n)) % params
    if rule.roll == "previous":
        return _("%(rule)s, rolled to the previous business day") % {"rule": text}
    if rule.roll == "next":
        return _("%(rule)s, rolled to the next business day") % {"rule": text}
    return text


def describe_assignee(rule: AssigneeRule, spec: TemplateSpec | None = None) -> str:
    """Who the rule gives, in words, e.g. "Back-office staff of 人事部"."""
    if rule.kind == "person":
        return _("Employee %(number)s") % {"number": rule.value}
    if rule.kind == "role":
        label = str(ROLE_LABELS[Role(rule.role)]) if rule.role in Role._value2member_map_ \
            else rule.role
        if rule.value:
            return _("%(role)s of %(department)s") % {"role": label, "department": rule.value}
        return _("%(role)s (any department)") % {"role": label}
    if rule.kind == "param":
        return _("The person in “%(param)s”") % {"param": _param_label(rule.value, spec)}
    if rule.kind == "manager_of":
        if rule.value in ("", "starter"):
            return _("The manager of whoever launches the run")
        return _("The manager of the person in “%(param)s”") % {
            "param": _param_label(rule.value, spec)}
    return _("Whoever launches the run")


@dataclass(frozen=True)
class PreviewRow:
    """One step of a due-date preview for a sample start date."""

    key: str
    name: str
    kind: str
    due_date: dt.date | None
    explanation: str  # the due rule in words
    skipped: bool  # its condition is false for the sample values
    assignee: str  # the assignee rule in words
    depends_on: tuple[str, ...] = ()
    # The due date comes before the start or before a step it waits for (allowed, but check).
    warnings: tuple[str, ...] = ()


def due_preview(
    *, spec: TemplateSpec, start_date: dt.date, params: Mapping[str, Any] | None = None
) -> list[PreviewRow]:
    """The steps with the due dates a run started on ``start_date`` would get.

    Date parameters not given take the start date; values that do not fit are ignored.
    """
    directory = Directory()
    raw = dict(params or {})
    for param in spec.parameters:
        if param.type == "date" and not raw.get(param.key):
            raw[param.key] = start_date
    values, _errors = coerce_params(spec, raw, directory)
    planned = planning.plan_launch(spec, values=values.typed, start=start_date,
                                   calendar=calendar_for_active_organization())
    warnings = due_order_warnings(planned, start=start_date)
    rows = []
    for item in planned:
        step = spec.step(item.key)
        assert step is not None
        rows.append(PreviewRow(
            key=item.key, name=item.name, kind=item.kind, due_date=item.due_date,
            explanation=describe_due(step.due, spec), skipped=item.state == "skipped",
            assignee=describe_assignee(step.assignee, spec), depends_on=item.depends_on,
            warnings=tuple(warnings.get(item.key, ())),
        ))
    return rows


def run_default_name(*, template: Template, spec: TemplateSpec, start_date: dt.date,
                     params: Mapping[str, Any] | None = None) -> str:
    """The name a run launched with these values gets when its name is left empty (the launch
    page shows it as the values are typed); values that do not fit are ignored."""
    directory = Directory()
    values, _errors = coerce_params(spec, dict(params or {}), directory)
    return default_run_name(template, spec, values.typed, start_date, directory)
