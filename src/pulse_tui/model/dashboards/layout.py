"""Grafana's grid -> terminal cells.

A panel's `gridPos` is in Grafana units: 24 columns across the width, rows of 30 px. On
the terminal a column is `width / 24` cells (edges rounded the same way for neighbours, so
panels abut without gaps or overlaps) and a grid row is `rows_per_unit` lines. Rows
(`type: row`) are one line; a folded one hides the panels under it and everything below
moves up, as in Grafana.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pulse_tui.model.dashboards.definition import GRID_COLUMNS, Panel

#: Lines per grid unit: a default 8-unit Grafana panel is 8 lines (6 of chart in a border).
ROWS_PER_UNIT = 1.0
#: The smallest panel drawn: a border and one line inside.
MIN_PANEL_LINES = 3


@dataclass(frozen=True, slots=True)
class Placement:
    """A panel's cells: `x`, `y` from the top left of the dashboard area."""

    panel: Panel
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Section:
    """A row and the panels under it (`row` None: the panels above the first row)."""

    row: Panel | None
    panels: tuple[Panel, ...]


def sections(panels: Sequence[Panel]) -> list[Section]:
    """Panels grouped under their rows, in Grafana's order. A row folded in the file keeps
    its panels inside it; an open one is followed by them."""
    result: list[Section] = []
    row: Panel | None = None
    loose: list[Panel] = []
    for panel in panels:
        if panel.is_row:
            if row is not None or loose:
                result.append(Section(row, (*(row.children if row else ()), *loose)))
            row, loose = panel, []
        else:
            loose.append(panel)
    if row is not None or loose:
        result.append(Section(row, (*(row.children if row else ()), *loose)))
    return result


def layout(
    panels: Sequence[Panel],
    width: int,
    folded: Mapping[int, bool] | None = None,
    rows_per_unit: float = ROWS_PER_UNIT,
) -> list[Placement]:
    """Where each shown panel goes at `width` cells; `folded` overrides rows' state by id."""
    folded = folded or {}
    width = max(width, GRID_COLUMNS)
    placements: list[Placement] = []
    top = 0
    for section in sections(panels):
        if section.row is not None:
            placements.append(Placement(section.row, 0, top, width, 1))
            top += 1
            if folded.get(section.row.id, section.row.collapsed):
                continue
        if not section.panels:
            continue
        origin = min(p.grid.y for p in section.panels)
        bottom = top
        for panel in section.panels:
            grid = panel.grid
            left = _edge(grid.x, width)
            right = _edge(grid.x + grid.w, width)
            y = top + round((grid.y - origin) * rows_per_unit)
            height = max(MIN_PANEL_LINES, round(grid.h * rows_per_unit))
            placements.append(Placement(panel, left, y, max(1, right - left), height))
            bottom = max(bottom, y + height)
        top = bottom
    return placements


def _edge(column: int, width: int) -> int:
    return round(column * width / GRID_COLUMNS)


def total_height(placements: Sequence[Placement]) -> int:
    return max((p.y + p.height for p in placements), default=0)
