"""Signal and PromQL alert rules, evaluated on the series the panels already fetched.

Semantics (all in *data time*, the timestamps of the points, never the wall clock):

* Each rule and service has a state: ok, pending or firing. Each call walks only the points
  newer than the last timestamp that rule/service has seen, in time order, so overlapping
  live refreshes (the same minutes fetched again) never produce an event twice, and one
  big historical result (a backfilled incident) produces every event it contains.
* A point whose value compares true starts pending at its timestamp (`started_at`).
  A run of true points from `t0` to `t` has held for `t - t0` seconds; when that reaches
  `for_seconds` the alert fires at `t` with that point's value, as Prometheus fires a rule
  evaluated at those points (`for = 0`: on the first true point; `for = 5m` at 1m steps:
  on the sixth). tests/integration/test_alerts_prometheus.py checks this against promtool.
* A finite point that compares false resolves a firing alert (or ends a pending one).
* Missing data is neither good nor bad news: a NaN/±Inf point, or a hole in the
  timestamps longer than 1.5 steps, resets a *pending* run (the condition was not seen to
  hold continuously) but leaves a *firing* alert firing until a real point says otherwise.
* Latency rules watch their `quantile` series (labels["quantile"]). When a service has
  several series (queues, or any multi-series query) the worst one counts per timestamp:
  the largest for `>`/`>=` rules, the smallest for `<`/`<=`.

Which points, at any range: a chart's step grows with the range (3 h at 7d) and each point
averages over its step, so "5xx > 5% for 2m" judged on it would mean "the 3 h average", up
to 3 h late. A result carrying recent series (`SignalResult.recent`: the last minutes at the
scrape step, ending now, rate window about a minute whatever the range) is judged on those,
so a rule fires at the same moment at 5m and at 30d. Its chart points are walked first, for
the history (the recent points then add what is newer than the chart's last), but only
while the chart is as fine as they are: a step no longer than their rate window, ranges up
to an hour or two. A coarser chart is not judged, not even when the recent query failed
(missing data, as above); its young window (`SignalResult.young`: the last few chart steps
a minute at a time) is, before the recent points, so that an alert that began an hour ago
fires at that time at 7d too. A result without recent series is judged on its chart.

Change rules (`AlertRule.change`, the automatic rules of `automatic.py`) go through the
same walk, on a condition line made from the findings of what-changed
(`change_rules.py`): `observe_changes(results, findings)` once per round of results.
"""

from __future__ import annotations

import bisect
import math
import operator
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

from pulse_tui.model.alerting import change_rules
from pulse_tui.model.alerting.alerts import Alert, AlertEvent
from pulse_tui.model.alerting.definitions import AlertRule
from pulse_tui.model.core.durations import format_duration
from pulse_tui.model.core.units import format_value
from pulse_tui.model.metrics.changes import Finding
from pulse_tui.model.metrics.signals import (
    DEFAULT_UNITS,
    QueryWindow,
    Series,
    Signal,
    SignalResult,
)

_OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}

#: A hole longer than this many steps between two points counts as missing data.
GAP_STEPS = 1.5

_SIGNAL_WORDS = {
    Signal.ERRORS: "error ratio",
    Signal.LATENCY: "latency",
    Signal.TRAFFIC: "traffic",
    Signal.SATURATION: "saturation",
    Signal.QUEUE: "queue p99",
}


@dataclass(slots=True)
class _Track:
    """What one rule knows about one service between calls."""

    alert: Alert
    last_ts: float = -math.inf
    pending_since: float | None = None
    firing: bool = False


#: Writes an alert's summary (and shown value) for the point at (timestamp, value).
_Describe = Callable[[Alert, float, float], None]


@dataclass(slots=True)
class _Points:
    timestamps: Sequence[float] = field(default_factory=list)
    values: Sequence[float] = field(default_factory=list)


