"""Log rules: "more than 10 `payment timeout` errors in 10 minutes", per service or host."""

from __future__ import annotations

from pulse_tui.model.alerting.definitions import LogRule
from pulse_tui.model.alerting.log_rules import LogRuleEvaluator
from pulse_tui.model.logs.line import Level, LineKind, LogLine

T0 = 1_700_000_000.0
PAYMENT = LogRule(
    "Payment timeouts",
    "page",
    count=10,
    window_seconds=600,
    pattern="payment timeout",
    min_level=Level.ERROR,
)


def log(
    ts: float,
    text: str,
    level: Level = Level.ERROR,
    service: str = "checkout",
    host: str = "web1",
    kind: LineKind = LineKind.LINE,
) -> LogLine:
    return LogLine(ts, ts, host, "app.log", service, level, text, kind)


def test_more_than_10_payment_timeouts_in_10_minutes_fires_on_the_11th_and_resolves() -> None:
    evaluator = LogRuleEvaluator([PAYMENT])
    lines = [log(T0 + 30 * i, f"payment timeout after {i}ms") for i in range(11)]
    # Noise the rule must not count: wrong level, wrong text, a marker line.
    lines += [
        log(T0 + 1, "payment timeout after 5ms", Level.WARN),
        log(T0 + 2, "payment ok"),
        log(T0 + 3, "payment timeout", kind=LineKind.NOTICE),
    ]
    evaluator.observe(lines[:5])
    assert evaluator.evaluate(T0 + 130) == []
    evaluator.observe(lines[5:])
    events = evaluator.evaluate(T0 + 400)
    assert [(e.kind, e.at) for e in events] == [("firing", T0 + 300)]
    alert = events[0].alert
    assert (alert.key, alert.service, alert.value, alert.source) == (
        "logs:Payment timeouts:checkout",
        "checkout",
        11.0,
        "logs",
    )
    assert alert.summary == "11 lines 'payment timeout' ≥ ERROR in 10m (> 10)"
    assert evaluator.evaluate(T0 + 500) == []  # still firing: no new event
    # The first line (T0) leaves the 10-minute window at T0 + 600: back to 10 lines.
    events = evaluator.evaluate(T0 + 700)
    assert [(e.kind, e.at, e.alert.value) for e in events] == [("resolved", T0 + 600, 10.0)]
    assert evaluator.active() == []


def test_a_burst_between_two_evaluations_fires_and_resolves_at_the_exact_times() -> None:
    rule = LogRule("Errors", "warn", count=2, window_seconds=60, min_level=Level.ERROR)
    evaluator = LogRuleEvaluator([rule])
    evaluator.observe([log(T0 + t, "boom") for t in (0, 10, 20, 200, 210, 220)])
    events = evaluator.evaluate(T0 + 1000)
    assert [(e.kind, e.at) for e in events] == [
        ("firing", T0 + 20),
        ("resolved", T0 + 60),  # the line at 0 leaves the window: 2 left
        ("firing", T0 + 220),
        ("resolved", T0 + 260),
    ]


def test_scopes_are_per_service_or_per_host_when_the_rule_names_hosts() -> None:
    by_service = LogRule("Any errors", "info", count=1, window_seconds=60, min_level=Level.ERROR)
    by_host = LogRule(
        "db1 errors", "warn", count=0, window_seconds=60, min_level=Level.ERROR, hosts=("db1",)
    )
    evaluator = LogRuleEvaluator([by_service, by_host])
    evaluator.observe(
        [
            log(T0, "x", service="api", host="web1"),
            log(T0 + 1, "x", service="checkout", host="web2"),
            log(T0 + 2, "x", service="api", host="db1"),
        ]
    )
    events = evaluator.evaluate(T0 + 5)
    assert sorted(e.alert.key for e in events) == ["logs:Any errors:api", "logs:db1 errors:db1"]
    host_alert = next(e.alert for e in events if e.alert.name == "db1 errors")
    assert host_alert.service == "" and host_alert.labels["host"] == "db1"


def test_regex_pattern_and_smart_case_match_like_the_log_search() -> None:
    rule = LogRule("Slow", "warn", count=1, window_seconds=60, pattern=r"re:timeout after \d{4,}ms")
    evaluator = LogRuleEvaluator([rule])
    evaluator.observe(
        [
            log(T0, "TIMEOUT after 1234ms"),
            log(T0 + 1, "timeout after 98ms"),
            log(T0 + 2, "upstream timeout after 5000ms", Level.INFO),
        ]
    )
    [event] = evaluator.evaluate(T0 + 3)
    assert event.at == T0 + 2


