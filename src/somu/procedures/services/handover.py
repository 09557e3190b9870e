"""Bulk handover (引継ぎ): everything one person holds goes to another, effective on a date.

A person A holds four kinds of things in procedures:

1. open steps (waiting or ready) of running runs assigned to A;
2. assignee rules in templates naming A (``{person: <A's 社員番号>}``);
3. the ownership of templates (flagged steps go to the owner);
4. the ownership of schedules.

:func:`handover_preview` lists them as a :class:`HandoverPlan` and changes nothing;
:func:`handover_execute` recomputes the same plan under lock, applies it and stores the executed
items as the 引継書 (handover document) in :class:`~somu.procedures.models.Handover`. The preview
and the execution share one planning function, so what the admin confirmed is what happens — and
if the holdings changed in between (a step completed meanwhile), :class:`HandoverChanged` says so
instead of executing a plan nobody has seen.

The effective date splits the open steps: when it lies in the future, a step due before it stays
with A (残務: A completes it before the move) and the others move now; from the effective date on
(an effective date of today included), every open step moves, overdue ones too: A is gone, so
nobody else would do them. Template rules and ownership move at execution: new runs launched from
then on already go to B, which is what an announced 異動 wants.

What a handover cannot move is the roles of A's account (管理部門スタッフ, …): they belong to the
account, not to A's work, and a template step assigned ``{role: staff}`` keeps going to A while A
holds the role. :func:`role_uses` lists them so the plan and the 引継書 say so and link to the
account page, where the admin changes the role.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Final, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from somu.audit.services import audit_record, audit_record_many
from somu.core.permissions import role_label
from somu.org.models import Department, Membership, Person, User
from somu.org.selectors import department_subtree_ids
from somu.org.services import Actor
from somu.procedures.engine.render import fill_placeholders
from somu.procedures.engine.spec import SpecError
from somu.procedures.models import (
    OPEN_STATES,
    EventKind,
    Handover,
    Run,
    RunStatus,
    Schedule,
    Step,
    StepEvent,
    StepState,
    Template,
)
from somu.procedures.selectors import runs as run_selectors
from somu.procedures.selectors import templates as template_selectors
from somu.procedures.services import templates as template_services
from somu.procedures.services.launching import actor_identity
from somu.procedures.services.notices import notify_ready

ItemKind = Literal["step", "template_rule", "template_owner", "schedule_owner"]
ITEM_KINDS: Final[tuple[str, ...]] = ("step", "template_rule", "template_owner", "schedule_owner")


@dataclass(frozen=True)
class HandoverItem:
    """One line of the 引継書: a thing A holds and what happens to it.

    ``moves`` is False for 残務 — an open step due before a future effective date, which A
    completes before the move. ``instructions`` is Markdown: a step's instructions with the run's
    parameters filled in, or the template's description for ownership items.
    """

    kind: ItemKind
    object_id: int  # the step, template or schedule
    moves: bool = True
    template_id: int | None = None
    template_name: str = ""
    run_id: int | None = None
    run_name: str = ""
    step_key: str = ""
    step_name: str = ""
    schedule_name: str = ""
    state: str = ""  # a StepState value for steps; "active"/"inactive" for schedules
    due_date: dt.date | None = None
    instructions: str = ""
    checklist: tuple[str, ...] = ()
    notes: str = ""  # e.g. the statutory basis of a step's deadline

    @property
    def key(self) -> str:
        """Identifies the item across a preview and its execution."""
        return f"{self.kind}:{self.object_id}:{self.step_key}"

    @property
    def stays(self) -> bool:
        return not self.moves

    @property
    def state_label(self) -> str:
        if self.kind == "step" and self.state in StepState.values:
            return str(StepState(self.state).label)
        if self.kind == "schedule_owner":
            return (pgettext("schedule", "Active") if self.state == "active"
                    else pgettext("schedule", "Paused"))
        return ""

    @property
    def kind_label(self) -> str:
        return str(kind_labels()[self.kind])

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["due_date"] = self.due_date.isoformat() if self.due_date else None
        data["checklist"] = list(self.checklist)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HandoverItem:
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        if values.get("due_date"):
            values["due_date"] = dt.date.fromisoformat(values["due_date"])
        values["checklist"] = tuple(values.get("checklist") or ())
        return cls(**values)


def kind_labels() -> dict[str, str]:
    return {
        "step": _("Step"),
        "template_rule": _("Assignee rule"),
        "template_owner": _("Template owner"),
        "schedule_owner": _("Schedule owner"),
    }


def item_change(item: HandoverItem, *, from_name: str, to_name: str) -> str:
    """What the handover does to ``item``, as the 引継書's 備考 column says it."""
    if item.kind == "step":
        if item.stays:
            return _("%(from)s completes this before the move") % {"from": from_name}
        return _("Assignee: %(from)s → %(to)s") % {"from": from_name, "to": to_name}
    if item.kind == "template_rule":
        return _("The step goes to %(to)s in a new template version; running runs keep "
                 "theirs") % {"to": to_name}
    return _("Owner: %(from)s → %(to)s") % {"from": from_name, "to": to_name}


