"""The layout of a template's dependency graph (依存関係図), drawn as inline SVG on its page.

Pure Python (no Django): columns are the dependency depths the engine computes
(:func:`somu.procedures.engine.plan.layers`), boxes are steps, arrows run from a step to the
steps that depend on it. Within a column, steps are ordered by the mean row of their
predecessors (one barycentre pass), which keeps most arrows short and uncrossed without a
layout library. The template ``procedures/_template_graph.html`` draws the result.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

BOX_WIDTH: Final = 176
BOX_HEIGHT: Final = 54
COLUMN_GAP: Final = 56
ROW_GAP: Final = 16
MARGIN: Final = 8
# Text is drawn at 12px: a full-width (CJK) character is ~12px wide, others ~7px.
LINE_WIDTH_PX: Final = BOX_WIDTH - 20
WIDE_PX: Final = 12
NARROW_PX: Final = 7
MAX_LINES: Final = 2


@dataclass(frozen=True)
class GraphStep:
    """What the graph needs of a step."""

    key: str
    name: str
    position: int  # 1-based, as on the steps list
    approval: bool
    depends_on: tuple[str, ...]


@dataclass(frozen=True)
class Box:
    key: str
    name: str
    position: int
    approval: bool
    x: int
    y: int
    lines: tuple[str, ...]  # the name wrapped (and shortened with …) to fit the box
    # The names of the steps this one waits for, in step order: what the arrows into the box
    # say, for a screen reader that cannot see them (the box's link is named with them).
    waits_for: tuple[str, ...] = ()

    @property
    def text_x(self) -> int:
        return self.x + 10

    @property
    def text_y(self) -> int:
        # Vertically centre one or two lines below the small position label.
        return self.y + (34 if len(self.lines) == 1 else 29)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    path: str  # SVG path data (a cubic curve from the source's right to the target's left)


@dataclass(frozen=True)
class Graph:
    width: int
    height: int
    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]
    box_width: int = BOX_WIDTH
    box_height: int = BOX_HEIGHT


def _char_px(char: str) -> int:
    return WIDE_PX if unicodedata.east_asian_width(char) in ("W", "F", "A") else NARROW_PX


def wrap(text: str, *, width_px: int = LINE_WIDTH_PX, max_lines: int = MAX_LINES
         ) -> tuple[str, ...]:
    """``text`` in at most ``max_lines`` lines of ``width_px``; the last one ends in … if cut."""
    lines: list[str] = []
    current, used = "", 0
    for char in text.strip():
        px = _char_px(char)
        if used + px > width_px:
            lines.append(current)
            current, used = "", 0
            if len(lines) == max_lines:
                break
        current += char
        used += px
    else:
        if current or not lines:
            lines.append(current)
        return tuple(lines)
    # Cut: replace the end of the last line with an ellipsis that fits.
    last = lines[-1]
    while last and sum(_char_px(c) for c in last) + WIDE_PX > width_px:
        last = last[:-1]
    lines[-1] = last + "…"
    return tuple(lines)


def _ordered_columns(layers: Sequence[Sequence[str]], steps: dict[str, GraphStep]
                     ) -> list[list[str]]:
    """Each layer's keys ordered by the mean row of their predecessors (ties: step order)."""
    row: dict[str, float] = {}
    columns: list[list[str]] = []
    for layer in layers:
        keys = [k for k in layer if k in steps]

        def rank(key: str) -> tuple[float, int]:
            preds = [row[d] for d in steps[key].depends_on if d in row]
            mean = sum(preds) / len(preds) if preds else float(steps[key].position)
            return (mean, steps[key].position)

        if columns:
            keys.sort(key=rank)
        else:
            keys.sort(key=lambda k: steps[k].position)
        for index, key in enumerate(keys):
            row[key] = index
        columns.append(keys)
    return columns


def layout(layers: Sequence[Sequence[str]], steps: Sequence[GraphStep]) -> Graph:
    """Boxes and arrows for ``steps`` placed in the columns ``layers`` gives."""
    by_key = {s.key: s for s in steps}
    columns = _ordered_columns(layers, by_key)
    # A step the layers do not mention (should not happen) still gets drawn, in a last column.
    placed = {k for column in columns for k in column}
    missing = [s.key for s in steps if s.key not in placed]
    if missing:
        columns.append(missing)
    boxes: dict[str, Box] = {}
    for col, keys in enumerate(columns):
        for index, key in enumerate(keys):
            step = by_key[key]
            boxes[key] = Box(
                key=key, name=step.name, position=step.position, approval=step.approval,
                x=MARGIN + col * (BOX_WIDTH + COLUMN_GAP),
                y=MARGIN + index * (BOX_HEIGHT + ROW_GAP),
                lines=wrap(step.name),
                waits_for=tuple(by_key[d].name for d in sorted(
                    (d for d in step.depends_on if d in by_key),
                    key=lambda d: by_key[d].position)),
            )
    edges: list[Edge] = []
    for step in steps:
        target = boxes[step.key]
        for dep in step.depends_on:
            source = boxes.get(dep)
            if source is None:
                continue
            x1, y1 = source.x + BOX_WIDTH, source.y + BOX_HEIGHT // 2
            x2, y2 = target.x - 2, target.y + BOX_HEIGHT // 2
            bend = max(COLUMN_GAP // 2, (x2 - x1) // 3)
            edges.append(Edge(dep, step.key,
                              f"M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}"))
    tallest = max((len(c) for c in columns), default=0)
    width = MARGIN * 2 + len(columns) * BOX_WIDTH + max(len(columns) - 1, 0) * COLUMN_GAP
    height = MARGIN * 2 + tallest * BOX_HEIGHT + max(tallest - 1, 0) * ROW_GAP
    ordered = sorted(boxes.values(), key=lambda b: b.position)
    return Graph(width=width, height=height, boxes=tuple(ordered), edges=tuple(edges))