def test_lines_arriving_late_count_at_their_own_time() -> None:
    rule = LogRule("Errors", "warn", count=1, window_seconds=60, min_level=Level.ERROR)
    evaluator = LogRuleEvaluator([rule])
    evaluator.observe([log(T0 + 50, "a")])
    assert evaluator.evaluate(T0 + 51) == []
    evaluator.observe([log(T0 + 40, "late"), log(T0 + 55, "b")])
    events = evaluator.evaluate(T0 + 56)
    # Two lines within 60 s already at T0 + 50 (the late one and "a"): it fired then.
    assert [(e.kind, e.at, e.alert.value) for e in events] == [("firing", T0 + 50, 2.0)]
    assert evaluator.evaluate(T0 + 57) == []  # evaluated once: no event repeated
    assert evaluator.active()[0].value == 3.0


def test_column_batches_count_exactly_like_line_lists() -> None:
    from pulse_tui.model.logs.batch import LineBatch

    rule = LogRule(
        name="Timeouts",
        severity="warn",
        count=2,
        window_seconds=600,
        pattern="payment timeout",
        min_level=Level.ERROR,
    )
    texts = [f"payment timeout after {n}ms" if n % 2 else f"ok {n}" for n in range(10)]
    levels = [Level.ERROR if n % 3 else Level.INFO for n in range(10)]
    stamps = [1000.0 + n for n in range(10)]
    batch = LineBatch(texts, stamps, levels, 1000.0, "web-1", "/var/log/app", "checkout")
    by_batch, by_list = LogRuleEvaluator([rule]), LogRuleEvaluator([rule])
    by_batch.observe(batch)
    by_list.observe([batch[i] for i in range(len(batch))])
    fired_batch = [(e.kind, e.alert.key, e.at) for e in by_batch.evaluate(2000.0)]
    fired_list = [(e.kind, e.alert.key, e.at) for e in by_list.evaluate(2000.0)]
    assert fired_batch == fired_list
    assert [kind for kind, _, _ in fired_batch] == ["firing", "resolved"]


NOW = T0 + 3600  # an hour of history has just been loaded


def test_an_hour_of_history_backlog_does_not_fire_as_if_it_all_happened_now() -> None:
    # 120 payment timeouts in the last hour, one every 30 s: never more than 10 in 10 min
    # at their own times (20 in any 10 min window would be, if they were counted as now).
    rule = LogRule("Payment timeouts", "page", count=20, window_seconds=600, pattern="timeout")
    evaluator = LogRuleEvaluator([rule])
    evaluator.observe([log(T0 + 30 * i, f"payment timeout {i}") for i in range(120)])
    assert evaluator.evaluate(NOW) == []
    assert evaluator.active() == []


def test_a_burst_in_the_history_fires_and_resolves_at_its_own_times() -> None:
    evaluator = LogRuleEvaluator([PAYMENT])
    burst = [log(T0 + 600 + 10 * i, f"payment timeout {i}") for i in range(15)]  # 40 min ago
    evaluator.observe(burst)
    events = evaluator.evaluate(NOW)
    assert [(e.kind, e.at) for e in events] == [
        ("firing", T0 + 700),  # the 11th line
        ("resolved", T0 + 600 + 10 * 4 + 600),  # when 10 were left in the window
    ]
    assert evaluator.active() == []  # nothing shown as firing now


def test_a_late_hosts_history_completes_a_burst_at_its_own_time() -> None:
    evaluator = LogRuleEvaluator([PAYMENT])
    # web1's history: 6 timeouts 40 minutes ago; evaluated before web2's history arrives.
    evaluator.observe([log(T0 + 600 + 20 * i, "payment timeout", host="web1") for i in range(6)])
    assert evaluator.evaluate(NOW) == []
    # web2 (same service) connects later: 6 more in the same minutes.
    evaluator.observe([log(T0 + 610 + 20 * i, "payment timeout", host="web2") for i in range(6)])
    events = evaluator.evaluate(NOW + 1)
    # Merged: a line every 10 s from T0 + 600; the 11th is at T0 + 700.
    assert [(e.kind, e.at) for e in events] == [("firing", T0 + 700), ("resolved", T0 + 1210)]
