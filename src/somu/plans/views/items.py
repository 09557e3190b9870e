"""Pages: the items board (提案 → 計画済み → 実施中 → 完了 / 中止), an item, its form, and the
work it starts. Moving a card is a plain POST (a form per card), so the board works without
JavaScript; every rule is in the services."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from somu.core.api import MAX_ID
from somu.core.errors import Conflict
from somu.core.home import Finding
from somu.core.permissions import has_perm
from somu.core.requests import AuthedRequest
from somu.core.web import apply_errors, int_or_none, org_view
from somu.plans import forms_items as f
from somu.plans import training
from somu.plans.findings import item_from_finding
from somu.plans.models import FindingKind, Item, ItemKind
from somu.plans.permissions import MANAGE_PLAN, VIEW_PLAN
from somu.plans.services import items as services
from somu.plans.services import reports as report_services


def _item(item_id: int) -> Item:
    found = Item.objects.select_related(
        "owner", "kpi", "task", "person", "round", "template", "learner", "teacher",
        "training_run").filter(pk=item_id).first()
    if found is None:
        raise Http404
    return found


def board_items(filters: f.BoardFilter) -> QuerySet[Item]:
    items = Item.objects.select_related("owner", "kpi", "task", "person").order_by(
        "due_on", "number")
    if filters.is_valid():
        data = filters.cleaned_data
        if data.get("kind"):
            items = items.filter(kind=data["kind"])
        if data.get("owner"):
            items = items.filter(owner=data["owner"])
        if data.get("kpi"):
            items = items.filter(kpi=data["kpi"])
    return items


@require_http_methods(["GET"])
@org_view(VIEW_PLAN)
def item_board(request: AuthedRequest) -> HttpResponse:
    filters = f.BoardFilter(request.GET or None)
    items = services.hide_personal_figures(
        list(board_items(filters)),
        personal=report_services.sees_personal_hours(request.membership))
    columns = [{"status": value, "label": label,
                "items": [i for i in items if i.status == value]}
               for value, label in services.status_choices()]
    return render(request, "plans/item_board.html", {
        "columns": columns, "filters": filters, "statuses": services.status_choices(),
        "today": timezone.localdate(), "count": len(items),
        "can_manage": has_perm(request.membership, MANAGE_PLAN),
        "here": request.get_full_path(),
    })


def _id(value: str | None) -> int | None:
    """An id from the query; a number no id can be (≤ 0, beyond 64 bits) is none."""
    number = int_or_none(value)
    return number if number is not None and 0 < number <= MAX_ID else None


def _finding_of(request: AuthedRequest) -> Finding | None:
    kind = request.GET.get("finding", "")
    round_id = _id(request.GET.get("round"))
    if kind not in FindingKind.values or not kind or round_id is None:
        return None
    return Finding(kind=kind, round_id=round_id, task_id=_id(request.GET.get("task")),
                   person_id=_id(request.GET.get("person")))


def _initial(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.pk if hasattr(v, "pk") else v) for k, v in values.items() if v is not None}


@require_http_methods(["GET", "POST"])
@org_view(MANAGE_PLAN)
def item_new(request: AuthedRequest) -> HttpResponse:
    finding = _finding_of(request)
    if request.method == "POST":
        form = f.ItemForm(request.POST)
        if form.is_valid():
            try:
                item = services.item_create(actor=request.user, data=form.data_for_service(),
                                            today=timezone.localdate())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Item #%(number)s was created.")
                                 % {"number": item.number})
                return redirect("plans:item_detail", item.pk)
    else:
        prefill = item_from_finding(finding) if finding is not None else {}
        form = f.ItemForm(initial=_initial(prefill))
    return render(request, "plans/item_form.html", {
        "form": form, "item": None, "finding": finding,
        "finding_label": FindingKind(finding.kind).label if finding else ""})


@require_http_methods(["GET", "POST"])
@org_view(MANAGE_PLAN)
def item_edit(request: AuthedRequest, item_id: int) -> HttpResponse:
    item = _item(item_id)
    if request.method == "POST":
        form = f.ItemForm(request.POST)
        if form.is_valid():
            try:
                services.item_update(actor=request.user, item=item,
                                     data=form.data_for_service(), today=timezone.localdate())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The item was saved."))
                return redirect("plans:item_detail", item.pk)
    else:
        form = f.ItemForm(initial=_initial({n: getattr(item, n) for n in services.FIELDS
                                            if n in f.ItemForm.base_fields}))
    return render(request, "plans/item_form.html", {"form": form, "item": item})


@require_http_methods(["GET"])
@org_view(VIEW_PLAN)
def item_detail(request: AuthedRequest, item_id: int) -> HttpResponse:
    item = _item(item_id)
    services.hide_personal_figures(
        [item], personal=report_services.sees_personal_hours(request.membership))
    return _detail(request, item)


def _detail(request: AuthedRequest, item: Item, *, training_form: f.TrainingForm | None = None,
            status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    if training_form is None:
        training_form = f.TrainingForm(initial={
            "learner": item.learner_id, "teacher": item.teacher_id,
            "target_level": str(item.target_level or 3), "start_on": today})
    return render(request, "plans/item_detail.html", {
        "item": item, "today": today, "statuses": services.status_choices(),
        "status_label": services.status_label(item.status),
        "can_manage": has_perm(request.membership, MANAGE_PLAN),
        "training_form": training_form,
        "is_standardize": item.kind == ItemKind.STANDARDIZE,
        "is_training": item.kind == ItemKind.CROSS_TRAIN,
        "is_moving": item.kind in (ItemKind.OUTSOURCE, ItemKind.AUTOMATE),
        "in_use": training.template_in_use(item) if item.kind == ItemKind.STANDARDIZE else None,
        "closed": item.status in training.CLOSED,
        "deletable": item.status in services.DELETABLE,
    }, status=status)


def _back(request: AuthedRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@require_POST
@org_view(MANAGE_PLAN)
def item_move(request: AuthedRequest, item_id: int) -> HttpResponse:
    item = _item(item_id)
    form = f.MoveForm(request.POST)
    back = _back(request, reverse("plans:item_detail", args=[item.pk]))
    if not form.is_valid():
        messages.error(request, _("Choose one of the board's columns."))
        return redirect(back)
    try:
        moved = services.item_move(actor=request.user, item=item,
                                   status=form.cleaned_data["status"],
                                   from_status=form.cleaned_data.get("from_status") or None,
                                   today=timezone.localdate())
    except (ValidationError, Conflict) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(request, _("#%(number)s moved to “%(status)s”.") % {
            "number": moved.number, "status": services.status_label(moved.status)})
    return redirect(back)


@require_POST
@org_view(MANAGE_PLAN)
def item_standardize(request: AuthedRequest, item_id: int) -> HttpResponse:
    item = _item(item_id)
    try:
        template = training.item_standardize(actor=request.user, item=item,
                                             today=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("plans:item_detail", item.pk)
    messages.success(request, _("Write the procedure here; the item closes once the template "
                                "is in use (a run launched or a schedule made)."))
    return redirect("procedures:template_edit", template.pk)


@require_POST
@org_view(MANAGE_PLAN)
def item_training(request: AuthedRequest, item_id: int) -> HttpResponse:
    item = _item(item_id)
    form = f.TrainingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            run = training.item_training(
                actor=request.user, item=item, learner=data.get("learner"),
                teacher=data.get("teacher"), target_level=data.get("target_level"),
                start_on=data.get("start_on"), today=timezone.localdate())
        except ValidationError as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The training run was launched: %(name)s")
                             % {"name": run.name})
            return redirect("plans:item_detail", item.pk)
    return _detail(request, _item(item.pk), training_form=form, status=422)


@require_POST
@org_view(MANAGE_PLAN)
def item_check(request: AuthedRequest, item_id: int) -> HttpResponse:
    item = _item(item_id)
    closed = training.items_close_fulfilled(today=timezone.localdate(), items=[item],
                                            actor=request.user)
    if closed:
        messages.success(request, _("The work is done: the item is now closed."))
    else:
        messages.info(request, _("Not yet: the work this item started is not done."))
    return redirect("plans:item_detail", item.pk)


@require_http_methods(["POST"])
@org_view(MANAGE_PLAN)
def item_delete(request: AuthedRequest, item_id: int) -> HttpResponse:
    item = _item(item_id)
    try:
        services.item_delete(actor=request.user, item=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("plans:item_detail", item.pk)
    messages.success(request, _("Item #%(number)s was deleted.") % {"number": item.number})
    return redirect("plans:item_board")


def board_url(**params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{reverse('plans:item_board')}?{query}" if query else reverse("plans:item_board")


urlpatterns: list[URLPattern] = [
    path("items/", item_board, name="item_board"),
    path("items/new/", item_new, name="item_new"),
    path("items/<int:item_id>/", item_detail, name="item_detail"),
    path("items/<int:item_id>/edit/", item_edit, name="item_edit"),
    path("items/<int:item_id>/move/", item_move, name="item_move"),
    path("items/<int:item_id>/standardize/", item_standardize, name="item_standardize"),
    path("items/<int:item_id>/training/", item_training, name="item_training"),
    path("items/<int:item_id>/check/", item_check, name="item_check"),
    path("items/<int:item_id>/delete/", item_delete, name="item_delete"),
]