def _combine(series: Sequence[Series], worst_is_max: bool, after: float) -> _Points:
    """One service's series merged into one line, worst finite value per timestamp
    (only points later than `after`: the rest were walked before)."""
    if len(series) == 1:
        only = series[0]
        return _Points(only.timestamps, only.values)
    pick = max if worst_is_max else min
    merged: dict[float, float] = {}
    for item in series:
        first = bisect.bisect_right(item.timestamps, after)
        for ts, value in zip(item.timestamps[first:], item.values[first:], strict=False):
            if not math.isfinite(value):
                merged.setdefault(ts, math.nan)
                continue
            old = merged.get(ts, math.nan)
            merged[ts] = value if math.isnan(old) else pick(old, value)
    stamps = sorted(merged)
    return _Points(stamps, [merged[ts] for ts in stamps])


class RuleEvaluator:
    """Evaluates `AlertRule`s; one instance lives for the session (it keeps the state).

    Signal rules: call `observe(signal, result, now)` with every `SignalResult` a panel
    received; no extra queries. PromQL rules (`rule.query`): the app runs each query once
    per refresh over `query_rule_window(traffic result)` (`PrometheusSource.query_expr`,
    one extra query per query rule per refresh) and calls `observe_query(rule, series, now,
    step)`.
    `pending()` lists the alerts pending right now, for the pane.
    """

    def __init__(self, rules: Sequence[AlertRule]) -> None:
        self.rules = tuple(rules)
        self._by_signal: dict[Signal, list[AlertRule]] = defaultdict(list)
        for rule in self.rules:
            if rule.signal is not None and rule.query is None and rule.change is None:
                self._by_signal[rule.signal].append(rule)
        self._change_rules = [r for r in self.rules if r.change is not None]
        self._tracks: dict[tuple[str, str], _Track] = {}
        #: Change rules: the finding each (rule, service) alert was last about, so an
        #: alert whose finding is no longer found still says what it was.
        self._findings: dict[tuple[str, str], Finding] = {}

    @property
    def query_rules(self) -> list[AlertRule]:
        """Rules the app must fetch itself (one range query each per refresh)."""
        return [r for r in self.rules if r.query is not None]

    def observe(self, signal: Signal, result: SignalResult, now: float) -> list[AlertEvent]:
        """Events from a panel's fresh result, in time order (per rule and service)."""
        events: list[AlertEvent] = []
        # The chart first (history), then the recent minutes; each walk skips what the
        # rule has seen, so the second only adds points newer than the chart's last.
        parts = _judged_parts(result)
        for rule in self._by_signal.get(signal, ()):
            for series, step in parts:
                if signal is Signal.LATENCY:
                    series = tuple(s for s in series if s.labels.get("quantile") == rule.quantile)
                events.extend(self._evaluate(rule, series, step, result.unit))
        return events

    def observe_query(
        self, rule: AlertRule, series: Sequence[Series], now: float, step: float | None = None
    ) -> list[AlertEvent]:
        """Events for a PromQL rule from its own range query; pass that query's `step`
        (without it, the smallest spacing between points is taken)."""
        if step is None:
            step = _spacing(series)
        return self._evaluate(rule, series, step, "")

    def observe_changes(
        self, results: Mapping[Signal, SignalResult], findings: Sequence[Finding]
    ) -> list[AlertEvent]:
        """Events of the change rules, from one round's results and the findings made
        from them (`detect_changes`); the same points as `observe` are walked."""
        events: list[AlertEvent] = []
        for rule in self._change_rules:
            assert rule.signal is not None and rule.change is not None  # the config says so
            result = results.get(rule.signal)
            if result is None:
                continue
            found = change_rules.by_service(findings, rule.signal)
            wanted = set(rule.services)
            threshold = change_rules.threshold(rule.change)
            for series, step in _judged_parts(result):
                grouped: dict[str, list[Series]] = defaultdict(list)
                for item in change_rules.judged_series(rule.signal, series):
                    if not wanted or item.service in wanted:
                        grouped[item.service].append(item)
                for service in sorted(grouped):
                    track = self._track(rule, service, result.unit)
                    mine = found.get(service, [])
                    if not mine and track.alert.state == "resolved":
                        # No change and no alert: every point would compare false and
                        # change nothing but where the walk got to (most services).
                        track.last_ts = max(track.last_ts, _last_stamp(grouped[service]))
                        continue
                    stamps, ranks = change_rules.condition(grouped[service], mine, track.last_ts)
                    describe = partial(self._describe_change, rule, service, mine)
                    events.extend(
                        self._walk(
                            track,
                            _Points(stamps, ranks),
                            step,
                            rule.for_seconds,
                            operator.ge,
                            threshold,
                            describe,
                        )
                    )
        return events

    def _describe_change(
        self,
        rule: AlertRule,
        service: str,
        findings: Sequence[Finding],
        alert: Alert,
        ts: float,
        rank: float,
    ) -> None:
        key = (rule.name, service)
        finding = change_rules.covering(findings, ts) or self._findings.get(key)
        if finding is None:
            return
        self._findings[key] = finding
        alert.value, alert.summary = finding.after, change_rules.describe(finding)

    def pending(self) -> list[Alert]:
        """Alerts whose condition holds but not yet for long enough."""
        return [t.alert for t in self._tracks.values() if t.alert.state == "pending"]

    def firing(self) -> list[Alert]:
        return [t.alert for t in self._tracks.values() if t.firing]

    # ------------------------------------------------------------------ walking

    def _evaluate(
        self, rule: AlertRule, series: Sequence[Series], step: float, unit: str
    ) -> list[AlertEvent]:
        wanted = set(rule.services)
        by_service: dict[str, list[Series]] = defaultdict(list)
        for item in series:
            if not wanted or item.service in wanted:
                by_service[item.service].append(item)
        worst_is_max = rule.op in (">", ">=")
        events: list[AlertEvent] = []
        compare, threshold = _OPS[rule.op], rule.threshold

        def describe(alert: Alert, ts: float, value: float) -> None:
            alert.value, alert.summary = value, _summary(rule, value, unit)

        for service in sorted(by_service):
            track = self._track(rule, service, unit)
            points = _combine(by_service[service], worst_is_max, track.last_ts)
            events.extend(
                self._walk(track, points, step, rule.for_seconds, compare, threshold, describe)
            )
        return events

    def _track(self, rule: AlertRule, service: str, unit: str) -> _Track:
        key = (rule.name, service)
        track = self._tracks.get(key)
        if track is None:
            alert = Alert(
                key=f"pulse:{rule.name}:{service}",
                name=rule.name,
                source="pulse",
                severity=rule.severity,  # type: ignore[arg-type]  # validated by the config
                state="resolved",
                service=service,
                labels={"rule": rule.name, **({"service": service} if service else {})},
            )
            track = self._tracks[key] = _Track(alert)
        return track

    def _walk(
        self,
        track: _Track,
        points: _Points,
        step: float,
        for_seconds: float,
        compare: Callable[[float, float], bool],
        threshold: float,
        describe: _Describe,
    ) -> list[AlertEvent]:
        """The state machine of the module docstring over `points` (`compare(value,
        threshold)` is the condition: `AlertRule.compare` builds a dict per call, and
        this runs for every point); `describe` writes the summary at an event."""
        events: list[AlertEvent] = []
        alert = track.alert
        isfinite = math.isfinite
        shown: tuple[float, float] | None = None
        stamps, values = points.timestamps, points.values
        previous = track.last_ts
        # Skip what an earlier (overlapping) refresh already walked.
        for index in range(bisect.bisect_right(stamps, track.last_ts), len(stamps)):
            ts, value = stamps[index], values[index]
            hole = previous > -math.inf and ts - previous > GAP_STEPS * step
            previous = ts
            finite = isfinite(value)
            if hole or not finite:
                # Missing data: the condition was not seen to hold continuously.
                track.pending_since = None
                if not track.firing and alert.state == "pending":
                    alert.state = "resolved"
                if not finite:
                    continue
            if not compare(value, threshold):
                track.pending_since = None
                if track.firing:
                    track.firing = False
                    alert.state, alert.resolved_at = "resolved", ts
                    describe(alert, ts, value)
                    events.append(AlertEvent("resolved", alert.snapshot()))
                elif alert.state == "pending":
                    alert.state = "resolved"  # never fired: just stop showing it
                continue
            shown = (ts, value)
            if track.firing:
                continue
            if track.pending_since is None:
                track.pending_since = ts
                alert.state, alert.started_at = "pending", ts
                alert.fired_at = alert.resolved_at = None
            # As Prometheus counts `for`: seen at t0 and still at t0 + for (not one step
            # earlier, as counting the first point's step as held would make it).
            if ts - track.pending_since >= for_seconds:
                track.firing = True
                alert.state, alert.fired_at = "firing", ts
                describe(alert, ts, value)
                events.append(AlertEvent("firing", alert.snapshot()))
        track.last_ts = max(track.last_ts, previous)
        if alert.state != "resolved" and shown is not None:
            # The pane shows the latest value; formatted once per refresh, not per point.
            describe(alert, *shown)
        return events


