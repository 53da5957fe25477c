"""What a change rule (`AlertRule.change`) sees: one condition line per service, made from
the panel's series and the findings of what-changed, for `RuleEvaluator`'s one walk.

At each timestamp of the service's series the condition's value is the rank of the worst
finding on the rule's signal that covers it (from its start up to the point it recovered:
`start <= t < end`), 0 where none does, and NaN where every series of the service is
missing (a gap is missing data for a change rule too). The rule holds where the rank
reaches its `change` level. Findings are judged afresh each round, so a change is seen
from the first point walked after it is found; a finding no longer found resolves the
alert at the next point.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Sequence

from pulse_tui.model.core.units import format_value
from pulse_tui.model.metrics.change_text import clock_time, signal_label
from pulse_tui.model.metrics.changes import Finding
from pulse_tui.model.metrics.signals import Series, Signal

#: A finding's severity as a number the condition compares (0: no change).
RANKS = {"info": 0.0, "warn": 1.0, "crit": 2.0}


def threshold(level: str) -> float:
    """The rank a change rule at `level` ("crit", "warn") fires from."""
    return RANKS[level]


def judged_series(signal: Signal, series: Sequence[Series]) -> list[Series]:
    """The series findings are made from: latency is judged on p99 only."""
    if signal is Signal.LATENCY:
        return [s for s in series if s.labels.get("quantile", "p99") == "p99"]
    return list(series)


def condition(
    series: Sequence[Series], findings: Sequence[Finding], after: float
) -> tuple[list[float], list[float]]:
    """One service's condition line (timestamps, ranks) for points later than `after`;
    `findings` are that service's on the rule's signal."""
    present: dict[float, bool] = {}
    for item in series:
        first = bisect.bisect_right(item.timestamps, after)
        for ts, value in zip(item.timestamps[first:], item.values[first:], strict=False):
            present[ts] = present.get(ts, False) or math.isfinite(value)
    stamps = sorted(present)
    ranks = []
    for ts in stamps:
        if not present[ts]:
            ranks.append(math.nan)
            continue
        covering = [RANKS[f.severity] for f in findings if _covers(f, ts)]
        ranks.append(max(covering, default=0.0))
    return stamps, ranks


def by_service(findings: Sequence[Finding], signal: Signal) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.signal is signal:
            out[finding.service].append(finding)
    return out


def covering(findings: Sequence[Finding], ts: float) -> Finding | None:
    """The worst finding covering `ts`, else the latest one (what the alert was about)."""
    here = [f for f in findings if _covers(f, ts)]
    if here:
        return max(here, key=lambda f: (RANKS[f.severity], f.start))
    return max(findings, key=lambda f: f.start, default=None)


def describe(finding: Finding) -> str:
    """ "errors 1% → 20% since 02:50": what changed, from when (no age: the summary is
    kept in the history, where "(32m)" would soon be wrong)."""
    before = format_value(finding.before, finding.unit)
    after = format_value(finding.after, finding.unit)
    text = f"{signal_label(finding)} {before} → {after} since {clock_time(finding.start, 0)}"
    if finding.end is not None:
        text += f", recovered {clock_time(finding.end, 0)}"
    return text


def _covers(finding: Finding, ts: float) -> bool:
    return finding.start <= ts and (finding.end is None or ts < finding.end)
