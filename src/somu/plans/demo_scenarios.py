"""The demo's scenarios (新体制), on the latest closed survey round of 株式会社サンプル:

- 「2027年度 新体制案（手作り）」 built by hand — hours moved off the most loaded person to a
  capable colleague, a training on the largest person-dependent task that someone can teach, and
  the largest outsourceable task sent out (外注) — and turned into improvement items;
- a cross-training proposal of the optimizer (k = 2) on 総務, or on the function with the most
  person-dependent tasks when 総務 cannot be covered.

The people and tasks are chosen from the round's own figures, so the demo follows its survey data.
Every change goes through the services (and the audit log); a scratch scenario is made and
deleted so the log shows every scenario action.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError

from somu.core import tenancy
from somu.core.permissions import Role
from somu.org.models import Membership, Organization, User
from somu.plans.models import Scenario
from somu.plans.services import scenario_proposals as proposals
from somu.plans.services import scenarios as services
from somu.survey.models import RoundStatus, SurveyRound

HAND_BUILT = "2027年度 新体制案（手作り）"
PREFERRED_FUNCTION = "総務"


def _actor() -> User | None:
    for role in (Role.STAFF, Role.ADMIN):
        membership = Membership.objects.filter(role=role).select_related("user").order_by(
            "pk").first()
        if membership is not None:
            return membership.user
    return None


def latest_closed_round() -> SurveyRound | None:
    return SurveyRound.objects.filter(status=RoundStatus.CLOSED).order_by(
        "-due_on", "-created_at", "-pk").first()


def _hand_ops(survey_round: SurveyRound) -> list[dict[str, Any]]:
    """A move, a training and an outsourcing that the round's data make sensible."""
    data, baseline = services.round_base(survey_round)
    hours = data.hours.filter(pl.col("hours") > 0)
    capability = data.capability
    ops: list[dict[str, Any]] = []
    capable = capability.filter(pl.col("level") >= 3)
    # Move: from the most loaded person, on their largest task with another capable person
    # who has spare hours, to the one with the most spare hours; as many hours as bring the
    # first back to capacity (at most half the task, and what the other can take).
    load = {p.person_id: p.utilization for p in baseline.people}
    spare = {p.person_id: p.capacity - p.load for p in baseline.people}
    first = baseline.people[0] if baseline.people else None
    if first is not None:
        best: tuple[float, int, int] | None = None  # (hours that can move, task, to)
        mine = hours.filter(pl.col("person_id") == first.person_id).sort("task_id")
        for _p, task_id, task_hours in mine.iter_rows():
            others = [p for p in capable.filter(pl.col("task_id") == task_id)["person_id"]
                      .to_list() if p != first.person_id and spare.get(p, 0) >= 1]
            if not others:
                continue
            to = max(others, key=lambda p: (spare[p], -p))
            amount = min(task_hours / 2, spare[to], max(first.load - first.capacity, 10.0))
            if best is None or amount > best[0]:
                best = (amount, task_id, to)
        if best is not None:
            ops.append({"op": "move", "task": best[1], "from": first.person_id, "to": best[2],
                        "hours": math.floor(best[0] * 10) / 10})
    # Training: the person-dependent task with the most hours that someone can teach, learned
    # by the least loaded person already rated below 3 on it (or working in its function).
    by_task = hours.group_by("task_id").agg(pl.col("hours").sum()).sort(
        ["hours", "task_id"], descending=[True, False])
    capable_count = dict(capable.group_by("task_id").agg(pl.len()).iter_rows())
    teachers = set(capability.filter(pl.col("level") >= 4)["task_id"].to_list())
    functions = dict(data.tasks.select("task_id", "function").iter_rows())
    for task_id, _h in by_task.iter_rows():
        if capable_count.get(task_id, 0) > 1 or task_id not in teachers:
            continue
        rated = capability.filter((pl.col("task_id") == task_id) & (pl.col("level") < 3))
        learners = [p for p in rated["person_id"].to_list() if p in load]
        if not learners:
            same = data.tasks.filter(pl.col("function") == functions.get(task_id))["task_id"]
            learners = [p for p in hours.filter(pl.col("task_id").is_in(same.to_list()))
                        ["person_id"].unique().to_list()
                        if p in load and p not in capable.filter(
                            pl.col("task_id") == task_id)["person_id"].to_list()]
        if learners:
            ops.append({"op": "train", "person": min(learners, key=lambda p: (load[p], p)),
                        "task": task_id, "level": 3})
            break
    # Outsourcing: the outsourceable task with the most hours, all of it.
    outsourceable = set(data.tasks.filter(pl.col("outsourceable"))["task_id"].to_list())
    moved = {op.get("task") for op in ops}
    for task_id, _h in by_task.iter_rows():
        if task_id in outsourceable and task_id not in moved:
            ops.append({"op": "outsource", "task": task_id, "hours": None, "how": "outsource"})
            break
    return ops