def _judged_parts(result: SignalResult) -> list[tuple[tuple[Series, ...], float]]:
    """The chart (when judged), the young window (when judged) and the recent minutes,
    each with its step, in walk order."""
    parts: list[tuple[tuple[Series, ...], float]] = []
    if judges_chart(result):
        parts.append((result.series, result.window.step))
    young = result.young
    if young is not None and young.error is None and judges_young(result):
        # At a long range, the history of the last chart steps a minute at a time: an
        # alert that began an hour ago fires at that time, not when the app started.
        parts.append((young.series, young.window.step))
    if result.recent is not None:
        parts.append((result.recent.series, result.recent.window.step))
    return parts


def judges_chart(result: SignalResult) -> bool:
    """Whether rules judge `result`'s chart points (see the module docstring): always
    without recent series, else only when the chart's step is no longer than their rate
    window, so its points say what the recent ones say, a minute or so at a time."""
    recent = result.recent
    return recent is None or result.window.step <= recent.window.rate_window


def judges_young(result: SignalResult) -> bool:
    """Whether rules judge `result`'s young window (`step.young_window`): when the chart
    is not judged and its step is no longer than the recent minutes' rate window."""
    young, recent = result.young, result.recent
    if young is None or judges_chart(result):
        return False
    return recent is None or young.window.step <= recent.window.rate_window


