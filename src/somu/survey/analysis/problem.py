"""The bus factor's problem structure: scopes as blocks of tasks and nodes, stored as CSR.

Each scope is a *block*: its own tasks (with hours w_t > 0) and its own nodes (the people
capable of some of its tasks; a person capable in two scopes is two nodes). Blocks share
nothing, so several scopes can be worked on at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Problem:
    """Blocks of tasks and nodes. Nodes are sorted by (block, person id), tasks by (block,
    task id); the edges (task, node) are stored both ways as CSR."""

    blocks: int
    node_person: np.ndarray  # person id of each node
    node_block: np.ndarray
    node_ptr: np.ndarray  # nodes of block b: node_ptr[b]:node_ptr[b + 1]
    task_id: np.ndarray
    task_block: np.ndarray
    task_ptr: np.ndarray  # tasks of block b
    weights: np.ndarray
    sizes: np.ndarray  # |C_t|
    t_ptr: np.ndarray  # task → nodes
    t_nodes: np.ndarray
    n_ptr: np.ndarray  # node → tasks
    n_tasks: np.ndarray
    totals: np.ndarray  # per block: Σ w_t
    thresholds: np.ndarray  # per block: share × total

    def edge_task(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.weights)), self.sizes)

    def uncovered(self, removed: np.ndarray) -> np.ndarray:
        """Per block: Σ w_t over the tasks whose every capable node is in ``removed`` (mask)."""
        left = np.bincount(self.edge_task()[~removed[self.t_nodes]], minlength=len(self.weights))
        return np.bincount(self.task_block, weights=np.where(left == 0, self.weights, 0.0),
                           minlength=self.blocks)

    def block(self, b: int) -> Problem:
        """Block ``b`` alone, as a one-block problem (slices, renumbered from 0)."""
        t0, t1 = int(self.task_ptr[b]), int(self.task_ptr[b + 1])
        n0, n1 = int(self.node_ptr[b]), int(self.node_ptr[b + 1])
        e0, e1 = int(self.t_ptr[t0]), int(self.t_ptr[t1])
        return Problem(
            blocks=1, node_person=self.node_person[n0:n1],
            node_block=np.zeros(n1 - n0, np.int64), node_ptr=np.array([0, n1 - n0]),
            task_id=self.task_id[t0:t1], task_block=np.zeros(t1 - t0, np.int64),
            task_ptr=np.array([0, t1 - t0]), weights=self.weights[t0:t1],
            sizes=self.sizes[t0:t1], t_ptr=self.t_ptr[t0:t1 + 1] - e0,
            t_nodes=self.t_nodes[e0:e1] - n0, n_ptr=self.n_ptr[n0:n1 + 1] - self.n_ptr[n0],
            n_tasks=self.n_tasks[self.n_ptr[n0]:self.n_ptr[n1]] - t0,
            totals=self.totals[b:b + 1], thresholds=self.thresholds[b:b + 1],
        )


def build(task_block: np.ndarray, task_id: np.ndarray, weights: np.ndarray,
          edge_block: np.ndarray, edge_task: np.ndarray, edge_person: np.ndarray, *,
          share: float, blocks: int) -> Problem:
    """A problem from its tasks (block, task id, hours) and capable pairs (block, task id,
    person id). Tasks without hours and pairs naming no such task are left out."""
    keep = weights > 0
    task_block, task_id, weights = task_block[keep], task_id[keep], weights[keep]
    order = np.lexsort((task_id, task_block))
    task_block, task_id, weights = task_block[order], task_id[order], weights[order]
    span = int(max(task_id.max(initial=0), edge_task.max(initial=0))) + 1
    task_key = task_block * span + task_id
    m = len(task_key)
    edge_key = edge_block * span + edge_task
    ti = np.searchsorted(task_key, edge_key)
    found = ti < m
    found[found] = task_key[ti[found]] == edge_key[found]
    ti, eb, ep = ti[found], edge_block[found], edge_person[found]
    pspan = int(ep.max(initial=0)) + 1
    node_key, node = np.unique(eb * pspan + ep, return_inverse=True)
    n = len(node_key)
    pairs = np.unique(ti * max(n, 1) + node)
    ti, node = pairs // max(n, 1), pairs % max(n, 1)
    sizes = np.bincount(ti, minlength=m)
    node_block = node_key // pspan
    by_node = np.argsort(node, kind="stable")
    totals = np.bincount(task_block, weights=weights, minlength=blocks)
    return Problem(
        blocks=blocks, node_person=node_key % pspan, node_block=node_block,
        node_ptr=np.searchsorted(node_block, np.arange(blocks + 1)),
        task_id=task_id, task_block=task_block,
        task_ptr=np.searchsorted(task_block, np.arange(blocks + 1)),
        weights=weights.astype(np.float64), sizes=sizes,
        t_ptr=np.concatenate(([0], np.cumsum(sizes))), t_nodes=node,
        n_ptr=np.concatenate(([0], np.cumsum(np.bincount(node, minlength=n)))),
        n_tasks=ti[by_node], totals=totals, thresholds=share * totals,
    )


def ranges(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the CSR rows ``rows``, concatenated, and each position's row number."""
    lens = ptr[rows + 1] - ptr[rows]
    ends = np.cumsum(lens)
    if not len(ends) or not ends[-1]:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return (np.repeat(ptr[rows] - ends + lens, lens) + np.arange(ends[-1]),
            np.repeat(np.arange(len(rows)), lens))


def split(ptr: np.ndarray, items: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CSR (ptr, items) reduced to the items with ``keep[item]``."""
    mask = keep[items]
    rows = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))[mask]
    return np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=len(ptr) - 1)))), \
        items[mask]
