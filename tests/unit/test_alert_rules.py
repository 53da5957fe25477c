"""Alert rules on the series the panels fetched: exact firing and resolve times and values."""

from __future__ import annotations

import math
from dataclasses import replace

from pulse_tui.model.alerting.alerts import AlertBook
from pulse_tui.model.alerting.definitions import AlertRule
from pulse_tui.model.alerting.rules import RuleEvaluator, judges_chart, query_rule_window
from pulse_tui.model.alerting.silences import SilenceBook
from pulse_tui.model.metrics.signals import QueryWindow, Recent, Series, Signal, SignalResult
from pulse_tui.model.metrics.step import compute_window, recent_window

STEP = 15.0
T0 = 1_700_000_000.0


def result(
    signal: Signal, series: list[Series], step: float = STEP, unit: str = ""
) -> SignalResult:
    stamps = [t for s in series for t in s.timestamps]
    window = QueryWindow(min(stamps), max(stamps), step, 4 * step)
    return SignalResult(signal, tuple(series), unit, max(stamps), window)


def line(service: str, values: list[float], start: float = T0, step: float = STEP, **labels: str):
    stamps = [start + i * step for i in range(len(values))]
    return Series(service, stamps, values, labels)


def test_error_ratio_over_5_percent_for_2m_fires_after_2m_of_data_and_resolves() -> None:
    rule = AlertRule("High errors", "page", ">", 0.05, for_seconds=120, signal=Signal.ERRORS)
    # 4 ok points, then 10 bad ones (2m30s), then ok again.
    values = [0.01] * 4 + [0.06, 0.07, 0.072, 0.08, 0.09, 0.1, 0.11, 0.12, 0.13, 0.14] + [0.01]
    evaluator = RuleEvaluator([rule])
    events = evaluator.observe(Signal.ERRORS, result(Signal.ERRORS, [line("checkout", values)]), 0)

    assert [e.kind for e in events] == ["firing", "resolved"]
    firing, resolved = events
    # Pending from the first bad point (index 4); still bad 2m (8 x 15 s) later, index 12.
    assert firing.alert.started_at == T0 + 4 * STEP
    assert firing.alert.fired_at == T0 + 12 * STEP
    assert firing.alert.value == 0.13
    assert firing.alert.key == "pulse:High errors:checkout"
    assert firing.alert.summary == "error ratio 13% > 5% for 2m"
    assert firing.alert.state == "firing" and firing.alert.severity == "page"
    assert resolved.alert.resolved_at == T0 + 14 * STEP
    assert resolved.alert.value == 0.01


def test_p99_latency_over_1s_for_5m_watches_only_the_p99_series() -> None:
    rule = AlertRule("Slow", "warn", ">", 1.0, for_seconds=300, signal=Signal.LATENCY)
    p99 = line("api", [0.5] + [1.5] * 25, step=15, quantile="p99")
    p50 = line("api", [5.0] * 26, step=15, quantile="p50")  # would fire at once if watched
    events = RuleEvaluator([rule]).observe(Signal.LATENCY, result(Signal.LATENCY, [p50, p99]), 0)
    assert len(events) == 1
    # 20 steps of 15 s = 5m: from index 1 to index 21.
    assert events[0].alert.started_at == T0 + 15
    assert events[0].alert.fired_at == T0 + 21 * 15
    assert events[0].alert.summary == "p99 latency 1.5s > 1s for 5m"


def test_cpu_saturation_over_50_percent_fires_on_the_first_point_without_for() -> None:
    rule = AlertRule("CPU", "warn", ">", 50, signal=Signal.SATURATION, services=("worker",))
    data = result(
        Signal.SATURATION,
        [line("api", [90, 90, 90]), line("worker", [40, 55, 60])],
        unit="%",
    )
    events = RuleEvaluator([rule]).observe(Signal.SATURATION, data, 0)
    assert [(e.alert.service, e.alert.fired_at, e.alert.value) for e in events] == [
        ("worker", T0 + STEP, 55)
    ]
    assert events[0].alert.summary == "saturation 55% > 50%"


def test_queue_p99_over_5s_for_1m_uses_the_worst_queue_per_timestamp() -> None:
    rule = AlertRule("Queue", "page", ">", 5.0, for_seconds=60, signal=Signal.QUEUE)
    emails = line("worker", [1, 6, 1, 1, 1, 1, 1], queue="emails")
    payments = line("worker", [1, 1, 6, 7, 8, 9, 1], queue="payments")
    events = RuleEvaluator([rule]).observe(
        Signal.QUEUE, result(Signal.QUEUE, [emails, payments]), 0
    )
    # Worst per timestamp: 1 6 6 7 8 9 1 -> pending at index 1, 4 steps = 1m at index 5.
    assert [(e.kind, e.at, e.alert.value) for e in events] == [
        ("firing", T0 + 5 * STEP, 9),
        ("resolved", T0 + 6 * STEP, 1),
    ]


