"""The dependency graph of a template and the plan of a run at launch.

Steps form a directed acyclic graph through ``depends_on``. This module orders it, finds
cycles (for validation messages), lays it out in levels (for drawing), and plans a launch:
which steps are skipped by their condition, which are ready at once, and their due dates.

Launching is on the hot path (a bulk launch of 10,000 runs), so everything that depends only
on the spec — parsed conditions, the order, the date parameters — is computed once per spec
in a :class:`CompiledSpec` and cached.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final, Literal, Protocol

from somu.procedures.engine.spec import (
    START,
    AssigneeRule,
    DueRule,
    StepKindName,
    TemplateSpec,
)
from somu.rules.calendar import BusinessCalendar
from somu.rules.due import due_from_base
from somu.rules.expr import Condition, parse_condition

PlannedState = Literal["waiting", "ready", "skipped"]
# States of a step that satisfy the dependencies of the steps after it.
FINISHED: Final = frozenset({"done", "skipped", "approved"})


# --- the graph ---------------------------------------------------------------------------------

def find_cycle(deps: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A dependency cycle as a closed path (``["a", "b", "a"]``), or None when there is none.

    ``deps`` maps each node to the nodes it depends on; unknown names are ignored.
    """
    white, grey, black = 0, 1, 2
    color = dict.fromkeys(deps, white)
    for root in deps:
        if color[root] != white:
            continue
        # Iterative depth-first search: a template of 200 steps in one chain must not hit
        # Python's recursion limit.
        path: list[str] = [root]
        iters = [iter(deps[root])]
        color[root] = grey
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                color[path.pop()] = black
                iters.pop()
                continue
            if nxt not in color:
                continue
            if color[nxt] == grey:
                return [*path[path.index(nxt):], nxt]
            if color[nxt] == white:
                color[nxt] = grey
                path.append(nxt)
                iters.append(iter(deps[nxt]))
    return None


def _deps(spec: TemplateSpec) -> dict[str, tuple[str, ...]]:
    return {step.key: step.depends_on for step in spec.steps}


def transitive_dependencies(deps: Mapping[str, Sequence[str]], key: str) -> set[str]:
    """Every node ``key`` depends on, directly or through others (not ``key`` itself)."""
    seen: set[str] = set()
    stack = list(deps.get(key, ()))
    while stack:
        node = stack.pop()
        if node not in seen and node != key:
            seen.add(node)
            stack.extend(deps.get(node, ()))
    return seen


