"""Alerts as the pane shows them, the events that change them, and the session's book.

Who makes alerts: `RuleEvaluator` (signal and PromQL rules, source "pulse"),
`LogRuleEvaluator` ("logs"), uptime probes ("probe"), and the external fetchers
(`sources/prometheus/external_alerts.py`: "prometheus", "alertmanager"). The `AlertBook` keeps
what is active now plus a bounded history, and decides which events are worth a
notification (not silenced, not stale, never a "resolved" for an alert nobody was told about).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pulse_tui.model.alerting.silences import SilenceBook

Severity = Literal["info", "warn", "page"]
State = Literal["pending", "firing", "resolved"]
EventKind = Literal["firing", "resolved"]

#: Sort order for the pane: pages first, then warnings.
SEVERITY_RANK = {"page": 0, "warn": 1, "info": 2}
_STATE_RANK = {"firing": 0, "pending": 1, "resolved": 2}


@dataclass(slots=True)
class Alert:
    """One alert: what fires, where, how badly, since when, and whether it is silenced.

    `key` is the stable identity ("pulse:High errors:checkout"): the same condition on the
    same service keeps its key across refreshes, re-fires and restarts of the evaluator.
    """

    key: str
    name: str
    #: "pulse" | "logs" | "probe" | "prometheus" | "alertmanager"
    source: str
    severity: Severity
    state: State
    service: str = ""
    #: The value that made it fire (then the latest value while it fires).
    value: float | None = None
    #: One line for the pane: "error ratio 7.2% > 5% for 2m".
    summary: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    #: When the condition first held (pending since), Unix seconds.
    started_at: float | None = None
    fired_at: float | None = None
    resolved_at: float | None = None
    silenced: bool = False
    #: Why it is silenced ("silence nightly-maintenance", "silenced until 14:30").
    silence_reason: str = ""

    def snapshot(self) -> Alert:
        """A copy that later updates of this alert do not change (for events and history)."""
        return replace(self, labels=dict(self.labels))

    def resolved(self, at: float) -> Alert:
        """A snapshot of this alert as resolved at `at` (for a "resolved" event)."""
        return replace(self, labels=dict(self.labels), state="resolved", resolved_at=at)


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """An alert started firing or resolved. `alert` is a snapshot taken at that moment."""

    kind: EventKind
    alert: Alert

    @property
    def at(self) -> float:
        """When it happened (data time for rule alerts)."""
        stamp = self.alert.fired_at if self.kind == "firing" else self.alert.resolved_at
        return stamp if stamp is not None else 0.0


def sort_key(alert: Alert) -> tuple[int, int, float, str]:
    """Firing before pending, pages before warnings, oldest first."""
    return (
        _STATE_RANK[alert.state],
        SEVERITY_RANK.get(alert.severity, 9),
        alert.started_at or 0.0,
        alert.key,
    )


class AlertBook:
    """The session's alerts: active ones by key, pending ones, external ones, and history.

    Typical use per refresh (see `RuleEvaluator`, `LogRuleEvaluator`, `SilenceBook`):

        events = evaluator.observe(signal, result, now)
        to_send = book.apply(events, silences, now)      # history + current updated
        book.set_pending("rules", evaluator.pending())
        for event in to_send: notifier.notify(event)

    `stale_after`: events older than this (data time) are recorded but not returned for
    notification, so backfilled history (an incident an hour ago) does not page anyone.
    """

    def __init__(self, *, history_size: int = 1000, stale_after: float = 900.0) -> None:
        self.stale_after = stale_after
        #: Firing alerts of our own rules (and probes), by key.
        self._firing: dict[str, Alert] = {}
        self._pending: dict[str, list[Alert]] = {}
        self._external: dict[str, list[Alert]] = {}
        #: Every event of the session, oldest first; `history_size` at most.
        self.history: deque[AlertEvent] = deque(maxlen=history_size)
        # Keys whose "firing" went out: only those get a "resolved" notification.
        self._notified: set[str] = set()

    # ------------------------------------------------------------------ updates

    def apply(
        self,
        events: Iterable[AlertEvent],
        silences: SilenceBook | None = None,
        now: float | None = None,
    ) -> list[AlertEvent]:
        """Record events; return those to notify (not silenced, not stale, in order).

        Silence state is written onto the alerts (pane shows them as silenced).
        """
        now = time.time() if now is None else now
        out: list[AlertEvent] = []
        for event in events:
            alert = event.alert
            reason = silences.silenced(alert, now) if silences is not None else None
            alert.silenced, alert.silence_reason = reason is not None, reason or ""
            self.history.append(event)
            if event.kind == "firing":
                self._firing[alert.key] = alert
                if not alert.silenced and event.at >= now - self.stale_after:
                    self._notified.add(alert.key)
                    out.append(event)
            else:
                self._firing.pop(alert.key, None)
                if alert.key in self._notified:
                    # Told about the firing, so told about the end (even if silenced since).
                    self._notified.discard(alert.key)
                    alert.silenced, alert.silence_reason = False, ""
                    out.append(event)
        return out

    def refresh_silences(self, silences: SilenceBook, now: float) -> list[AlertEvent]:
        """Re-check silences of everything shown; return "firing" events for alerts whose
        silence just ended while they still fire (they were never notified)."""
        out = []
        for alert in self.current():
            reason = silences.silenced(alert, now)
            was = alert.silenced
            alert.silenced, alert.silence_reason = reason is not None, reason or ""
            if (
                was
                and reason is None
                and alert.state == "firing"
                and alert.key in self._firing
                and alert.key not in self._notified
            ):
                self._notified.add(alert.key)
                out.append(AlertEvent("firing", alert.snapshot()))
        return out

    def mark_silence(self, key: str, silences: SilenceBook, now: float) -> None:
        """Re-mark the alert `key` as the silences say now, sending nothing: a silence the
        user just lifted by hand must not send the alert's "firing" again."""
        for alert in self.current():
            if alert.key == key:
                reason = silences.silenced(alert, now)
                alert.silenced, alert.silence_reason = reason is not None, reason or ""

    def set_pending(self, owner: str, alerts: Sequence[Alert]) -> None:
        """Replace the pending alerts `owner` (e.g. "rules") reported last time."""
        self._pending[owner] = list(alerts)

    def merge_external(self, source: str, alerts: Sequence[Alert]) -> list[AlertEvent]:
        """Replace what `source` ("prometheus", "alertmanager") reported; keyed by
        `Alert.key`. Returns firing events for new keys and resolved events for keys
        that disappeared (for history; the app decides whether to toast them)."""
        now = time.time()
        old = {a.key: a for a in self._external.get(source, [])}
        new = {a.key: a for a in alerts}
        events = []
        for key, alert in new.items():
            if alert.state == "firing" and (key not in old or old[key].state != "firing"):
                events.append(AlertEvent("firing", alert.snapshot()))
        for key, alert in old.items():
            if key not in new and alert.state == "firing":
                gone = alert.snapshot()
                gone.state, gone.resolved_at = "resolved", now
                events.append(AlertEvent("resolved", gone))
        self._external[source] = list(new.values())
        self.history.extend(events)
        return events

    # ------------------------------------------------------------------ reading

    def current(self) -> list[Alert]:
        """Everything to list in the pane: firing, pending and external, sorted."""
        seen: dict[str, Alert] = {}
        for group in (*self._external.values(), *self._pending.values()):
            for alert in group:
                seen[alert.key] = alert
        seen.update(self._firing)  # our own firing state wins over a stale pending entry
        return sorted(seen.values(), key=sort_key)

    def firing(self) -> list[Alert]:
        return [a for a in self.current() if a.state == "firing"]
