"""Change rules (the automatic alerts) through the rule state machine: findings of what
changed, made by the real detector from synthetic series, fed to `RuleEvaluator`.

Pure logic: the same rules run against a real backfilled prometheus in
tests/integration/test_automatic_alerts.py.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

import pytest

from pulse_tui.config import Config
from pulse_tui.model.alerting.automatic import AUTOMATIC_RULES, rules_in_force
from pulse_tui.model.alerting.change_rules import describe
from pulse_tui.model.alerting.definitions import AlertRule
from pulse_tui.model.alerting.rules import RuleEvaluator
from pulse_tui.model.metrics.change_text import clock_time
from pulse_tui.model.metrics.changes import Finding, detect_changes
from pulse_tui.model.metrics.signals import QueryWindow, Series, Signal, SignalResult

STEP = 30.0
N = 120
T0 = 1_700_000_000.0
ERRORS_RULE = next(r for r in AUTOMATIC_RULES if r.signal is Signal.ERRORS)


def errors_result(values: list[float], start: float = T0, service: str = "checkout"):
    stamps = [start + i * STEP for i in range(len(values))]
    window = QueryWindow(stamps[0], stamps[-1], STEP, 2 * STEP)
    series = (Series(service, stamps, values), Series("api", stamps, steady(len(values))))
    return {Signal.ERRORS: SignalResult(Signal.ERRORS, series, "ratio", stamps[-1], window)}


def steady(n: int, level: float = 0.01, seed: int = 3) -> list[float]:
    rng = random.Random(seed)
    return [level * (1 + rng.gauss(0, 0.05)) for _ in range(n)]


def step_up(n: int, at: int, after: float, seed: int = 5) -> list[float]:
    before, later = steady(at, seed=seed), steady(n - at, level=after, seed=seed + 1)
    return before + later


def judge(evaluator: RuleEvaluator, results: dict[Signal, SignalResult]):
    findings = detect_changes(results, Config().thresholds)
    return findings, evaluator.observe_changes(results, findings)


def test_a_crit_error_step_goes_pending_then_fires_after_for_with_what_changed() -> None:
    results = errors_result(step_up(N, 100, 0.2))
    evaluator = RuleEvaluator(AUTOMATIC_RULES)
    findings, events = judge(evaluator, results)
    (finding,) = findings
    assert (finding.service, finding.severity, finding.start) == ("checkout", "crit", T0 + 3000)

    assert [(e.kind, e.alert.service) for e in events] == [("firing", "checkout")]
    alert = events[0].alert
    assert alert.key == "pulse:Error ratio jumped:checkout" and alert.severity == "page"
    # Pending from the change's first point, firing once it has held for the rule's 2m
    # (as Prometheus counts `for`: seen at t0 and still at t0 + 2m, 5 points of 30 s).
    assert alert.started_at == finding.start
    assert alert.fired_at == finding.start + ERRORS_RULE.for_seconds
    assert alert.value == finding.after
    assert alert.summary == describe(finding)
    assert alert.summary.startswith("errors 1% → 20") and alert.summary.endswith(
        f" since {clock_time(finding.start, 0)}"
    )
    # The next refresh with the same points: nothing new, still firing.
    assert evaluator.observe_changes(results, findings) == []
    assert [a.key for a in evaluator.firing()] == [alert.key]


def test_not_held_for_long_enough_is_pending_only() -> None:
    # The change is 3 points old (90 s < 2m): found, but only pending.
    evaluator = RuleEvaluator(AUTOMATIC_RULES)
    findings, events = judge(evaluator, errors_result(step_up(N, N - 3, 0.2)))
    assert [f.severity for f in findings] == ["crit"]
    assert events == []
    assert [(a.service, a.state) for a in evaluator.pending()] == [("checkout", "pending")]


def test_recovered_finding_resolves_at_the_point_it_went_back() -> None:
    values = step_up(N, 60, 0.2)[:100] + steady(20, seed=9)
    evaluator = RuleEvaluator(AUTOMATIC_RULES)
    (finding,), events = judge(evaluator, errors_result(values))
    assert finding.end == T0 + 100 * STEP
    assert [e.kind for e in events] == ["firing", "resolved"]
    resolved = events[1].alert
    assert resolved.resolved_at == finding.end
    assert resolved.summary.endswith(f", recovered {clock_time(finding.end, 0)}")


def test_a_finding_no_longer_found_resolves_at_the_next_point_and_still_says_what() -> None:
    values = step_up(N, 80, 0.2)
    evaluator = RuleEvaluator(AUTOMATIC_RULES)
    (finding,), events = judge(evaluator, errors_result(values))
    assert [e.kind for e in events] == ["firing"]
    # The next round: one more point, and (say, the range moved on) no finding.
    later = errors_result([*values, 0.2])
    (resolved,) = evaluator.observe_changes(later, [])
    assert resolved.kind == "resolved" and resolved.alert.resolved_at == T0 + N * STEP
    assert resolved.alert.summary == describe(finding)
    assert evaluator.firing() == []


def test_a_change_found_late_is_pending_from_the_first_point_walked_after() -> None:
    evaluator = RuleEvaluator(AUTOMATIC_RULES)
    values = step_up(N, 100, 0.2)
    first = errors_result(values)
    assert evaluator.observe_changes(first, []) == []  # not found yet
    more = errors_result([*values, *steady(6, level=0.2, seed=11)])
    findings = detect_changes(more, Config().thresholds)
    events = evaluator.observe_changes(more, findings)
    assert [e.kind for e in events] == ["firing"]
    # The points already walked said "no change"; the condition holds from the next one.
    assert events[0].alert.started_at == T0 + N * STEP
    assert events[0].alert.fired_at == T0 + (N + 4) * STEP


def test_a_warn_change_does_not_fire_a_crit_rule_but_fires_a_warn_one() -> None:
    warn_rule = replace(ERRORS_RULE, name="Errors rose", change="warn")
    results = errors_result(step_up(N, 80, 0.03))
    findings = detect_changes(results, Config().thresholds)
    assert [f.severity for f in findings] == ["warn"]
    assert RuleEvaluator(AUTOMATIC_RULES).observe_changes(results, findings) == []
    events = RuleEvaluator([warn_rule]).observe_changes(results, findings)
    assert [(e.kind, e.alert.name) for e in events] == [("firing", "Errors rose")]


def test_missing_points_reset_a_pending_change() -> None:
    values = step_up(N, N - 4, 0.2)
    values[-2] = math.nan  # a gap in the middle of the 4 changed points
    evaluator = RuleEvaluator(AUTOMATIC_RULES)
    findings, events = judge(evaluator, errors_result(values))
    assert [f.severity for f in findings] == ["crit"]
    assert events == []
    (pending,) = evaluator.pending()
    assert pending.started_at == T0 + (N - 1) * STEP


def test_change_rules_leave_threshold_rules_alone_and_vice_versa() -> None:
    threshold = AlertRule("High errors", "page", ">", 0.05, 0.0, Signal.ERRORS)
    evaluator = RuleEvaluator([threshold, ERRORS_RULE])
    results = errors_result(step_up(N, 100, 0.2))
    threshold_events = evaluator.observe(Signal.ERRORS, results[Signal.ERRORS], 0)
    assert {e.alert.name for e in threshold_events} == {"High errors"}
    _, change_events = judge(evaluator, results)
    assert {e.alert.name for e in change_events} == {"Error ratio jumped"}


def test_automatic_rules_only_without_rules_of_ones_own_and_not_when_turned_off() -> None:
    mine = (AlertRule("Mine", "warn", ">", 0.1, 0.0, Signal.ERRORS),)
    assert rules_in_force((), True) == AUTOMATIC_RULES
    assert rules_in_force((), False) == ()
    assert rules_in_force(mine, True) == mine
    signals = {r.signal for r in AUTOMATIC_RULES}
    assert signals == set(Signal) and all(r.change == "crit" for r in AUTOMATIC_RULES)


@pytest.mark.parametrize("finding_end", [None, T0 + 600])
def test_describe_says_before_after_and_since(finding_end: float | None) -> None:
    finding = Finding("checkout", Signal.LATENCY, "", "s", 0.25, 2.5, T0, finding_end, "crit", 30)
    text = describe(finding)
    assert text.startswith(f"p99 250ms → 2.5s since {clock_time(T0, 0)}")
    assert text.endswith("recovered " + clock_time(T0 + 600, 0)) == (finding_end is not None)
