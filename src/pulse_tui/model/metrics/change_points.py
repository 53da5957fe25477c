"""Level shifts in one series: where its level changed, robustly, in pure Python.

The detector (`changes.py`) asks two questions of a series' finite points: is there any
shift big enough to matter (first `steady.py`'s proof, a panel at a time, which most
series stop at; then `screen`), and if so, which segments of steady level does it fall
into (`segments`).

Segments come from binary segmentation: the split that best explains the points as two
levels (least squared error, O(n) with prefix sums) is kept only when the means either
side differ by more than `Shift`'s thresholds; each side is then split again, a few
levels deep. Medians and a noise scale from first differences keep one-sample spikes,
steps and slow trends from fooling the test: a step makes one big difference, noise
makes every difference.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress, repeat
from operator import add, mul, sub, truediv

from pulse_tui.model.metrics.steady import all_proven_steady

#: Ratio of the median absolute first difference to σ for Gaussian noise: 0.6745 · √2.
_DIFF_MAD_TO_SIGMA = 0.6745 * math.sqrt(2)


@dataclass(frozen=True, slots=True)
class Shift:
    """How big a level change must be to count, for one series.

    A change from `a` to `b` counts when it is at least `sigmas` noise scales AND at least
    `relative` of the larger of |a| and `floor` (so 1 % → 1.2 % errors is noise, not news).
    """

    noise: float
    floor: float
    sigmas: float = 6.0
    relative: float = 0.5

    def significant(self, a: float, b: float) -> bool:
        change = abs(b - a)
        return change >= self.sigmas * self.noise and change >= self.relative * max(
            abs(a), self.floor
        )


@dataclass(frozen=True, slots=True)
class Segment:
    """Points [`lo`, `hi`) of a series at one level (their median)."""

    lo: int
    hi: int
    level: float


def finite_points(
    timestamps: Sequence[float], values: Sequence[float]
) -> tuple[Sequence[float], Sequence[float]]:
    """The (timestamps, values) whose value is finite: NaN and ±Inf are gaps, not data."""
    total = sum(values)
    if total - total == 0.0:  # a NaN or an infinity anywhere makes the sum one
        return timestamps, values
    keep = list(map(math.isfinite, values))
    return list(compress(timestamps, keep)), list(compress(values, keep))


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def noise_scale(values: Sequence[float]) -> float:
    """σ of the noise around the level, from the median absolute first difference: a step
    or a slow trend moves few differences, so it barely counts."""
    if len(values) < 3:
        return 0.0
    diffs = list(map(abs, map(sub, values[1:], values)))
    return median(diffs) / _DIFF_MAD_TO_SIGMA


def screen(
    values: Sequence[float], floor: float, *, sigmas: float, relative: float, min_length: int
) -> Shift | None:
    """The `Shift` to segment `values` (finite) with, or None when no cut leaving
    `min_length` points each side can separate means by a significant amount: the screen
    every steady series stops at, in C-level passes (no Python loop over the points).

    The means either side of cut k differ by exactly |C_k| · n / (k (n - k)), where C_k
    is the cumulative sum of deviations from the overall mean; the largest of those over
    the allowed cuts bounds every split `segments` could make. Cheapest test first:
    against the level (half of it) before the noise (six noise scales).
    """
    n = len(values)
    if n < 2 * min_length:
        return None
    low, high = min(values), max(values)
    # No change can be more than the span, and the level is at least the smallest |value|.
    smallest = min(abs(low), abs(high)) if low * high > 0 else 0.0
    need = relative * max(smallest, floor)
    if high - low < need:
        return None
    mean = sum(values) / n
    walk = list(accumulate(map(sub, values, repeat(mean))))
    # A bound on the bound, in two passes instead of four: no allowed cut weighs more than
    # the outermost, n / (m (n - m)), and no |C_k| exceeds the walk's widest. A steady
    # series' walk wanders ~σ√n while its level is ≫ σ: most series stop here.
    edge = n / (min_length * (n - min_length))
    if max(max(walk), -min(walk)) * edge < need:
        return None
    cuts = walk[min_length - 1 : n - min_length]  # C_k for k = min_length .. n - min_length
    largest = max(map(mul, map(abs, cuts), _cut_weights(n, min_length)))
    if largest < need:
        return None
    shift = Shift(noise_scale(values), floor, sigmas, relative)
    return shift if largest >= sigmas * shift.noise else None


@lru_cache(maxsize=64)
def _cut_weights(n: int, min_length: int) -> tuple[float, ...]:
    """n / (k (n - k)) for each allowed cut k: a panel's series share a few lengths."""
    return tuple(n / (k * (n - k)) for k in range(min_length, n - min_length + 1))


