"""The work an item starts, and how it closes.

- 標準化: :func:`item_standardize` links the task's template (or creates a draft one through
  procedures' services) and the page opens the template editor on it; the item is done once a
  template for the task is *in use* — a run launched, or an active schedule, after the item was
  made.
- 多能工化: :func:`item_training` launches a run of the training template ("OJT・多能工化
  トレーニング", created on first use) with the learner, the teacher, the task and the target
  level; the item is done when that run completes.

:func:`items_close_fulfilled` closes what is fulfilled; the worker runs it daily
(:mod:`somu.plans.schedule_jobs`) and the item page can ask for it at once.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from somu.audit.services import audit_record
from somu.core.errors import Conflict
from somu.org.models import Person
from somu.plans.models import Item, ItemKind, ItemStatus
from somu.plans.services.items import Actor, _locked, item_url, set_work, status_label
from somu.procedures.models import Run, RunStatus, Schedule, Template
from somu.procedures.services import runs as run_services
from somu.procedures.services import templates as template_services
from somu.survey.models import Capability, RoundStatus, Task

TRAINING_TEMPLATE: Final = "OJT・多能工化トレーニング"
LEARNER, TEACHER, TASK, LEVEL = "受講者", "指導者", "対象業務", "目標レベル"
CLOSED: Final = (ItemStatus.DONE, ItemStatus.CANCELLED)
LEVEL_NAMES: Final = {1: "1 見習い中", 2: "2 マニュアルがあればできる", 3: "3 一人でできる",
                      4: "4 人に教えられる"}


def training_spec() -> dict[str, Any]:
    """The training template's definition: the teacher plans and shows, the learner practises,
    the teacher confirms the level reached."""
    return {
        "name": TRAINING_TEMPLATE,
        "category": "改善施策",
        "description": "多能工化のためのOJT。指導者が手本を見せ、受講者が実際にやってみて、"
                       "目標レベルに届いたかを指導者が確かめる。改善計画の「多能工化」施策から起動する。",
        "parameters": [
            {"key": LEARNER, "label": "受講者（覚える人）", "type": "person"},
            {"key": TEACHER, "label": "指導者（教える人）", "type": "person"},
            {"key": TASK, "label": "対象の業務", "type": "text"},
            {"key": LEVEL, "label": "目標レベル", "type": "choice",
             "choices": list(LEVEL_NAMES.values())},
        ],
        "steps": [
            {"key": "plan", "name": "指導計画を立てる", "assignee": {"param": TEACHER},
             "instructions": "{{受講者}}さんに「{{対象業務}}」を教える段取り"
                             "（時期・回数・使う手順書）を決めて、受講者と共有する。"
                             "目標: {{目標レベル}}。",
             "due": {"from": "start", "offset": 3}, "estimated_minutes": 30},
            {"key": "demonstrate", "name": "手本を見せる", "assignee": {"param": TEACHER},
             "depends_on": ["plan"],
             "instructions": "実際の業務で「{{対象業務}}」をやって見せ、"
                             "要点とつまずきやすい所を説明する。",
             "due": {"from": "start", "offset": 10}, "estimated_minutes": 60},
            {"key": "practice", "name": "自分でやってみる", "assignee": {"param": LEARNER},
             "depends_on": ["demonstrate"],
             "instructions": "指導者に見てもらいながら「{{対象業務}}」を自分でやる。"
                             "分からなかった点を書き残す。",
             "due": {"from": "start", "offset": 20}, "estimated_minutes": 120},
            {"key": "confirm", "name": "到達レベルを確かめる", "assignee": {"param": TEACHER},
             "depends_on": ["practice"],
             "instructions": "{{受講者}}さんが{{目標レベル}}に届いたかを確かめる。"
                             "届いていれば完了にする。次の業務調査で対応可能レベルを答えてもらう。",
             "checklist": ["一人で最後までできた", "つまずいた点を手順書に反映した"],
             "due": {"from": "start", "offset": 30}, "estimated_minutes": 30},
        ],
    }


def training_template(*, actor: Actor) -> Template:
    """The organization's training template (not archived), created on first use. Once it
    is archived (somebody retired it), a new one is made beside it — 「…（2）」, as template
    names are unique — rather than launching nothing."""
    found = Template.objects.filter(
        Q(name=TRAINING_TEMPLATE) | Q(name__regex=rf"^{re.escape(TRAINING_TEMPLATE)}（[0-9]+）$"),
        archived=False).order_by("-pk").first()
    if found is not None:
        return found
    spec = {**training_spec(), "name": _free_name(TRAINING_TEMPLATE)}
    return template_services.template_save(actor=actor, template=None, spec=spec,
                                           note=_("Created for cross-training items"))


def _open_work(item: Item, kind: str) -> None:
    if item.kind != kind:
        raise ValidationError(_("This item is not of that type."))
    if item.status in CLOSED:
        raise ValidationError(_("This item is closed (%(status)s): reopen it first.")
                              % {"status": status_label(item.status)})
    if item.task_id is None:
        raise ValidationError({"task": _("Choose the task this item is about first.")})


def _draft_spec(task: Task, name: str) -> dict[str, Any]:
    return {
        "name": name, "category": task.function,
        "description": _("Draft made from improvement item: write the steps of “%(task)s”.")
        % {"task": task.name},
        "tasks": [task.path],
        "steps": [{"key": "step1", "name": task.name}],
    }


def _free_name(base: str) -> str:
    name, n = base, 2
    while Template.objects.filter(name=name).exists():
        name, n = f"{base}（{n}）", n + 1
    return name[:200]


@transaction.atomic
def item_standardize(*, actor: Actor, item: Item, today: dt.date) -> Template:
    """Link the template that standardizes the item's task: the item's own, else one already
    linked to the task, else a new draft linked to it (opened in the editor by the page)."""
    item = _locked(item)
    _open_work(item, ItemKind.STANDARDIZE)
    task = Task.objects.get(pk=item.task_id or 0)
    template = None
    if item.template_id is not None:
        template = Template.objects.filter(pk=item.template_id, archived=False).first()
    if template is None:
        template = Template.objects.filter(tasks=task, archived=False).order_by("pk").first()
    if template is None:
        template = template_services.template_save(
            actor=actor, template=None,
            spec=_draft_spec(task, _free_name(_("Procedure: %(task)s") % {"task": task.name})),
            note=_("Draft for improvement item #%(number)s") % {"number": item.number})
    elif not template.tasks.filter(pk=task.pk).exists():
        template_services.template_link_tasks(
            actor=actor, template=template,
            task_ids=[*template.tasks.values_list("pk", flat=True), task.pk])
    status = ItemStatus.IN_PROGRESS if item.status in (
        ItemStatus.PROPOSED, ItemStatus.PLANNED) else item.status
    changes = set_work(item, template=template, status=status)
    if changes:
        audit_record(actor=actor, action="plan_item.standardize", obj=item, changes=changes)
    return template


def capability_level(person: Person, task: Task | int) -> int | None:
    """The person's capability on the task in the latest closed round that rated it (else the
    latest round still open; None: never rated)."""
    rated = Capability.objects.filter(person=person, task=task).order_by(
        F("round__due_on").desc(nulls_last=True), "-round__created_at")
    # A closed round's answer, else one still being collected.
    closed = rated.filter(round__status=RoundStatus.CLOSED).values_list("level", flat=True)
    return closed.first() if closed.exists() else rated.values_list("level", flat=True).first()


@transaction.atomic
def item_training(*, actor: Actor, item: Item, learner: Person | None, teacher: Person | None,
                  target_level: Any, start_on: dt.date | None, today: dt.date) -> Run:
    """Start the training assignment of a 多能工化 item: a run of the training template."""
    item = _locked(item)
    _open_work(item, ItemKind.CROSS_TRAIN)
    if item.training_run_id is not None and Run.objects.filter(
            pk=item.training_run_id, status=RunStatus.RUNNING).exists():
        raise Conflict(_("The training of this item is already running."))
    errors: dict[str, str] = {}
    org_id = item.organization_id
    task = Task.objects.get(pk=item.task_id or 0)
    for field, person in (("learner", learner), ("teacher", teacher)):
        if person is None or person.organization_id != org_id:
            errors[field] = _("Choose a person of this organization.")
        elif not person.is_active:
            errors[field] = _("%(name)s has retired.") % {"name": person.name}
    try:
        level = int(target_level)
    except (TypeError, ValueError):
        level = 0
    if not 1 <= level <= 4:
        errors["target_level"] = _("The target capability is a level from 1 to 4.")
    if start_on is None:
        errors["start_on"] = _("Enter the start date.")
    elif start_on < today:
        errors["start_on"] = _("The start date %(date)s is in the past: choose today or a later "
                               "date.") % {"date": start_on.isoformat()}
    if learner is not None and teacher is not None and learner.pk == teacher.pk \
            and "learner" not in errors:
        errors["teacher"] = _("Choose someone else to teach: the learner cannot teach "
                              "themselves.")
    if "learner" not in errors and learner is not None and "target_level" not in errors:
        current = capability_level(learner, task)
        if current is not None and current >= level:
            errors["learner"] = _("%(name)s can already do “%(task)s” at level %(level)s "
                                  "(target %(target)s): choose someone still below it.") % {
                "name": learner.name, "task": task.name, "level": current, "target": level}
    if "teacher" not in errors and teacher is not None:
        current = capability_level(teacher, task)
        if current is None or current < 4:
            errors["teacher"] = _("%(name)s cannot teach “%(task)s” (capability %(level)s; "
                                  "teaching needs 4 “can teach”).") % {
                "name": teacher.name, "task": task.name,
                "level": current if current is not None else "—"}
    if errors:
        raise ValidationError(errors)
    assert learner is not None and teacher is not None and start_on is not None
    template = training_template(actor=actor)
    run = run_services.run_launch(
        actor=actor, template=template,
        params={LEARNER: learner, TEACHER: teacher, TASK: task.name, LEVEL: LEVEL_NAMES[level]},
        start_date=start_on, name=f"OJT {task.name}（{learner.name}）"[:300],
        origin=(_("Improvement item #%(number)s") % {"number": item.number}, item_url(item)))
    status = ItemStatus.IN_PROGRESS if item.status in (
        ItemStatus.PROPOSED, ItemStatus.PLANNED) else item.status
    changes = set_work(item, learner=learner, teacher=teacher, target_level=level,
                       training_run=run, status=status)
    if changes:
        audit_record(actor=actor, action="plan_item.training", obj=item, changes=changes)
    return run


def template_in_use(item: Item) -> bool:
    """Whether a template for the item's task is in use: a run of it launched, or an active
    schedule of it made, since the item was made."""
    if item.task_id is None:
        return False
    templates = Template.objects.filter(tasks=item.task_id, archived=False)
    since = item.created_at
    return (Run.objects.filter(template__in=templates, created_at__gte=since).exists()
            or Schedule.objects.filter(template__in=templates, active=True,
                                       created_at__gte=since).exists())


def fulfilled(item: Item) -> bool:
    if item.status in CLOSED:
        return False
    if item.kind == ItemKind.STANDARDIZE:
        return template_in_use(item)
    if item.kind == ItemKind.CROSS_TRAIN and item.training_run_id is not None:
        return Run.objects.filter(pk=item.training_run_id, status=RunStatus.COMPLETED).exists()
    return False


@transaction.atomic
def items_close_fulfilled(*, today: dt.date, items: list[Item] | None = None,
                          actor: Actor = None) -> list[Item]:
    """Mark done the active organization's 標準化 items whose task has a template in use and
    多能工化 items whose training run completed (or only ``items``); the items closed."""
    candidates = Item.objects.filter(
        kind__in=(ItemKind.STANDARDIZE, ItemKind.CROSS_TRAIN)).exclude(status__in=CLOSED)
    if items is not None:
        candidates = candidates.filter(pk__in=[i.pk for i in items])
    closed = []
    for candidate in candidates.order_by("number"):
        if not fulfilled(candidate):
            continue
        item = _locked(candidate)
        if item.status in CLOSED:
            continue
        changes = set_work(item, status=ItemStatus.DONE, done_on=today)
        if changes:
            audit_record(actor=actor, action="plan_item.close", obj=item, changes=changes)
        closed.append(item)
    return closed
