"""What both optimizer proposals share: the :class:`Proposal` they return and a small
builder for HiGHS models (columns and sparse rows, solved within a time limit).

A proposal is labelled:

- ``optimal`` — HiGHS proved that no better plan exists (gap 0 within its tolerance);
- ``best_found`` — the time limit stopped the search: the plan is the best one found, ``bound``
  is the best value any plan could reach as far as the solver proved, and ``gap`` is
  |objective − bound| ÷ |objective| (how far from proven-best the plan may be, at most);
- ``infeasible`` — no plan meets the conditions; ``infeasible_tasks`` names the tasks at fault
  where that is known, and ``reason`` says why (a code, see each proposal's module).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

import highspy
import numpy as np

Status = Literal["optimal", "best_found", "infeasible"]


@dataclass(frozen=True)
class Proposal:
    kind: Literal["leveling", "cross_training"]
    status: Status
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    ops: tuple[dict[str, Any], ...]  # JSON operations (move / train), ready for a scenario
    infeasible_tasks: tuple[int, ...] = ()
    reason: str = ""  # a code; "" when the proposal holds a plan
    details: dict[str, Any] = field(default_factory=dict)


class Model:
    """Columns (variables) and rows (constraints) gathered in Python, handed to HiGHS at
    once."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self.starts: list[int] = []
        self.index: list[int] = []
        self.value: list[float] = []

    def columns(self, n: int, cost: float | np.ndarray = 0.0, lower: float | np.ndarray = 0.0,
                upper: float | np.ndarray = highspy.kHighsInf, integer: bool = False) -> int:
        """Add n columns; returns the index of the first."""
        first = len(self.cost)
        self.cost += np.broadcast_to(np.asarray(cost, float), n).tolist()
        self.lower += np.broadcast_to(np.asarray(lower, float), n).tolist()
        self.upper += np.broadcast_to(np.asarray(upper, float), n).tolist()
        self.integer += [integer] * n
        return first

    def row(self, index: Any, value: Any, lower: float = -highspy.kHighsInf,
            upper: float = highspy.kHighsInf) -> int:
        self.starts.append(len(self.index))
        self.index += list(index)
        self.value += list(value)
        self.row_lower.append(lower)
        self.row_upper.append(upper)
        return len(self.row_lower) - 1

    def highs(self, time_limit_s: float, mip_rel_gap: float = 1e-6) -> highspy.Highs:
        h = highspy.Highs()
        for option, value in (("output_flag", False), ("time_limit", max(time_limit_s, 0.01)),
                              ("mip_rel_gap", mip_rel_gap), ("threads", 1)):
            h.setOptionValue(option, value)
        n = len(self.cost)
        empty = np.zeros(0, np.int32)
        h.addCols(n, np.array(self.cost), np.array(self.lower), np.array(self.upper), 0,
                  np.zeros(n, np.int32), empty, np.zeros(0))
        if any(self.integer):
            cols = np.flatnonzero(self.integer).astype(np.int32)
            h.changeColsIntegrality(len(cols), cols, np.full(
                len(cols), highspy.HighsVarType.kInteger.value, np.uint8))
        if self.row_lower:
            h.addRows(len(self.row_lower), np.array(self.row_lower), np.array(self.row_upper),
                      len(self.index), np.array(self.starts, np.int32),
                      np.array(self.index, np.int32), np.array(self.value, float))
        return h


@dataclass(frozen=True)
class Outcome:
    status: Literal["optimal", "stopped", "infeasible", "no_solution"]
    x: np.ndarray | None
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float


def run(h: highspy.Highs, *, is_mip: bool) -> Outcome:
    """Run HiGHS and read what it found."""
    started = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - started
    status = h.getModelStatus()
    info = h.getInfo()
    if status == highspy.HighsModelStatus.kInfeasible:
        return Outcome("infeasible", None, None, None, None, seconds)
    if status == highspy.HighsModelStatus.kModelEmpty:  # nothing to choose: 0 is optimal
        return Outcome("optimal", np.zeros(h.getNumCol()), 0.0, 0.0, 0.0, seconds)
    if info.primal_solution_status != 2:  # no feasible solution
        return Outcome("no_solution", None, None,
                       float(info.mip_dual_bound) if is_mip else None, None, seconds)
    x = np.asarray(h.getSolution().col_value)
    objective = float(info.objective_function_value)
    if status == highspy.HighsModelStatus.kOptimal:
        return Outcome("optimal", x, objective, objective if not is_mip else
                       float(info.mip_dual_bound), 0.0 if not is_mip else
                       max(0.0, float(info.mip_gap)), seconds)
    bound = float(info.mip_dual_bound) if is_mip else None
    gap = (abs(objective - bound) / max(abs(objective), 1e-9)) if bound is not None else None
    return Outcome("stopped", x, objective, bound, gap, seconds)
