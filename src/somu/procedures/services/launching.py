"""Launching runs: parameter values, assignees and the concrete steps of a new run.

The machinery behind :func:`somu.procedures.services.runs.run_launch` and
:func:`~somu.procedures.services.runs.runs_bulk_launch`. A :class:`Launcher` looks every person,
department and role holder up once, so launching ten thousand runs costs a handful of queries
plus the bulk inserts, whatever the number of steps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from somu.core import tenancy
from somu.core.permissions import role_label
from somu.org.models import Department, Membership, Person, PersonStatus
from somu.org.selectors import department_subtree_ids
from somu.procedures.engine.plan import due_order_problems
from somu.procedures.engine.spec import START, AssigneeRule, ParameterSpec, TemplateSpec
from somu.procedures.models import OPEN_STATES, SYSTEM_ACTOR, Step, Template
from somu.rules.calendar import BusinessCalendar

TRUE_WORDS: Final = frozenset({"true", "1", "yes", "on", "y", "はい"})
FALSE_WORDS: Final = frozenset({"false", "0", "no", "off", "n", "いいえ", ""})


class LaunchError(ValidationError):
    """The run cannot be launched; ``message_dict`` maps a parameter key (or ``"assignee"``)
    to what is wrong with it."""


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


@dataclass
class Params:
    """One launch's parameter values, coerced by type."""

    # For conditions and due rules: date, int ids (person, department), Decimal, bool, str, None.
    typed: dict[str, Any] = field(default_factory=dict)
    # For Run.params (JSON): dates ISO, people and departments by id, numbers as int or str.
    stored: dict[str, Any] = field(default_factory=dict)


class Directory:
    """The people and departments of the active organization that launches refer to.

    Lookups are batched: :meth:`preload` fetches every referenced person in one query; the
    department tree is read once.
    """

    def __init__(self) -> None:
        self.by_id: dict[int, Person] = {}
        self.by_number: dict[str, Person] = {}
        self._departments: list[tuple[int, int | None, str, str]] | None = None

    # ---- people ----

    def _remember(self, people: Iterable[Person]) -> None:
        for person in people:
            self.by_id[person.pk] = person
            self.by_number[person.employee_number] = person

    def preload(self, refs: Iterable[Any]) -> None:
        """Fetch the people ``refs`` name (ids, 社員番号 or Person) and their managers."""
        ids: set[int] = set()
        numbers: set[str] = set()
        for ref in refs:
            if isinstance(ref, Person):
                self._remember([ref])
            elif isinstance(ref, int) and not isinstance(ref, bool):
                ids.add(ref)
            elif isinstance(ref, str) and ref.strip():
                numbers.add(ref.strip())
                if ref.strip().isdigit():
                    ids.add(int(ref.strip()))
        ids -= set(self.by_id)
        numbers -= set(self.by_number)
        if ids or numbers:
            # The organization in the OR too, so that each branch can use an index, and the
            # managers in the same query.
            found = list(Person.objects.filter(Q(pk__in=ids) | Q(
                organization_id=tenancy.active_organization_id(), employee_number__in=numbers),
            ).select_related("manager").order_by())  # by 社員番号, SQLite read them all
            joined = {p.manager for p in found if p.manager is not None} - set(found)
            self._remember([*found, *joined])
            self._load_managers(skip={p.pk for p in joined})
        else:
            self._load_managers()

    def _load_managers(self, skip: Collection[int] = ()) -> None:
        missing = {p.manager_id for p in self.by_id.values()
                   if p.manager_id and p.pk not in skip} - set(self.by_id)
        if missing:
            self._remember(Person.objects.filter(pk__in=missing))

    def person(self, ref: Any) -> Person | None:
        """A person by Person, id (int) or 社員番号 (str; a string of digits may be an id)."""
        if isinstance(ref, Person):
            return ref
        if isinstance(ref, int) and not isinstance(ref, bool):
            if ref not in self.by_id:
                self.preload([ref])
            return self.by_id.get(ref)
        if isinstance(ref, str) and ref.strip():
            text = ref.strip()
            if text not in self.by_number and (not text.isdigit() or int(text) not in self.by_id):
                self.preload([text])
            found = self.by_number.get(text)
            if found is None and text.isdigit():
                found = self.by_id.get(int(text))
            return found
        return None

    def manager_of(self, person: Person) -> Person | None:
        if not person.manager_id:
            return None
        if person.manager_id not in self.by_id:
            self._remember(Person.objects.filter(pk=person.manager_id))
        return self.by_id.get(person.manager_id)

    # ---- departments ----

    @property
    def departments(self) -> list[tuple[int, int | None, str, str]]:
        if self._departments is None:
            self._departments = list(
                Department.objects.values_list("id", "parent_id", "name", "code")
            )
        return self._departments

    def department_id(self, ref: Any) -> int | None:
        """A department by Department, id, name or code."""
        if isinstance(ref, Department):
            return ref.pk
        if isinstance(ref, int) and not isinstance(ref, bool):
            return ref if any(d[0] == ref for d in self.departments) else None
        if isinstance(ref, str) and ref.strip():
            text = ref.strip()
            for pk, _parent, name, _code in self.departments:
                if name == text:
                    return pk
            for pk, _parent, _name, code in self.departments:
                if code and code == text:
                    return pk
            if text.isdigit():
                return self.department_id(int(text))
        return None

    def department_name(self, pk: int) -> str:
        return next((d[2] for d in self.departments if d[0] == pk), "")

    def subtree(self, pk: int) -> set[int]:
        children: dict[int | None, list[int]] = {}
        for dept_id, parent_id, _name, _code in self.departments:
            children.setdefault(parent_id, []).append(dept_id)
        result: set[int] = set()
        stack = [pk]
        while stack:
            current = stack.pop()
            if current not in result:
                result.add(current)
                stack.extend(children.get(current, []))
        return result


