"""Choosing what a panel fetches: an aligned range, a round step and a safe rate window for
the chart; the last minutes at the scrape interval for the current values.

Two windows per panel, two jobs. The chart's (`compute_window`) is aligned to a step that
grows with the range, so lines hold still between refreshes; its newest point is up to a
step old and averaged over a step. The recent one (`recent_window`) ends at the instant
itself at any range: what the table, the headlines, `summary` and alert rules show.

A third, `young_window`, only at ranges whose chart step is minutes or more: the last few of
the chart's steps at a finer step, so that "what changed" sees an incident younger than a
few chart points (30 minutes old at 7d, where one point is 2 h) and older than the recent
minutes, and pins the start of a change the chart found to the minute. It feeds the change
detector and the alert rules' walk.
"""

from __future__ import annotations

import math

from pulse_tui.model.metrics.signals import QueryWindow

#: Steps a human reads at a glance, in seconds: 1s ... 30s, 1m ... 30m, 1h ... 1d.
NICE_STEPS: tuple[int, ...] = (
    1, 2, 5, 10, 15, 30,
    60, 120, 300, 600, 900, 1800,
    3600, 7200, 10800, 21600, 43200, 86400,
)  # fmt: skip

#: Prometheus refuses a range query with more than 11,000 points per series.
MAX_POINTS = 11_000

_DAY = 86_400


def nice_step(seconds: float) -> int:
    """The smallest nice step at least `seconds` long (whole days beyond one day)."""
    for step in NICE_STEPS:
        if step >= seconds:
            return step
    return math.ceil(seconds / _DAY) * _DAY


def compute_window(
    range_seconds: float, end: float, points: int, scrape_interval: float
) -> QueryWindow:
    """The window of a panel `points` samples wide showing the last `range_seconds` to `end`.

    The step is `range / points` rounded up to a nice value and never finer than the scrape
    interval (finer steps only repeat samples). `end` is floored to a multiple of the step so
    consecutive refreshes ask for the same timestamps, which keeps lines from wobbling and
    lets Prometheus' cache help; `start = end - n * step` with n = ceil(range / step), so the
    answer has at most `points + 1` samples (both ends included) and never more than 11,000.
    The rate window is `max(step + scrape, 4 * scrape)`, like Grafana's $__rate_interval:
    wide enough that every window holds at least two samples, even with one missed scrape.
    """
    if range_seconds <= 0:
        raise ValueError(f"range must be positive, got {range_seconds}")
    if scrape_interval <= 0:
        raise ValueError(f"scrape interval must be positive, got {scrape_interval}")
    points = max(1, min(points, MAX_POINTS - 1))
    step = nice_step(max(range_seconds / points, scrape_interval))
    intervals = max(1, math.ceil(range_seconds / step))
    while intervals + 1 > MAX_POINTS:  # only reachable through day-sized rounding
        step = nice_step(step + 1)
        intervals = max(1, math.ceil(range_seconds / step))
    aligned_end = math.floor(end / step) * step
    return QueryWindow(
        start=float(aligned_end - intervals * step),
        end=float(aligned_end),
        step=float(step),
        rate_window=float(max(step + scrape_interval, 4 * scrape_interval)),
    )


#: How far back the recent window reaches: enough for a `for` of a few minutes to be judged
#: on the first refresh, and for a panel backing off (a minute at most) to leave no hole.
RECENT_SPAN = 300.0
#: The shortest rate window of a current value: Grafana's $__rate_interval at a 15 s scrape.
CURRENT_MIN_RATE_WINDOW = 60.0


def recent_window(at: float, scrape_interval: float) -> QueryWindow:
    """The last `RECENT_SPAN` seconds up to `at` (whole seconds), one scrape per step.

    Not aligned: its last point is the value at `at`, whatever the chart's step. The rate
    window is `$__rate_interval` at the finest step, `max(4 * scrape, 1m)`, the same at
    every range, so a current value means the same thing at 5m and at 30d.
    """
    if scrape_interval <= 0:
        raise ValueError(f"scrape interval must be positive, got {scrape_interval}")
    intervals = max(1, math.ceil(RECENT_SPAN / scrape_interval))
    end = float(math.floor(at))
    return QueryWindow(
        start=end - intervals * scrape_interval,
        end=end,
        step=float(scrape_interval),
        rate_window=float(max(4 * scrape_interval, CURRENT_MIN_RATE_WINDOW)),
    )


#: A chart step from which a young window is asked for: below it, the chart's points and
#: the recent minutes between them see every incident (at 1 h, one point is 30 s or 1 m).
YOUNG_MIN_CHART_STEP = 120.0
#: The young window spans this many of the chart's steps: the chart itself sees a change
#: once it holds a few points at its new level after a baseline, about four steps old.
YOUNG_CHART_STEPS = 5
#: ... and at least this long: at 3 h to 12 h, where five chart steps are 10 to 50 minutes,
#: an incident under an hour old is still seen at a minute's step, so its start is said to
#: the minute (`changes.pinned`), not to the chart's 2 to 10.
YOUNG_MIN_SPAN = 3600.0
#: The young window's step: fine enough to see a change a few minutes old, which is where
#: the recent minutes stop seeing one (they hold no baseline before it any more).
YOUNG_STEP = 60.0
#: At most this many points: a minute's step up to 30d (30 h); a coarser one beyond.
YOUNG_MAX_POINTS = 2000


def young_window(
    at: float, chart: QueryWindow, range_seconds: float, scrape_interval: float
) -> QueryWindow | None:
    """The window that finds changes younger than a few of `chart`'s steps (see the module
    docstring): the last `YOUNG_CHART_STEPS` chart steps, or `YOUNG_MIN_SPAN` if longer,
    to `at` (never more than the range) at `YOUNG_STEP`, aligned like a chart so refreshes
    ask for the same timestamps. None when the chart's step is fine enough to need none."""
    if chart.step < YOUNG_MIN_CHART_STEP:
        return None
    span = min(range_seconds, max(YOUNG_MIN_SPAN, YOUNG_CHART_STEPS * chart.step))
    points = min(YOUNG_MAX_POINTS, math.ceil(span / YOUNG_STEP))
    return compute_window(span, at, points, scrape_interval)
