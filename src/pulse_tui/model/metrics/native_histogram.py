"""Native histogram samples (Prometheus' `native-histograms` feature) and their heatmap.

A range query over a native histogram answers, per step, a sample of sparse buckets
``[boundary_rule, lower, upper, count]`` instead of a float: exponential bounds (at
schema s, bucket i ends at 2^(i * 2^-s)), each counting only its own observations (not
cumulative), plus a zero bucket around 0. The heatmap wants fewer, wider rows than a
client's default schema 3 (a factor of 1.09 per bucket): the buckets are merged onto a
coarser schema of the same family (its bounds are a subset of the finer one's, so no
bucket is ever split), the finest whose populated range fits in `max_buckets` and no
finer than the data. The quantile lines are worked out from the fine buckets, as
Prometheus 2.42's `histogram_quantile` does (linear inside the bucket), so they say what
the panel's own query says.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pulse_tui.model.metrics.heatmap import Heatmap
from pulse_tui.model.metrics.histogram_sample import HistogramSample

#: The schemas Prometheus knows for exponential buckets.
MIN_SCHEMA, MAX_SCHEMA = -4, 8
#: At most this many rows from a native histogram (the renderer merges further to fit).
NATIVE_ROWS = 24


def _schema_of(lower: float, upper: float) -> int | None:
    """The schema whose bucket width `upper / lower` is (None: not an exponential bucket)."""
    if not (0 < lower < upper) or math.isinf(upper):
        return None
    width = math.log2(upper / lower)
    return round(-math.log2(width)) if width > 0 else None


def _coarse_index(value: float, schema: int) -> int:
    """The index of the bucket at `schema` whose upper bound is the first >= `value`."""
    return math.ceil(math.log2(value) * 2.0**schema - 1e-9)


def _upper(index: int, schema: int) -> float:
    return float(2.0 ** (index * 2.0**-schema))


@dataclass(frozen=True, slots=True)
class NativeMap:
    """The merged heatmap, the quantiles from the fine buckets, and what was left out."""

    heatmap: Heatmap
    #: q -> its value at each of the heatmap's timestamps (NaN: no observations).
    quantiles: dict[float, tuple[float, ...]]
    #: Observations (per step, as the cells) in negative buckets: not drawn.
    negative: float = 0.0


def native_heatmap(
    samples: Sequence[Sequence[HistogramSample]],
    step: float,
    *,
    per_step: bool = True,
    max_buckets: int = NATIVE_ROWS,
    quantiles: Sequence[float] = (0.5, 0.9, 0.99),
) -> NativeMap:
    """The heatmap of one or more native series (added at equal timestamps, as `sum`
    would), counts per step (`per_step=False`: as the query answered, a Grafana panel)."""
    by_time: dict[float, list[tuple[float, float, float]]] = {}
    for series in samples:
        for sample in series:
            by_time.setdefault(sample.timestamp, []).extend(sample.buckets())
    stamps = tuple(sorted(by_time))
    scale = step if per_step else 1.0
    # The same bounds come back at every step: worked out once per distinct bucket.
    positive = {(lo, up) for buckets in by_time.values() for lo, up, _ in buckets if up > 0}
    schemas = [s for lo, up in positive if (s := _schema_of(lo, up)) is not None]
    finite = [up for _, up in positive if math.isfinite(up)]
    if not stamps or not finite:
        return NativeMap(Heatmap(stamps, (), (), step), {})
    schema = min(MAX_SCHEMA, min(schemas, default=0))
    # The lowest row ends where the lowest bucket above zero does (the zero bucket,
    # (-threshold, threshold], is counted in it: the first row starts at 0).
    top = max(finite)
    bottom = min([up for lo, up in positive if lo > 0 and math.isfinite(up)] or finite)
    while schema > MIN_SCHEMA and (
        _coarse_index(top, schema) - _coarse_index(bottom, schema) + 1 > max_buckets
    ):
        schema -= 1
    first = _coarse_index(bottom, schema)
    last = _coarse_index(top, schema)
    bounds = [_upper(i, schema) for i in range(first, last + 1)]
    has_inf = any(math.isinf(up) for _, up in positive)
    if has_inf:
        bounds.append(math.inf)
    row_of = {
        upper: len(bounds) - 1
        if math.isinf(upper)
        else min(max(first, _coarse_index(upper, schema)), last) - first
        for _, upper in positive
    }
    rows = [[0.0] * len(stamps) for _ in bounds]
    negative = 0.0
    for column, t in enumerate(stamps):
        for lower, upper, n in by_time[t]:
            if upper <= 0 and lower < 0:  # a negative bucket: no latency is below 0
                negative += n * scale
                continue
            # The zero bucket (lower <= 0 < upper) goes to the lowest row, which starts
            # at 0; a bucket ending at 0 (a zero bucket of threshold 0) too.
            rows[row_of.get(upper, 0)][column] += n * scale
    heatmap = Heatmap(stamps, tuple(bounds), tuple(tuple(row) for row in rows), step)
    # Each step's buckets merged and ordered once, for all the quantiles asked (none for
    # a Grafana panel, which draws no lines).
    columns = [_ordered(by_time[t]) for t in stamps] if quantiles else []
    lines = {q: tuple(_quantile(column, q) for column in columns) for q in quantiles}
    return NativeMap(heatmap, lines, negative)


def _ordered(buckets: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """One step's fine buckets, those two series share added, by upper then lower bound."""
    merged: dict[tuple[float, float], float] = {}
    for lower, upper, n in buckets:
        merged[(lower, upper)] = merged.get((lower, upper), 0.0) + n
    return sorted(
        ((lower, upper, n) for (lower, upper), n in merged.items()),
        key=lambda b: (b[1], b[0]),
    )


def _quantile(ordered: list[tuple[float, float, float]], q: float) -> float:
    """`histogram_quantile(q)` over one step's `_ordered` buckets, linear inside the
    bucket the rank falls in; NaN with no observations."""
    total = math.fsum(n for _, _, n in ordered)
    if not total > 0:
        return math.nan
    rank = q * total
    cumulative = 0.0
    for lower, upper, n in ordered:
        if n > 0 and cumulative + n >= rank:
            if math.isinf(upper):
                return lower
            return lower + (upper - lower) * (rank - cumulative) / n
        cumulative += n
    return ordered[-1][1]