# ---- parameters ------------------------------------------------------------------------------


def _plain_number(number: Decimal) -> str:
    """1E+12 → "1,000,000,000,000", 0.50 → "0.5": a bound as people read it."""
    text = format(number.normalize(), ",f")
    return text


def _within_dates(param: ParameterSpec, day: dt.date) -> dt.date:
    low, high = param.date_bounds()
    if not low <= day <= high:
        raise ValueError(_("Enter a date from %(min)s to %(max)s.") % {
            "min": low.isoformat(), "max": high.isoformat()})
    return day


def _coerce_one(param: ParameterSpec, raw: Any, directory: Directory) -> tuple[Any, Any]:
    """(typed, stored) for one non-empty raw value; raises ValueError with the message."""
    kind = param.type
    if kind == "person":
        person = directory.person(raw)
        if person is None:
            raise ValueError(_("No person has this employee number or id."))
        return person.pk, person.pk
    if kind == "department":
        dept_id = directory.department_id(raw)
        if dept_id is None:
            raise ValueError(_("No department has this name, code or id."))
        return dept_id, dept_id
    if kind == "date":
        if isinstance(raw, dt.datetime):
            raw = raw.date()
        if isinstance(raw, dt.date):
            return _within_dates(param, raw), raw.isoformat()
        try:
            day = dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
        return _within_dates(param, day), day.isoformat()
    if kind == "choice":
        text = str(raw).strip()
        if text not in param.choices:
            choices = ", ".join(param.choices)
            raise ValueError(_("Choose one of: %(choices)s.") % {"choices": choices})
        return text, text
    if kind == "number":
        if isinstance(raw, bool):
            raise ValueError(_("Enter a number."))
        try:
            number = Decimal(str(raw).strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(_("Enter a number.")) from None
        if not number.is_finite():
            raise ValueError(_("Enter a number."))
        low, high = param.number_bounds()
        if not low <= number <= high:
            raise ValueError(_("Enter a number from %(min)s to %(max)s.") % {
                "min": _plain_number(low), "max": _plain_number(high)})
        stored: Any = int(number) if number == number.to_integral_value() else str(number)
        return number, stored
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw, raw
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True, True
        if word in FALSE_WORDS:
            return False, False
        raise ValueError(_("Enter yes or no."))
    text = str(raw).strip()
    return text, text


def coerce_params(
    spec: TemplateSpec, raw: Mapping[str, Any], directory: Directory, *, prefix: str = ""
) -> tuple[Params, dict[str, list[str]]]:
    """The typed values of ``raw`` and the problems by parameter key (``prefix`` + key).

    Keys that are not parameters of the spec are ignored (a form posts other fields too).
    A missing boolean is false; a missing value falls back to the parameter's default.
    """
    params = Params()
    errors: dict[str, list[str]] = {}
    for param in spec.parameters:
        value = raw.get(param.key)
        if _is_empty(value):
            value = param.default
        if _is_empty(value):
            if param.type == "boolean":
                params.typed[param.key], params.stored[param.key] = False, False
                continue
            if param.required:
                errors[prefix + param.key] = [_("This parameter is required.")]
            params.typed[param.key], params.stored[param.key] = None, None
            continue
        try:
            params.typed[param.key], params.stored[param.key] = _coerce_one(
                param, value, directory
            )
        except ValueError as exc:
            errors[prefix + param.key] = [str(exc)]
    return params, errors


def person_refs(spec: TemplateSpec, raw_sets: Iterable[Mapping[str, Any]]) -> list[Any]:
    """Every person reference in the parameter sets and the spec's fixed assignees."""
    keys = [p.key for p in spec.parameters if p.type == "person"]
    refs: list[Any] = [s.assignee.value for s in spec.steps if s.assignee.kind == "person"]
    for raw in raw_sets:
        refs.extend(raw.get(k) for k in keys if not _is_empty(raw.get(k)))
    return refs


# ---- assignees -------------------------------------------------------------------------------


class Unresolved(Exception):
    """An assignee rule gave nobody; ``str()`` is the user-facing reason.

    For a role nobody holds, ``role``/``department``/``step`` say which, so that the steps
    that fail for the same role are reported once (:func:`unresolved_messages`), and
    ``no_owner`` says the template's owner could not take them instead either.
    """

    def __init__(self, message: str, *, role: str = "", department: str = "", step: str = "",
                 no_owner: bool = False) -> None:
        super().__init__(message)
        self.role, self.department, self.step, self.no_owner = role, department, step, no_owner


def role_missing_message(*, role: str, department: str, steps: Iterable[str]) -> str:
    """One line for a role nobody holds and the steps assigned by it."""
    names = "、".join(dict.fromkeys(steps))
    if department:
        return _("Nobody in %(department)s has the role “%(role)s” (steps: %(steps)s).") % {
            "department": department, "role": role_label(role), "steps": names}
    return _("Nobody has the role “%(role)s” (steps: %(steps)s).") % {
        "role": role_label(role), "steps": names}


def unresolved_messages(failures: Iterable[Unresolved]) -> list[str]:
    """The launch problems as the user reads them: one line per missing role naming its
    steps (not one near-identical line per step), then the other problems, each once."""
    roles: dict[tuple[str, str], list[Unresolved]] = {}
    others: list[str] = []
    for failure in failures:
        if failure.role:
            roles.setdefault((failure.role, failure.department), []).append(failure)
        elif str(failure) not in others:
            others.append(str(failure))
    lines = []
    for (role, department), found in roles.items():
        line = role_missing_message(role=role, department=department,
                                    steps=[f.step for f in found])
        if any(f.no_owner for f in found):
            line += " " + _("The template has no active owner to take these steps instead.")
        lines.append(line)
    return lines + others


def due_order_warnings(steps: Sequence[Any], *, start: dt.date) -> dict[str, list[str]]:
    """By step key, why its due date looks wrong: before the start date, or before the due
    date of a step it waits for (:func:`~somu.procedures.engine.plan.due_order_problems`).
    ``steps`` are planned steps or a launched run's steps (``key``, ``name``, ``state``,
    ``due_date``, ``depends_on``)."""
    names = {s.key: s.name for s in steps}
    found: dict[str, list[str]] = {}
    for problem in due_order_problems(steps, start=start):
        if problem.before == START:
            text = _("Due %(date)s, before the start date %(start)s.") % {
                "date": problem.due_date.isoformat(), "start": problem.before_date.isoformat()}
        else:
            text = _("Due %(date)s, before “%(step)s” (due %(other)s), which it waits for.") % {
                "date": problem.due_date.isoformat(), "step": names.get(problem.before, ""),
                "other": problem.before_date.isoformat()}
        found.setdefault(problem.key, []).append(text)
    return found


def due_order_lines(steps: Sequence[Any], *, start: dt.date) -> list[str]:
    """:func:`due_order_warnings` as lines naming their step, for a launch's warnings."""
    names = {s.key: s.name for s in steps}
    return [f"{names[key]}: {text}"
            for key, texts in due_order_warnings(steps, start=start).items() for text in texts]


@dataclass(frozen=True)
class RoleNeed:
    """A role the procedure's steps are assigned by, which no active person holds yet."""

    role: str  # the raw role value (``staff``)
    department: str  # the department the rule names; "" for anywhere in the organization
    steps: tuple[str, ...]  # names of the steps that need it, in template order

    @property
    def role_label(self) -> str:
        return role_label(self.role)


def _holders_exist(role: str, department: str) -> bool:
    holders = Person.objects.filter(
        status=PersonStatus.ACTIVE, memberships__role=role, memberships__is_active=True)
    if department:
        found = Department.objects.filter(Q(name=department) | Q(code=department)).first()
        if found is None:
            return False
        holders = holders.filter(department_id__in=department_subtree_ids(department_id=found.pk))
    return holders.exists()


def role_needs(spec: TemplateSpec) -> list[RoleNeed]:
    """The roles ``spec``'s steps are assigned by that nobody (active, with a linked person)
    holds in the active organization: what to set up before the first launch, said once per
    role instead of once per step when it fails."""
    steps: dict[tuple[str, str], list[str]] = {}
    for step in spec.steps:
        if step.assignee.kind == "role":
            steps.setdefault((step.assignee.role, step.assignee.value), []).append(step.name)
    return [RoleNeed(role=role, department=department, steps=tuple(names))
            for (role, department), names in steps.items()
            if not _holders_exist(role, department)]


def launch_blockers(template: Template, spec: TemplateSpec) -> list[str]:
    """Why a launch of ``template`` fails whatever is typed: the roles its unconditional steps
    are assigned by that nobody holds, one line per role (the launch page disables its button
    and says why). None when the template's active owner takes such steps instead."""
    if spec.on_unresolved_assignee == "owner" and template.owner_id is not None:
        owner = Person.objects.filter(pk=template.owner_id, status=PersonStatus.ACTIVE)
        if owner.exists():
            return []
    # A step with a condition may be skipped: a role only it needs does not block the launch.
    always = replace(spec, steps=tuple(s for s in spec.steps if not s.condition))
    blocking = {(need.role, need.department) for need in role_needs(always)}
    return [role_missing_message(role=need.role, department=need.department, steps=need.steps)
            for need in role_needs(spec) if (need.role, need.department) in blocking]


class AssigneeResolver:
    """Turns assignee rules into people, spreading role work over the least-loaded holders.

    ``load`` counts each candidate's open steps (from the database, once) plus what this
    resolver has already handed out, so a bulk launch spreads evenly.
    """

    def __init__(self, directory: Directory, spec: TemplateSpec | None = None) -> None:
        self.directory = directory
        self.load: dict[int, int] = {}
        self._pools: dict[tuple[str, str], list[Person]] = {}
        # The pools the spec's role rules need, read together on the first use of any.
        self._wanted = [] if spec is None else [
            (s.assignee.role, s.assignee.value) for s in spec.steps if s.assignee.kind == "role"]

    def _read_pools(self, keys: Iterable[tuple[str, str]]) -> None:
        """The holders of the roles ``keys`` name (role, department or "" for anywhere), active
        and by 社員番号, and their open steps: two queries however many pools. A key naming no
        department is left out (:meth:`_pool` refuses it)."""
        subtrees: dict[tuple[str, str], set[int] | None] = {}
        for role, department in keys:
            dept_id = self.directory.department_id(department) if department else None
            if not department or dept_id is not None:
                subtrees[(role, department)] = self.directory.subtree(dept_id) if dept_id else None
        # From the memberships (index on organization and role), not from the people.
        memberships = Membership.objects.filter(
            role__in={role for role, _d in subtrees}, is_active=True,
            person__organization_id=tenancy.active_organization_id(),
            person__status=PersonStatus.ACTIVE).select_related("person").order_by()
        if all(depts is not None for depts in subtrees.values()):
            memberships = memberships.filter(person__department_id__in=set().union(*(
                depts for depts in subtrees.values() if depts is not None)))
        by_role: dict[str, dict[int, Person]] = {}
        for membership in memberships if subtrees else ():
            assert membership.person is not None
            by_role.setdefault(membership.role, {})[membership.person.pk] = membership.person
        for (role, department), depts in subtrees.items():
            self._pools[(role, department)] = sorted(
                (p for p in by_role.get(role, {}).values()
                 if depts is None or p.department_id in depts),
                key=lambda p: p.employee_number)
        holders = {p.pk: p for people in by_role.values() for p in people.values()}
        counts = dict(
            Step.objects.filter(assignee__in=list(holders), state__in=OPEN_STATES)
            # order_by(): Step's default ordering would join the run table for nothing.
            .order_by().values_list("assignee").annotate(n=Count("pk"))
            .values_list("assignee", "n")
        ) if holders else {}
        for person in holders.values():
            self.load.setdefault(person.pk, counts.get(person.pk, 0))
        self.directory._remember(holders.values())

    def _pool(self, role: str, department: str, step_name: str) -> list[Person]:
        key = (role, department)
        if key not in self._pools:
            # no department: a holder of the role anywhere in the organization
            if department and self.directory.department_id(department) is None:
                raise Unresolved(_("Step '%(step)s': there is no department %(department)s.")
                                 % {"step": step_name, "department": department})
            self._read_pools(dict.fromkeys([key, *self._wanted]))
            self._wanted = []
        return self._pools[key]

    def _active(self, person: Person, step_name: str) -> Person:
        if person.status != PersonStatus.ACTIVE:
            raise Unresolved(_("Step '%(step)s': %(person)s is no longer active.")
                             % {"step": step_name, "person": person.name})
        return person

    def _param_person(self, key: str, typed: Mapping[str, Any], step_name: str) -> Person:
        person_id = typed.get(key)
        person = self.directory.person(person_id) if person_id is not None else None
        if person is None:
            raise Unresolved(_("Step '%(step)s': the parameter %(param)s names nobody.")
                             % {"step": step_name, "param": key})
        return person

    def resolve(
        self, rule: AssigneeRule, *, step_name: str, typed: Mapping[str, Any],
        starter: Person | None,
    ) -> Person:
        """The person ``rule`` gives; raises :class:`Unresolved` naming the step and why."""
        if rule.kind == "person":
            person = self.directory.person(rule.value)
            if person is None:
                raise Unresolved(_("Step '%(step)s': no person has employee number %(number)s.")
                                 % {"step": step_name, "number": rule.value})
            return self._active(person, step_name)
        if rule.kind == "role":
            holders = self._pool(rule.role, rule.value, step_name)
            if not holders:
                raise Unresolved(
                    role_missing_message(role=rule.role, department=rule.value,
                                         steps=[step_name]),
                    role=rule.role, department=rule.value, step=step_name)
            chosen = min(holders, key=lambda p: (self.load.get(p.pk, 0), p.employee_number))
            self.load[chosen.pk] = self.load.get(chosen.pk, 0) + 1
            return chosen
        if rule.kind == "param":
            return self._active(self._param_person(rule.value, typed, step_name), step_name)
        if rule.kind == "manager_of":
            if rule.value in ("", "starter"):
                if starter is None:
                    raise Unresolved(_("Step '%(step)s': the run has no starter.")
                                     % {"step": step_name})
                subject = starter
            else:
                subject = self._param_person(rule.value, typed, step_name)
            manager = self.directory.manager_of(subject)
            if manager is None:
                raise Unresolved(_("Step '%(step)s': %(person)s has no manager.")
                                 % {"step": step_name, "person": subject.name})
            return self._active(manager, step_name)
        if starter is None:
            raise Unresolved(_(
                "Step '%(step)s': the run has no starter (the launching user is not linked "
                "to a person)."
            ) % {"step": step_name})
        return self._active(starter, step_name)


def assign(
    resolver: AssigneeResolver, template: Template, spec: TemplateSpec, step_key: str, *,
    typed: Mapping[str, Any], starter: Person | None,
) -> tuple[Person, bool]:
    """(assignee, flagged) for one step; raises :class:`Unresolved` when nobody can take it.

    With ``on_unresolved_assignee: owner`` an unresolvable rule hands the step to the
    template's owner, flagged for review.
    """
    step = spec.step(step_key)
    assert step is not None
    try:
        return resolver.resolve(step.assignee, step_name=step.name, typed=typed,
                                starter=starter), False
    except Unresolved as exc:
        if spec.on_unresolved_assignee != "owner":
            raise
        owner = resolver.directory.person(template.owner_id) if template.owner_id else None
        if owner is None or owner.status != PersonStatus.ACTIVE:
            raise Unresolved(
                f"{exc} " + _("The template has no active owner to take the step instead."),
                role=exc.role, department=exc.department, step=exc.step, no_owner=True,
            ) from None
        return owner, True


def actor_identity(user: Any) -> tuple[Person | None, str]:
    """The person the acting user is (their membership's person) and how the timeline names
    them: the person's name, else the login name, or "system" for the worker."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None, SYSTEM_ACTOR
    membership = (
        Membership.objects.filter(user_id=user.pk, is_active=True).select_related("person")
        .first()
    )
    person = membership.person if membership is not None else None
    return person, person.name if person is not None else user.get_username()


def default_run_name(
    template: Template, spec: TemplateSpec, typed: Mapping[str, Any], start: dt.date,
    directory: Directory,
) -> str:
    """「山田 太郎さん 入社手続き」 with a person parameter, else 「月次決算 2026-04-03」."""
    for param in spec.parameters:
        if param.type == "person" and typed.get(param.key) is not None:
            person = directory.person(typed[param.key])
            if person is not None:
                return f"{person.name}さん {template.name}"[:300]
    return f"{template.name} {start.isoformat()}"[:300]


def calendar_for_active_organization() -> BusinessCalendar:
    from somu.org.models import Organization
    from somu.org.selectors import business_calendar

    organization = Organization.objects.get(pk=tenancy.active_organization_id())
    return business_calendar(organization=organization)