def query_rule_window(result: SignalResult) -> QueryWindow:
    """The window PromQL rules are queried over, from a panel's `result`: the recent
    minutes at their step and rate window, from the chart's start when the chart is judged
    too (history on the first refresh), ending at the instant of the current values. One
    query per rule either way; a result without recent series gives its chart's window."""
    recent = result.recent
    if recent is None:
        return result.window
    start = result.window.start if judges_chart(result) else recent.window.start
    # Whole recent steps back from the end, so the last point is the value now.
    steps = math.ceil((recent.window.end - start) / recent.window.step)
    return replace(recent.window, start=recent.window.end - steps * recent.window.step)


def _last_stamp(series: Sequence[Series]) -> float:
    return max((s.timestamps[-1] for s in series if len(s.timestamps)), default=-math.inf)


def _spacing(series: Sequence[Series]) -> float:
    gaps = [b - a for s in series for a, b in zip(s.timestamps, s.timestamps[1:], strict=False)]
    return min(gaps) if gaps else 0.0


def _number(value: float, unit: str) -> str:
    # Without a unit (PromQL rules) SI prefixes would turn 0.04 into "40m".
    return format_value(value, unit) if unit else f"{value:.4g}"


def _summary(rule: AlertRule, value: float, unit: str) -> str:
    """ "error ratio 7.2% > 5% for 2m" (units from the panel; PromQL rules have none)."""
    if rule.signal is not None:
        what = _SIGNAL_WORDS[rule.signal]
        if rule.signal is Signal.LATENCY:
            what = f"{rule.quantile} latency"
        unit = unit or DEFAULT_UNITS[rule.signal]
    else:
        what = "value"
    text = f"{what} {_number(value, unit)} {rule.op} {_number(rule.threshold, unit)}"
    if rule.for_seconds > 0:
        text += f" for {format_duration(rule.for_seconds)}"
    return text
