"""A scenario's operations: what a what-if 新体制 changes in one round's survey data.

A scenario is a list of operations stored as JSON (``Scenario.operations``), applied in order
to the round's data (:class:`somu.survey.analysis.SurveyData`); the real data never change.
Each operation is one JSON object:

- ``{"op": "move", "task": T, "from": P, "to": Q, "hours": H}`` — 業務の付け替え: H hours a
  month of task T move from person P to person Q. H must be more than 0 and at most what P has
  on T at that point of the scenario. Q may be someone who cannot do the task yet: the move is
  allowed and flagged "needs training" (Q is not capable of T: capability below 3, or, for a
  task nobody rated, Q is not among the people doing it).
- ``{"op": "train", "person": P, "task": T, "level": L}`` — 多能工化: P's capability on T
  becomes L (1 learning, 2 with a manual, 3 alone, 4 can teach). L must be higher than P's
  level now. When T had no capability ratings at all (everyone doing it counted as capable),
  the people doing it are first rated 3, so that rating one person does not make the others
  "not capable".
- ``{"op": "drop", "task": T}`` — やめる: the task is no longer done. Its hours (everyone's)
  go to 0 and it leaves the analysis (its capability ratings no longer count).
- ``{"op": "outsource", "task": T, "hours": H | null, "how": "outsource" | "automate"}`` —
  外注 / 自動化: H hours a month of T (null: all of them) leave the office, taken from the
  people doing it in proportion to their hours. When all its hours go, the task leaves the
  analysis as with "drop".
- ``{"op": "hire", "key": "new-1", "name": "採用予定 1", "grade": "G2" | null,
  "capacity": 160}`` — 採用: a new person, named in later operations by the key
  (``new-`` and a number, unique in the scenario). The grade, when given, must exist; the
  capacity is the monthly standard hours (more than 0, at most 400); the name has at most 60
  characters.
- ``{"op": "retire", "person": P}`` — 退職: P leaves. P's capability is gone and P's hours are
  left unassigned (they are reported as such; move them before the retirement to hand them
  over). Nobody becomes capable by it: when the retirees were the only people rated on a task,
  the people still doing it are written at level 0 (not capable), as they were.

People are named by their id (a whole number, or a string of digits) or by the key of a hire
made earlier in the scenario; tasks by their id.

:func:`parse` checks the shape of the JSON, :func:`dump` writes it back in the same shape,
:func:`apply` applies the operations to a round's data. Problems are reported as codes with
parameters (:class:`Problem`), never as sentences: the caller words them. The codes:

==================== ==============================================================
code                 meaning (params)
==================== ==============================================================
``not_a_list``       the operations are not a JSON list
``not_an_object``    an operation is not a JSON object
``unknown_op``       "op" is not one of the six operations (``op``)
``missing``          a required field is absent (the field is named in ``field``)
``unexpected``       a field that the operation does not take
``not_a_person``     not a person id nor a hire key
``not_an_id``        not a whole number above 0
``not_a_number``     not a number
``not_positive``     a number that must be above 0 is not (``value``)
``too_large``        a hire's capacity above 400 hours a month (``value``, ``max``)
``too_long``         a hire's name longer than 60 characters (``max``)
``not_text``         a hire's name that is not a string
``level_range``      a level outside 1–4 (``value``)
``invalid_choice``   "how" is neither outsource nor automate (``value``)
``invalid_key``      a hire key not of the form new-<number> (``value``)
``duplicate_key``    the hire key was already used in the scenario (``key``)
``unknown_person``   no such person in the round, nor a hire made earlier (``person``)
``retired_person``   the person retired earlier in the scenario (``person``)
``unknown_task``     no such task in the round (``task``)
``task_gone``        the task was dropped or fully moved out earlier (``task``)
``unknown_grade``    no such grade in the round (``grade``)
``same_person``      a move to the person it comes from (``person``)
``hours_exceed``     more hours than the person (or the task) has (``hours``,
                     ``available``, ``person`` or null, ``task``)
``level_not_higher`` the person is already at that level or above (``level``, ``current``)
``needs_training``   not an error: a move to someone not capable of the task (``person``,
                     ``task``, ``level``: their capability now, 0 without a rating)
==================== ==============================================================
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, Literal

import polars as pl

from somu.survey.analysis.frames import conform
from somu.survey.analysis.types import (
    CAPABILITY_SCHEMA,
    HOURS_SCHEMA,
    MONTHLY_SCHEMA,
    PEOPLE_SCHEMA,
    TASKS_SCHEMA,
    SurveyData,
)

CAPABLE_LEVEL = 3  # PRODUCT.md: capability ≥ 3 makes a person capable of a task
HIRE_KEY = re.compile(r"^new-[0-9]{1,6}$")
TOLERANCE = 1e-6  # hours: a move may take what is there up to this rounding

PersonRef = int | str  # a person id, or the key of a hire made earlier in the scenario


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an operation (or a warning about it): ``index`` is the
    operation's position in the list (None: the list itself), ``field`` the field at fault
    ("" for the whole operation)."""

    index: int | None
    field: str
    code: str
    params: Mapping[str, Any] = dc_field(default_factory=dict)


