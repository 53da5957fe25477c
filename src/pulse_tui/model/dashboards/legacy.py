"""Schema versions before 16: rows of panels sized by 12-column spans and pixel heights,
turned into grid positions the way Grafana's migration does (12 spans -> 24 columns, a
row's height in px / 30 -> grid units, a panel wider than what is left wraps)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.dashboards.definition import (
    GRID_COLUMNS,
    GRID_UNIT_PX,
    LEGACY_ROW_HEIGHT_PX,
    GridPos,
    Panel,
)
from pulse_tui.model.dashboards.lenient import as_float, pixels

#: Parses one panel object at a grid position (grafana.py's).
PanelReader = Callable[[Mapping[str, Any], int, GridPos], Panel]


def legacy_rows(rows: list[Any], read_panel: PanelReader) -> tuple[Panel, ...]:
    """Schema < 16: rows of panels with 12-column spans -> panels on the 24-column grid."""
    panels: list[Panel] = []
    y = 0
    titled = len(rows) > 1 or any(isinstance(r, dict) and r.get("showTitle") for r in rows)
    for row_index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ValueError(f"rows[{row_index}] is not an object")
        height = max(1, math.ceil(pixels(row.get("height"), LEGACY_ROW_HEIGHT_PX) / GRID_UNIT_PX))
        inside: list[Panel] = []
        header_y = y
        if titled:
            y += 1
        x = 0
        row_height = 0
        for i, raw in enumerate(row.get("panels") or []):
            if not isinstance(raw, dict):
                continue
            w = min(max(round(as_float(raw.get("span"), 12) * 2), 1), GRID_COLUMNS)
            if x + w > GRID_COLUMNS:  # wraps onto a new line of the row, as Grafana does
                y, x = y + row_height, 0
            h = height
            if "height" in raw:
                h = max(
                    1, math.ceil(pixels(raw.get("height"), height * GRID_UNIT_PX) / GRID_UNIT_PX)
                )
            row_height = max(row_height, h)
            inside.append(read_panel(raw, row_index * 100 + i, GridPos(x, y, w, h)))
            x += w
        y += row_height
        collapsed = bool(row.get("collapse"))
        if titled:
            shown = row.get("showTitle", True)
            title = sanitize(str(row.get("title") or "")) if shown else ""
            header = GridPos(0, header_y, GRID_COLUMNS, 1)
            panels.append(
                Panel(
                    -(row_index + 1),
                    "row",
                    title,
                    header,
                    collapsed=collapsed,
                    children=tuple(inside) if collapsed else (),
                )
            )
            if collapsed:
                y = header_y + 1
                continue
        panels.extend(inside)
    return tuple(panels)