def test_overlapping_live_refreshes_give_each_event_once() -> None:
    rule = AlertRule("High errors", "page", ">", 0.05, for_seconds=60, signal=Signal.ERRORS)
    values = [0.01, 0.1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01]
    evaluator = RuleEvaluator([rule])
    seen = []
    # Each refresh fetches a 4-point window ending one step later than the previous one.
    for end in range(4, len(values) + 1):
        start = end - 4
        data = result(Signal.ERRORS, [line("checkout", values[start:end], T0 + start * STEP)])
        seen += evaluator.observe(Signal.ERRORS, data, 0)
    assert [(e.kind, e.at) for e in seen] == [
        ("firing", T0 + 5 * STEP),
        ("resolved", T0 + 6 * STEP),
    ]


def test_pending_alert_is_listed_and_ends_without_an_event_when_the_condition_clears() -> None:
    rule = AlertRule("High errors", "warn", ">", 0.05, for_seconds=600, signal=Signal.ERRORS)
    evaluator = RuleEvaluator([rule])
    data = result(Signal.ERRORS, [line("checkout", [0.01, 0.2, 0.3])])
    assert evaluator.observe(Signal.ERRORS, data, 0) == []
    [pending] = evaluator.pending()
    assert (pending.state, pending.started_at, pending.value) == ("pending", T0 + STEP, 0.3)
    data = result(Signal.ERRORS, [line("checkout", [0.01], T0 + 3 * STEP)])
    assert evaluator.observe(Signal.ERRORS, data, 0) == []
    assert evaluator.pending() == []


def test_nan_or_a_hole_resets_pending_but_does_not_resolve_a_firing_alert() -> None:
    rule = AlertRule("High errors", "warn", ">", 0.05, for_seconds=45, signal=Signal.ERRORS)
    evaluator = RuleEvaluator([rule])
    nan = math.nan
    # true, true, NaN, true x 4 (fires: 3 steps = 45 s after the first), NaN, NaN, true,
    # false
    values = [0.1, 0.1, nan, 0.1, 0.1, 0.1, 0.1, nan, nan, 0.1, 0.01]
    events = evaluator.observe(Signal.ERRORS, result(Signal.ERRORS, [line("a", values)]), 0)
    assert [(e.kind, e.at) for e in events] == [
        ("firing", T0 + 6 * STEP),
        ("resolved", T0 + 10 * STEP),
    ]
    # A hole in the timestamps (no points for 5 minutes) also restarts pending.
    evaluator = RuleEvaluator([rule])
    holey = Series("a", [T0, T0 + 15, T0 + 315, T0 + 330, T0 + 345, T0 + 360], [0.1] * 6)
    events = evaluator.observe(Signal.ERRORS, result(Signal.ERRORS, [holey]), 0)
    assert [e.at for e in events] == [T0 + 360]


def test_promql_rule_is_evaluated_on_its_own_series() -> None:
    rule = AlertRule("Disk", "page", "<", 0.1, for_seconds=30, query="disk_free_ratio")
    evaluator = RuleEvaluator([rule])
    assert evaluator.query_rules == [rule]
    series = [line("db", [0.5, 0.05, 0.04, 0.03]), line("web", [0.9, 0.9, 0.9, 0.9])]
    events = evaluator.observe_query(rule, series, 0)
    assert [(e.alert.service, e.at, e.alert.value) for e in events] == [("db", T0 + 3 * STEP, 0.03)]
    assert events[0].alert.summary == "value 0.03 < 0.1 for 30s"


def test_alert_book_notifies_once_skips_silenced_and_stale_and_keeps_history() -> None:
    rule = AlertRule("High errors", "page", ">", 0.05, signal=Signal.ERRORS)
    evaluator = RuleEvaluator([rule])
    now = T0 + 10 * STEP
    data = result(Signal.ERRORS, [line("a", [0.1, 0.01, 0.1]), line("b", [0.1] * 3)])
    events = evaluator.observe(Signal.ERRORS, data, now)
    silences = SilenceBook()
    silences.silence("pulse:High errors:b", now + 600)
    book = AlertBook()
    to_send = book.apply(events, silences, now)
    assert [(e.kind, e.alert.service) for e in to_send] == [
        ("firing", "a"),
        ("resolved", "a"),
        ("firing", "a"),
    ]
    assert len(book.history) == 4
    current = {a.service: a for a in book.current()}
    assert current["b"].silenced and current["b"].silence_reason.startswith("silenced until")
    # Silence lifted while b still fires: its firing goes out now.
    silences.unsilence("pulse:High errors:b")
    assert [e.alert.service for e in book.refresh_silences(silences, now)] == ["b"]
    # An incident an hour old is history, not a page.
    old = AlertBook(stale_after=900)
    assert old.apply(events, None, now + 3600) == []