class OpsError(ValueError):
    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        super().__init__("; ".join(f"#{p.index} {p.field}: {p.code} {dict(p.params)}"
                                   for p in self.problems))


@dataclass(frozen=True)
class Move:
    task: int
    source: PersonRef
    to: PersonRef
    hours: float
    op: Literal["move"] = "move"


@dataclass(frozen=True)
class Train:
    person: PersonRef
    task: int
    level: int
    op: Literal["train"] = "train"


@dataclass(frozen=True)
class Drop:
    task: int
    op: Literal["drop"] = "drop"


@dataclass(frozen=True)
class Outsource:
    task: int
    hours: float | None
    how: Literal["outsource", "automate"]
    op: Literal["outsource"] = "outsource"


@dataclass(frozen=True)
class Hire:
    key: str
    name: str
    grade: str | None
    capacity: float
    op: Literal["hire"] = "hire"


@dataclass(frozen=True)
class Retire:
    person: PersonRef
    op: Literal["retire"] = "retire"


Op = Move | Train | Drop | Outsource | Hire | Retire

FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # op: (required, optional)
    "move": (("task", "from", "to", "hours"), ()),
    "train": (("person", "task", "level"), ()),
    "drop": (("task",), ()),
    "outsource": (("task",), ("hours", "how")),
    "hire": (("key",), ("name", "grade", "capacity")),
    "retire": (("person",), ()),
}
DEFAULT_CAPACITY = 160.0
MAX_CAPACITY = 400.0  # a hire's monthly hours: the bounds of the page's form, here for the API
MAX_NAME = 60


# ---- parse / dump --------------------------------------------------------------------------


class _Bad(Exception):
    def __init__(self, field: str, code: str, **params: Any):
        self.field, self.code, self.params = field, code, params


def _id(raw: Mapping[str, Any], key: str) -> int:
    value = raw[key]
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _Bad(key, "not_an_id", value=value)
    return value


def _person(raw: Mapping[str, Any], key: str) -> PersonRef:
    value = raw[key]
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and int(text) > 0:
            return int(text)
        if HIRE_KEY.match(text):
            return text
        raise _Bad(key, "not_a_person", value=value)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _Bad(key, "not_a_person", value=value)
    return value


def _number(raw: Mapping[str, Any], key: str) -> float:
    value = raw[key]
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise _Bad(key, "not_a_number", value=raw[key]) from None
    try:  # an int too large for a float (1e400 written out) is no number either
        finite = not isinstance(value, bool) and isinstance(value, int | float) \
            and math.isfinite(value)
    except OverflowError:
        finite = False
    if not finite:
        raise _Bad(key, "not_a_number", value=raw[key])
    if value <= 0:
        raise _Bad(key, "not_positive", value=value)
    return float(value)


