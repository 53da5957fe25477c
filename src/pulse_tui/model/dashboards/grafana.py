"""A Grafana dashboard JSON file -> typed, validated dataclasses.

The file is untrusted text: titles and the names quoted in messages are sanitised here,
where they enter the model (`model/core/sanitize.py`), and drawn as plain text.

Both the bare dashboard and the export wrapper (`{"dashboard": {...}}`) are read, and both
layouts: `panels` with `gridPos` (schema 16 and later) and the legacy `rows` of spans
(earlier), which is converted to grid positions the way Grafana's own migration does
(12 spans -> 24 columns, a row's height in pixels / 30 -> grid units). Anything the file
gets wrong becomes one `DashboardError` naming the file and the problem.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.dashboards.variables import Variable, parse_variables

#: Panel types drawn in this version; the others are titled placeholders saying so.
SUPPORTED_TYPES = frozenset({"timeseries", "graph", "stat", "singlestat", "gauge", "bargauge"})
#: Grafana's grid is 24 columns wide; one unit of height is 30 px.
GRID_COLUMNS = 24
GRID_UNIT_PX = 30
#: What Grafana's migration gives a legacy row with no height.
LEGACY_ROW_HEIGHT_PX = 250


class DashboardError(ValueError):
    """A file that cannot be imported; `str()` is one line naming the file."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True, slots=True)
class GridPos:
    """Where a panel sits on Grafana's 24-column grid (units, not cells)."""

    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True, slots=True)
class Target:
    """One query of a panel."""

    ref_id: str
    expr: str
    legend_format: str = ""
    #: The minimum step ("30s", "$__interval"), "" for none.
    interval: str = ""
    interval_factor: int = 1
    instant: bool = False
    hide: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    """A threshold step: from `value` upwards (None: the base, from minus infinity)."""

    color: str
    value: float | None


@dataclass(frozen=True, slots=True)
class Thresholds:
    steps: tuple[Step, ...] = ()
    #: "absolute", or "percentage" (of the min..max range).
    mode: str = "absolute"


@dataclass(frozen=True, slots=True)
class Panel:
    """One panel as the dashboard defines it."""

    id: int
    type: str
    title: str
    grid: GridPos
    targets: tuple[Target, ...] = ()
    #: Grafana's unit id ("s", "percentunit", ...), "" for none.
    unit: str = ""
    decimals: int | None = None
    min: float | None = None
    max: float | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    #: The stat's reduction ("lastNotNull", "mean", ...).
    calc: str = "lastNotNull"
    #: Why this panel cannot be drawn (None: it can): an unsupported type or datasource.
    unsupported: str | None = None
    #: Rows only: folded, and the panels a folded row keeps inside it.
    collapsed: bool = False
    children: tuple[Panel, ...] = ()

    @property
    def is_row(self) -> bool:
        return self.type == "row"

    @property
    def queries(self) -> tuple[Target, ...]:
        """The targets that are sent (hidden ones are not)."""
        return tuple(t for t in self.targets if not t.hide and t.expr.strip())


@dataclass(frozen=True, slots=True)
class Dashboard:
    path: str
    title: str
    schema_version: int
    #: In Grafana's order: by grid row, then column; rows hold their panels in `children`
    #: only while folded in the file.
    panels: tuple[Panel, ...]
    variables: tuple[Variable, ...] = ()


def load_dashboard(path: Path) -> Dashboard:
    """Read and validate one file; raises DashboardError."""
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DashboardError(where, f"cannot read it ({exc.strerror or exc})") from exc
    except UnicodeDecodeError:
        raise DashboardError(where, "not JSON (not UTF-8 text)") from None
    return parse_dashboard(text, where)


