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
import re
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.dashboards.definition import (
    GRID_COLUMNS,
    Dashboard,
    GridPos,
    Panel,
    Step,
    Target,
    Thresholds,
)
from pulse_tui.model.dashboards.field_config import parse_mappings, parse_overrides
from pulse_tui.model.dashboards.legacy import legacy_rows
from pulse_tui.model.dashboards.lenient import as_dict, as_int, opt_decimals, opt_float
from pulse_tui.model.dashboards.variables import Variable, parse_variables

#: Panel types drawn in this version; the others are titled placeholders saying so.
SUPPORTED_TYPES = frozenset(
    {"timeseries", "graph", "stat", "singlestat", "gauge", "bargauge", "table", "heatmap"}
)


class DashboardError(ValueError):
    """A file that cannot be imported; `str()` is one line naming the file."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


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
    schema = as_int(data.get("schemaVersion"), 0)
    try:
        variables = parse_variables(_templating(data))
        # A panel's datasource may be a datasource variable ("$ds"): its type is the
        # variable's query (the plugin id), so a Loki one is said to be Loki.
        read = partial(_panel, sources=_datasource_variables(variables))
        if isinstance(data.get("panels"), list) and (data["panels"] or "rows" not in data):
            panels = tuple(read(p, i) for i, p in enumerate(data["panels"]) if isinstance(p, dict))
        else:
            panels = legacy_rows(data["rows"], read)
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


def _datasource_variables(variables: tuple[Variable, ...]) -> dict[str, str]:
    """Datasource variable name -> the plugin type it picks from ("prometheus", "loki")."""
    return {v.name: v.query.strip().lower() for v in variables if v.kind == "datasource"}


def _panel(
    raw: Mapping[str, Any],
    index: int,
    grid: GridPos | None = None,
    *,
    sources: Mapping[str, str] | None = None,
) -> Panel:
    kind = str(raw.get("type") or "graph")
    title = sanitize(str(raw.get("title") or ""))
    grid = grid or _grid(raw.get("gridPos"), index)
    panel_id = as_int(raw.get("id"), index + 1)
    if kind == "row":
        children = tuple(
            _panel(p, index * 1000 + i, sources=sources)
            for i, p in enumerate(raw.get("panels") or [])
            if isinstance(p, dict)
        )
        grid = GridPos(0, grid.y, GRID_COLUMNS, 1)
        return Panel(
            panel_id, kind, title, grid, collapsed=bool(raw.get("collapsed")), children=children
        )
    defaults = as_dict(as_dict(raw.get("fieldConfig")).get("defaults"))
    legacy_axis = _first_axis(raw)
    value_style = _legacy_value_style(raw)
    unit = (
        defaults.get("unit")
        or legacy_axis.get("format")
        or raw.get("format")
        or value_style.get("unit")
        or ""
    )
    options = as_dict(raw.get("options"))
    calcs = as_dict(options.get("reduceOptions")).get("calcs") or []
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
        decimals=opt_decimals(
            defaults.get("decimals", raw.get("decimals", value_style.get("decimals")))
        ),
        min=opt_float(defaults.get("min", legacy_axis.get("min"))),
        max=opt_float(defaults.get("max", legacy_axis.get("max"))),
        thresholds=_thresholds(defaults.get("thresholds"), raw),
        calc=calc,
        unsupported=_unsupported(kind, raw, sources or {}),
        overrides=parse_overrides(as_dict(raw.get("fieldConfig"))),
        mappings=parse_mappings(defaults.get("mappings") or _legacy_maps(raw)),
    )


def _legacy_maps(raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A singlestat's `valueMaps` and `rangeMaps` as legacy mappings (type 1 and 2)."""
    out: list[dict[str, Any]] = []
    for item in raw.get("valueMaps") or []:
        if isinstance(item, dict):
            out.append({**item, "type": 1})
    for item in raw.get("rangeMaps") or []:
        if isinstance(item, dict):
            out.append({**item, "type": 2})
    return out