def _one(raw: Any) -> Op:
    if not isinstance(raw, Mapping):
        raise _Bad("", "not_an_object")
    kind = raw.get("op")
    if not isinstance(kind, str) or kind not in FIELDS:
        raise _Bad("op", "unknown_op", op=kind)
    required, optional = FIELDS[kind]
    for name in required:
        if raw.get(name) is None and not (kind == "outsource" and name == "hours"):
            raise _Bad(name, "missing")
    for name in raw:
        if name != "op" and name not in required and name not in optional:
            raise _Bad(name, "unexpected")
    if kind == "move":
        return Move(task=_id(raw, "task"), source=_person(raw, "from"), to=_person(raw, "to"),
                    hours=_number(raw, "hours"))
    if kind == "train":
        level = raw["level"]
        if isinstance(level, str) and level.strip().isdigit():
            level = int(level.strip())
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 4:
            raise _Bad("level", "level_range", value=raw["level"])
        return Train(person=_person(raw, "person"), task=_id(raw, "task"), level=level)
    if kind == "drop":
        return Drop(task=_id(raw, "task"))
    if kind == "outsource":
        how = raw.get("how") or "outsource"
        if how != "outsource" and how != "automate":
            raise _Bad("how", "invalid_choice", value=how)
        hours = None if raw.get("hours") in (None, "") else _number(raw, "hours")
        return Outsource(task=_id(raw, "task"), hours=hours,
                         how="automate" if how == "automate" else "outsource")
    if kind == "hire":
        key = raw["key"]
        if not isinstance(key, str) or not HIRE_KEY.match(key.strip()):
            raise _Bad("key", "invalid_key", value=key)
        raw_grade = raw.get("grade")
        if raw_grade is not None and not isinstance(raw_grade, str):
            raise _Bad("grade", "unknown_grade", grade=raw_grade)
        grade: str | None = (raw_grade.strip() or None) if raw_grade else None
        capacity = DEFAULT_CAPACITY if raw.get("capacity") is None else _number(raw, "capacity")
        if capacity > MAX_CAPACITY:
            raise _Bad("capacity", "too_large", value=raw["capacity"], max=int(MAX_CAPACITY))
        label = raw.get("name")
        if label is not None and not isinstance(label, str):
            raise _Bad("name", "not_text")
        if label and len(label.strip()) > MAX_NAME:
            raise _Bad("name", "too_long", max=MAX_NAME)
        return Hire(key=key.strip(), name=label.strip() if label else key.strip(),
                    grade=grade, capacity=capacity)
    return Retire(person=_person(raw, "person"))


def parse(raw: Any) -> list[Op]:
    """The operations of a JSON list; raises :class:`OpsError` listing every malformed one
    (duplicate hire keys included). Whether the people and tasks exist is :func:`apply`'s
    business."""
    if not isinstance(raw, list | tuple):
        raise OpsError([Problem(None, "", "not_a_list")])
    ops: list[Op] = []
    problems: list[Problem] = []
    keys: set[str] = set()
    for index, item in enumerate(raw):
        try:
            op = _one(item)
        except _Bad as bad:
            problems.append(Problem(index, bad.field, bad.code, bad.params))
            continue
        if isinstance(op, Hire):
            if op.key in keys:
                problems.append(Problem(index, "key", "duplicate_key", {"key": op.key}))
            keys.add(op.key)
        ops.append(op)
    if problems:
        raise OpsError(problems)
    return ops


def dump_one(op: Op) -> dict[str, Any]:
    """One operation as JSON, in the shape :func:`parse` reads."""
    if isinstance(op, Move):
        return {"op": "move", "task": op.task, "from": op.source, "to": op.to,
                "hours": op.hours}
    if isinstance(op, Train):
        return {"op": "train", "person": op.person, "task": op.task, "level": op.level}
    if isinstance(op, Drop):
        return {"op": "drop", "task": op.task}
    if isinstance(op, Outsource):
        return {"op": "outsource", "task": op.task, "hours": op.hours, "how": op.how}
    if isinstance(op, Hire):
        return {"op": "hire", "key": op.key, "name": op.name, "grade": op.grade,
                "capacity": op.capacity}
    return {"op": "retire", "person": op.person}


def dump(ops: Sequence[Op]) -> list[dict[str, Any]]:
    return [dump_one(op) for op in ops]


