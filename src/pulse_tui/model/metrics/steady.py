"""A cheap proof that a series held its level: no cut the segmentation could make
separates the means either side by a significant amount. Most series of a refresh are
steady, so this runs first, for a whole panel at once, and most stop here. It is a bound,
never an estimate: a series it proves steady is one `change_points.segments` would leave
in one piece, so it changes no finding, only what they cost.

Why it is cheap: two C passes over each series' points (`sum` for the mean, then
`math.dist` over five slices: the outer 4m and 12m points at each end, and the middle),
each `map`ped over all the series of a panel. The screen it saves (`change_points.screen`:
min/max, a walk of deviations, the cuts) costs about four times as much per series.

The bound. Let d_i = v_i - mean and C_k the sum of the first k of them; cut k's means differ
by |C_k| n / (k (n - k)). The deviations sum to 0, so |C_k| is also the |sum| over the cut's
smaller side, j <= n/2 points at one end, and by Cauchy-Schwarz |C_k| <= sqrt(j) D_b, D_b^2
the squared deviations of the outer b >= j points at that end. For j in [a, b] the means
then differ by at most D_b n / (sqrt(a) (n - b)). A middle cut (both sides >= K points)
explains k (n - k) / n (difference)^2 of the total sum of squares SS, no more, so the means
differ by at most sqrt(SS n / (K (n - K))). The same terms bound how far the left side's
mean (whose size sets the threshold, `Shift.significant`) is from the overall mean, which
gives the threshold a floor without a min/max pass.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, repeat
from operator import itemgetter, mul

#: Slack on the proof against float rounding, relative to the values' scale: the
#: segmentation's means are computed from prefix sums, ~n ulp off; this is far beyond that
#: and far below any threshold.
_ROUNDING = 1e-9


@dataclass(frozen=True, slots=True)
class _Plan:
    """The slices the proof measures for one series length, and its coefficients."""

    #: (lo, hi) per b, outward from the head: [0, 4m), [4m, 12m), ...; mirrored at the tail.
    head: tuple[tuple[int, int], ...]
    #: Per b: how far the left mean may be from the overall mean per unit of D_b.
    drift: tuple[float, ...]
    #: Per b: n / (n - b), the means either side apart per unit of that drift.
    gain: tuple[float, ...]
    #: (lo, hi) of what is between the ends (the whole series when there are none).
    middle: tuple[int, int]
    #: The same two bounds for the middle cuts, per unit of the root of the total sum of
    #: squares.
    middle_gap: float
    middle_drift: float


@lru_cache(maxsize=64)
def _plan(n: int, min_length: int) -> _Plan:
    """The proof's plan for n points and sides of at least `min_length` (n >= 2m)."""
    ends = []  # b: 4m, 12m, 36m, ... up to n/2 (two of them for 240 points of m = 5)
    length = 4 * min_length
    while length <= n // 2:
        ends.append(length)
        length *= 3
    shortest = [min_length, *ends][: len(ends)]  # a: the smallest side each b covers
    inner = ends[-1] if ends else min_length  # middle cuts leave this many points each side
    outer = ends[-1] if ends else 0
    return _Plan(
        head=tuple(zip([0, *ends][: len(ends)], ends, strict=True)),
        drift=tuple(1 / math.sqrt(a) for a in shortest),
        gain=tuple(n / (n - b) for b in ends),
        middle=(outer, n - outer),
        middle_gap=math.sqrt(n / (inner * (n - inner))),
        middle_drift=math.sqrt((n - inner) / (n * inner)),
    )


def proven_steady(
    values: Sequence[float], floor: float, *, relative: float, min_length: int
) -> bool:
    """True when no cut leaving `min_length` points each side can separate the means of
    `values` by `relative` of the larger of the left mean's size and `floor`: then
    `Shift.significant` holds for no split and the series is one segment. False means "not
    proven", not "changed"; a NaN or an infinity is never proven steady."""
    return all_proven_steady([values], floor, relative=relative, min_length=min_length)[0]


def series_proven_steady(
    columns: Sequence[Sequence[float]], floor: float, *, relative: float, min_length: int
) -> list[bool]:
    """`all_proven_steady` of each series' finite points: a series with a gap (a NaN or an
    infinity, which fails the proof on the raw values) is proven again without it."""
    proven = all_proven_steady(columns, floor, relative=relative, min_length=min_length)
    gapped = [
        index
        for index, verdict in enumerate(proven)
        if not verdict and not math.isfinite(sum(columns[index]))
    ]
    finite = [list(compress(columns[i], map(math.isfinite, columns[i]))) for i in gapped]
    again = all_proven_steady(finite, floor, relative=relative, min_length=min_length)
    for index, verdict in zip(gapped, again, strict=True):
        proven[index] = verdict
    return proven


def all_proven_steady(
    columns: Sequence[Sequence[float]], floor: float, *, relative: float, min_length: int
) -> list[bool]:
    """`proven_steady` for each of `columns` (a panel's series), computed a column at a
    time: each step is one C-level `map` over all the series, so a panel of 50 costs
    little more than its points."""
    lengths = set(map(len, columns))
    if len(lengths) == 1:  # a panel's series share the query's grid
        return _proven(columns, lengths.pop(), floor, relative, min_length)
    verdicts = [False] * len(columns)
    for n in lengths:
        indexes = [i for i, values in enumerate(columns) if len(values) == n]
        group = [columns[i] for i in indexes]
        for index, verdict in zip(
            indexes, _proven(group, n, floor, relative, min_length), strict=True
        ):
            verdicts[index] = verdict
    return verdicts


def _proven(
    group: Sequence[Sequence[float]], n: int, floor: float, relative: float, min_length: int
) -> list[bool]:
    """`proven_steady` for series of `n` points each."""
    if n < 2 * min_length:
        return [True] * len(group)  # too short to hold two segments at all
    plan = _plan(n, min_length)
    means = [total / n for total in map(sum, group)]
    singles = list(zip(means, strict=True))
    # Outward from each end: D_b, the root of the squared deviations of the outer b points,
    # and what it bounds (`drift`, then `gap`).
    head = tail = [0.0] * len(group)
    offs = gaps = [0.0] * len(group)
    for (lo, hi), drift, gain in zip(plan.head, plan.drift, plan.gain, strict=True):
        centres = list(map(mul, singles, repeat(hi - lo)))
        head_part = map(math.dist, map(itemgetter(slice(lo, hi)), group), centres)
        tail_part = map(math.dist, map(itemgetter(slice(n - hi, n - lo)), group), centres)
        head = list(map(math.hypot, head, head_part))
        tail = list(map(math.hypot, tail, tail_part))
        drifts = list(map(mul, map(max, head, tail), repeat(drift)))
        offs = list(map(max, offs, drifts))
        gaps = list(map(max, gaps, map(mul, drifts, repeat(gain))))
    # The middle cuts, from the whole series' root sum of squares (ends and middle).
    lo, hi = plan.middle
    centres = list(map(mul, singles, repeat(hi - lo)))
    middle = map(math.dist, map(itemgetter(slice(lo, hi)), group), centres)
    roots = list(map(math.hypot, head, middle, tail))
    offs = list(map(max, offs, map(mul, roots, repeat(plan.middle_drift))))
    gaps = list(map(max, gaps, map(mul, roots, repeat(plan.middle_gap))))
    return [
        gap + _ROUNDING * (abs(mean) + off) < relative * max(abs(mean) - off, floor)
        for gap, off, mean in zip(gaps, offs, means, strict=True)
    ]
