"""Choosing the step, the aligned range and the rate window of a panel."""

from __future__ import annotations

import pytest

from pulse_tui.model.metrics.step import (
    MAX_POINTS,
    compute_window,
    nice_step,
    recent_window,
    young_window,
)


@pytest.mark.parametrize(
    ("raw", "nice"),
    [(0.2, 1), (1, 1), (1.1, 2), (16, 30), (31, 60), (61, 120), (3601, 7200), (90000, 172800)],
)
def test_nice_step_rounds_up(raw: float, nice: int) -> None:
    assert nice_step(raw) == nice


def test_one_hour_on_120_points_is_30s_steps() -> None:
    window = compute_window(3600, end=1_700_000_017, points=120, scrape_interval=15)
    assert window.step == 30
    assert window.end == 1_700_000_010  # floored to a multiple of 30
    assert window.start == window.end - 120 * 30
    assert window.rate_window == 60  # 4 scrapes beat step + scrape (45)


def test_step_never_finer_than_the_scrape_interval() -> None:
    window = compute_window(300, end=1_000_000, points=300, scrape_interval=15)
    assert window.step == 15
    assert window.rate_window == 60


def test_rate_window_grows_with_the_step() -> None:
    window = compute_window(86400, end=1_000_000, points=100, scrape_interval=15)
    assert window.step == 900
    assert window.rate_window == 915


def test_consecutive_refreshes_ask_for_the_same_timestamps() -> None:
    first = compute_window(3600, end=1_000_001, points=120, scrape_interval=15)
    later = compute_window(3600, end=1_000_019, points=120, scrape_interval=15)
    assert first == later


def test_never_more_than_prometheus_allows() -> None:
    window = compute_window(10 * 365 * 86400, end=2_000_000_000, points=50_000, scrape_interval=1)
    assert (window.end - window.start) / window.step + 1 <= MAX_POINTS


def test_sub_second_scrape_still_whole_seconds() -> None:
    window = compute_window(60, end=1_000_000.5, points=120, scrape_interval=0.5)
    assert window.step == 1
    assert window.end == 1_000_000
    assert window.rate_window == 2


def test_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="range"):
        compute_window(0, end=1, points=10, scrape_interval=15)


def test_the_recent_window_ends_at_the_instant_whatever_the_range() -> None:
    at = 1_700_000_017.8
    chart = compute_window(7 * 86400, end=at, points=70, scrape_interval=15)
    assert chart.step == 3 * 3600 and chart.end == 1_699_995_600  # 73 minutes behind `at`
    recent = recent_window(at, scrape_interval=15)
    assert recent.end == 1_700_000_017  # the instant itself, in whole seconds
    assert recent.step == 15
    assert recent.start == recent.end - 300  # five minutes, whole steps
    assert recent.rate_window == 60  # $__rate_interval at the finest step


def test_the_recent_rate_window_is_four_scrapes_and_never_under_a_minute() -> None:
    assert recent_window(1000, scrape_interval=5).rate_window == 60
    slow = recent_window(10_000, scrape_interval=60)
    assert slow.rate_window == 240
    assert (slow.end - slow.start) / slow.step == 5


def test_recent_window_refuses_a_zero_scrape_interval() -> None:
    with pytest.raises(ValueError, match="scrape interval"):
        recent_window(1000, scrape_interval=0)


def test_no_young_window_where_the_chart_step_is_fine_enough() -> None:
    chart = compute_window(3600, 1_000_000, 120, 15)
    assert chart.step < 120
    assert young_window(1_000_000, chart, 3600, 15) is None


def test_the_young_window_spans_the_last_chart_steps_at_a_minute() -> None:
    at = 1_000_000.0
    chart = compute_window(7 * 86400, at, 120, 15)  # a 2 h step
    young = young_window(at, chart, 7 * 86400, 15)
    assert young is not None
    assert young.step == 60 and young.end == at - at % 60
    assert young.end - young.start == 5 * chart.step
    assert young.rate_window == 75  # $__rate_interval at its own step


def test_the_young_window_coarsens_past_its_point_cap_and_never_exceeds_the_range() -> None:
    at = 1_000_000.0
    chart = compute_window(30 * 86400, at, 120, 15)  # a 6 h step: 30 h of young window
    young = young_window(at, chart, 30 * 86400, 15)
    assert young is not None and young.step == 60
    longer = compute_window(90 * 86400, at, 120, 15)  # a 1 d step: 5 d
    coarse = young_window(at, longer, 90 * 86400, 15)
    assert coarse is not None and coarse.step > 60
    assert (coarse.end - coarse.start) / coarse.step <= 2000
    short = compute_window(600, at, 2, 15)  # a 5 m step over a 10 m range
    clipped = young_window(at, short, 600, 15)
    assert clipped is not None and clipped.end - clipped.start == 600


def test_the_young_window_spans_at_least_the_last_hour() -> None:
    """At 6 h five chart steps are 25 minutes: the window still spans an hour, so a change
    under an hour old is dated to the minute."""
    at = 1_000_000.0
    chart = compute_window(6 * 3600, at, 120, 15)  # a 5 m step
    young = young_window(at, chart, 6 * 3600, 15)
    assert chart.step == 300 and young is not None
    assert young.step == 60 and young.end - young.start == 3600