# ---- apply ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    """The round's data with the operations applied, and what they leave to report.

    ``data.monthly`` is empty: per-month values are not carried into a scenario (its figures
    do not include seasonality). Hires get the person ids following the round's largest, in the
    order they are made (``hires`` maps each key to its id; only keys name them in
    operations)."""

    data: SurveyData
    needs_training: tuple[Problem, ...]  # moves to someone not capable of the task
    unassigned: tuple[tuple[int, float], ...]  # (task, hours) left by retirements
    outsourced_hours: float
    automated_hours: float
    dropped_hours: float
    hires: Mapping[str, int] = dc_field(default_factory=dict)

    @property
    def moved_out_hours(self) -> float:
        return self.outsourced_hours + self.automated_hours

    @property
    def unassigned_hours(self) -> float:
        return float(sum(h for _t, h in self.unassigned))


class _State:
    """The round's data as dicts, changed operation by operation."""

    def __init__(self, data: SurveyData):
        self.people = conform(data.people, PEOPLE_SCHEMA, "people")
        self.tasks = conform(data.tasks, TASKS_SCHEMA, "tasks")
        hours = conform(data.hours, HOURS_SCHEMA, "hours").filter(pl.col("hours") > 0)
        capability = conform(data.capability, CAPABILITY_SCHEMA, "capability").filter(
            pl.col("level").is_not_null())
        self.person_ids = set(self.people["person_id"].drop_nulls().to_list())
        self.task_ids = set(self.tasks["task_id"].drop_nulls().to_list())
        self.grades = set(data.grades["grade"].drop_nulls().to_list())
        self.hours: dict[int, dict[int, float]] = defaultdict(dict)  # task → person → hours
        for p, t, h in hours.iter_rows():
            if p in self.person_ids and t in self.task_ids:
                row = self.hours[t]
                row[p] = row.get(p, 0.0) + h
        self.levels: dict[int, dict[int, int]] = defaultdict(dict)  # task → person → level
        for p, t, level in capability.iter_rows():
            if p in self.person_ids and t in self.task_ids:
                row2 = self.levels[t]
                row2[p] = max(row2.get(p, level), level)
        # The tasks with capability ratings: once rated, a task stays rated (its capable people
        # are those at level 3 or more), even when every rated person retires.
        self.rated: set[int] = {t for t, row in self.levels.items() if row}
        self.hires: dict[str, int] = {}
        # Hires get ids after the round's largest (the analysis wants ids ≥ 0).
        self.first_hire_id = max(self.person_ids, default=0) + 1
        self.hired: list[dict[str, Any]] = []
        self.retired: set[int] = set()
        self.gone: set[int] = set()  # tasks dropped or fully moved out

    def person(self, index: int, name: str, ref: PersonRef) -> int:
        pid = self.hires.get(ref) if isinstance(ref, str) else (
            ref if ref in self.person_ids else None)
        if pid is None:
            raise OpsError([Problem(index, name, "unknown_person", {"person": ref})])
        if pid in self.retired:
            raise OpsError([Problem(index, name, "retired_person", {"person": ref})])
        return pid

    def task(self, index: int, task: int) -> int:
        if task not in self.task_ids:
            raise OpsError([Problem(index, "task", "unknown_task", {"task": task})])
        if task in self.gone:
            raise OpsError([Problem(index, "task", "task_gone", {"task": task})])
        return task

    def level(self, task: int, pid: int) -> int:
        return self.levels.get(task, {}).get(pid, 0)

    def capable(self, task: int, pid: int) -> bool:
        """The analysis' definition: capability ≥ 3; for a task nobody rated, the doers."""
        if task in self.rated:
            return self.level(task, pid) >= CAPABLE_LEVEL
        return self.hours.get(task, {}).get(pid, 0.0) > 0

    def rate_doers(self, task: int) -> None:
        """A task nobody rated becomes rated: its doers (capable until now) at level 3, so that
        someone joining or being rated does not make them "not capable"."""
        if task not in self.rated:
            self.levels[task] = {p: CAPABLE_LEVEL for p in self.hours.get(task, {})}
            self.rated.add(task)

    def remove_task(self, task: int) -> None:
        self.hours.pop(task, None)
        self.levels.pop(task, None)
        self.gone.add(task)


