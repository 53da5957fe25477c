"""Where a chart's axes put their ticks: round values up the side, round times along the bottom."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

#: Values beyond this are drawn as if they were this: the axis arithmetic (spans, steps)
#: stays finite, and nobody reads a difference between 1e300 and 1e308 off a chart.
VALUE_LIMIT = 1e300

#: Narrower ranges are treated as a single value: scaling dots by 1/span must stay finite.
MIN_SPAN = 1e-250

# Tick spacings are m × 10^k for these m; 2.5 gives "0, 250ms, 500ms" for latencies.
_MANTISSAS = (1.0, 2.0, 2.5, 5.0)

# Time tick spacings, in seconds: all divide a minute, an hour or a day evenly.
_TIME_STEPS = (
    *(1, 2, 5, 10, 15, 30),
    *(60, 120, 300, 600, 900, 1800),
    *(3600, 7200, 10800, 21600, 43200),
    *(86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400),
)


@dataclass(frozen=True, slots=True)
class ValueAxis:
    """The y range of a chart and the round values labelled on it."""

    low: float
    high: float
    step: float
    ticks: tuple[float, ...]


def clamp_value(value: float) -> float:
    """`value` limited to ±VALUE_LIMIT (finite values only)."""
    return max(-VALUE_LIMIT, min(VALUE_LIMIT, value))


def value_axis(
    data_min: float, data_max: float, *, y_min: float | None = 0.0, max_ticks: int = 5
) -> ValueAxis:
    """A range from `y_min` (or the data's minimum) to a round value at or above the data.

    The floor `y_min` keeps a quiet service's chart from magnifying noise; data below
    it (a negative value against the default 0) still widens the range. When every
    value is the same, the range is made around it so the line sits inside the chart.
    """
    max_ticks = max(2, max_ticks)
    low = clamp_value(min(data_min, data_max))
    high = clamp_value(max(data_min, data_max))
    if y_min is not None and math.isfinite(y_min):
        low, high = min(low, clamp_value(y_min)), max(high, clamp_value(y_min))
    if not (high - low > max(abs(low), abs(high)) * 1e-12 and high - low > MIN_SPAN):
        # Equal, or too close to tell apart at float precision (and to divide by).
        middle = high
        if abs(middle) <= MIN_SPAN:
            low, high = 0.0, 1.0
        elif y_min is not None:
            low, high = middle, middle + abs(middle)
        else:
            low, high = middle - abs(middle) / 2, middle + abs(middle) / 2
    return _nice_axis(low, high, max_ticks) or ValueAxis(low, high, high - low, (low, high))


def _nice_axis(low: float, high: float, max_ticks: int) -> ValueAxis | None:
    """The smallest round step whose ticks cover [low, high] in at most `max_ticks`."""
    raw = (high - low) / (max_ticks - 1)
    if not (math.isfinite(raw) and raw > 0):
        return None
    if low < 0 < high:
        # Zero is always a tick, so a range across it needs three.
        max_ticks = max(3, max_ticks)
    exponent = math.floor(math.log10(raw)) - 1
    # A handful of candidates always suffices: each decade multiplies the step by ten.
    for _ in range(12):
        if exponent > 300:
            return None  # 10**309 would overflow; the caller falls back to the bare range
        for mantissa in _MANTISSAS:
            step = mantissa * 10.0**exponent
            first = math.floor(low / step)
            last = math.ceil(high / step)
            if last - first + 1 <= max_ticks and last > first:
                # Round away float noise (0.30000000000000004) at the step's precision.
                digits = max(0, 2 - math.floor(math.log10(step)))
                ticks = tuple(round(i * step, digits) for i in range(first, last + 1))
                if ticks[-1] > ticks[0]:
                    return ValueAxis(ticks[0], ticks[-1], step, ticks)
        exponent += 1
    return None


def time_ticks(start: float, end: float, *, cells: int) -> tuple[list[float], str]:
    """Round local times between `start` and `end` and the strftime format to label them.

    Labels are "HH:MM" within a day ("HH:MM:SS" when ticks are seconds apart) and
    "MM-DD HH:MM" beyond ("MM-DD" when ticks are whole days); the step is the smallest
    that leaves two spaces between labels across `cells` columns.
    """
    span = end - start
    if not (math.isfinite(span) and span > 0) or cells <= 0:
        return [], "%H:%M"
    step: float
    fmt, label_cells = "%H:%M", 0  # set by the loop's first pass (it always runs)
    for step in _TIME_STEPS:
        fmt = _time_format(span, step)
        label_cells = len(time.strftime(fmt, time.localtime(start)))
        if (span / step + 1) * (label_cells + 2) <= cells:
            break
    else:
        # Longer than the steps above allow (years): whole days, as many as fit.
        fitting = max(1, cells // (label_cells + 2) - 1)
        step = math.ceil(span / fitting / 86400) * 86400
    # Align to the local clock, so ticks read 10:00, 10:05… rather than 10:03, 10:08….
    offset = time.localtime(start).tm_gmtoff
    first = math.ceil((start + offset) / step) * step - offset
    ticks: list[float] = []
    tick = first
    while tick <= end:
        ticks.append(tick)
        tick += step
    return ticks, fmt


def _time_format(span: float, step: float) -> str:
    if span > 86400:
        return "%m-%d" if step >= 86400 else "%m-%d %H:%M"
    return "%H:%M:%S" if step < 60 else "%H:%M"


def time_label(timestamp: float, fmt: str) -> str:
    """`timestamp` in local time as `fmt` (from `time_ticks`)."""
    return time.strftime(fmt, time.localtime(timestamp))