@dataclass(frozen=True)
class RoleUse:
    """A role of A's account that a template's assignee rules use: the handover leaves it.

    New runs of the template can still assign the steps to A until the role is changed in
    アカウントとロール.
    """

    role: str  # the raw role value (``staff``)
    department: str  # the department the rules name; "" for anywhere in the organization
    template_id: int
    template_name: str
    steps: tuple[str, ...]  # names of the steps assigned by the role, in template order

    @property
    def role_label(self) -> str:
        return role_label(self.role)

    def as_json(self) -> dict[str, Any]:
        return {"role": self.role, "role_label": self.role_label, "department": self.department,
                "template_id": self.template_id, "template_name": self.template_name,
                "steps": list(self.steps)}


def role_uses(person: Person) -> list[RoleUse]:
    """The roles ``person``'s active accounts hold that templates' assignee rules use, by
    template — what a handover does not move (the role stays with the account)."""
    roles = set(Membership.objects.filter(person=person, is_active=True)
                .values_list("role", flat=True))
    if not roles:
        return []
    in_department: dict[str, bool] = {}

    def covers(department: str) -> bool:
        # A rule naming a department only picks holders within it (subdepartments included).
        if not department:
            return True
        if department not in in_department:
            found = Department.objects.filter(Q(name=department) | Q(code=department)).first()
            in_department[department] = found is not None and person.department_id in (
                department_subtree_ids(department_id=found.pk))
        return in_department[department]

    uses: list[RoleUse] = []
    templates = Template.objects.filter(archived=False, current_version__isnull=False
                                        ).select_related("current_version").order_by("name", "pk")
    for template in templates:
        spec = template_selectors.version_spec(template.current_version)  # type: ignore[arg-type]
        steps: dict[tuple[str, str], list[str]] = {}
        for step in spec.steps:
            rule = step.assignee
            if rule.kind == "role" and rule.role in roles and covers(rule.value):
                steps.setdefault((rule.role, rule.value), []).append(step.name)
        uses += [RoleUse(role=role, department=department, template_id=template.pk,
                         template_name=template.name, steps=tuple(names))
                 for (role, department), names in steps.items()]
    return uses


def role_uses_by_role(uses: Sequence[RoleUse]) -> list[tuple[str, list[RoleUse]]]:
    """``uses`` grouped under each role's label, as the pages list them."""
    grouped: dict[str, list[RoleUse]] = {}
    for use in uses:
        grouped.setdefault(use.role_label, []).append(use)
    return list(grouped.items())


@dataclass
class HandoverPlan:
    """What a handover would do, listed before anything changes."""

    from_person: Person
    to_person: Person
    effective_date: dt.date
    today: dt.date
    items: list[HandoverItem] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # blocking: the handover cannot run
    warnings: list[str] = field(default_factory=list)  # worth knowing, not blocking
    roles_kept: list[RoleUse] = field(default_factory=list)  # what the handover cannot move

    @property
    def moving(self) -> list[HandoverItem]:
        return [i for i in self.items if i.moves]

    @property
    def staying(self) -> list[HandoverItem]:
        return [i for i in self.items if not i.moves]

    @property
    def can_execute(self) -> bool:
        return not self.errors and bool(self.items)

    @property
    def digest(self) -> str:
        """A fingerprint of the items: the page sends it back to detect a changed plan."""
        text = "\n".join(f"{i.key}:{int(i.moves)}" for i in self.items)
        text += f"\n{self.from_person.pk}>{self.to_person.pk}@{self.effective_date}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def counts(self) -> dict[str, int]:
        result = dict.fromkeys(ITEM_KINDS, 0)
        for item in self.items:
            result[item.kind] += 1
        return result