def parse_dashboard(text: str, where: str) -> Dashboard:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DashboardError(where, f"not JSON ({exc.msg} at line {exc.lineno})") from None
    if isinstance(data, dict) and isinstance(data.get("dashboard"), dict):
        data = data["dashboard"]  # the export wrapper (API / "share -> export")
    if not isinstance(data, dict) or not (
        isinstance(data.get("panels"), list) or isinstance(data.get("rows"), list)
    ):
        raise DashboardError(where, "not a Grafana dashboard (no 'panels' or 'rows' list)")
    schema = _int(data.get("schemaVersion"), 0)
    try:
        if isinstance(data.get("panels"), list) and (data["panels"] or "rows" not in data):
            panels = tuple(
                _panel(p, i) for i, p in enumerate(data["panels"]) if isinstance(p, dict)
            )
        else:
            panels = _legacy_rows(data["rows"])
        variables = parse_variables(_templating(data))
    except ValueError as exc:
        raise DashboardError(where, str(exc)) from None
    ordered = tuple(sorted(panels, key=lambda p: (p.grid.y, p.grid.x)))
    title = sanitize(str(data.get("title") or Path(where).stem))
    return Dashboard(where, title, schema, ordered, variables)


def _templating(data: Mapping[str, Any]) -> list[Any]:
    templating = data.get("templating")
    if isinstance(templating, dict) and isinstance(templating.get("list"), list):
        return list(templating["list"])
    return []


# ----------------------------------------------------------------- panels


def _panel(raw: Mapping[str, Any], index: int, grid: GridPos | None = None) -> Panel:
    kind = str(raw.get("type") or "graph")
    title = sanitize(str(raw.get("title") or ""))
    grid = grid or _grid(raw.get("gridPos"), index)
    panel_id = _int(raw.get("id"), index + 1)
    if kind == "row":
        children = tuple(
            _panel(p, index * 1000 + i)
            for i, p in enumerate(raw.get("panels") or [])
            if isinstance(p, dict)
        )
        grid = GridPos(0, grid.y, GRID_COLUMNS, 1)
        return Panel(
            panel_id, kind, title, grid, collapsed=bool(raw.get("collapsed")), children=children
        )
    defaults = _dict(_dict(raw.get("fieldConfig")).get("defaults"))
    legacy_axis = _first_axis(raw)
    unit = defaults.get("unit") or legacy_axis.get("format") or raw.get("format") or ""
    options = _dict(raw.get("options"))
    calcs = _dict(options.get("reduceOptions")).get("calcs") or []
    calc = str(calcs[0]) if isinstance(calcs, list) and calcs else _legacy_calc(raw)
    return Panel(
        id=panel_id,
        type=kind,
        title=title,
        grid=grid,
        targets=tuple(
            _target(t, i) for i, t in enumerate(raw.get("targets") or []) if isinstance(t, dict)
        ),
        unit=str(unit),
        decimals=_opt_int(defaults.get("decimals", raw.get("decimals"))),
        min=_opt_float(defaults.get("min", legacy_axis.get("min"))),
        max=_opt_float(defaults.get("max", legacy_axis.get("max"))),
        thresholds=_thresholds(defaults.get("thresholds"), raw),
        calc=calc,
        unsupported=_unsupported(kind, raw),
    )


def _unsupported(kind: str, raw: Mapping[str, Any]) -> str | None:
    if kind not in SUPPORTED_TYPES:
        return f"panel type '{sanitize(kind)}' is not supported yet"
    kinds = {_datasource_type(raw.get("datasource"))}
    kinds |= {
        _datasource_type(t.get("datasource"))
        for t in raw.get("targets") or []
        if isinstance(t, dict)
    }
    others = sorted(k for k in kinds if k not in ("prometheus", "", "mixed"))
    if others:
        return f"datasource type '{sanitize(others[0])}' is not supported (Prometheus only)"
    return None


def _datasource_type(datasource: object) -> str:
    """ "prometheus", another type, "" (the default one, taken for Prometheus) or "mixed"."""
    if isinstance(datasource, dict):
        kind = str(datasource.get("type") or "")
        uid = str(datasource.get("uid") or "")
        if kind == "datasource":  # Grafana's pseudo sources: "-- Mixed --", "-- Dashboard --"
            return "mixed" if uid == "-- Mixed --" else uid.strip("- ").lower() or "datasource"
        return kind
    if isinstance(datasource, str):
        return {
            "-- Mixed --": "mixed",
            "-- Grafana --": "grafana",
            "-- Dashboard --": "dashboard",
        }.get(datasource, "")  # a name or "$ds": pulse-tui's one Prometheus
    return ""


