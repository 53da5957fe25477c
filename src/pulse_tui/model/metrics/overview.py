"""The service overview table's rows, computed from the panels' latest results: each value
is the one now (`SignalResult.current`), the traffic sparkline the chart's line, and the
status the worst of the values' threshold levels and the service's ongoing changes."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pulse_tui.model.metrics.changes import Finding
from pulse_tui.model.metrics.signals import Signal, SignalResult, Thresholds

COLUMNS: tuple[tuple[str, str], ...] = (
    ("service", "Service"),
    ("status", "Status"),
    ("traffic", "req/s"),
    ("errors", "Errors"),
    ("p50", "p50"),
    ("p99", "p99"),
    ("saturation", "Sat"),
    ("queue", "Queue"),
)


@dataclass(slots=True)
class ServiceRow:
    """One service's current golden signals; None where there is no data now."""

    service: str
    traffic: float | None = None
    errors: float | None = None
    p50: float | None = None
    p90: float | None = None
    p99: float | None = None
    saturation: float | None = None
    queue: float | None = None
    queues: dict[str, float] = field(default_factory=dict)
    traffic_history: list[float] = field(default_factory=list)
    #: "crit", "warn", "ok" or "none" (no value judged): see `judge_rows`.
    status: str = "none"
    #: The service has an ongoing change (a finding of "what changed").
    changed: bool = False

    def value(self, column: str) -> float | str | None:
        return getattr(self, column)

    def status_rank(self) -> float:
        """Worse is larger: crit, warn, ok, none; an ongoing change half a level up."""
        return _STATUS_RANK[self.status] + (0.5 if self.changed else 0.0)


_STATUS_RANK = {"crit": 3, "warn": 2, "ok": 1, "none": 0}
#: Row values judged against each signal's thresholds for the status (traffic has none).
_JUDGED = (
    ("errors", Signal.ERRORS),
    ("p99", Signal.LATENCY),
    ("saturation", Signal.SATURATION),
    ("queue", Signal.QUEUE),
)


def judge_rows(
    rows: Sequence[ServiceRow],
    findings: Sequence[Finding],
    thresholds: Callable[[Signal, str], Thresholds],
) -> None:
    """Set each row's status: the worst threshold level of its values now, raised to the
    severity of its ongoing findings (traffic gone is crit with no threshold crossed)."""
    ongoing: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.ongoing:
            ongoing.setdefault(finding.service, []).append(finding)
    for row in rows:
        levels = [
            thresholds(signal, row.service).level(getattr(row, column))
            for column, signal in _JUDGED
        ]
        if row.traffic is not None:
            levels.append("ok")
        changes = ongoing.get(row.service, [])
        levels += [f.severity for f in changes if f.severity in ("crit", "warn")]
        row.status = max(levels, key=_STATUS_RANK.__getitem__, default="none")
        row.changed = bool(changes)


def build_overview(
    results: Mapping[Signal, SignalResult], known_services: list[str] | tuple[str, ...] = ()
) -> list[ServiceRow]:
    """One row per service seen in any result (or known from discovery), sorted by name,
    holding the values now rather than the charts' newest points."""
    rows: dict[str, ServiceRow] = {name: ServiceRow(name) for name in known_services}

    def row(service: str) -> ServiceRow:
        return rows.setdefault(service, ServiceRow(service))

    for signal, result in results.items():
        for series in result.series:
            # A service on the chart keeps its row, with no values if it has none now.
            target = row(series.service)
            if signal is Signal.TRAFFIC:
                target.traffic_history = [v for v in series.values if math.isfinite(v)]
        for series in result.current():
            target = row(series.service)
            latest = series.latest()
            if signal is Signal.TRAFFIC:
                target.traffic = latest
            elif signal is Signal.ERRORS:
                target.errors = latest
            elif signal is Signal.SATURATION:
                target.saturation = latest
            elif signal is Signal.LATENCY:
                quantile = series.labels.get("quantile", "p99")
                if quantile in ("p50", "p90", "p99"):
                    setattr(target, quantile, latest)
            elif signal is Signal.QUEUE and latest is not None:
                target.queues[series.labels.get("queue", "")] = latest
                target.queue = max(target.queues.values())
    return [rows[name] for name in sorted(rows)]


def sort_rows(rows: list[ServiceRow], column: str, reverse: bool = False) -> list[ServiceRow]:
    """Sort by a column; rows without a value always go last, whatever the direction."""
    if column == "service":
        return sorted(rows, key=lambda r: r.service, reverse=reverse)
    if column == "status":  # worst first (or last), names in order among equals
        sign = -1 if reverse else 1
        return sorted(rows, key=lambda r: (sign * r.status_rank(), r.service))
    present = [r for r in rows if r.value(column) is not None]
    missing = [r for r in rows if r.value(column) is None]
    present.sort(key=lambda r: (r.value(column), r.service), reverse=reverse)
    return present + missing