class HandoverChanged(ValidationError):
    """The holdings changed since the preview: ``plan`` is the new one to show."""

    def __init__(self, plan: HandoverPlan) -> None:
        self.plan = plan
        super().__init__(_("What %(name)s holds changed since the preview. Check the new list "
                           "and execute again.") % {"name": plan.from_person.name})


# ---- planning ---------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _run_values(run: Run) -> dict[str, str]:
    """The display values ``{{param}}`` stands for in the run's instructions (as on the step
    page: names for people, dates written out, plus ``start`` and ``starter``)."""
    values = {key: text for key, _label, text in run_selectors.run_param_display(run=run)}
    values["start"] = formats.date_format(run.start_date)
    if run.starter is not None:
        values["starter"] = run.starter.name
    return values


def _step_items(steps: Iterable[Step], *, effective_date: dt.date, today: dt.date
                ) -> list[HandoverItem]:
    future = effective_date > today
    values: dict[int, dict[str, str]] = {}
    items = []
    for step in steps:
        spec = template_selectors.version_spec(step.run.version).step(step.key)
        stays = future and step.due_date is not None and step.due_date < effective_date
        instructions = spec.instructions if spec else ""
        if "{{" in instructions:
            if step.run_id not in values:
                values[step.run_id] = _run_values(step.run)
            instructions = fill_placeholders(instructions, values[step.run_id])
        items.append(HandoverItem(
            kind="step", object_id=step.pk, moves=not stays,
            template_id=step.run.template_id, template_name=step.run.template.name,
            run_id=step.run_id, run_name=step.run.name, step_key=step.key, step_name=step.name,
            state=step.state, due_date=step.due_date, instructions=instructions,
            checklist=tuple(spec.checklist) if spec else (),
            notes=spec.notes if spec else "",
        ))
    return items


def _open_steps(person: Person) -> Any:
    return Step.objects.filter(
        assignee=person, state__in=OPEN_STATES, run__status=RunStatus.RUNNING,
    )


def _rule_items(person: Person) -> list[HandoverItem]:
    """One item per template step whose assignee rule names ``person`` by 社員番号."""
    items = []
    number = person.employee_number
    templates = Template.objects.filter(archived=False, current_version__isnull=False
                                        ).select_related("current_version")
    for template in templates:
        # The stored spec is JSON: skip the parse unless the 社員番号 appears at all.
        if number not in str(template.current_version.spec):  # type: ignore[union-attr]
            continue
        spec = template_selectors.version_spec(template.current_version)  # type: ignore[arg-type]
        # No run yet: a placeholder reads as the parameter's name, 〈入社者〉.
        names = {p.key: f"〈{p.label or p.key}〉" for p in spec.parameters}
        names.update({"start": f"〈{_('start date')}〉", "starter": f"〈{_('starter')}〉"})
        for step in spec.steps:
            if step.assignee.kind == "person" and step.assignee.value == number:
                items.append(HandoverItem(
                    kind="template_rule", object_id=template.pk, template_id=template.pk,
                    template_name=template.name, step_key=step.key, step_name=step.name,
                    instructions=fill_placeholders(step.instructions, names),
                    checklist=tuple(step.checklist),
                    notes=step.notes,
                ))
    return items


def _owner_items(person: Person) -> list[HandoverItem]:
    items = [
        HandoverItem(kind="template_owner", object_id=t.pk, template_id=t.pk,
                     template_name=t.name, instructions=t.description)
        for t in Template.objects.filter(owner=person).order_by("name", "pk")
    ]
    items += [
        HandoverItem(kind="schedule_owner", object_id=s.pk, template_id=s.template_id,
                     template_name=s.template.name, schedule_name=s.name,
                     state="active" if s.active else "inactive",
                     instructions=s.template.description)
        for s in Schedule.objects.filter(owner=person).select_related("template"
                                                                      ).order_by("name", "pk")
    ]
    return items


def _sort_key(item: HandoverItem) -> tuple[Any, ...]:
    # By due date (undated last), then kind, then the names people scan for.
    return (item.due_date is None, item.due_date or dt.date.max, ITEM_KINDS.index(item.kind),
            item.run_name or item.template_name, item.run_id or 0, item.step_name,
            item.schedule_name, item.object_id, item.step_key)