def dependents_map(deps: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """For each node, the nodes that depend on it directly."""
    out: dict[str, list[str]] = {key: [] for key in deps}
    for key, needs in deps.items():
        for need in needs:
            out.setdefault(need, []).append(key)
    return out


def transitive_dependents(spec: TemplateSpec, key: str) -> set[str]:
    """Every step that depends on ``key`` directly or indirectly (e.g. to reopen them)."""
    after = dependents_map(_deps(spec))
    seen: set[str] = set()
    stack = list(after.get(key, ()))
    while stack:
        node = stack.pop()
        if node not in seen and node != key:
            seen.add(node)
            stack.extend(after.get(node, ()))
    return seen


def _order(keys: Sequence[str], deps: Mapping[str, Sequence[str]]) -> list[str]:
    """Kahn's algorithm, stable: among the steps that can go next, the earliest listed."""
    position = {key: i for i, key in enumerate(keys)}
    pending = {key: sum(1 for d in deps[key] if d in position) for key in keys}
    after = dependents_map({key: [d for d in deps[key] if d in position] for key in keys})
    heap = [position[key] for key in keys if pending[key] == 0]
    heapq.heapify(heap)
    order: list[str] = []
    while heap:
        key = keys[heapq.heappop(heap)]
        order.append(key)
        for nxt in after[key]:
            pending[nxt] -= 1
            if pending[nxt] == 0:
                heapq.heappush(heap, position[nxt])
    if len(order) != len(keys):
        cycle = find_cycle(deps) or []
        raise ValueError("dependency cycle: " + " → ".join(cycle))
    return order


def topological_order(spec: TemplateSpec) -> list[str]:
    """Step keys so that every step comes after its dependencies (ties: listed order)."""
    return _order([s.key for s in spec.steps], _deps(spec))


def layers(spec: TemplateSpec) -> list[list[str]]:
    """Steps by depth (the longest dependency chain before them), for drawing the graph."""
    deps = _deps(spec)
    depth: dict[str, int] = {}
    for key in topological_order(spec):
        depth[key] = max((depth[d] + 1 for d in deps[key] if d in depth), default=0)
    out: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for step in spec.steps:
        out[depth[step.key]].append(step.key)
    return out


# --- launch planning ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PlannedStep:
    """One step of a run about to be launched: its initial state and due date."""

    key: str
    name: str
    position: int  # 0-based, in the template's order
    kind: StepKindName
    state: PlannedState
    depends_on: tuple[str, ...]
    due_date: dt.date | None  # None: no due rule, or due after a predecessor completes
    estimated_minutes: int | None
    assignee: AssigneeRule = field(default_factory=lambda: AssigneeRule("starter"))


@dataclass(frozen=True)
class _CompiledStep:
    key: str
    name: str
    position: int
    kind: StepKindName
    depends_on: tuple[str, ...]
    condition: Condition | None
    due: DueRule | None
    estimated_minutes: int | None
    assignee: AssigneeRule


class _DueMemo:
    """Due dates already computed for this spec, valid for one calendar.

    A bulk launch plans thousands of runs with the same calendar and mostly the same dates;
    comparing the calendar by identity first keeps the lookup cheap.
    """

    def __init__(self) -> None:
        self.calendar: BusinessCalendar | None = None
        self.dates: dict[tuple[int, dt.date], dt.date] = {}

    def for_calendar(self, calendar: BusinessCalendar) -> dict[tuple[int, dt.date], dt.date]:
        if calendar is not self.calendar:
            if self.calendar is None or calendar != self.calendar or len(self.dates) > 50_000:
                self.dates = {}
            self.calendar = calendar
        return self.dates


@dataclass(frozen=True)
class CompiledSpec:
    """What launching needs from a spec, computed once: steps in dependency order."""

    steps: tuple[_CompiledStep, ...]  # topological order
    date_params: tuple[str, ...]
    count: int
    memo: _DueMemo = field(default_factory=_DueMemo, compare=False, repr=False)

    @classmethod
    def build(cls, spec: TemplateSpec) -> CompiledSpec:
        position = {step.key: i for i, step in enumerate(spec.steps)}
        by_key = {step.key: step for step in spec.steps}
        compiled = []
        for key in topological_order(spec):
            step = by_key[key]
            compiled.append(_CompiledStep(
                key=step.key, name=step.name, position=position[key], kind=step.kind,
                depends_on=step.depends_on,
                condition=parse_condition(step.condition) if step.condition.strip() else None,
                due=step.due, estimated_minutes=step.estimated_minutes, assignee=step.assignee,
            ))
        return cls(
            steps=tuple(compiled),
            date_params=tuple(p.key for p in spec.parameters if p.type == "date"),
            count=len(spec.steps),
        )

    def plan(
        self, *, values: Mapping[str, Any], start: dt.date, calendar: BusinessCalendar
    ) -> list[PlannedStep]:
        dates = {key: _as_date(values.get(key)) for key in self.date_params}
        memo = self.memo.for_calendar(calendar)
        state: dict[str, PlannedState] = {}
        out: list[PlannedStep | None] = [None] * self.count
        for step in self.steps:
            if step.condition is not None and not step.condition.evaluate(values):
                current: PlannedState = "skipped"
            elif all(state[d] == "skipped" for d in step.depends_on):
                current = "ready"
            else:
                current = "waiting"
            state[step.key] = current
            due = None
            rule = step.due
            if rule is not None and not rule.after_step:
                base = start if rule.base == START else dates.get(rule.base)
                if base is not None:
                    due = memo.get((step.position, base))
                    if due is None:
                        due = memo[step.position, base] = due_from_base(rule, base, calendar)
            out[step.position] = PlannedStep(
                key=step.key, name=step.name, position=step.position, kind=step.kind,
                state=current, depends_on=step.depends_on, due_date=due,
                estimated_minutes=step.estimated_minutes, assignee=step.assignee,
            )
        return [p for p in out if p is not None]


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


# Specs by identity (the selectors cache each version's parsed spec, so the same object comes
# back); the entry keeps the spec alive so that its id cannot be reused meanwhile.
_BY_ID: dict[int, tuple[TemplateSpec, CompiledSpec]] = {}


@lru_cache(maxsize=256)
def _compiled_by_value(spec: TemplateSpec) -> CompiledSpec:
    return CompiledSpec.build(spec)


def compile_spec(spec: TemplateSpec) -> CompiledSpec:
    """The compiled form of a (valid) spec, cached per spec."""
    entry = _BY_ID.get(id(spec))
    if entry is not None and entry[0] is spec:
        return entry[1]
    try:
        compiled = _compiled_by_value(spec)
    except TypeError:  # an unhashable parameter default: compile without the cache
        return CompiledSpec.build(spec)
    if len(_BY_ID) >= 256:
        _BY_ID.clear()
    _BY_ID[id(spec)] = (spec, compiled)
    return compiled


def plan_launch(
    spec: TemplateSpec, *, values: Mapping[str, Any], start: dt.date, calendar: BusinessCalendar
) -> list[PlannedStep]:
    """The steps of a new run in template order, with their initial state and due date.

    ``values`` are the run's typed parameter values (dates as ``date``, people and departments
    as ids). A step whose condition is false is skipped; a step none of whose dependencies is
    still open (skipped ones do not count) is ready; the others wait. Due dates relative to the
    start or to a date parameter are computed now; those after a predecessor are None.
    """
    return compile_spec(spec).plan(values=values, start=start, calendar=calendar)


class DatedStep(Protocol):
    """What :func:`due_order_problems` reads of a step: a planned one or a launched one."""

    @property
    def key(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def due_date(self) -> dt.date | None: ...
    @property
    def depends_on(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class DueOrderProblem:
    """A due date that comes too early: before the run starts, or before the due date of a
    step this one waits for (e.g. 納品・検収 due 12-01 after 発注 due 12-11). Allowed — a date
    parameter can legitimately lie in the past — but most often a mistyped date."""

    key: str  # the step
    due_date: dt.date
    before: str  # START, or the key of the step it depends on
    before_date: dt.date


def due_order_problems(steps: Sequence[DatedStep], *, start: dt.date) -> list[DueOrderProblem]:
    """The steps (not skipped) due before ``start`` or before a dependency's due date, in the
    order of ``steps``; one problem per step and cause."""
    due = {s.key: s.due_date for s in steps if s.state != "skipped"}
    problems = []
    for step in steps:
        date = due.get(step.key)
        if date is None:
            continue
        if date < start:
            problems.append(DueOrderProblem(step.key, date, START, start))
        for dependency in step.depends_on:
            other = due.get(dependency)
            if other is not None and date < other:
                problems.append(DueOrderProblem(step.key, date, dependency, other))
    return problems


def newly_ready(
    states: Mapping[str, str], depends_on: Mapping[str, Sequence[str]]
) -> list[str]:
    """Waiting steps all of whose dependencies are finished (done, skipped or approved)."""
    return [
        key for key, state in states.items()
        if state == "waiting"
        and all(states.get(d) in FINISHED for d in depends_on.get(key, ()))
    ]
