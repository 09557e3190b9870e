"""Pages of the org app: people, departments, grades, skills, calendar and members."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from somu.audit.permissions import VIEW_AUDIT
from somu.audit.presenters import present_events
from somu.audit.selectors import AuditFilter, audit_event_list
from somu.core.permissions import has_perm, require
from somu.core.requests import AuthedRequest
from somu.core.web import (
    apply_errors,
    int_or_none,
    org_view,
    paginate,
    querystring_without_page,
    render_page,
)
from somu.org import selectors, services, services_positions
from somu.org.forms import (
    CompanyHolidayForm,
    DepartmentForm,
    GradeForm,
    PersonForm,
    PersonSkillForm,
    RetireForm,
    SkillForm,
)
from somu.org.models import (
    CompanyHoliday,
    Department,
    EmploymentType,
    Grade,
    Person,
    PersonStatus,
    Position,
    Skill,
)
from somu.org.permissions import EDIT_PEOPLE, MANAGE_STRUCTURE, VIEW_ORG
from somu.org.pickers import person_label

# ---- people --------------------------------------------------------------------------------------


def person_filters(request: HttpRequest) -> tuple[selectors.PersonFilter, str]:
    """The people list's filters from the query string (the list and its export share them),
    and the status as the page names it (``all`` for everyone)."""
    status = request.GET.get("status", PersonStatus.ACTIVE)
    filters = selectors.PersonFilter(
        q=request.GET.get("q", "").strip(),
        department_id=int_or_none(request.GET.get("department")),
        grade_id=int_or_none(request.GET.get("grade")),
        employment_type=request.GET.get("employment_type", ""),
        status="" if status == "all" else status,
        position_id=int_or_none(request.GET.get("position")),
    )
    return filters, status


@org_view(VIEW_ORG)
def person_list(request: HttpRequest) -> HttpResponse:
    filters, status = person_filters(request)
    page = paginate(request, selectors.person_list(filters=filters))
    context = {
        "page": page,
        "filters": filters,
        "status": status,
        "query": querystring_without_page(request),
        "departments": selectors.flatten_tree(selectors.department_tree(with_counts=False)),
        "grades": Grade.objects.all(),
        "positions": Position.objects.all(),
        "employment_types": EmploymentType.choices,
    }
    return render_page(request, "org/person_list.html", context, partial="org/_person_table.html")


@org_view(VIEW_ORG)
@require_GET
def person_search(request: HttpRequest) -> JsonResponse:
    """What a person picker offers for ``q``: at most 20 people of the active organization
    (active ones; ``status=all`` adds the retired), as JSON for ``person-picker.js``."""
    people = selectors.person_search(q=request.GET.get("q", ""),
                                     include_retired=request.GET.get("status") == "all")
    paths = selectors.department_paths() if any(p.department_id for p in people) else {}
    return JsonResponse({"results": [
        {"id": p.pk, "number": p.employee_number, "name": p.name, "kana": p.name_kana,
         "department": paths.get(p.department_id, "") if p.department_id else "",
         "label": person_label(p)}
        for p in people
    ]})


@org_view(VIEW_ORG)
def person_detail(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(selectors.person_list(filters=selectors.PersonFilter(status="")),
                               pk=person_id)
    membership = request.membership
    can_edit = _can_edit(request, person)
    history = audit_event_list(
        filters=AuditFilter(object_type="org.person", object_id=str(person.pk))
    )
    return render(request, "org/person_detail.html", {
        "person": person,
        "skills": selectors.person_skills(person=person),
        "headed": person.headed_departments.order_by("sort_order", "name"),
        "reports": person.reports.filter(status=PersonStatus.ACTIVE).order_by("employee_number"),
        "paths": selectors.department_paths(),
        "can_edit": can_edit,
        "history": present_events(history[:20]) if has_perm(membership, VIEW_AUDIT) else [],
        "retire_form": RetireForm(),
        # Whose login the retirement will deactivate (said on the retire form).
        "logins": [m.user.get_username() for m in person.memberships.filter(
            is_active=True).select_related("user").order_by("user__username")] if can_edit else [],
        "skill_form": PersonSkillForm(),
        "capacity": person.capacity_hours(membership.organization),
    })


def _can_edit(request: AuthedRequest, person: Person) -> bool:
    membership = request.membership
    return has_perm(membership, EDIT_PEOPLE, department_id=person.department_id)


@org_view(EDIT_PEOPLE)
def person_create(request: AuthedRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        department = form.cleaned_data["department"]
        require(request.membership, EDIT_PEOPLE,
                department_id=department.pk if department else None)
        try:
            person = services.person_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s has been added.") % {"name": person.name})
            return redirect("org:person_detail", person_id=person.pk)
    return render(request, "org/person_form.html", {"form": form, "person": None})


@org_view(EDIT_PEOPLE)
def person_edit(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id)
    require(request.membership,
            EDIT_PEOPLE, department_id=person.department_id)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        department = form.cleaned_data["department"]
        require(request.membership, EDIT_PEOPLE,
                department_id=department.pk if department else None)
        try:
            services.person_update(actor=request.user, person=person, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("org:person_detail", person_id=person.pk)
    return render(request, "org/person_form.html", {"form": form, "person": person})


@require_POST
@org_view(EDIT_PEOPLE)
def person_retire(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id)
    require(request.membership,
            EDIT_PEOPLE, department_id=person.department_id)
    form = RetireForm(request.POST)
    had_login = person.memberships.filter(is_active=True).exists()
    if form.is_valid():
        try:
            services.person_retire(
                actor=request.user, person=person, retired_on=form.cleaned_data["retired_on"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("%(name)s is now recorded as retired.") % {"name": person.name}
            )
            if had_login:
                messages.info(request, _("Their login to this organization has been "
                                         "deactivated."))
    else:
        messages.error(request, _("Enter a valid retirement date."))
    return redirect("org:person_detail", person_id=person.pk)


@require_POST
@org_view(EDIT_PEOPLE)
def person_reinstate(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id)
    require(request.membership,
            EDIT_PEOPLE, department_id=person.department_id)
    services.person_reinstate(actor=request.user, person=person)
    messages.success(request, _("%(name)s is active again.") % {"name": person.name})
    return redirect("org:person_detail", person_id=person.pk)


@require_POST
@org_view(EDIT_PEOPLE)
def person_skill_set(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id)
    require(request.membership,
            EDIT_PEOPLE, department_id=person.department_id)
    form = PersonSkillForm(request.POST)
    if form.is_valid():
        level = form.cleaned_data["level"]
        services.person_skill_set(actor=request.user, person=person,
                                  skill=form.cleaned_data["skill"], level=level or None)
        messages.success(request, _("The skill level has been saved."))
    else:
        messages.error(request, _("Choose a skill and a level."))
    return redirect("org:person_detail", person_id=person.pk)


# ---- departments ---------------------------------------------------------------------------------


@org_view(VIEW_ORG)
def department_tree(request: HttpRequest) -> HttpResponse:
    return render(request, "org/department_tree.html", {
        "nodes": selectors.flatten_tree(selectors.department_tree()),
    })


@org_view(MANAGE_STRUCTURE)
def department_create(request: HttpRequest) -> HttpResponse:
    form = DepartmentForm(request.POST or None,
                          initial={"parent": int_or_none(request.GET.get("parent"))})
    if request.method == "POST" and form.is_valid():
        try:
            services_positions.department_save(actor=request.user, department=None,
                                               data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The department has been added."))
            return redirect("org:department_tree")
    return render(request, "org/department_form.html", {"form": form, "department": None})


@org_view(MANAGE_STRUCTURE)
def department_edit(request: HttpRequest, department_id: int) -> HttpResponse:
    department = get_object_or_404(Department, pk=department_id)
    form = DepartmentForm(
        request.POST or None,
        initial={"name": department.name, "code": department.code, "parent": department.parent_id,
                 "head": department.head_id},
    )
    form.fields["parent"].queryset = Department.objects.exclude(  # type: ignore[attr-defined]
        pk__in=selectors.department_subtree_ids(department_id=department.pk)
    )
    if department.head_id:
        # A head who has since retired stays choosable, so editing the name keeps them.
        form.fields["head"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            Q(status=PersonStatus.ACTIVE) | Q(pk=department.head_id))
    if request.method == "POST" and form.is_valid():
        try:
            services_positions.department_save(actor=request.user, department=department,
                                               data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("org:department_tree")
    return render(request, "org/department_form.html", {"form": form, "department": department})


@require_POST
@org_view(MANAGE_STRUCTURE)
def department_move(request: HttpRequest, department_id: int) -> HttpResponse:
    department = get_object_or_404(Department, pk=department_id)
    services.department_move(actor=request.user, department=department,
                             direction=-1 if request.POST.get("direction") == "up" else 1)
    return redirect("org:department_tree")


@require_POST
@org_view(MANAGE_STRUCTURE)
def department_delete(request: HttpRequest, department_id: int) -> HttpResponse:
    department = get_object_or_404(Department, pk=department_id)
    try:
        services.department_delete(actor=request.user, department=department)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The department has been deleted."))
    return redirect("org:department_tree")


# ---- grades and skills ---------------------------------------------------------------------------


@org_view(VIEW_ORG)
def grade_list(request: HttpRequest) -> HttpResponse:
    return render(request, "org/grade_list.html", {"grades": selectors.grade_list()})


@org_view(MANAGE_STRUCTURE)
def grade_edit(request: HttpRequest, grade_id: int | None = None) -> HttpResponse:
    grade = get_object_or_404(Grade, pk=grade_id) if grade_id else None
    form = GradeForm(request.POST or None, instance=grade)
    if request.method == "POST" and form.is_valid():
        try:
            services.grade_save(actor=request.user, grade=grade, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The grade has been saved."))
            return redirect("org:grade_list")
    return render(request, "org/simple_form.html", {
        "form": form, "title": _("Edit grade") if grade else _("Add grade"),
        "back": "org:grade_list",
    })


@require_POST
@org_view(MANAGE_STRUCTURE)
def grade_delete(request: HttpRequest, grade_id: int) -> HttpResponse:
    grade = get_object_or_404(Grade, pk=grade_id)
    try:
        services.grade_delete(actor=request.user, grade=grade)
    except services.GradeInUse as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The grade has been deleted."))
    return redirect("org:grade_list")


@org_view(VIEW_ORG)
def skill_list(request: HttpRequest) -> HttpResponse:
    return render(request, "org/skill_list.html", {"skills": selectors.skill_list()})


@org_view(MANAGE_STRUCTURE)
def skill_edit(request: HttpRequest, skill_id: int | None = None) -> HttpResponse:
    skill = get_object_or_404(Skill, pk=skill_id) if skill_id else None
    form = SkillForm(request.POST or None, instance=skill)
    if request.method == "POST" and form.is_valid():
        try:
            services.skill_save(actor=request.user, skill=skill, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The skill has been saved."))
            return redirect("org:skill_list")
    return render(request, "org/simple_form.html", {
        "form": form, "title": _("Edit skill") if skill else _("Add skill"),
        "back": "org:skill_list",
    })


# ---- calendar ------------------------------------------------------------------------------------


@org_view(VIEW_ORG)
def calendar(request: AuthedRequest) -> HttpResponse:
    organization = request.membership.organization
    year = int_or_none(request.GET.get("year")) or dt.date.today().year
    year = min(max(year, 1950), 2150)
    form = CompanyHolidayForm(request.POST or None)
    if request.method == "POST":
        require(request.membership, MANAGE_STRUCTURE)
        if form.is_valid():
            try:
                services.company_holiday_add(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The company holiday has been added."))
                return redirect(f"{request.path}?year={year}")
    cal = selectors.business_calendar(organization=organization)
    days = [(d, reason) for d, reason in cal.non_business_days(year) if reason != "週休日"]
    context: dict[str, Any] = {
        "year": year,
        "holidays": days,
        "company_holidays": selectors.company_holiday_list(),
        "form": form,
        "business_days": cal.business_days_between(dt.date(year, 1, 1), dt.date(year + 1, 1, 1)),
    }
    return render(request, "org/calendar.html", context)


@require_POST
@org_view(MANAGE_STRUCTURE)
def company_holiday_delete(request: HttpRequest, holiday_id: int) -> HttpResponse:
    holiday = get_object_or_404(CompanyHoliday, pk=holiday_id)
    services.company_holiday_delete(actor=request.user, holiday=holiday)
    messages.success(request, _("The company holiday has been removed."))
    return redirect("org:calendar")
