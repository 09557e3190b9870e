"""Reads for the plan's strategy pages: the vision, KPIs, items grouped by KPI, reviews, the
choices a KPI's parameters take, and what the home page needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from somu.org.selectors import department_paths
from somu.plans import kpi_values
from somu.plans.models import Item, ItemStatus, Kpi, KpiReading, Review, Vision
from somu.survey.selectors import task_functions

DUE_SOON_DAYS = 14
OPEN_STATUSES = (ItemStatus.PROPOSED, ItemStatus.PLANNED, ItemStatus.IN_PROGRESS)


def vision_get() -> Vision | None:
    return Vision.objects.first()


def kpi_list(*, archived: bool = False) -> QuerySet[Kpi]:
    return Kpi.objects.filter(archived=archived).prefetch_related("readings")


def kpi_get(*, kpi_id: int) -> Kpi:
    return get_object_or_404(Kpi, pk=kpi_id)


def reading_get(*, reading_id: int) -> KpiReading:
    return get_object_or_404(KpiReading.objects.select_related("kpi"), pk=reading_id)


def review_list() -> QuerySet[Review]:
    return Review.objects.all()


def review_get(*, review_id: int) -> Review:
    return get_object_or_404(Review.objects.select_related("round", "schedule", "created_by"),
                             pk=review_id)


@dataclass(frozen=True)
class ItemLink:
    item: Item
    url: str | None


@dataclass(frozen=True)
class ItemGroup:
    kpi: Kpi | None  # None: items that serve no KPI (yet)
    items: tuple[ItemLink, ...]


def items_by_kpi(kpis: list[Kpi], *, today: dt.date) -> list[ItemGroup]:
    """The items not cancelled, grouped by the KPI they serve (in the KPIs' order; archived
    KPIs' items and items without a KPI last). One query."""
    items = list(Item.objects.exclude(status=ItemStatus.CANCELLED)
                 .select_related("owner").order_by("due_on", "number"))
    grouped: dict[int | None, list[ItemLink]] = {}
    shown = {k.pk for k in kpis}
    for item in items:
        key = item.kpi_id if item.kpi_id in shown else None
        grouped.setdefault(key, []).append(ItemLink(item, kpi_values.item_url(item.pk)))
    groups = [ItemGroup(k, tuple(grouped.get(k.pk, ()))) for k in kpis]
    if grouped.get(None):
        groups.append(ItemGroup(None, tuple(grouped[None])))
    return groups


def items_attention(*, today: dt.date) -> tuple[int, int]:
    """(open items past their due date, open items due within 14 days)."""
    open_items = Item.objects.filter(status__in=OPEN_STATUSES, due_on__isnull=False)
    overdue = open_items.filter(due_on__lt=today).count()
    soon = open_items.filter(due_on__gte=today,
                             due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS)).count()
    return overdue, soon


@dataclass(frozen=True)
class ParameterChoices:
    functions: tuple[str, ...]
    departments: tuple[tuple[int, str], ...]  # (id, path)

    def scopes(self) -> list[tuple[str, str]]:
        from django.utils.translation import gettext as _

        return ([("organization", _("Whole organization"))]
                + [(f"function:{f}", _("Function: %(name)s") % {"name": f})
                   for f in self.functions]
                + [(f"department:{pk}", _("Department: %(name)s") % {"name": path})
                   for pk, path in self.departments])


def parameter_choices() -> ParameterChoices:
    paths = department_paths()
    return ParameterChoices(tuple(task_functions()),
                            tuple(sorted(paths.items(), key=lambda kv: kv[1])))