def apply(data: SurveyData, ops: Sequence[Op]) -> Applied:
    """Apply the operations in order. Raises :class:`OpsError` with the first operation that
    cannot be applied (see the codes above); moves to people not capable of the task are
    allowed and listed in ``needs_training``."""
    st = _State(data)
    warnings: list[Problem] = []
    unassigned: dict[int, float] = defaultdict(float)
    moved = {"outsource": 0.0, "automate": 0.0}
    dropped = 0.0
    for index, op in enumerate(ops):
        if isinstance(op, Move):
            task = st.task(index, op.task)
            source = st.person(index, "from", op.source)
            to = st.person(index, "to", op.to)
            if source == to:
                raise OpsError([Problem(index, "to", "same_person", {"person": op.to})])
            row = st.hours.get(task, {})
            have = row.get(source, 0.0)
            if op.hours > have + TOLERANCE:
                raise OpsError([Problem(index, "hours", "hours_exceed", {
                    "hours": op.hours, "available": have, "person": op.source,
                    "task": task})])
            if not st.capable(task, to):
                warnings.append(Problem(index, "to", "needs_training", {
                    "person": op.to, "task": task, "level": st.level(task, to)}))
            st.rate_doers(task)  # keep the doers capable once someone else joins
            left = have - op.hours
            if left > TOLERANCE:
                row[source] = left
            else:
                row.pop(source, None)
            row[to] = row.get(to, 0.0) + min(op.hours, have)
            st.hours[task] = row
        elif isinstance(op, Train):
            task = st.task(index, op.task)
            pid = st.person(index, "person", op.person)
            current = st.level(task, pid) if task in st.rated else (
                CAPABLE_LEVEL if st.capable(task, pid) else 0)
            if op.level <= current:
                raise OpsError([Problem(index, "level", "level_not_higher",
                                        {"level": op.level, "current": current})])
            st.rate_doers(task)
            st.levels[task][pid] = op.level
        elif isinstance(op, Drop):
            task = st.task(index, op.task)
            dropped += sum(st.hours.get(task, {}).values())
            st.remove_task(task)
        elif isinstance(op, Outsource):
            task = st.task(index, op.task)
            row = st.hours.get(task, {})
            total = sum(row.values())
            wanted = total if op.hours is None else op.hours
            if wanted > total + TOLERANCE or total <= 0:
                raise OpsError([Problem(index, "hours", "hours_exceed", {
                    "hours": wanted, "available": total, "person": None, "task": task})])
            moved[op.how] += min(wanted, total)
            if wanted >= total - TOLERANCE:
                st.remove_task(task)
            else:
                keep = 1.0 - wanted / total
                st.hours[task] = {p: h * keep for p, h in row.items()}
        elif isinstance(op, Hire):
            if op.key in st.hires:
                raise OpsError([Problem(index, "key", "duplicate_key", {"key": op.key})])
            if op.grade is not None and op.grade not in st.grades:
                raise OpsError([Problem(index, "grade", "unknown_grade", {"grade": op.grade})])
            pid = st.first_hire_id + len(st.hires)
            st.hires[op.key] = pid
            st.hired.append({"person_id": pid, "employee_number": "", "name": op.name,
                             "department_id": None, "department": "", "grade": op.grade,
                             "capacity": op.capacity})
        else:
            pid = st.person(index, "person", op.person)
            st.retired.add(pid)
            for task, row in st.hours.items():
                if pid in row:
                    unassigned[task] += row.pop(pid)
            for levels in st.levels.values():
                levels.pop(pid, None)
    return Applied(
        data=_frames(st, data),
        needs_training=tuple(warnings),
        unassigned=tuple(sorted(unassigned.items())),
        outsourced_hours=moved["outsource"],
        automated_hours=moved["automate"],
        dropped_hours=dropped,
        hires=dict(st.hires),
    )


def _frames(st: _State, data: SurveyData) -> SurveyData:
    people = st.people.filter(~pl.col("person_id").is_in(list(st.retired)))
    if st.hired:
        people = pl.concat([people, pl.DataFrame(
            [h for h in st.hired if h["person_id"] not in st.retired], schema=PEOPLE_SCHEMA,
            orient="row")])
    tasks = st.tasks.filter(~pl.col("task_id").is_in(list(st.gone)))
    hours = [(p, t, h) for t, row in st.hours.items() for p, h in row.items() if h > 0]
    levels = [(p, t, lv) for t, row in st.levels.items() for p, lv in row.items()]
    # A rated task whose rated people all retired: its doers are still not capable (level 0),
    # where the analysis, finding no rating, would take every doer as capable.
    levels += [(p, t, 0) for t in sorted(st.rated - st.gone) if not st.levels.get(t)
               for p in sorted(st.hours.get(t, {}))]
    return SurveyData(
        people=people,
        tasks=tasks,
        hours=pl.DataFrame(hours, schema=HOURS_SCHEMA, orient="row"),
        capability=pl.DataFrame(levels, schema=CAPABILITY_SCHEMA, orient="row"),
        grades=data.grades,
        monthly=pl.DataFrame(schema=MONTHLY_SCHEMA),
    )
