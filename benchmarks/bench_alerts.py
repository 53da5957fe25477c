"""Alert evaluation cost: log rules on the ingest path, signal rules per refresh.

Figures:
* log_rules_lines_per_s — `LogRuleEvaluator.observe` over batches of 4096 parsed lines
  (the realistic mix of bench_ingest), with three rules (a literal at ERROR, a regex, a
  level-only rule), plus one `evaluate` per batch; reference: the in-process ingest rate
  of the same lines (ratio > 1: the rules keep up with ingest).
* log_rules_share_of_ingest — the fraction of ingest time the rules add.
* alert_rules_ms_per_refresh — `RuleEvaluator.observe` for 50 services x 5 rules over a
  fresh 1-hour window of 241 points per series (a cold first refresh: every point walked).
* alert_rules_live_ms_per_refresh — the same evaluator on the next refresh (window
  shifted by one step: only the new point is walked).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

from bench_ingest import ingest_times, sample_lines
from run import figure

from pulse_tui.config.alert_model import AlertRule, LogRule
from pulse_tui.model.alerting.log_rules import LogRuleEvaluator
from pulse_tui.model.alerting.rules import RuleEvaluator
from pulse_tui.model.logs.line import Level, LogLine
from pulse_tui.model.logs.parse import parse_texts
from pulse_tui.model.metrics.signals import QueryWindow, Series, Signal, SignalResult

LINES = 200_000
BATCH = 4096


def _parsed_lines(count: int) -> list[LogLine]:
    texts = sample_lines(count)
    now = time.time()
    stamps, levels = parse_texts(texts, now)
    services = ("api", "checkout", "worker")
    return [
        LogLine(now, ts if ts is not None else now, "web-1", "app.log", services[i % 3], lv, text)
        for i, (text, ts, lv) in enumerate(zip(texts, stamps, levels, strict=True))
    ]


def bench_log_rules() -> Iterator[dict[str, object]]:
    lines = _parsed_lines(LINES)
    rules = [
        LogRule("Payment timeouts", "page", 10, 600, "payment timeout", Level.ERROR),
        LogRule("Slow upstream", "warn", 50, 300, r"re:timeout after \d{4,}ms"),
        LogRule("Errors", "info", 1000, 60, "", Level.ERROR),
    ]
    best = math.inf
    for _ in range(3):
        evaluator = LogRuleEvaluator(rules)
        start = time.perf_counter()
        for index in range(0, len(lines), BATCH):
            evaluator.observe(lines[index : index + BATCH])
            evaluator.evaluate(lines[min(index + BATCH, len(lines)) - 1].timestamp)
        best = min(best, time.perf_counter() - start)
    ours = LINES / best
    data = ("\n".join(sample_lines(LINES)) + "\n").encode()
    ingest = LINES / ingest_times(data)[0]  # wall, like the rule timing above
    yield figure("log_rules_lines_per_s", ours, "lines/s", "ingest (bench_ingest)", ours / ingest)
    yield figure("log_rules_share_of_ingest", ingest / ours, "ratio")


def _results(services: int, points: int, end: float, step: float) -> list[SignalResult]:
    window = QueryWindow(end - (points - 1) * step, end, step, 4 * step)
    stamps = [window.start + i * step for i in range(points)]

    def wave(i: int, base: float) -> list[float]:
        return [base * (1 + math.sin((t / 600) + i)) for t in stamps]

    out = []
    for signal, base in (
        (Signal.ERRORS, 0.04),
        (Signal.SATURATION, 40.0),
        (Signal.TRAFFIC, 10.0),
    ):
        series = tuple(Series(f"svc-{i:03d}", stamps, wave(i, base)) for i in range(services))
        out.append(SignalResult(signal, series, "", end, window))
    latency = tuple(
        Series(f"svc-{i:03d}", stamps, wave(i, 0.8), {"quantile": q})
        for i in range(services)
        for q in ("p50", "p90", "p99")
    )
    out.append(SignalResult(Signal.LATENCY, latency, "s", end, window))
    queue = tuple(
        Series(f"svc-{i:03d}", stamps, wave(i + j, 4.0), {"queue": f"q{j}"})
        for i in range(services)
        for j in range(2)
    )
    out.append(SignalResult(Signal.QUEUE, queue, "s", end, window))
    return out


def bench_signal_rules() -> Iterator[dict[str, object]]:
    rules = [
        AlertRule("High errors", "page", ">", 0.05, 120, Signal.ERRORS),
        AlertRule("Slow p99", "warn", ">", 1.0, 300, Signal.LATENCY),
        AlertRule("CPU", "warn", ">", 50, 0, Signal.SATURATION),
        AlertRule("Low traffic", "info", "<", 1.0, 300, Signal.TRAFFIC),
        AlertRule("Queue", "page", ">", 5.0, 60, Signal.QUEUE),
    ]
    end, step = 1_700_000_000.0, 15.0
    first = _results(50, 241, end, step)
    second = _results(50, 241, end + step, step)
    cold = live = math.inf
    for _ in range(5):
        evaluator = RuleEvaluator(rules)
        start = time.perf_counter()
        for result in first:
            evaluator.observe(result.signal, result, end)
        cold = min(cold, time.perf_counter() - start)
        start = time.perf_counter()
        for result in second:
            evaluator.observe(result.signal, result, end + step)
        live = min(live, time.perf_counter() - start)
    yield figure("alert_rules_ms_per_refresh", cold * 1000, "ms")
    yield figure("alert_rules_live_ms_per_refresh", live * 1000, "ms")


def run() -> Iterator[dict[str, object]]:
    yield from bench_log_rules()
    yield from bench_signal_rules()
