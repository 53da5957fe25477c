"""The change detector on synthetic series with known truth (pure logic: no Prometheus).

The same scenarios run against a real, backfilled prometheus in
tests/integration/test_changes_prometheus.py; these pin the statistics down with noise,
which the backfilled data (exact by construction) does not have.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import pytest

from pulse_tui.model.metrics.changes import Finding, detect_changes, detect_series, min_length
from pulse_tui.model.metrics.signals import QueryWindow, Series, Signal, SignalResult, Thresholds

STEP = 60.0
N = 240
TIMES = [float(i * STEP) for i in range(N)]
ERRORS = Thresholds(warn=0.01, crit=0.05)
SATURATION = Thresholds(warn=0.7, crit=0.9)
NONE = Thresholds()


def noisy(level: float, rng: random.Random, spread: float = 0.05) -> float:
    return level * (1 + rng.gauss(0, spread))


def find(
    values: list[float], signal: Signal = Signal.ERRORS, thresholds: Thresholds = ERRORS
) -> Finding | None:
    return detect_series(
        Series("svc", TIMES, values),
        signal,
        "ratio",
        thresholds,
        step=STEP,
        min_points=min_length(STEP, 75),
    )


@pytest.fixture
def rng() -> random.Random:
    return random.Random(7)


def test_a_step_up_is_found_with_its_start_and_levels(rng: random.Random) -> None:
    found = find([noisy(0.01, rng) if i < 180 else noisy(0.2, rng) for i in range(N)])
    assert found is not None
    assert found.start == TIMES[180]
    assert found.before == pytest.approx(0.01, rel=0.05)
    assert found.after == pytest.approx(0.2, rel=0.05)
    assert (found.severity, found.ongoing) == ("crit", True)


def test_an_incident_longer_than_half_the_range_keeps_its_start(rng: random.Random) -> None:
    found = find([noisy(0.01, rng) if i < 60 else noisy(0.2, rng) for i in range(N)])
    assert found is not None and found.start == TIMES[60] and found.ongoing


def test_a_recovered_incident_says_when_it_ended(rng: random.Random) -> None:
    found = find([noisy(0.2, rng) if 100 <= i < 130 else noisy(0.01, rng) for i in range(N)])
    assert found is not None
    assert (found.start, found.end) == (TIMES[100], TIMES[130])
    assert not found.ongoing
    assert found.after == pytest.approx(0.2, rel=0.05)


def test_traffic_falling_to_zero_is_an_outage(rng: random.Random) -> None:
    values = [noisy(10, rng) if i < 200 else 0.0 for i in range(N)]
    found = find(values, Signal.TRAFFIC, NONE)
    assert found is not None
    assert (found.start, found.after, found.severity) == (TIMES[200], 0.0, "crit")


def test_a_slow_ramp_into_crit_is_found_near_where_it_began() -> None:
    values = [0.2 if i < 150 else min(0.95, 0.2 + (i - 150) * 0.75 / 60) for i in range(N)]
    found = find(values, Signal.SATURATION, SATURATION)
    assert found is not None
    assert abs(found.start - TIMES[150]) <= 2 * STEP
    assert found.after == pytest.approx(0.95, rel=0.05)
    assert found.severity == "crit"


@pytest.mark.parametrize(
    "name",
    [
        "steady",
        "spike",
        "gaps",
        "no traffic",
        "diurnal",
        "slow drift below warn",
        "small step",
        "counter reset",
    ],
)
def test_quiet_when_nothing_changed(name: str, rng: random.Random) -> None:
    signal, thresholds = Signal.ERRORS, ERRORS
    if name == "steady":
        values = [noisy(0.01, rng) for _ in range(N)]
    elif name == "spike":
        values = [0.5 if i == 100 else noisy(0.01, rng) for i in range(N)]
    elif name == "gaps":
        values = [math.nan if i % 7 == 0 or 50 < i < 70 else noisy(0.01, rng) for i in range(N)]
    elif name == "no traffic":
        values, signal, thresholds = [0.0] * N, Signal.TRAFFIC, NONE
    elif name == "diurnal":
        # A whole day across the range: traffic swings by half its level either way.
        values = [10 + 5 * math.sin(2 * math.pi * i / N) + rng.gauss(0, 0.5) for i in range(N)]
        signal, thresholds = Signal.TRAFFIC, NONE
    elif name == "slow drift below warn":
        values = [0.2 + 0.3 * i / N for i in range(N)]
        signal, thresholds = Signal.SATURATION, SATURATION
    elif name == "counter reset":
        # A restarted counter: the rate reads low for the points its window spans.
        values = [noisy(10.0, rng) * (0.5 if 120 <= i < 122 else 1) for i in range(N)]
        signal, thresholds = Signal.TRAFFIC, NONE
    else:  # 1 % -> 1.3 %: more, but not half as much again
        values = [noisy(0.01 if i < 150 else 0.013, rng, 0.02) for i in range(N)]
    assert find(values, signal, thresholds) is None


def test_an_incident_just_ending_is_not_shown_at_its_old_level(rng: random.Random) -> None:
    # Five points make a level; back to 1 % for the last two: not "1% → 1% since".
    def judged(recovered: int) -> Finding | None:
        values = [noisy(0.2 if 200 <= i < N - recovered else 0.01, rng) for i in range(N)]
        series = Series("svc", TIMES, values)
        return detect_series(series, Signal.ERRORS, "ratio", ERRORS, step=STEP, min_points=5)

    assert judged(2) is None
    found = judged(10)
    assert found is not None and not found.ongoing  # once it has held: recovered
    ongoing = judged(0)
    assert ongoing is not None and ongoing.ongoing and ongoing.after > 0.15


def test_a_one_point_series_or_an_empty_one_is_quiet() -> None:
    assert find([]) is None
    assert (
        detect_series(
            Series("svc", [0.0], [0.5]), Signal.ERRORS, "ratio", ERRORS, step=STEP, min_points=3
        )
        is None
    )


def _result(
    signal: Signal, series: Sequence[Series], compare: Sequence[Series] = ()
) -> SignalResult:
    window = QueryWindow(TIMES[0], TIMES[-1], STEP, 75.0)
    return SignalResult(signal, tuple(series), "ratio", 0.0, window, compare=tuple(compare))


def test_findings_come_worst_first_each_with_its_own_start(rng: random.Random) -> None:
    worse = [noisy(0.01, rng) if i < 200 else noisy(0.3, rng) for i in range(N)]
    milder = [noisy(0.001, rng) if i < 120 else noisy(0.03, rng) for i in range(N)]
    quiet = [noisy(0.01, rng) for _ in range(N)]
    results = {
        Signal.ERRORS: _result(
            Signal.ERRORS,
            [Series("b", TIMES, milder), Series("a", TIMES, worse), Series("c", TIMES, quiet)],
        )
    }
    found = detect_changes(results, lambda signal, service: ERRORS)
    assert [(f.service, f.severity, f.start) for f in found] == [
        ("a", "crit", TIMES[200]),
        ("b", "warn", TIMES[120]),
    ]


def test_only_p99_latency_is_judged(rng: random.Random) -> None:
    step = [noisy(0.1, rng) if i < 200 else noisy(2.0, rng) for i in range(N)]
    results = {
        Signal.LATENCY: _result(
            Signal.LATENCY,
            [
                Series("a", TIMES, step, {"quantile": "p50"}),
                Series("a", TIMES, step, {"quantile": "p99"}),
            ],
        )
    }
    found = detect_changes(results, lambda signal, service: Thresholds(0.5, 1.0))
    assert len(found) == 1 and found[0].signal is Signal.LATENCY


def test_the_compare_period_is_the_baseline_of_a_range_that_began_changed(
    rng: random.Random,
) -> None:
    # The incident covers the whole range: only yesterday says it is not the normal level.
    today = [noisy(0.2, rng) for _ in range(N)]
    yesterday = [noisy(0.01, rng) for _ in range(N)]
    plain = {Signal.ERRORS: _result(Signal.ERRORS, [Series("a", TIMES, today)])}
    assert detect_changes(plain, lambda signal, service: ERRORS) == []
    compared = {
        Signal.ERRORS: _result(
            Signal.ERRORS, [Series("a", TIMES, today)], [Series("a", TIMES, yesterday)]
        )
    }
    (found,) = detect_changes(compared, lambda signal, service: ERRORS)
    assert found.before == pytest.approx(0.01, rel=0.05)
    assert found.start == TIMES[0] and found.ongoing
