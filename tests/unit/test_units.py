"""Values read the way an operator expects: "123ms", "1.2k req/s", "1.25%"."""

from __future__ import annotations

import math

import pytest

from pulse_tui.model.core.units import MISSING, format_tick, format_value


@pytest.mark.parametrize(
    ("value", "unit", "long", "compact"),
    [
        # Latency: the largest unit that keeps the number at or above one.
        (0.00085, "s", "850µs", "850µs"),
        (0.123, "s", "123ms", "123ms"),
        (1.234, "s", "1.23s", "1.2s"),
        (150, "s", "2.5m", "2.5m"),
        (5400, "s", "1.5h", "1.5h"),
        (2 * 86400, "s", "2d", "2d"),
        (0, "s", "0s", "0s"),
        (-0.123, "s", "-123ms", "-123ms"),
        (250, "ms", "250ms", "250ms"),
        (2500, "ms", "2.5s", "2.5s"),
        # Rounding that reaches the next unit moves to it.
        (0.9997, "s", "1s", "1s"),
        (59.99, "s", "1m", "1m"),
        # Traffic.
        (12.34, "req/s", "12.3 req/s", "12/s"),
        (1234, "req/s", "1.23k req/s", "1.2k/s"),
        (0.05, "req/s", "0.05 req/s", "0.05/s"),
        (999.7, "req/s", "1k req/s", "1k/s"),
        (2.5e6, "req/s", "2.5M req/s", "2.5M/s"),
        # Errors: a ratio shown as percent; tiny but non-zero never reads as zero.
        (0.0125, "ratio", "1.25%", "1.2%"),
        (1.0, "ratio", "100%", "100%"),
        (0.0, "ratio", "0%", "0%"),
        (0.00001, "ratio", "<0.01%", "<0.1%"),
        (42.5, "%", "42.5%", "42%"),
        # Saturation.
        (0.42, "cores", "0.42 cores", "0.42c"),
        (12, "cores", "12 cores", "12c"),
        (1536, "bytes", "1.5 KiB", "1.5KiB"),
        (1.5 * 2**30, "bytes", "1.5 GiB", "1.5GiB"),
        (500, "bytes", "500 B", "500B"),
        (3 * 2**20, "bytes/s", "3 MiB/s", "3MiB/s"),
        # Anything else: SI suffix and the unit as given (dropped when long and compact).
        (1234567, "widgets", "1.23M widgets", "1.2M"),
        (0.25, "widgets", "250m widgets", "250m"),
        (1500, "ops", "1.5k ops", "1.5kops"),
        (3, "", "3", "3"),
    ],
)
def test_format_value(value: float, unit: str, long: str, compact: str) -> None:
    assert format_value(value, unit) == long
    assert format_value(value, unit, compact=True) == compact


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, MISSING), (math.nan, "NaN"), (math.inf, "+Inf"), (-math.inf, "-Inf")],
)
@pytest.mark.parametrize("unit", ["s", "req/s", "ratio", "%", "cores", "bytes", "things", ""])
def test_missing_and_non_finite_never_crash(value: float | None, expected: str, unit: str) -> None:
    assert format_value(value, unit) == expected
    assert format_value(value, unit, compact=True) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1e300, "req/s", "1e300 req/s"),
        (-1.7e308, "s", "-1.7e308s"),
        (1e30, "bytes", "1e30 B"),
        (5e-324, "s", "<0.001ns"),
    ],
)
def test_extreme_values_stay_short(value: float, unit: str, expected: str) -> None:
    assert format_value(value, unit) == expected


@pytest.mark.parametrize(
    ("ticks", "unit", "step", "labels"),
    [
        # Two significant digits would print "1k/s" three times.
        ([1000, 1020, 1040], "req/s", 20, ["1k/s", "1.02k/s", "1.04k/s"]),
        # A compact percent has one decimal; ticks need two here.
        ([0, 0.0005, 0.001], "ratio", 0.0005, ["0%", "0.05%", "0.1%"]),
        ([0, 0.25, 0.5, 0.75, 1], "s", 0.25, ["0s", "250ms", "500ms", "750ms", "1s"]),
        ([0, 2.5, 5, 7.5], "s", 2.5, ["0s", "2.5s", "5s", "7.5s"]),
        ([-50, 0, 50], "cores", 50, ["-50c", "0c", "50c"]),
    ],
)
def test_axis_ticks_stay_distinct(
    ticks: list[float], unit: str, step: float, labels: list[str]
) -> None:
    assert [format_tick(t, unit, step) for t in ticks] == labels


def test_tick_with_unusable_step_falls_back_to_compact() -> None:
    assert format_tick(1234, "req/s", 0) == "1.2k/s"
    assert format_tick(math.nan, "s", 1) == "NaN"
