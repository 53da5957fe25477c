"""The cheap proof that a series held its level (`model/metrics/steady.py`): it must never
call steady a series that the segmentation could split, and it must prove the ordinary
noisy steady series, or it saves nothing."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from itertools import accumulate

import pytest

from pulse_tui.model.metrics.change_points import Shift, _best_cut
from pulse_tui.model.metrics.steady import all_proven_steady, series_proven_steady

RELATIVE = 0.5


def splittable(values: Sequence[float], floor: float, min_length: int) -> bool:
    """Whether any cut leaving `min_length` points each side separates the means by a
    significant amount (the relative test of `Shift.significant`, noise aside), by brute
    force over the cuts, with the means the segmentation computes (from prefix sums)."""
    shift = Shift(0.0, floor, relative=RELATIVE)
    sums = list(accumulate(values, initial=0.0))
    n = len(values)
    for cut in range(min_length, n - min_length + 1):
        left = sums[cut] / cut
        right = (sums[n] - sums[cut]) / (n - cut)
        if shift.significant(left, right):
            return True
    return False


def shapes(rng: random.Random, n: int) -> list[list[float]]:
    """Series of n points that sit near the proof's edge: noise at several scales around
    levels of either sign, with steps, spikes, short blips at either end and ramps."""
    out = []
    for level in (0.0, 0.005, 0.3, 2.0, -3.0, 1e6):
        for sigma in (0.0, 0.001, 0.05, 0.3, 1.0):
            noise = [level + rng.gauss(0, sigma * max(abs(level), 0.01)) for _ in range(n)]
            out.append(noise)
            step_at = rng.randrange(1, n)
            size = rng.choice((0.2, 0.5, 0.7, 2.0)) * max(abs(level), 0.02)
            out.append([v + (size if i >= step_at else 0.0) for i, v in enumerate(noise)])
            spike = list(noise)
            spike[rng.randrange(n)] += 10 * size
            out.append(spike)
            width = rng.randrange(1, 12)
            edge = list(noise)
            for i in range(min(width, n)):
                edge[i if rng.random() < 0.5 else n - 1 - i] += size
            out.append(edge)
            out.append([v + size * i / n for i, v in enumerate(noise)])
    return out


@pytest.mark.parametrize("min_length", [3, 5, 9])
@pytest.mark.parametrize("n", [6, 10, 17, 40, 61, 240, 601])
def test_a_series_proven_steady_has_no_significant_cut(n: int, min_length: int) -> None:
    rng = random.Random(n * 100 + min_length)
    for floor in (0.02, 0.1, 1.0):
        series = shapes(rng, n)
        verdicts = all_proven_steady(series, floor, relative=RELATIVE, min_length=min_length)
        for values, proven in zip(series, verdicts, strict=True):
            if proven:
                assert not splittable(values, floor, min_length), values


def test_ordinary_noise_around_a_level_is_proven_steady() -> None:
    """Noise of σ with the threshold (half the level) at 3σ or more: the panels' steady
    series. The segmentation would not split one of them either."""
    rng = random.Random(7)
    series = [[0.3 * (1 + rng.gauss(0, 0.1)) for _ in range(240)] for _ in range(200)]
    verdicts = all_proven_steady(series, 0.1, relative=RELATIVE, min_length=5)
    assert sum(verdicts) >= 195
    assert all(not splittable(v, 0.1, 5) for v in series)


def test_a_step_is_never_proven_steady() -> None:
    rng = random.Random(8)
    series = [
        [(2.5 if i >= at else 0.3) * (1 + rng.gauss(0, 0.1)) for i in range(240)]
        for at in range(5, 236, 10)
    ]
    assert not any(all_proven_steady(series, 0.1, relative=RELATIVE, min_length=5))


def test_a_gap_or_an_infinity_is_not_proven_and_a_short_series_is() -> None:
    steady = [1.0] * 40
    gap = [*steady[:20], math.nan, *steady[21:]]
    infinite = [*steady[:20], math.inf, *steady[21:]]
    huge = [1e308] * 40  # finite points whose sum overflows
    short = [1.0, 9.0, 1.0, 9.0, 1.0]  # fewer than two sides of 3
    verdicts = all_proven_steady(
        [steady, gap, infinite, huge, short], 0.1, relative=RELATIVE, min_length=3
    )
    assert verdicts == [True, False, False, False, True]


def test_series_of_several_lengths_are_each_judged_on_their_own() -> None:
    rng = random.Random(9)
    series = [[1.0 + rng.gauss(0, 0.01) for _ in range(n)] for n in (240, 60, 239, 240)]
    series.append([1.0] * 100 + [3.0] * 100)
    together = all_proven_steady(series, 0.1, relative=RELATIVE, min_length=5)
    alone = [all_proven_steady([s], 0.1, relative=RELATIVE, min_length=5)[0] for s in series]
    assert together == alone == [True, True, True, True, False]


def _best_cut_by_loop(sums: list[float], lo: int, hi: int, min_length: int) -> int | None:
    """`_best_cut` as the plain loop it replaced."""
    if hi - lo < 2 * min_length:
        return None
    base, total, n = sums[lo], sums[hi] - sums[lo], hi - lo
    best, best_at = -math.inf, None
    for cut in range(lo + min_length, hi - min_length + 1):
        left = sums[cut] - base
        k = cut - lo
        score = left * left / k + (total - left) ** 2 / (n - k)
        if score > best:
            best, best_at = score, cut
    return best_at


def test_the_best_cut_is_the_loops_including_ties() -> None:
    rng = random.Random(10)
    for trial in range(500):
        n = rng.randrange(6, 300)
        values = [rng.gauss(0, 1) + (3 if i > n // 3 else 0) for i in range(n)]
        if trial % 3 == 0:
            values = [float(round(v)) for v in values]  # equal scores
        sums = list(accumulate(values, initial=0.0))
        lo = rng.randrange(0, n // 2)
        hi = rng.randrange(lo, n + 1)
        assert _best_cut(sums, lo, hi, 3) == _best_cut_by_loop(sums, lo, hi, 3)


def test_a_gap_is_proven_again_on_the_finite_points() -> None:
    rng = random.Random(11)
    steady = [1.0 + rng.gauss(0, 0.01) for _ in range(240)]
    step = [1.0] * 120 + [3.0] * 120
    gappy_steady, gappy_step = list(steady), list(step)
    gappy_steady[100] = gappy_step[100] = math.nan
    gappy_steady[7] = math.inf
    verdicts = series_proven_steady(
        [steady, gappy_steady, gappy_step], 0.1, relative=RELATIVE, min_length=5
    )
    assert verdicts == [True, True, False]
