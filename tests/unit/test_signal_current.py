"""The value now of every line, whatever the chart's step: `SignalResult.current`, and the
services table built from it."""

from __future__ import annotations

from pulse_tui.model.metrics.overview import build_overview
from pulse_tui.model.metrics.signals import QueryWindow, Recent, Series, Signal, SignalResult
from pulse_tui.model.metrics.step import compute_window, recent_window

NOW = 1_700_000_000.0
#: A week on a narrow chart: 3 h steps, the newest point hours before NOW.
CHART = compute_window(7 * 86400, NOW, 70, 15)
RECENT = recent_window(NOW, 15)


def line(service: str, window: QueryWindow, values: list[float], **labels: str) -> Series:
    stamps = [window.end - (len(values) - 1 - i) * window.step for i in range(len(values))]
    return Series(service, stamps, values, labels)


def result(
    signal: Signal, chart: list[Series], recent: Recent | None, compare: list[Series] = ()
) -> SignalResult:
    return SignalResult(
        signal, tuple(chart), "ratio", NOW, CHART, compare=tuple(compare), recent=recent
    )


def test_current_values_are_the_recent_points_at_the_instant() -> None:
    chart = [line("checkout", CHART, [0.01, 0.01]), line("api", CHART, [0.02, 0.02])]
    recent = Recent(
        RECENT,
        (
            line("checkout", RECENT, [0.01, 0.2, 0.2]),
            # api's lines stopped two minutes ago: it has no value now.
            Series("api", [RECENT.end - 120], [0.02]),
            # A service newer than the chart's last point is there all the same.
            line("fresh", RECENT, [0.05]),
        ),
    )
    now = result(Signal.ERRORS, chart, recent).current()
    assert [(s.service, list(s.timestamps), s.latest()) for s in now] == [
        ("checkout", [RECENT.end], 0.2),
        ("fresh", [RECENT.end], 0.05),
    ]
    assert result(Signal.ERRORS, chart, recent).services() == ["api", "checkout", "fresh"]


def test_without_recent_values_the_charts_newest_points_stand_in() -> None:
    chart = [line("checkout", CHART, [0.01, 0.03])]
    for recent in (None, Recent(RECENT, error="Prometheus at x failed the errors query")):
        assert result(Signal.ERRORS, chart, recent).current() == tuple(chart)


def test_compare_current_is_the_overlay_at_the_same_instant() -> None:
    earlier = [line("checkout", CHART, [0.5])]
    recent = Recent(RECENT, (line("checkout", RECENT, [0.2]),), (line("checkout", RECENT, [0.1]),))
    shown = result(Signal.ERRORS, [], recent, earlier)
    assert [s.latest() for s in shown.compare_current()] == [0.1]
    assert [s.latest() for s in result(Signal.ERRORS, [], None, earlier).compare_current()] == [0.5]


def test_the_table_shows_values_now_and_the_charts_traffic_line() -> None:
    traffic = result(
        Signal.TRAFFIC,
        [line("checkout", CHART, [4.0, 4.0, 4.5])],
        Recent(RECENT, (line("checkout", RECENT, [4.0, 9.0]),)),
    )
    errors = result(
        Signal.ERRORS,
        [line("checkout", CHART, [0.01]), line("gone", CHART, [0.3])],
        Recent(RECENT, (line("checkout", RECENT, [0.2]),)),
    )
    latency = result(
        Signal.LATENCY,
        [line("checkout", CHART, [0.4], quantile="p99")],
        Recent(
            RECENT,
            (
                line("checkout", RECENT, [0.5], quantile="p50"),
                line("checkout", RECENT, [2.5], quantile="p99"),
            ),
        ),
    )
    rows = {
        row.service: row
        for row in build_overview(
            {Signal.TRAFFIC: traffic, Signal.ERRORS: errors, Signal.LATENCY: latency}
        )
    }
    checkout = rows["checkout"]
    assert (checkout.traffic, checkout.errors, checkout.p50, checkout.p99) == (9.0, 0.2, 0.5, 2.5)
    assert checkout.traffic_history == [4.0, 4.0, 4.5]  # the sparkline is the chart's
    # On the chart but without a value now: a row with nothing in it, not an old number.
    assert rows["gone"].errors is None