def _unsupported(kind: str, raw: Mapping[str, Any], sources: Mapping[str, str]) -> str | None:
    if kind not in SUPPORTED_TYPES:
        return f"panel type '{sanitize(kind)}' is not supported yet"
    kinds = {_datasource_type(raw.get("datasource"), sources)}
    kinds |= {
        _datasource_type(t.get("datasource"), sources)
        for t in raw.get("targets") or []
        if isinstance(t, dict)
    }
    others = sorted(k for k in kinds if k not in ("prometheus", "", "mixed"))
    if others:
        return f"datasource type '{sanitize(others[0])}' is not supported (Prometheus only)"
    return None


def _datasource_type(datasource: object, sources: Mapping[str, str]) -> str:
    """ "prometheus", another type, "" (the default one, taken for Prometheus) or "mixed"."""
    if isinstance(datasource, dict):
        kind = str(datasource.get("type") or "")
        uid = str(datasource.get("uid") or "")
        if kind == "datasource":  # Grafana's pseudo sources: "-- Mixed --", "-- Dashboard --"
            return "mixed" if uid == "-- Mixed --" else uid.strip("- ").lower() or "datasource"
        return kind or _variable_source(uid, sources)
    if isinstance(datasource, str):
        pseudo = {
            "-- Mixed --": "mixed",
            "-- Grafana --": "grafana",
            "-- Dashboard --": "dashboard",
        }.get(datasource)
        # A name ("" : pulse-tui's one Prometheus), or "$ds": what that variable picks.
        return pseudo or _variable_source(datasource, sources)
    return ""


_VARIABLE_REFERENCE = re.compile(r"^\$(?:\{(\w+)\}|(\w+))$")


def _variable_source(text: str, sources: Mapping[str, str]) -> str:
    """The type a "$ds" / "${ds}" datasource reference stands for ("" if none)."""
    match = _VARIABLE_REFERENCE.match(text.strip())
    return sources.get(match.group(1) or match.group(2), "") if match else ""


def _target(raw: Mapping[str, Any], index: int) -> Target:
    return Target(
        ref_id=str(raw.get("refId") or chr(ord("A") + index % 26)),
        expr=str(raw.get("expr") or ""),
        legend_format=str(raw.get("legendFormat") or ""),
        interval=str(raw.get("interval") or ""),
        interval_factor=max(1, as_int(raw.get("intervalFactor"), 1)),
        instant=bool(raw.get("instant")) and not bool(raw.get("range")),
        hide=bool(raw.get("hide")),
    )


def _grid(raw: object, index: int) -> GridPos:
    if not isinstance(raw, dict):
        # No position (hand-written files): one full-width panel under the other.
        return GridPos(0, index * 8, GRID_COLUMNS, 8)
    x = min(max(as_int(raw.get("x"), 0), 0), GRID_COLUMNS - 1)
    w = min(max(as_int(raw.get("w"), 12), 1), GRID_COLUMNS - x)
    return GridPos(x, max(as_int(raw.get("y"), 0), 0), w, max(as_int(raw.get("h"), 8), 1))


def _thresholds(raw: object, panel: Mapping[str, Any]) -> Thresholds:
    if isinstance(raw, dict) and isinstance(raw.get("steps"), list):
        steps = tuple(
            Step(str(s.get("color") or "green"), opt_float(s.get("value")))
            for s in raw["steps"]
            if isinstance(s, dict)
        )
        return Thresholds(steps, "percentage" if raw.get("mode") == "percentage" else "absolute")
    # Legacy singlestat/gauge: "50,80" with `colors` for below, between and above.
    legacy = panel.get("thresholds")
    if isinstance(legacy, str) and legacy.strip():
        colors = [str(c) for c in panel.get("colors") or ["green", "orange", "red"]]
        values = [opt_float(v) for v in legacy.split(",")]
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


def _legacy_value_style(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The old table panel's (schema < 24) number style for its value column: `styles`
    entries matched by column name; the one for "Value" (or every column) gives the unit."""
    for style in raw.get("styles") or []:
        if (
            isinstance(style, dict)
            and style.get("type", "number") == "number"
            and style.get("pattern") in ("Value", "/.*/")
        ):
            return dict(style)
    return {}


def _legacy_calc(raw: Mapping[str, Any]) -> str:
    legacy = {"current": "lastNotNull", "avg": "mean", "total": "sum"}
    name = str(raw.get("valueName") or "lastNotNull")
    return legacy.get(name, name)