def _target(raw: Mapping[str, Any], index: int) -> Target:
    return Target(
        ref_id=str(raw.get("refId") or chr(ord("A") + index % 26)),
        expr=str(raw.get("expr") or ""),
        legend_format=str(raw.get("legendFormat") or ""),
        interval=str(raw.get("interval") or ""),
        interval_factor=max(1, _int(raw.get("intervalFactor"), 1)),
        instant=bool(raw.get("instant")) and not bool(raw.get("range")),
        hide=bool(raw.get("hide")),
    )


def _grid(raw: object, index: int) -> GridPos:
    if not isinstance(raw, dict):
        # No position (hand-written files): one full-width panel under the other.
        return GridPos(0, index * 8, GRID_COLUMNS, 8)
    x = min(max(_int(raw.get("x"), 0), 0), GRID_COLUMNS - 1)
    w = min(max(_int(raw.get("w"), 12), 1), GRID_COLUMNS - x)
    return GridPos(x, max(_int(raw.get("y"), 0), 0), w, max(_int(raw.get("h"), 8), 1))


def _thresholds(raw: object, panel: Mapping[str, Any]) -> Thresholds:
    if isinstance(raw, dict) and isinstance(raw.get("steps"), list):
        steps = tuple(
            Step(str(s.get("color") or "green"), _opt_float(s.get("value")))
            for s in raw["steps"]
            if isinstance(s, dict)
        )
        return Thresholds(steps, "percentage" if raw.get("mode") == "percentage" else "absolute")
    # Legacy singlestat/gauge: "50,80" with `colors` for below, between and above.
    legacy = panel.get("thresholds")
    if isinstance(legacy, str) and legacy.strip():
        colors = [str(c) for c in panel.get("colors") or ["green", "orange", "red"]]
        values = [_opt_float(v) for v in legacy.split(",")]
        legacy_steps = [Step(colors[0] if colors else "green", None)]
        for i, value in enumerate(values, start=1):
            if value is not None:
                colour = colors[min(i, len(colors) - 1)] if colors else "red"
                legacy_steps.append(Step(colour, value))
        return Thresholds(tuple(legacy_steps))
    return Thresholds()


def _first_axis(raw: Mapping[str, Any]) -> dict[str, Any]:
    axes = raw.get("yaxes")
    return dict(axes[0]) if isinstance(axes, list) and axes and isinstance(axes[0], dict) else {}


def _legacy_calc(raw: Mapping[str, Any]) -> str:
    legacy = {"current": "lastNotNull", "avg": "mean", "total": "sum"}
    name = str(raw.get("valueName") or "lastNotNull")
    return legacy.get(name, name)


# ----------------------------------------------------------------- legacy rows


def _legacy_rows(rows: list[Any]) -> tuple[Panel, ...]:
    """Schema < 16: rows of panels with 12-column spans -> panels on the 24-column grid."""
    panels: list[Panel] = []
    y = 0
    titled = len(rows) > 1 or any(isinstance(r, dict) and r.get("showTitle") for r in rows)
    for row_index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ValueError(f"rows[{row_index}] is not an object")
        height = max(1, math.ceil(_pixels(row.get("height"), LEGACY_ROW_HEIGHT_PX) / GRID_UNIT_PX))
        inside: list[Panel] = []
        header_y = y
        if titled:
            y += 1
        x = 0
        row_height = 0
        for i, raw in enumerate(row.get("panels") or []):
            if not isinstance(raw, dict):
                continue
            w = min(max(round(_float(raw.get("span"), 12) * 2), 1), GRID_COLUMNS)
            if x + w > GRID_COLUMNS:  # wraps onto a new line of the row, as Grafana does
                y, x = y + row_height, 0
            h = height
            if "height" in raw:
                h = max(
                    1, math.ceil(_pixels(raw.get("height"), height * GRID_UNIT_PX) / GRID_UNIT_PX)
                )
            row_height = max(row_height, h)
            inside.append(_panel(raw, row_index * 100 + i, GridPos(x, y, w, h)))
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


# ----------------------------------------------------------------- lenient numbers


def _dict(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _int(value: object, default: int) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return default


def _float(value: object, default: float) -> float:
    result = _opt_float(value)
    return default if result is None else result


def _opt_int(value: object) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return max(0, min(int(value), 10))  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return None


def _opt_float(value: object) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def _pixels(value: object, default: float) -> float:
    if isinstance(value, str):
        value = value.strip().removesuffix("px")
    return _float(value, default)
