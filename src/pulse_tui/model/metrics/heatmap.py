"""Histogram buckets over time as a grid of per-bucket counts: the latency heatmap's data.

Prometheus' classic histograms are cumulative: the series with `le="0.25"` counts every
observation at or below 250 ms. A heatmap wants each bucket on its own, so the rates of
neighbouring bounds are subtracted (de-cumulated) at every step. A rate is per second;
times the step it is the observations that fell in the bucket during one step (the
rate window is a little longer than the step, so the count is that window's average).

What the data does not say stays unsaid: a bound missing at a step, or NaN (a counter
reset inside the window, a scrape gap), makes that bucket and the one above it unknown
(`None`) rather than folding two buckets into one; a negative difference (two bounds'
rates sampled across a reset) is clamped to zero, as the counts cannot be negative.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pulse_tui.model.metrics.signals import Series

#: A cell whose count is not known (a bound missing or NaN at that step).
Unknown = None


def parse_le(text: str) -> float | None:
    """A bucket's upper bound from its `le` label ("0.25", "+Inf", "1e-3"); None if the
    label is not a number (such a series is no bucket and is left out)."""
    try:
        value = float(text)
    except ValueError:
        return None
    return None if math.isnan(value) or value < 0 else value


@dataclass(frozen=True, slots=True)
class Heatmap:
    """Per-bucket observation counts per step, lowest bucket first.

    `counts[b][i]` is the count of bucket `b` (between `bounds[b-1]` and `bounds[b]`; the
    first from 0) at `timestamps[i]`, or None when not known.
    """

    #: Unix seconds of the columns, ascending (the query's steps).
    timestamps: tuple[float, ...]
    #: Upper bounds (`le`), ascending; the last may be +Inf.
    bounds: tuple[float, ...]
    counts: tuple[tuple[float | None, ...], ...]
    #: Seconds between two columns: what one count covers.
    step: float

    @property
    def empty(self) -> bool:
        return not self.timestamps or not self.bounds

    def max_count(self) -> float:
        """The largest known count (0 with none): the top of the colour ramp."""
        return max((c for row in self.counts for c in row if c is not None), default=0.0)

    def column(self, timestamp: float) -> int | None:
        """The index of the step nearest `timestamp` (None: no steps)."""
        stamps = self.timestamps
        if not stamps:
            return None
        return min(range(len(stamps)), key=lambda i: abs(stamps[i] - timestamp))

    def at(self, timestamp: float) -> list[tuple[float, float | None]]:
        """(upper bound, count) of every bucket at the step nearest `timestamp`."""
        index = self.column(timestamp)
        if index is None:
            return []
        return [(bound, row[index]) for bound, row in zip(self.bounds, self.counts, strict=True)]


def lower_bound(bounds: Sequence[float], index: int) -> float:
    """The bottom of bucket `index`: the bound below it, or 0 for the first."""
    return bounds[index - 1] if index > 0 else 0.0


def decumulate(series: Sequence[Series], step: float, *, per_step: bool = True) -> Heatmap:
    """Cumulative `le` bucket rates (one series per bound, any order) -> per-bucket counts
    per step on the union of their timestamps (`per_step=False`: the values de-cumulated
    as they are, as Grafana's `format: heatmap` shows a query's answer).

    Series without a numeric `le` label are ignored; two series with the same bound (the
    query did not sum them) are added, as `sum by (le)` would.
    """
    by_bound: dict[float, dict[float, float]] = {}
    for item in series:
        bound = parse_le(item.labels.get("le", ""))
        if bound is None:
            continue
        points = by_bound.setdefault(bound, {})
        for t, v in zip(item.timestamps, item.values, strict=False):
            points[t] = points.get(t, 0.0) + v  # NaN stays NaN: unknown below
    bounds = tuple(sorted(by_bound))
    stamps = tuple(sorted({t for points in by_bound.values() for t in points}))
    rows: list[tuple[float | None, ...]] = []
    below: list[float | None] = [0.0] * len(stamps)  # the cumulative rate under the bucket
    scale = step if per_step else 1.0
    for bound in bounds:
        points = by_bound[bound]
        row: list[float | None] = []
        here: list[float | None] = []
        for i, t in enumerate(stamps):
            value = points.get(t)
            cumulative = value if value is not None and math.isfinite(value) else None
            here.append(cumulative)
            under = below[i]
            if cumulative is None or under is None:
                row.append(Unknown)
            else:
                row.append(max(0.0, cumulative - under) * scale)
        rows.append(tuple(row))
        below = here
    return Heatmap(stamps, bounds, tuple(rows), step)


@dataclass(frozen=True, slots=True)
class BucketAnswer:
    """What a panel's heatmap shows: the buckets, or why there are none."""

    heatmap: Heatmap | None = None
    #: Why no heatmap is drawn ("no bucket series for X_bucket", the query's error).
    note: str | None = None
    #: A failed query (the note is its error); the previous heatmap is not kept.
    failed: bool = False
    #: The quantile lines already worked out (a native histogram's, from its fine
    #: buckets): q -> a value per timestamp. None: from the heatmap's own buckets.
    quantiles: dict[float, tuple[float, ...]] | None = None
    #: What the cells leave out, said in the legend ("native series not drawn").
    caveat: str | None = None


def quantile(bounds: Sequence[float], counts: Sequence[float], q: float) -> float | None:
    """`histogram_quantile(q)` of one step's per-bucket counts, as Prometheus works it out
    (linear inside the bucket, the first from 0, the +Inf bucket answered with the largest
    finite bound); None with no observations or an unknown count."""
    if not bounds or any(not math.isfinite(c) for c in counts):
        return None
    total = math.fsum(counts)
    if total <= 0 or not math.isinf(bounds[-1]):
        return None  # without +Inf there is no total to rank against
    rank = q * total
    cumulative = 0.0
    for index, (bound, count) in enumerate(zip(bounds, counts, strict=True)):
        if cumulative + count >= rank and count > 0:
            if math.isinf(bound):
                return bounds[-2] if len(bounds) > 1 else None
            low = lower_bound(bounds, index)
            if index == 0 and bound <= 0:
                return bound
            return low + (bound - low) * (rank - cumulative) / count
        cumulative += count
    return None


def quantile_series(heatmap: Heatmap, q: float) -> list[float]:
    """`quantile` at every step (NaN where unknown), for the overlay of several services."""
    out = []
    for i in range(len(heatmap.timestamps)):
        column = [row[i] for row in heatmap.counts]
        value = None
        if all(c is not None for c in column):
            value = quantile(heatmap.bounds, [c for c in column if c is not None], q)
        out.append(math.nan if value is None else value)
    return out