def _checks(plan: HandoverPlan) -> None:
    a, b = plan.from_person, plan.to_person
    if a.pk == b.pk:
        plan.errors.append(_("The predecessor and the successor are the same person."))
    if not b.is_active:
        plan.errors.append(_("%(name)s has retired: choose an active successor.") % {
            "name": b.name})
    if not Membership.objects.filter(person=b, is_active=True).exists():
        plan.warnings.append(_(
            "%(name)s has no login account: they will not see the steps in My tasks until an "
            "account is linked to them.") % {"name": b.name})
    if plan.effective_date <= plan.today and any(i.kind == "step" for i in plan.items):
        plan.warnings.append(_("The handover is effective today or earlier: every open step "
                               "moves now, overdue ones included."))
    if plan.roles_kept:
        labels = "、".join(dict.fromkeys(u.role_label for u in plan.roles_kept))
        plan.warnings.append(_(
            "%(name)s's account keeps the role %(roles)s: the handover does not move roles, so "
            "template steps assigned by that role can still go to %(name)s. Change the role in "
            "Accounts and roles.") % {"name": a.name, "roles": labels})
    if not plan.items:
        plan.warnings.append(_("%(name)s holds nothing to hand over.") % {"name": a.name})


def _plan(*, from_person: Person, to_person: Person, effective_date: dt.date, today: dt.date,
          steps: Sequence[Step]) -> HandoverPlan:
    plan = HandoverPlan(from_person=from_person, to_person=to_person,
                        effective_date=effective_date, today=today)
    items = _step_items(steps, effective_date=effective_date, today=today)
    items += _rule_items(from_person) + _owner_items(from_person)
    plan.items = sorted(items, key=_sort_key)
    plan.roles_kept = role_uses(from_person)
    _checks(plan)
    return plan


def handover_preview(*, from_person: Person, to_person: Person, effective_date: dt.date,
                     today: dt.date | None = None) -> HandoverPlan:
    """Everything ``from_person`` holds and what the handover would do with it (no change)."""
    steps = list(_open_steps(from_person).select_related(
        "run", "run__version", "run__template", "run__starter"))
    return _plan(from_person=from_person, to_person=to_person, effective_date=effective_date,
                 today=today or _today(), steps=steps)


# ---- execution --------------------------------------------------------------------------------


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


@transaction.atomic
def handover_execute(*, actor: Actor, from_person: Person, to_person: Person,
                     effective_date: dt.date, note: str = "", today: dt.date | None = None,
                     expected_digest: str | None = None) -> Handover:
    """Hand over what ``from_person`` holds; returns the :class:`Handover` (the 引継書).

    The open steps are locked first, so a step completed or reassigned concurrently is either
    seen as it ends up or waits for the handover. With ``expected_digest`` (the preview's
    :attr:`HandoverPlan.digest`) a plan that differs from the one shown raises
    :class:`HandoverChanged` and changes nothing.
    """
    # Lock as the step services do, runs before steps (in id order), so that a completion
    # racing with the handover queues behind it instead of deadlocking.
    run_ids = _open_steps(from_person).values_list("run_id", flat=True)
    list(Run.objects.filter(pk__in=run_ids).order_by("pk").select_for_update(
        of=("self",)).values_list("pk", flat=True))
    locked = list(_open_steps(from_person).order_by("pk").select_for_update(
        of=("self",)).values_list("pk", flat=True))
    steps = list(Step.objects.filter(pk__in=locked).select_related(
        "run", "run__version", "run__template", "run__starter"))
    plan = _plan(from_person=from_person, to_person=to_person, effective_date=effective_date,
                 today=today or _today(), steps=steps)
    if expected_digest is not None and expected_digest != plan.digest:
        raise HandoverChanged(plan)
    if plan.errors:
        raise ValidationError(plan.errors)
    if not plan.items:
        raise ValidationError(_("%(name)s holds nothing to hand over.") % {
            "name": from_person.name})

    handover = Handover.objects.create(
        from_person=from_person, to_person=to_person, effective_date=effective_date,
        note=note, items=[i.as_json() for i in plan.items],
        executed_by=_user(actor),
    )
    entries: list[dict[str, Any]] = []
    entries += _move_steps(actor, handover, {s.pk: s for s in steps},
                           [i for i in plan.moving if i.kind == "step"])
    _move_rules(actor, handover, [i for i in plan.items if i.kind == "template_rule"])
    entries += _move_owners(handover, plan.items)
    audit_record_many(actor=actor, entries=entries)
    audit_record(actor=actor, action="procedure_handover.execute", obj=handover, changes={
        "from_person": [None, from_person.pk], "to_person": [None, to_person.pk],
        "effective_date": [None, effective_date], "items": [None, len(plan.items)],
        "moved": [None, len(plan.moving)], "stayed": [None, len(plan.staying)],
    })
    return handover


