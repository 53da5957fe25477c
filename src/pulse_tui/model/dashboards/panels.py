"""What a panel shows, worked out from its definition and its series (no drawing here):
the step of each target, legends, Grafana units in pulse-tui's formatting, a stat's
reduction, threshold colours, and the cap on series per panel."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pulse_tui.model.core.durations import DurationError, parse_duration
from pulse_tui.model.core.units import format_decimals, format_value
from pulse_tui.model.dashboards.definition import Panel, Target, Thresholds
from pulse_tui.model.metrics.signals import QueryWindow, Series
from pulse_tui.model.metrics.step import compute_window
from pulse_tui.model.metrics.top import top_series

#: Series kept per panel: a query answering more is cut here and the panel says so.
MAX_SERIES = 200

#: Grafana unit id -> (pulse-tui unit, factor to that unit).
_UNITS: dict[str, tuple[str, float]] = {
    "s": ("s", 1.0),
    "ms": ("s", 1e-3),
    "µs": ("s", 1e-6),
    "us": ("s", 1e-6),
    "ns": ("s", 1e-9),
    "m": ("s", 60.0),
    "h": ("s", 3600.0),
    "d": ("s", 86400.0),
    "dtdurations": ("s", 1.0),
    "percentunit": ("ratio", 1.0),
    "percent": ("%", 1.0),
    "reqps": ("req/s", 1.0),
    "rps": ("req/s", 1.0),
    "bytes": ("bytes", 1.0),
    "decbytes": ("bytes", 1.0),
    "kbytes": ("bytes", 1024.0),
    "mbytes": ("bytes", 1024.0**2),
    "gbytes": ("bytes", 1024.0**3),
    "Bps": ("bytes/s", 1.0),
    "binBps": ("bytes/s", 1.0),
    "short": ("", 1.0),
    "none": ("", 1.0),
    "": ("", 1.0),
    "ops": ("ops/s", 1.0),
    "opm": ("ops/min", 1.0),
    "cps": ("/s", 1.0),
    "iops": ("io/s", 1.0),
}

#: Grafana's named colours -> terminal colours (the rest of its palette by family).
_COLORS = {
    "green": "#73bf69",
    "red": "#f2495c",
    "yellow": "#fade2a",
    "orange": "#ff9830",
    "blue": "#5794f2",
    "purple": "#b877d9",
    "transparent": "default",
    "text": "default",
}
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_RGB = re.compile(r"^rgba?\((\d+),\s*(\d+),\s*(\d+)")


@dataclass(frozen=True, slots=True)
class DisplayUnit:
    """How a panel's values are written: pulse-tui's unit, the factor into it, decimals."""

    unit: str
    factor: float = 1.0
    decimals: int | None = None

    def format(self, value: float | None, *, compact: bool = False) -> str:
        if value is None:
            return format_value(None, self.unit)
        scaled = value * self.factor
        if not math.isfinite(scaled):
            return format_value(scaled, self.unit, compact=compact)
        if self.unit and self.decimals is not None and not compact:
            return format_decimals(scaled, self.unit, self.decimals)
        if self.unit:
            return format_value(scaled, self.unit, compact=compact)
        # Grafana's "short": plain decimals below one (0.5, not pulse-tui's SI "500m").
        if self.decimals is not None:
            return f"{scaled:.{self.decimals}f}"
        if 0 < abs(scaled) < 1:
            return f"{scaled:.3g}"
        return format_value(scaled, "", compact=compact)


def display_unit(
    panel: Panel, unit_id: str | None = None, decimals: int | None = None
) -> DisplayUnit:
    """Grafana's unit id (the panel's, or an override's `unit_id` and `decimals`) in
    pulse-tui's formatting; an unknown id is appended as written ("suffix:" units give
    their suffix)."""
    grafana = panel.unit if unit_id is None else unit_id
    decimals = panel.decimals if decimals is None else decimals
    if grafana.startswith("suffix:"):
        return DisplayUnit(grafana.removeprefix("suffix:"), decimals=decimals)
    unit, factor = _UNITS.get(grafana, (grafana, 1.0))
    return DisplayUnit(unit, factor, decimals)


def target_window(
    target: Target,
    range_seconds: float,
    end: float,
    points: int,
    scrape_interval: float,
    panel_interval: str = "",
) -> QueryWindow:
    """A target's query window: the panel's step (range / points, never finer than the
    scrape or the target's `interval`), times `intervalFactor`; an instant target is one
    point at `end`. The rate window is `$__rate_interval` for that step."""
    minimum = _interval_seconds(target.interval) or _interval_seconds(panel_interval) or 0.0
    floor = max(scrape_interval, minimum)
    base = compute_window(range_seconds, end, max(1, points // target.interval_factor), floor)
    rate = max(base.step + scrape_interval, 4 * scrape_interval)
    if target.instant:
        at = float(math.floor(end))
        return QueryWindow(start=at, end=at, step=base.step, rate_window=rate)
    return QueryWindow(base.start, base.end, base.step, rate)


def _interval_seconds(text: str) -> float | None:
    text = text.strip().removeprefix(">")
    if not text or "$" in text:
        return None
    try:
        return parse_duration(text)
    except DurationError:
        return None


_LEGEND = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")


def all_labels(series: Series, service_label: str) -> dict[str, str]:
    """Every label of a series from the source (which keeps the service label apart)."""
    labels = dict(series.labels)
    if series.service:
        labels[service_label] = series.service
    return labels


def legend(target: Target, labels: Mapping[str, str]) -> str:
    """`legendFormat` with `{{label}}` filled (a missing label is empty, as in Grafana);
    without one, the label set as PromQL writes it, or the expression."""
    if target.legend_format and target.legend_format != "__auto":
        return _LEGEND.sub(lambda m: labels.get(m.group(1), ""), target.legend_format)
    if not labels:
        return target.expr
    inside = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return "{" + inside + "}"


def cap_series(
    series: Sequence[Series], limit: int = MAX_SERIES, total: int | None = None
) -> tuple[list[Series], str | None]:
    """At most `limit` series, and the note saying how many were dropped (None: none).

    `total` is how many there were when `series` is already cut (by the source). The
    ones kept are the top `limit` by their value now, in their order, as the main panels
    keep theirs (`model/metrics/top.py`): the busiest, the slowest, not whichever the
    server happened to list first."""
    kept, _ = top_series(series, limit)
    total = max(len(series), total or 0)
    if total <= len(kept):
        return list(kept), None
    return list(kept), f"showing {len(kept):,} of {total:,} series"


#: A stat's reductions over the window's finite values.
REDUCERS = (
    "lastNotNull",
    "last",
    "first",
    "firstNotNull",
    "mean",
    "max",
    "min",
    "sum",
    "count",
    "range",
)


def reduce(values: Sequence[float], calc: str) -> float | None:
    """Grafana's reduction; None when there is nothing to reduce."""
    if calc == "last":
        return values[-1] if values else None
    if calc == "first":
        return values[0] if values else None
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return None
    match calc:
        case "firstNotNull":
            return finite[0]
        case "mean":
            return math.fsum(finite) / len(finite)
        case "max":
            return max(finite)
        case "min":
            return min(finite)
        case "sum":
            return math.fsum(finite)
        case "count":
            return float(len(finite))
        case "range":
            return max(finite) - min(finite)
        case _:
            return finite[-1]


def threshold_color(
    thresholds: Thresholds, value: float | None, low: float = 0.0, high: float = 100.0
) -> str | None:
    """The colour of the highest step at or below `value` (percentage mode: of low..high);
    None with no steps or no value."""
    if value is None or not thresholds.steps or not math.isfinite(value):
        return None
    if thresholds.mode == "percentage":
        value = (value - low) / (high - low) * 100 if high > low else 0.0
    chosen = thresholds.steps[0].color
    for step in thresholds.steps:
        if step.value is None or value >= step.value:
            chosen = step.color
    return terminal_color(chosen)


def terminal_color(grafana: str) -> str:
    """A Grafana colour name, hex or rgb() as a terminal colour ("#rrggbb" or "default")."""
    name = grafana.strip().lower()
    if _HEX.match(name):
        return name
    rgb = _RGB.match(name)
    if rgb:
        return "#" + "".join(f"{min(int(c), 255):02x}" for c in rgb.groups())
    for family, colour in _COLORS.items():
        if family in name:  # "dark-red", "semi-dark-green", "super-light-blue"
            return colour
    return "default"


def value_range(panel: Panel, unit: DisplayUnit, values: Sequence[float]) -> tuple[float, float]:
    """A gauge's min..max: the panel's, else 0..100 for percent, 0..1 for percentunit,
    else 0 (or the data's minimum below it) to the data's maximum."""
    if unit.unit == "%":
        low, high = 0.0, 100.0
    elif unit.unit == "ratio":
        low, high = 0.0, 1.0
    else:
        finite = [v for v in values if math.isfinite(v)]
        low = min([0.0, *finite])
        high = max(finite, default=1.0)
    low = panel.min if panel.min is not None else low
    high = panel.max if panel.max is not None else high
    return low, high if high > low else low + 1.0