# ---------------------------------------------------------------- at any range

NOW = T0 + 86400
HIGH_ERRORS = AlertRule("High errors", "page", ">", 0.05, for_seconds=120, signal=Signal.ERRORS)


def panel(chart: QueryWindow, chart_values: list[float], recent_values: list[float] | None):
    """An errors panel's result: checkout on the chart, and in the recent minutes if given
    (their last value at NOW), as the feed fetches it."""
    chart_line = line(
        "checkout",
        chart_values,
        start=chart.end - (len(chart_values) - 1) * chart.step,
        step=chart.step,
    )
    recent = None
    if recent_values is not None:
        window = recent_window(NOW, STEP)
        first = window.end - (len(recent_values) - 1) * window.step
        recent = Recent(window, (line("checkout", recent_values, start=first),))
    return SignalResult(Signal.ERRORS, (chart_line,), "ratio", NOW, chart, recent=recent)


def test_at_7d_the_rule_judges_the_recent_minutes_not_the_3h_points() -> None:
    week = compute_window(7 * 86400, NOW, 70, STEP)
    evaluator = RuleEvaluator([HIGH_ERRORS])
    # The 3 h average says 1 %; the last 2 minutes say 20 %: firing, at NOW, with 20 %.
    events = evaluator.observe(Signal.ERRORS, panel(week, [0.01] * 5, [0.01] * 12 + [0.2] * 9), 0)
    assert [(e.kind, e.alert.fired_at, e.alert.value) for e in events] == [("firing", NOW, 0.2)]
    # A 3 h average over 5 % fires nothing either: only the recent minutes count.
    calm = RuleEvaluator([HIGH_ERRORS])
    assert calm.observe(Signal.ERRORS, panel(week, [0.5] * 5, [0.01] * 21), 0) == []
    assert calm.pending() == []


def test_at_1h_the_chart_gives_the_history_and_the_recent_minutes_the_latest_state() -> None:
    hour = compute_window(3600, NOW, 120, STEP)  # 30 s steps, no longer than a rate window
    assert judges_chart(panel(hour, [0.01], [0.01]))
    # An incident 40 minutes ago on the chart; the recent minutes are calm.
    chart = [0.01] * 30 + [0.3] * 10 + [0.01] * 81
    evaluator = RuleEvaluator([HIGH_ERRORS])
    events = evaluator.observe(Signal.ERRORS, panel(hour, chart, [0.01] * 21), 0)
    assert [e.kind for e in events] == ["firing", "resolved"]
    assert events[0].alert.fired_at == hour.start + 34 * 30  # 4 steps of 30 s = 2m
    assert evaluator.firing() == []


def test_a_failed_recent_query_at_7d_judges_nothing_rather_than_3h_averages() -> None:
    week = compute_window(7 * 86400, NOW, 70, STEP)
    failed = panel(week, [0.5] * 5, None)
    failed = replace(failed, recent=Recent(recent_window(NOW, STEP), error="HTTP 503"))
    assert not judges_chart(failed)
    assert RuleEvaluator([HIGH_ERRORS]).observe(Signal.ERRORS, failed, 0) == []


def test_promql_rules_are_queried_at_the_recent_step_up_to_now() -> None:
    recent = recent_window(NOW, STEP)
    week = panel(compute_window(7 * 86400, NOW, 70, STEP), [0.01], [0.01])
    assert query_rule_window(week) == recent
    hour_window = compute_window(3600, NOW, 120, STEP)
    hour = query_rule_window(panel(hour_window, [0.01], [0.01]))
    assert (hour.end, hour.step, hour.rate_window) == (NOW, STEP, recent.rate_window)
    assert hour_window.start - STEP < hour.start <= hour_window.start
    assert (hour.end - hour.start) % STEP == 0
    # Without recent minutes (a caller that asked for none), the chart's own window.
    assert query_rule_window(panel(hour_window, [0.01], None)) == hour_window
