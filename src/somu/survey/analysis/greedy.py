"""Greedy removal for the bus factor.

The rule, per scope: remove the person maximizing (the hours their departure newly uncovers,
then Σ_{t ∋ p, t still covered} w_t / |C_t \\ S|), ties (within 1e-9 of the scope's hours)
to the smallest person id, until the uncovered hours exceed the threshold.

Three ways to run it (:func:`greedy_all` picks):

- :func:`greedy` runs many small scopes (departments) in *lockstep*: scopes are blocks that
  share nothing, so one step removes one person from every block still short of its
  threshold, and the fixed cost of each step's NumPy calls is paid once, not per scope;
- :func:`greedy_one` runs one large scope, with scalars where lockstep needs arrays;
- :func:`greedy_batched` runs scopes with more than ``greedy_batch_from`` candidates (a
  10,000-person organization can need thousands of departures) in about 50 batches of the
  best-ranked people, scores recomputed between batches. Its result is an estimate of the
  same kind — typically within 1–2 % of one-at-a-time removal.

Scores are updated incrementally: a departure lowers |C_t \\ S| only for the leaver's tasks, so
only the other members of those tasks change score, and scores only grow. For tasks with many
capable people ("heavy": everyone files expenses) updating every member on every departure
would cost |C_t|² over a run, so their part of the second score is refreshed lazily: between
refreshes a person's score can have grown by at most the block's ``drift`` (the summed growth
of its heavy tasks' w_t / |C_t \\ S|), which bounds the people whose exact score is computed.
The choices are the same as with eager updates.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .problem import Problem, ranges, split

HEAVY_TASK = 200  # tasks with more capable people than this are refreshed lazily
# Blocks with more nodes than this run on their own: in lockstep, each step's whole-array
# operations would be paid for them by the small blocks too.
LOCKSTEP_MAX_NODES = 1000
BATCHES = 50  # about this many batches in batched greedy removal
REFRESH_CANDIDATES = 64  # refresh when the drift admits more candidates than this


def _items(ptr: np.ndarray, items: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The items of the CSR rows ``rows``, concatenated."""
    if len(rows) == 1:
        row = int(rows[0])
        return items[ptr[row]:ptr[row + 1]]
    return items[ranges(ptr, rows)[0]]


def _first_per_group(groups: np.ndarray) -> np.ndarray:
    """Positions where a new value starts in a sorted array."""
    return np.flatnonzero(np.concatenate(([True], groups[1:] != groups[:-1])))


def _start(pr: Problem) -> tuple[Any, ...]:
    """The state both greedy variants start from: tasks' remaining capable counts, the nodes
    still in, each node's sole-capable hours (``primary``) and share of shared hours
    (``approx``), and the node → task lists split into heavy (many capable) and light tasks."""
    w, n = pr.weights, len(pr.node_person)
    left = pr.sizes.copy()
    alive = np.ones(n, dtype=bool)
    edge_task = pr.edge_task()
    primary = np.bincount(pr.t_nodes, weights=np.where(left[edge_task] == 1, w[edge_task], 0.0),
                          minlength=n)
    share = w / np.maximum(left, 1)
    approx = np.bincount(pr.t_nodes, weights=share[edge_task], minlength=n)
    heavy = pr.sizes > HEAVY_TASK
    any_heavy = bool(heavy.any())
    h_nodes, h_tasks = pr.t_nodes[heavy[edge_task]], edge_task[heavy[edge_task]]
    hn_ptr, hn_tasks = split(pr.n_ptr, pr.n_tasks, heavy)
    ln_ptr, ln_tasks = split(pr.n_ptr, pr.n_tasks, ~heavy)
    return (left, alive, primary, share, approx, heavy, any_heavy, h_nodes, h_tasks,
            hn_ptr, hn_tasks, ln_ptr, ln_tasks)


