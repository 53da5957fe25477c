"""Alert rules on the series the panels fetched: exact firing and resolve times and values."""

from __future__ import annotations

import math

from pulse_tui.model.alerting.alerts import AlertBook
from pulse_tui.model.alerting.definitions import AlertRule
from pulse_tui.model.alerting.rules import RuleEvaluator
from pulse_tui.model.alerting.silences import SilenceBook
from pulse_tui.model.metrics.signals import QueryWindow, Series, Signal, SignalResult

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
    # Pending from the first bad point (index 4); 8 points x 15 s = 2m at index 11.
    assert firing.alert.started_at == T0 + 4 * STEP
    assert firing.alert.fired_at == T0 + 11 * STEP
    assert firing.alert.value == 0.12
    assert firing.alert.key == "pulse:High errors:checkout"
    assert firing.alert.summary == "error ratio 12% > 5% for 2m"
    assert firing.alert.state == "firing" and firing.alert.severity == "page"
    assert resolved.alert.resolved_at == T0 + 14 * STEP
    assert resolved.alert.value == 0.01


def test_p99_latency_over_1s_for_5m_watches_only_the_p99_series() -> None:
    rule = AlertRule("Slow", "warn", ">", 1.0, for_seconds=300, signal=Signal.LATENCY)
    p99 = line("api", [0.5] + [1.5] * 25, step=15, quantile="p99")
    p50 = line("api", [5.0] * 26, step=15, quantile="p50")  # would fire at once if watched
    events = RuleEvaluator([rule]).observe(Signal.LATENCY, result(Signal.LATENCY, [p50, p99]), 0)
    assert len(events) == 1
    # 20 points of 15 s = 5m: from index 1 to index 20.
    assert events[0].alert.started_at == T0 + 15
    assert events[0].alert.fired_at == T0 + 20 * 15
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
    # Worst per timestamp: 1 6 6 7 8 9 1 -> pending at index 1, 4 points = 1m at index 4.
    assert [(e.kind, e.at, e.alert.value) for e in events] == [
        ("firing", T0 + 4 * STEP, 8),
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
        ("firing", T0 + 4 * STEP),
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
    # true, true, NaN, true, true, true (fires: 3 points = 45 s), NaN, NaN, true, false
    values = [0.1, 0.1, nan, 0.1, 0.1, 0.1, nan, nan, 0.1, 0.01]
    events = evaluator.observe(Signal.ERRORS, result(Signal.ERRORS, [line("a", values)]), 0)
    assert [(e.kind, e.at) for e in events] == [
        ("firing", T0 + 5 * STEP),
        ("resolved", T0 + 9 * STEP),
    ]
    # A hole in the timestamps (no points for 5 minutes) also restarts pending.
    evaluator = RuleEvaluator([rule])
    holey = Series("a", [T0, T0 + 15, T0 + 315, T0 + 330, T0 + 345], [0.1] * 5)
    events = evaluator.observe(Signal.ERRORS, result(Signal.ERRORS, [holey]), 0)
    assert [e.at for e in events] == [T0 + 345]


def test_promql_rule_is_evaluated_on_its_own_series() -> None:
    rule = AlertRule("Disk", "page", "<", 0.1, for_seconds=30, query="disk_free_ratio")
    evaluator = RuleEvaluator([rule])
    assert evaluator.query_rules == [rule]
    series = [line("db", [0.5, 0.05, 0.04, 0.03]), line("web", [0.9, 0.9, 0.9, 0.9])]
    events = evaluator.observe_query(rule, series, 0)
    assert [(e.alert.service, e.at, e.alert.value) for e in events] == [("db", T0 + 2 * STEP, 0.04)]
    assert events[0].alert.summary == "value 0.04 < 0.1 for 30s"


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