def _functions_by_dependency(survey_round: SurveyRound) -> list[str]:
    """総務 first, then the functions by their number of person-dependent tasks."""
    data, _baseline = services.round_base(survey_round)
    capable = data.capability.filter(pl.col("level") >= 3).group_by("task_id").agg(pl.len())
    counts = dict(capable.iter_rows())
    with_hours = data.hours.filter(pl.col("hours") > 0)["task_id"].unique().to_list()
    dependent: dict[str, int] = {}
    for task_id, function in data.tasks.select("task_id", "function").iter_rows():
        if task_id in with_hours and counts.get(task_id, 0) <= 1:
            dependent[function] = dependent.get(function, 0) + 1
    ranked = sorted(dependent, key=lambda f: (-dependent[f], f))
    return [PREFERRED_FUNCTION, *(f for f in ranked if f != PREFERRED_FUNCTION)]


def load(organization: Organization, *, today: dt.date) -> None:
    """Two saved scenarios (one by hand, turned into items; one from the cross-training
    optimizer); does nothing when the organization has scenarios already."""
    with tenancy.activate(organization):
        if Scenario.objects.exists():
            return
        survey_round = latest_closed_round()
        if survey_round is None:
            return
        actor = _actor()
        # A scratch scenario, tried and thrown away.
        scratch = services.scenario_create(actor=actor, data={
            "name": "試し案", "round": survey_round})
        services.scenario_delete(actor=actor, scenario=scratch)

        scenario = services.scenario_create(actor=actor, data={
            "name": "新体制案", "round": survey_round,
            "description": "負荷の偏りをならし、属人化した業務に二人目を育て、"
                           "外注できる業務を外に出す案。"})
        ops = _hand_ops(survey_round)
        # A first try that is taken back: the retirement of the most loaded person.
        _data, baseline = services.round_base(survey_round)
        if baseline.people:
            scenario, _w = services.scenario_op_add(actor=actor, scenario=scenario, op={
                "op": "retire", "person": baseline.people[0].person_id})
            scenario = services.scenario_op_remove(actor=actor, scenario=scenario, index=0)
        for op in ops:
            scenario, _w = services.scenario_op_add(actor=actor, scenario=scenario, op=op)
        scenario = services.scenario_update(actor=actor, scenario=scenario,
                                            data={"name": HAND_BUILT})
        if scenario.operations:
            services.scenario_items(actor=actor, scenario=scenario, today=today)

        for function in _functions_by_dependency(survey_round):
            try:
                proposals.proposal_run(
                    actor=actor, round=survey_round, kind="cross_training",
                    params={"k": 2, "scope": "function", "scope_key": function,
                            "time_limit_s": 10},
                    today=today, name=f"多能工化の提案（{function}・k=2）")
            except ValidationError:
                continue  # this function cannot be covered; try the next one
            break
