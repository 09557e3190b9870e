"""Pages of the work inventory (業務一覧): the grouped list, the task form, the starter tasks."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from somu.core.web import apply_errors, org_view, render_page
from somu.survey import selectors, services
from somu.survey.forms import TaskForm
from somu.survey.models import STANDARD_FUNCTIONS, Task, TaskStatus
from somu.survey.permissions import MANAGE_SURVEY
from somu.survey.starter import STARTER_TASKS
from somu.survey.starter import functions as starter_functions

STATUS_ALL = "all"
QUICK_STATUS = {"accept": TaskStatus.ACTIVE, "archive": TaskStatus.ARCHIVED}


@dataclass
class Group:
    """The tasks of one 大分類 of a function, in 中分類 order."""

    title: str
    tasks: list[Task] = field(default_factory=list)


@dataclass
class FunctionGroup:
    function: str
    groups: list[Group] = field(default_factory=list)
    count: int = 0


def _grouped(tasks: list[Task]) -> list[FunctionGroup]:
    """function > 大分類 (> 中分類, shown per row), in :func:`selectors.inventory_order`."""
    result: list[FunctionGroup] = []
    for task in tasks:
        if not result or result[-1].function != task.function:
            result.append(FunctionGroup(task.function))
        function = result[-1]
        if not function.groups or function.groups[-1].title != task.category:
            function.groups.append(Group(task.category))
        function.groups[-1].tasks.append(task)
        function.count += 1
    return result


def _starter_missing() -> dict[str, int]:
    """Per function, how many starter tasks the inventory does not have yet."""
    existing = set(Task.objects.values_list("function", "category", "subcategory", "name"))
    missing: Counter[str] = Counter()
    for starter in STARTER_TASKS:
        if starter.path not in existing:
            missing[starter.function] += 1
    return {f: missing[f] for f in starter_functions() if missing[f]}


def _next(request: HttpRequest) -> str:
    """The filtered list the user came from (``next``), if it is a page of this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _back(request: HttpRequest) -> str:
    """Where to return after an action: the list the user came from, else the whole list."""
    return _next(request) or reverse("survey:task_list")


@org_view(MANAGE_SURVEY)
def task_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", TaskStatus.ACTIVE)
    if status not in {*TaskStatus.values, STATUS_ALL}:
        status = TaskStatus.ACTIVE
    filters = selectors.TaskFilter(
        q=request.GET.get("q", "").strip(),
        function=request.GET.get("function", ""),
        status="" if status == STATUS_ALL else status,
        flag=request.GET.get("flag", "") if request.GET.get("flag") in selectors.FLAGS else "",
    )
    tasks = selectors.inventory_order(selectors.task_list(filters=filters))
    status_counts = Counter(Task.objects.values_list("status", flat=True))
    total = sum(status_counts.values())
    missing = _starter_missing()
    context: dict[str, Any] = {
        "functions": _grouped(tasks),
        "shown": len(tasks),
        "total": total,
        "status_counts": {s: status_counts.get(s, 0) for s in TaskStatus.values},
        "proposed_count": status_counts.get(TaskStatus.PROPOSED, 0),
        "filters": filters,
        "status": status,
        "statuses": TaskStatus.choices,
        "function_names": selectors.task_functions(),
        "flags": [("remote_ok", _("remote OK")), ("outsourceable", _("outsourceable")),
                  ("automatable", _("automatable"))],
        "starter_missing": missing,
        "starter_missing_total": sum(missing.values()),
        "filtered": bool(filters.q or filters.function or filters.flag),
        "here": request.get_full_path(),
    }
    return render_page(request, "survey/task_list.html", context,
                       partial="survey/_task_table.html")


@org_view(MANAGE_SURVEY)
def task_edit(request: HttpRequest, task_id: int | None = None) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("proposed_by"), pk=task_id) \
        if task_id else None
    action = request.POST.get("action") if request.method == "POST" else None
    if task is not None and action in QUICK_STATUS:
        # One-click buttons: accept a proposed task as it is, or archive one that has answers.
        services.task_save(actor=request.user, task=task, data={"status": QUICK_STATUS[action]})
        if action == "accept":
            message = _("“%(name)s” is now part of the inventory.")
        else:
            message = _("“%(name)s” has been archived: it no longer appears in questionnaires.")
        messages.success(request, message % {"name": task.name})
        return redirect(_back(request))
    initial: dict[str, Any] = {}
    if task is None:
        # "Add a task here" links on the list prefill where the task sits.
        initial = {k: request.GET[k] for k in ("function", "category", "subcategory")
                   if k in request.GET}
    form = TaskForm(request.POST or None, instance=task, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.task_save(actor=request.user, task=task, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” has been saved.") % {"name": saved.name})
            if "another" in request.POST:
                where = {"function": saved.function, "category": saved.category,
                         "subcategory": saved.subcategory}
                return redirect(f"{reverse('survey:task_create')}?{urlencode(where)}")
            return redirect(_back(request))
    used = Task.objects.values_list("function", "category", "subcategory")
    return render(request, "survey/task_form.html", {
        "form": form,
        "task": task,
        "function_options": sorted({f for f, _c, _s in used} | set(STANDARD_FUNCTIONS)),
        "category_options": sorted({c for _f, c, _s in used}),
        "subcategory_options": sorted({s for _f, _c, s in used if s}),
        "next": _next(request),
    })


@require_POST
@org_view(MANAGE_SURVEY)
def starter_adopt(request: HttpRequest) -> HttpResponse:
    chosen = [f for f in request.POST.getlist("function") if f in starter_functions()]
    if request.POST.get("pick") and not chosen:
        # The form offers a choice of functions: unticking them all is not "everything".
        messages.error(request, _("Choose at least one function."))
        return redirect("survey:task_list")
    added = services.starter_inventory_adopt(actor=request.user, functions=chosen or None)
    if added:
        messages.success(request, _("%(n)s starter tasks have been added to the inventory.") % {
            "n": added})
    else:
        messages.info(request, _("The inventory already has every starter task."))
    return redirect("survey:task_list")


@require_POST
@org_view(MANAGE_SURVEY)
def task_delete(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=task_id)
    name = task.name
    try:
        services.task_delete(actor=request.user, task=task)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("survey:task_edit", task_id=task.pk)
    messages.success(request, _("“%(name)s” has been deleted.") % {"name": name})
    return redirect(_back(request))