def segments(
    values: Sequence[float], shift: Shift, *, min_length: int, depth: int = 3
) -> list[Segment]:
    """`values` cut into segments of steady level, oldest first (one when none shifted).

    Each segment has at least `min_length` points, so a shorter blip (a spike, the few
    points a counter reset or a scrape hiccup disturbs) cannot be a level of its own.
    """
    sums = list(accumulate(values, initial=0.0))
    out: list[Segment] = []
    # The whole series is not proven steady again: the caller's screen (or its baseline)
    # is why it is being segmented.
    _split(values, sums, 0, len(values), shift, min_length, depth, out, prove=False)
    return out


def _split(
    values: Sequence[float],
    sums: list[float],
    lo: int,
    hi: int,
    shift: Shift,
    min_length: int,
    depth: int,
    out: list[Segment],
    *,
    prove: bool = True,
) -> None:
    span = values[lo:hi]
    # A side proven steady has no significant cut, and the proof costs a fraction of
    # looking for the best one.
    divisible = depth > 0 and not (prove and _proven(span, shift, min_length))
    cut = _best_cut(sums, lo, hi, min_length) if divisible else None
    if cut is not None:
        # Means, not medians, decide a split: a short incident in the middle of a long
        # span moves the mean of its side but not the median. Levels are medians.
        left = (sums[cut] - sums[lo]) / (cut - lo)
        right = (sums[hi] - sums[cut]) / (hi - cut)
        if shift.significant(left, right):
            _split(values, sums, lo, cut, shift, min_length, depth - 1, out)
            _split(values, sums, cut, hi, shift, min_length, depth - 1, out)
            return
    out.append(Segment(lo, hi, median(span)))


def _proven(span: Sequence[float], shift: Shift, min_length: int) -> bool:
    return all_proven_steady([span], shift.floor, relative=shift.relative, min_length=min_length)[0]


def _best_cut(sums: list[float], lo: int, hi: int, min_length: int) -> int | None:
    """The index splitting [lo, hi) into two runs of least total squared error, or None
    when the span is too short for two runs of `min_length`.

    Least squared error is the split maximising S_l²/n_l + S_r²/n_r (the squares' total
    is the same for every split), read from prefix sums in O(n).
    """
    if hi - lo < 2 * min_length:
        return None
    base = sums[lo]
    total = sums[hi] - base
    n = hi - lo
    # score(k) = left² / k + (total - left)² / (n - k) for every cut, in C-level passes
    # (`map`), the same operations in the same order as a loop would do them; the first
    # of equal scores wins.
    lefts = list(map(sub, sums[lo + min_length : hi - min_length + 1], repeat(base)))
    rights = map(sub, repeat(total), lefts)
    scores = list(
        map(
            add,
            map(truediv, map(mul, lefts, lefts), range(min_length, n - min_length + 1)),
            map(truediv, map(pow, rights, repeat(2)), range(n - min_length, min_length - 1, -1)),
        )
    )
    return lo + min_length + scores.index(max(scores))


def abrupt(values: Sequence[float], cut: int, before: float, after: float, width: int) -> bool:
    """Whether the level moved from `before` to `after` AT `cut`, within about `width`
    points: the medians of the `width` points either side of it differ by at least half
    the change. A step does; a diurnal swing or a slow ramp, cut anywhere, does not."""
    left = values[max(0, cut - width) : cut]
    right = values[cut : cut + width]
    if not left or not right:
        return False
    return abs(median(right) - median(left)) >= 0.5 * abs(after - before)


def onset(values: Sequence[float], cut: int, lo: int, before: float, margin: float) -> int:
    """The first index of the change that a split placed at `cut`: walk back over the
    points (not before `lo`) already `margin` or more beyond `before`, on the change's side
    (a rate window's ramp-in, a ramp's first part)."""
    up = values[cut] >= before
    index = cut
    while index > lo and (values[index - 1] - before if up else before - values[index - 1]) >= (
        margin
    ):
        index -= 1
    return index
