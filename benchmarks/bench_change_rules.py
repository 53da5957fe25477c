"""The automatic alerts' cost per refresh: the change rules walking the findings.

Figures (the data of bench_changes.py: 50 services x 5 signals x 240 points, 3 incidents):
* change_rules_first_ms — `RuleEvaluator.observe_changes` with the automatic rules on the
  first refresh, which walks the range (the history) of every service with a change;
  reference: the detector's own per-refresh target, 5 ms (they run one after the other).
* change_rules_next_ms — the next refresh: one new point per series (the same minutes are
  not walked again).
* change_rules_alerts — alerts firing after the first refresh (the 3 incidents, errors
  and p99 each: 6), so the figures above are not cheap because nothing fired.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator
from dataclasses import replace

from bench_changes import STEP, _panels
from run import figure

from pulse_tui.config import Config
from pulse_tui.model.alerting.automatic import AUTOMATIC_RULES
from pulse_tui.model.alerting.rules import RuleEvaluator
from pulse_tui.model.metrics.changes import detect_changes
from pulse_tui.model.metrics.signals import SignalResult

REFERENCE_MS = 5.0


def _shifted(result: SignalResult) -> SignalResult:
    """The same result a step later: one more point per series (a live refresh)."""
    series = tuple(
        replace(
            s,
            timestamps=[*s.timestamps[1:], s.timestamps[-1] + STEP],
            values=[*s.values[1:], s.values[-1]],
        )
        for s in result.series
    )
    window = replace(result.window, start=result.window.start + STEP, end=result.window.end + STEP)
    return replace(result, series=series, window=window)


def run() -> Iterator[dict[str, object]]:
    start = 1_700_000_000.0
    incidents = {3: start + 200 * 15.0, 17: start + 150 * 15.0, 41: start + 100 * 15.0}
    panels = _panels(random.Random(1), start, incidents)
    later = {signal: _shifted(result) for signal, result in panels.items()}
    thresholds = Config().thresholds
    findings, later_findings = detect_changes(panels, thresholds), detect_changes(later, thresholds)
    first = following = math.inf
    for _ in range(7):
        evaluator = RuleEvaluator(AUTOMATIC_RULES)
        began = time.perf_counter()
        evaluator.observe_changes(panels, findings)
        first = min(first, time.perf_counter() - began)
        began = time.perf_counter()
        evaluator.observe_changes(later, later_findings)
        following = min(following, time.perf_counter() - began)
    ms = first * 1000
    yield figure("change_rules_first_ms", ms, "ms", f"{REFERENCE_MS} ms", ms / REFERENCE_MS)
    ms = following * 1000
    yield figure("change_rules_next_ms", ms, "ms", f"{REFERENCE_MS} ms", ms / REFERENCE_MS)
    yield figure("change_rules_alerts", len(evaluator.firing()), "alerts", "6 injected", None)
