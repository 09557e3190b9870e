"""属人化 (person dependency) and what a departure would leave behind."""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from .frames import Frames
from .types import Absorption, AnalysisOptions, Dependency, RetirementRisk


def dependency(fr: Frames) -> Dependency:
    """capable(t) = the people with capability ≥ options.capable_level on t; for a task with no
    capability rows at all, the people with hours(p, t) > 0.

    The tasks analysed are those with hours > 0 or with capability rows. A task is
    person-dependent when |capable(t)| ≤ 1. 属人化率 by count = dependent tasks / tasks
    analysed; by hours = Σ hours of the dependent tasks / Σ hours (0 when there are none).
    ``nobody_capable_task_ids`` are the tasks with |capable(t)| = 0 (dependent as well).
    Both id lists run largest hours first, then by task id.
    """
    tasks = fr.tasks
    dependent = tasks.filter(pl.col("capable_count") <= 1)
    count = tasks.height
    hours = float(tasks["hours"].sum())
    dependent_hours = float(dependent["hours"].sum())
    return Dependency(
        tasks=count,
        dependent_tasks=dependent.height,
        rate_by_count=dependent.height / count if count else 0.0,
        hours=hours,
        dependent_hours=dependent_hours,
        rate_by_hours=dependent_hours / hours if hours else 0.0,
        dependent_task_ids=tuple(dependent["task_id"]),
        nobody_capable_task_ids=tuple(
            dependent.filter(pl.col("capable_count") == 0)["task_id"]),
    )


def orphaned_pairs(fr: Frames) -> pl.DataFrame:
    """The (person_id, task_id, hours) whose task would be orphaned if the person left:
    capable(t) ⊆ {p} and p is involved in t (p ∈ capable(t) or hours(p, t) > 0), for tasks
    with hours. A task nobody is capable of is thus orphaned for every person who works on it.
    ``hours`` is the task's total hours (all people)."""
    dependent = fr.tasks.filter((pl.col("capable_count") <= 1) & (pl.col("hours") > 0))
    sole = fr.capable.join(dependent.filter(pl.col("capable_count") == 1).select("task_id"),
                           on="task_id", how="semi")
    unheld = fr.hours.join(dependent.filter(pl.col("capable_count") == 0).select("task_id"),
                           on="task_id", how="semi")
    return (
        pl.concat([sole.select("person_id", "task_id"), unheld.select("person_id", "task_id")])
        .unique()
        .join(dependent.select("task_id", "hours"), on="task_id")
        .sort(["person_id", "hours", "task_id"], descending=[False, True, False])
    )


def retirement(fr: Frames, options: AnalysisOptions) -> tuple[RetirementRisk, ...]:
    """For each person p whose departure orphans hours (see :func:`orphaned_pairs`):
    orphaned_hours = Σ hours(t) over the orphaned tasks (the task's total hours).

    Absorption: p's orphaned tasks are taken largest first (then by task id). For each, the
    candidates are the other people with capability ≥ options.absorb_level on it, ordered by
    level (highest first), then by their spare capacity left at that point (largest first),
    then by person id. spare = max(0, capacity − load), shared across p's tasks (what a
    candidate takes on one task is no longer spare for the next) but not across different
    leavers, each of whom is a separate scenario. Each candidate takes as much of the task's
    hours as their spare allows. unabsorbed_hours = orphaned_hours − Σ absorbed.

    Only people with orphaned hours > 0, largest first, then by person id.
    """
    pairs = orphaned_pairs(fr)
    if pairs.height == 0:
        return ()
    candidates = (
        fr.capability.filter(pl.col("level") >= options.absorb_level)
        .join(pairs.select("task_id").unique(), on="task_id", how="semi")
        .join(fr.people.select("person_id", "capacity", "load"), on="person_id")
        .with_columns(spare=(pl.col("capacity") - pl.col("load")).clip(lower_bound=0.0))
    )
    by_task: dict[int, list[tuple[int, int]]] = defaultdict(list)
    spare_of: dict[int, float] = {}
    for task_id, person_id, level, free in candidates.select(
            "task_id", "person_id", "level", "spare").iter_rows():
        by_task[task_id].append((person_id, level))
        spare_of[person_id] = free
    names = dict(fr.people.select("person_id", "name").join(
        pairs.select("person_id").unique(), on="person_id", how="semi").iter_rows())

    risks = []
    for (person_id,), group in pairs.group_by("person_id", maintain_order=True):
        task_ids = group["task_id"].to_list()
        task_hours = group["hours"].to_list()
        orphaned = float(sum(task_hours))
        spare: dict[int, float] = {}
        absorbed: list[Absorption] = []
        for task_id, hours in zip(task_ids, task_hours, strict=True):
            others = [(pid, level) for pid, level in by_task.get(task_id, ())
                      if pid != person_id]
            for pid, _level in others:
                spare.setdefault(pid, spare_of[pid])
            others.sort(key=lambda c: (-c[1], -spare[c[0]], c[0]))
            remaining = hours
            for pid, _level in others:
                if remaining <= 0:
                    break
                take = min(remaining, spare[pid])
                if take > 0:
                    spare[pid] -= take
                    remaining -= take
                    absorbed.append(Absorption(person_id=pid, task_id=task_id, hours=take))
        unabsorbed = orphaned - sum(a.hours for a in absorbed)
        risks.append(RetirementRisk(
            person_id=int(person_id),
            name=names.get(person_id, ""),
            orphaned_hours=orphaned,
            orphaned_task_ids=tuple(task_ids),
            absorbed=tuple(absorbed),
            unabsorbed_hours=max(0.0, unabsorbed) if abs(unabsorbed) > 1e-9 else 0.0,
        ))
    risks.sort(key=lambda r: (-r.orphaned_hours, r.person_id))
    return tuple(risks)