def greedy(pr: Problem, include: np.ndarray | None = None) -> list[list[int] | None]:
    """Per block, the nodes removed in order; None when even removing all is not enough.
    Only the blocks in ``include`` (a mask; default all) are run, the others get []."""
    w, n, nb = pr.weights, len(pr.node_person), pr.blocks
    (left, alive, primary, share, approx, heavy, any_heavy, h_nodes, h_tasks,
     hn_ptr, hn_tasks, ln_ptr, ln_tasks) = _start(pr)
    counted = share.copy()  # heavy tasks: the share ``approx`` last counted
    drift = np.zeros(nb)
    tol = 1e-9 * np.maximum(1.0, pr.totals)
    t_ptr, t_nodes, node_block = pr.t_ptr, pr.t_nodes, pr.node_block
    uncovered = np.bincount(pr.task_block, weights=np.where(left == 0, w, 0.0), minlength=nb)
    remaining = np.diff(pr.node_ptr)
    # Blocks with nodes, for the segmented maxima (reduceat needs non-empty segments).
    filled = np.flatnonzero(remaining > 0)
    segment = np.searchsorted(filled, node_block)
    starts = pr.node_ptr[filled]
    active = pr.totals > 0
    if include is not None:
        active &= include
    result: list[list[int] | None] = [[] for _ in range(nb)]
    removed_steps: list[np.ndarray] = []

    single_block = nb == 1
    tol_filled = tol[filled]

    def candidates(drift: np.ndarray) -> np.ndarray:
        """The nodes that may be the next pick of their (active) block: those within the
        tolerance of the block's best first score or, in blocks where no departure uncovers
        anything yet, within tolerance and drift of the best second score."""
        if single_block:
            if not active[0]:
                return np.zeros(0, np.int64)
            top = primary.max()
            if top > tol[0]:
                return np.flatnonzero(primary >= top - tol[0])
            return np.flatnonzero(approx >= approx.max() - tol[0] - drift[0])
        top = np.maximum.reduceat(primary, starts)
        hot = top > tol_filled
        limit = np.where(hot, top - tol_filled, np.maximum.reduceat(approx, starts)
                         - tol_filled - drift[filled])
        value = np.where(hot[segment], primary, approx)
        return np.flatnonzero((value >= limit[segment]) & active[node_block])

    def exact_scores(nodes: np.ndarray) -> np.ndarray:
        """The second score of ``nodes`` with their heavy tasks' growth since the refresh."""
        if not any_heavy or not drift.any():
            return approx[nodes]
        positions, row = ranges(hn_ptr, nodes)
        ts = hn_tasks[positions]
        return approx[nodes] + np.bincount(row, weights=share[ts] - counted[ts],
                                           minlength=len(nodes))

    while True:
        done = active & (uncovered > pr.thresholds)
        if done.any():
            # Running sums may carry a rounding error: decide on exact sums.
            uncovered = np.bincount(pr.task_block, weights=np.where(left == 0, w, 0.0),
                                    minlength=nb)
            active &= ~(uncovered > pr.thresholds)
        stuck = active & (remaining == 0)
        if stuck.any():
            for b in np.flatnonzero(stuck).tolist():
                result[b] = None
            active &= ~stuck
        if not active.any():
            break
        nodes = candidates(drift)
        if any_heavy and len(nodes) > REFRESH_CANDIDATES * int(active.sum()) and drift.any():
            stay = alive[h_nodes]
            approx += np.bincount(h_nodes[stay], weights=(share - counted)[h_tasks[stay]],
                                  minlength=n)
            counted[heavy] = share[heavy]
            drift[:] = 0.0
            nodes = candidates(drift)
        groups = node_block[nodes]
        if len(nodes) > 1 and (single_block or bool((groups[1:] == groups[:-1]).any())):
            second = exact_scores(nodes)
            heads = _first_per_group(groups)
            top_second = np.maximum.reduceat(second, heads)
            group_of = np.repeat(np.arange(len(heads)), np.diff(np.append(heads, len(nodes))))
            keep = second >= top_second[group_of] - tol[groups]
            nodes, groups = nodes[keep], groups[keep]
        picked = nodes if len(nodes) == 1 else nodes[:1] if single_block else \
            nodes[_first_per_group(groups)]
        removed_steps.append(picked)
        alive[picked] = False
        primary[picked] = approx[picked] = -np.inf
        remaining[node_block[picked]] -= 1

        if any_heavy:
            tasks = _items(hn_ptr, hn_tasks, picked)
            tasks = tasks[left[tasks] > 0]
            if len(tasks):
                after = left[tasks] - 1
                left[tasks] = after
                gone = after == 0
                uncovered += np.bincount(pr.task_block[tasks[gone]], weights=w[tasks[gone]],
                                         minlength=nb)
                tasks, after = tasks[~gone], after[~gone]
                grown = w[tasks] / after
                drift += np.bincount(pr.task_block[tasks], weights=grown - share[tasks],
                                     minlength=nb)
                share[tasks] = grown
                for t in tasks[after == 1].tolist():  # the last one left becomes critical
                    members = t_nodes[t_ptr[t]:t_ptr[t + 1]]
                    primary[members[alive[members]]] += w[t]

        tasks = _items(ln_ptr, ln_tasks, picked)
        tasks = tasks[left[tasks] > 0]
        if not len(tasks):
            continue
        after = left[tasks] - 1
        left[tasks] = after
        tw = w[tasks]
        if after.min() == 0:
            gone = after == 0
            uncovered += np.bincount(pr.task_block[tasks[gone]], weights=tw[gone], minlength=nb)
            keep = ~gone
            tasks, after, tw = tasks[keep], after[keep], tw[keep]
            if not len(tasks):
                continue
        grown = tw / after
        growth = grown - share[tasks]
        share[tasks] = counted[tasks] = grown
        positions, row = ranges(t_ptr, tasks)
        members = t_nodes[positions]
        stay = alive[members]
        members, row = members[stay], row[stay]
        approx += np.bincount(members, weights=growth[row], minlength=n)
        if after.min() == 1:
            single = after[row] == 1
            np.add.at(primary, members[single], tw[row[single]])

    if removed_steps:  # one node per active block and step: regroup them by block
        steps = np.concatenate(removed_steps)
        order = np.argsort(node_block[steps], kind="stable")
        steps = steps[order]
        bounds = np.searchsorted(node_block[steps], np.arange(nb + 1))
        for b in range(nb):
            if result[b] is not None:
                result[b] = steps[bounds[b]:bounds[b + 1]].tolist()
    return result