def _move_steps(actor: Actor, handover: Handover, steps: Mapping[int, Step],
                items: Sequence[HandoverItem]) -> list[dict[str, Any]]:
    a, b = handover.from_person, handover.to_person
    moved = [steps[i.object_id] for i in items]
    for step in moved:
        step.assignee = b
        step.assignee_flagged = False
        step.revision += 1
    Step.objects.bulk_update(moved, ["assignee", "assignee_flagged", "revision"], batch_size=500)
    # The successor is told of the steps that wait for them now; a waiting one tells them when
    # it becomes ready, as for any assignee.
    actor_person, label = actor_identity(actor)
    notify_ready([s for s in moved if s.state == StepState.READY],
                 run_names={s.run_id: s.run.name for s in moved},
                 actor_person_id=actor_person.pk if actor_person else None)
    user = _user(actor)
    StepEvent.objects.bulk_create([
        StepEvent(organization_id=step.organization_id, run_id=step.run_id, step=step,
                  kind=EventKind.HANDED_OVER, actor=user, actor_label=label,
                  comment=handover.note,
                  data={"from": a.pk, "to": b.pk, "from_name": a.name, "to_name": b.name,
                        "handover": handover.pk})
        for step in moved
    ], batch_size=500)
    return [{"action": "procedure_step.hand_over", "obj": step,
             "changes": {"assignee": [a.pk, b.pk], "handover": [None, handover.pk]}}
            for step in moved]


def _move_rules(actor: Actor, handover: Handover, items: Sequence[HandoverItem]) -> None:
    """A new version of each template whose rules name A, naming B instead (audited by the
    template service); running runs keep the version they were launched with."""
    a, b = handover.from_person, handover.to_person
    by_template: dict[int, set[str]] = {}
    for item in items:
        by_template.setdefault(item.object_id, set()).add(item.step_key)
    for template in Template.objects.filter(pk__in=by_template).select_related(
            "current_version"):
        spec = template_selectors.version_spec(template.current_version)  # type: ignore[arg-type]
        keys = by_template[template.pk]
        steps = tuple(
            replace(s, assignee=replace(s.assignee, value=b.employee_number))
            if s.key in keys else s
            for s in spec.steps
        )
        try:
            template_services.template_save(
                actor=actor, template=template, spec=replace(spec, steps=steps),
                note=_("Handover: %(from)s → %(to)s") % {"from": a.name, "to": b.name},
            )
        except SpecError as exc:
            raise ValidationError(_("The template “%(name)s” cannot be saved with %(to)s in its "
                                    "assignee rules: %(problems)s") % {
                "name": template.name, "to": b.name, "problems": str(exc)}) from exc


def _move_owners(handover: Handover, items: Sequence[HandoverItem]) -> list[dict[str, Any]]:
    a, b = handover.from_person, handover.to_person
    template_ids = [i.object_id for i in items if i.kind == "template_owner"]
    schedule_ids = [i.object_id for i in items if i.kind == "schedule_owner"]
    entries: list[dict[str, Any]] = []
    changes = {"owner": [a.pk, b.pk], "handover": [None, handover.pk]}
    if template_ids:
        Template.objects.filter(pk__in=template_ids).update(owner=b, updated_at=timezone.now())
        entries += [{"action": "procedure_template.hand_over", "obj": t, "changes": changes}
                    for t in Template.objects.filter(pk__in=template_ids)]
    if schedule_ids:
        Schedule.objects.filter(pk__in=schedule_ids).update(owner=b)
        entries += [{"action": "procedure_schedule.hand_over", "obj": s, "changes": changes}
                    for s in Schedule.objects.filter(pk__in=schedule_ids)]
    return entries


# ---- reading ----------------------------------------------------------------------------------


def handover_items(handover: Handover) -> list[HandoverItem]:
    """The 引継書 as it was executed."""
    return [HandoverItem.from_json(d) for d in handover.items]


def handover_list() -> Any:
    return Handover.objects.select_related("from_person", "to_person", "executed_by")


def handover_get(*, handover_id: int) -> Handover:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(handover_list(), pk=handover_id)
