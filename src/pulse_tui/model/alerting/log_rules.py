"""Log rules: "more than N lines matching a pattern (and/or at a level) within a window".

`observe(lines)` is on the ingest path, so it only filters and records timestamps: per
rule, one list comprehension for level/service/host, then the pattern is matched over the
whole batch at once with `SearchQuery.scan` (joined text, one regex/`str.find` pass; the
same matcher as the log search, so a rule and a search for the same text agree). Per
matching line it appends one float. `evaluate(now)` does the counting, once per tick.

Exact times, by line timestamp: a line at `t` counts during `(t, t + window]`. The rule
fires at the timestamp of the line that makes the count in the window exceed `count`,
and resolves at the moment the count falls back to `count` (when the oldest of the
`count + 1` newest lines leaves the window), so the times do not depend on how often
`evaluate` runs.

History is judged by its own time too: a backlog loaded on connect (an hour of lines in
one batch) fires only where its lines were dense enough *then*, and a burst that ended in
the past fires and resolves at its past times (the book records it; nothing is shown as
firing now). Lines arriving with a timestamp older than ones already evaluated (a host
whose history comes later) are merged in by time; while the rule is not firing, the walk
goes back to the oldest of them, so a burst they complete fires at its own time. Lines
already trimmed (older than the window, beyond the `count + 1` newest) are not there to
help: a late history is judged with the lines kept.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from pulse_tui.model.alerting.alerts import Alert, AlertEvent
from pulse_tui.model.alerting.definitions import LogRule
from pulse_tui.model.core.durations import format_duration
from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.line import Level, LineKind, LogLine
from pulse_tui.model.search.query import SearchQuery

#: Most timestamps kept per rule and scope beyond `count + 1` (memory bound under a flood).
MAX_KEPT = 100_000


@dataclass(slots=True)
class _Scope:
    """Timestamps of matching lines for one rule and one service (or host), sorted."""

    alert: Alert
    stamps: list[float] = field(default_factory=list)
    #: Arrived since the last `evaluate`, unsorted.
    incoming: list[float] = field(default_factory=list)
    #: stamps[:done] have been evaluated.
    done: int = 0
    firing: bool = False


class _CompiledRule:
    __slots__ = ("by_host", "hosts", "min_level", "query", "rule", "scopes", "services")

    def __init__(self, rule: LogRule) -> None:
        self.rule = rule
        self.query = SearchQuery.parse(rule.pattern) if rule.pattern else None
        self.min_level = int(rule.min_level)
        self.services = frozenset(rule.services)
        self.hosts = frozenset(rule.hosts)
        self.by_host = bool(rule.hosts)
        self.scopes: dict[str, _Scope] = {}


class LogRuleEvaluator:
    """Counts matching log lines per rule and scope; one instance for the session.

    Call `observe(lines)` with every batch the log sources deliver and `evaluate(now)`
    about once a second; it returns firing/resolved events. `active()` lists the firing
    alerts (log rules have no pending state: the window is their `for`).
    """

    def __init__(self, rules: Sequence[LogRule]) -> None:
        self._rules = [_CompiledRule(rule) for rule in rules]

    def observe(self, lines: Sequence[LogLine]) -> None:
        """Record the matching lines of a batch (sanitised lines, any order of hosts)."""
        if not lines:
            return
        if isinstance(lines, LineBatch):
            self._observe_batch(lines)
            return
        plain = LineKind.LINE
        for compiled in self._rules:
            level, services, hosts = compiled.min_level, compiled.services, compiled.hosts
            candidates = [
                line
                for line in lines
                if line.kind == plain
                and line.level >= level
                and (not services or line.service in services)
                and (not hosts or line.host in hosts)
            ]
            if not candidates:
                continue
            if compiled.query is not None:
                hits = compiled.query.scan([line.text for line in candidates], 0)
                candidates = [candidates[i] for i in hits]
            self._record(compiled, candidates)

    def _observe_batch(self, batch: LineBatch) -> None:
        """The column path: one host/service/kind per batch, so most rules are decided
        once for the whole batch, and only matching lines ever become LogLine objects."""
        if batch.kind != LineKind.LINE:
            return
        for compiled in self._rules:
            if compiled.services and batch.service not in compiled.services:
                continue
            if compiled.hosts and batch.host not in compiled.hosts:
                continue
            level = compiled.min_level
            dense = batch.dense
            if dense is not None:  # no str, nor Level, for the lines below the level
                picked = np.flatnonzero(dense[2] >= level).tolist()
            else:
                picked = [i for i, lv in enumerate(batch.levels) if lv >= level]
            if not picked:
                continue
            if compiled.query is not None:
                if dense is not None:
                    candidates = dense[0].lines_at(picked)
                else:
                    candidates = [batch.texts[i] for i in picked]
                hits = compiled.query.scan(candidates, 0)
                picked = [picked[i] for i in hits]
            if picked:
                self._record(compiled, [batch[i] for i in picked])

    def _record(self, compiled: _CompiledRule, lines: list[LogLine]) -> None:
        scopes = compiled.scopes
        by_host = compiled.by_host
        for line in lines:
            key = line.host if by_host else line.service
            scope = scopes.get(key)
            if scope is None:
                scope = scopes[key] = _Scope(self._new_alert(compiled.rule, key))
            scope.incoming.append(line.timestamp)

    @staticmethod
    def _new_alert(rule: LogRule, key: str) -> Alert:
        labels = {"rule": rule.name, ("host" if rule.hosts else "service"): key}
        return Alert(
            key=f"logs:{rule.name}:{key}",
            name=rule.name,
            source="logs",
            severity=rule.severity,  # type: ignore[arg-type]  # validated by the config
            state="resolved",
            service="" if rule.hosts else key,
            labels=labels,
        )

    def evaluate(self, now: float) -> list[AlertEvent]:
        """Fire and resolve per the lines seen so far; events in time order per scope."""
        events: list[AlertEvent] = []
        for compiled in self._rules:
            for scope in compiled.scopes.values():
                self._merge(scope)
                events.extend(self._walk(compiled.rule, scope, now))
                self._trim(compiled.rule, scope, now)
        return events

    def active(self) -> list[Alert]:
        return [s.alert for c in self._rules for s in c.scopes.values() if s.firing]

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _merge(scope: _Scope) -> None:
        if not scope.incoming:
            return
        new = sorted(scope.incoming)
        scope.incoming = []
        stamps = scope.stamps
        if not stamps or new[0] >= stamps[-1]:
            stamps.extend(new)
            return
        rewind = scope.done
        for ts in new:  # late lines: keep the list sorted
            index = bisect.bisect_right(stamps, ts)
            stamps.insert(index, ts)
            if index < scope.done:
                scope.done += 1
                rewind = min(rewind, index)
        if not scope.firing:
            # Walk again from the oldest late line: it may complete a burst in the past.
            # (While firing, the walk goes on; the late lines count toward its resolve.)
            scope.done = rewind

    def _walk(self, rule: LogRule, scope: _Scope, now: float) -> list[AlertEvent]:
        stamps, count, window = scope.stamps, rule.count, rule.window_seconds
        events: list[AlertEvent] = []
        for i in range(scope.done, len(stamps)):
            ts = stamps[i]
            if ts > now:
                break  # from the future (clock skew): wait until its time comes
            if scope.firing and i > count and stamps[i - 1 - count] + window <= ts:
                # Fell back to `count` lines before this one arrived.
                events.append(self._resolve(rule, scope, stamps[i - 1 - count] + window, i))
            if not scope.firing and i >= count and ts - stamps[i - count] < window:
                scope.firing = True
                alert = scope.alert
                alert.state, alert.started_at, alert.fired_at = "firing", ts, ts
                alert.resolved_at = None
                alert.value = float(_in_window(stamps, i + 1, ts - window))
                alert.summary = _summary(rule, int(alert.value))
                events.append(AlertEvent("firing", alert.snapshot()))
            scope.done = i + 1
        done = scope.done
        if scope.firing:
            if done > count and stamps[done - 1 - count] + window <= now:
                events.append(self._resolve(rule, scope, stamps[done - 1 - count] + window, done))
            else:
                scope.alert.value = float(_in_window(stamps, done, now - window))
                scope.alert.summary = _summary(rule, int(scope.alert.value))
        return events

    @staticmethod
    def _resolve(rule: LogRule, scope: _Scope, at: float, upto: int) -> AlertEvent:
        scope.firing = False
        alert = scope.alert
        alert.state, alert.resolved_at = "resolved", at
        alert.value = float(_in_window(scope.stamps, upto, at - rule.window_seconds))
        alert.summary = _summary(rule, int(alert.value))
        return AlertEvent("resolved", alert.snapshot())

    @staticmethod
    def _trim(rule: LogRule, scope: _Scope, now: float) -> None:
        """Forget lines that can no longer matter: out of the window and evaluated, while
        keeping the `count + 1` newest evaluated (their ages decide the resolve time)."""
        stamps = scope.stamps
        keep_from = max(0, scope.done - (rule.count + 1))
        cutoff = bisect.bisect_right(stamps, now - rule.window_seconds, 0, keep_from)
        cutoff = max(cutoff, len(stamps) - (MAX_KEPT + rule.count + 1))
        cutoff = min(cutoff, keep_from)
        if cutoff > 0:
            del stamps[:cutoff]
            scope.done -= cutoff


def _in_window(stamps: list[float], upto: int, after: float) -> int:
    """How many of stamps[:upto] are later than `after`."""
    return upto - bisect.bisect_right(stamps, after, 0, upto)


def _summary(rule: LogRule, lines: int) -> str:
    """ "14 lines 'payment timeout' ≥ ERROR in 10m (> 10)"."""
    what = []
    if rule.pattern:
        what.append(f"'{rule.pattern}'")
    if rule.min_level > Level.UNKNOWN:
        what.append(f"≥ {rule.min_level.name}")
    window = format_duration(rule.window_seconds)
    return f"{lines} line{'s' if lines != 1 else ''} {' '.join(what)} in {window} (> {rule.count})"