def greedy_one(pr: Problem) -> list[int] | None:
    """:func:`greedy` for a one-block problem, with scalars where the lockstep needs arrays
    (large scopes take thousands of steps, so each step's few microseconds count)."""
    w, n = pr.weights, len(pr.node_person)
    total, threshold = float(pr.totals[0]), float(pr.thresholds[0])
    if total <= 0:
        return []
    (left, alive, primary, share, approx, heavy, any_heavy, h_nodes, h_tasks,
     hn_ptr, hn_tasks, ln_ptr, ln_tasks) = _start(pr)
    hn_ptr_list, ln_ptr_list = hn_ptr.tolist(), ln_ptr.tolist()
    counted = share.copy()
    drift = 0.0
    tol = 1e-9 * max(1.0, total)
    t_ptr, t_nodes = pr.t_ptr, pr.t_nodes
    uncovered = float(w[left == 0].sum())
    order: list[int] = []
    while True:
        if uncovered > threshold:
            uncovered = float(w[left == 0].sum())  # exact, not a running sum
            if uncovered > threshold:
                return order
        if len(order) == n:
            return None
        top = primary.max()
        if top > tol:
            nodes = np.flatnonzero(primary >= top - tol)
        else:
            nodes = np.flatnonzero(approx >= approx.max() - tol - drift)
            if len(nodes) > REFRESH_CANDIDATES and drift > 0:
                stay = alive[h_nodes]
                approx += np.bincount(h_nodes[stay], weights=(share - counted)[h_tasks[stay]],
                                      minlength=n)
                counted[heavy] = share[heavy]
                drift = 0.0
                nodes = np.flatnonzero(approx >= approx.max() - tol)
        if len(nodes) > 1:
            if drift > 0:
                positions, row = ranges(hn_ptr, nodes)
                ts = hn_tasks[positions]
                second = approx[nodes] + np.bincount(row, weights=share[ts] - counted[ts],
                                                     minlength=len(nodes))
            else:
                second = approx[nodes]
            p = int(nodes[(second >= second.max() - tol).argmax()])
        else:
            p = int(nodes[0])
        order.append(p)
        alive[p] = False
        primary[p] = approx[p] = -np.inf

        if any_heavy:
            tasks = hn_tasks[hn_ptr_list[p]:hn_ptr_list[p + 1]]
            tasks = tasks[left[tasks] > 0]
            if len(tasks):
                after = left[tasks] - 1
                left[tasks] = after
                if after.min() == 0:
                    uncovered += float(w[tasks[after == 0]].sum())
                    tasks, after = tasks[after > 0], after[after > 0]
                grown = w[tasks] / after
                drift += float((grown - share[tasks]).sum())
                share[tasks] = grown
                for t in tasks[after == 1].tolist():  # the last one left becomes critical
                    members = t_nodes[t_ptr[t]:t_ptr[t + 1]]
                    primary[members[alive[members]]] += w[t]

        tasks = ln_tasks[ln_ptr_list[p]:ln_ptr_list[p + 1]]
        tasks = tasks[left[tasks] > 0]
        if not len(tasks):
            continue
        after = left[tasks] - 1
        left[tasks] = after
        tw = w[tasks]
        if after.min() == 0:
            gone = after == 0
            uncovered += float(tw[gone].sum())
            keep = ~gone
            tasks, after, tw = tasks[keep], after[keep], tw[keep]
            if not len(tasks):
                continue
        grown = tw / after
        growth = grown - share[tasks]
        share[tasks] = counted[tasks] = grown
        positions, row = ranges(t_ptr, tasks)
        members = t_nodes[positions]
        stay = alive[members]
        members, row = members[stay], row[stay]
        np.add.at(approx, members, growth[row])
        if after.min() == 1:
            single = after[row] == 1
            np.add.at(primary, members[single], tw[row[single]])


def _top(primary: np.ndarray, secondary: np.ndarray, size: int, tol: float) -> np.ndarray:
    """Positions of the ``size`` best by (primary, secondary, position), best first."""
    hot = np.flatnonzero(primary > tol)
    if len(hot) >= size:
        pool = hot
    else:
        rest = np.flatnonzero(primary <= tol)
        need = size - len(hot)
        if need < len(rest):
            rest = rest[np.argpartition(-secondary[rest], need - 1)[:need]]
        pool = np.concatenate((hot, rest))
    return pool[np.lexsort((pool, -secondary[pool], -primary[pool]))[:size]]


def greedy_batched(pr: Problem, steps: int) -> list[int] | None:
    """Greedy removal in about ``steps`` batches, for scopes too large for one-at-a-time
    removal (a 10,000-person organization can need thousands of departures). Each batch
    removes the ⌈alive / steps⌉ people ranked first by the same criteria (scores recomputed
    before each batch); the last batch is then trimmed, least-ranked first, of people whose
    return still leaves the uncovered hours above the threshold. A one-block problem."""
    w, n = pr.weights, len(pr.node_person)
    threshold = float(pr.thresholds[0])
    tol = 1e-9 * max(1.0, float(pr.totals[0]))
    left = pr.sizes.copy()
    alive = np.ones(n, dtype=bool)
    e_task, e_node = pr.edge_task(), pr.t_nodes
    uncovered = float(w[left == 0].sum())
    order: list[int] = []
    batch = np.zeros(0, np.int64)
    while uncovered <= threshold:
        live = alive[e_node] & (left[e_task] > 0)
        e_task, e_node = e_task[live], e_node[live]
        nodes = np.flatnonzero(alive)
        if not len(nodes):
            return None
        sole = np.where(left == 1, w, 0.0)  # per task, then spread over its edges
        spread = w / np.maximum(left, 1)
        primary = np.bincount(e_node, weights=sole[e_task], minlength=n)[nodes]
        secondary = np.bincount(e_node, weights=spread[e_task], minlength=n)[nodes]
        batch = nodes[_top(primary, secondary, -(-len(nodes) // steps), tol)]
        alive[batch] = False
        tasks = pr.n_tasks[ranges(pr.n_ptr, batch)[0]]
        np.subtract.at(left, tasks[left[tasks] > 0], 1)
        uncovered = float(w[left == 0].sum())
        order.extend(batch.tolist())
    if len(batch) > 1:
        for q in batch[::-1].tolist():
            tasks = pr.n_tasks[pr.n_ptr[q]:pr.n_ptr[q + 1]]
            back = float(w[tasks[left[tasks] == 0]].sum())
            if uncovered - back > threshold:
                left[tasks] += 1
                uncovered = float(w[left == 0].sum())
                order.remove(q)
    return order


def greedy_all(pr: Problem, batch_from: int) -> list[list[int] | None]:
    """Greedy removal for every block: blocks with more than ``batch_from`` nodes in batches
    (:func:`greedy_batched`), other large ones one at a time on their own
    (:func:`greedy_one`), the rest in lockstep (:func:`greedy`). Node indices are ``pr``'s."""
    sizes = np.diff(pr.node_ptr)
    large = sizes > min(LOCKSTEP_MAX_NODES, batch_from)
    orders = greedy(pr, include=~large) if (~large).any() else [[] for _ in range(pr.blocks)]
    for b in np.flatnonzero(large).tolist():
        one = pr.block(b)
        alone = (greedy_batched(one, BATCHES) if sizes[b] > batch_from else greedy_one(one)) \
            if one.totals[0] > 0 else []
        start = int(pr.node_ptr[b])
        orders[b] = None if alone is None else [start + i for i in alone]
    return orders
