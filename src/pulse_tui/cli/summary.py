"""`pulse-tui summary`: the current value of every panel, per service, as a table, JSON or CSV.

The numbers come from the very queries the panels send (the source's `query_signal`, with
the same recent window), so the summary and the dashboard never disagree: the values at
now, whatever `--range` is (it sets the step of the charts' queries, not what is current).
Works with any MetricsSource, the demo one too.

Each row also carries what changed for its service (`findings`, worst first): the
dashboard's detector (`model/metrics/changes.py`) on the same series, so a script sees
the strip's answer. `summary` reads no logs, so a finding's `top_log_group` is null.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import math
from collections.abc import Callable, Mapping
from typing import Any

from pulse_tui.config import Config
from pulse_tui.model.core import clock
from pulse_tui.model.core.durations import format_duration
from pulse_tui.model.metrics.change_text import change_phrase
from pulse_tui.model.metrics.changes import Finding, detect_changes
from pulse_tui.model.metrics.signals import Series, Signal, SignalResult, Thresholds
from pulse_tui.model.metrics.step import compute_window, recent_window, young_window
from pulse_tui.sources.base import MetricsSource

#: The keys of every row, in output order (JSON objects carry exactly these).
SUMMARY_KEYS = (
    "service",
    "traffic_rps",
    "error_ratio",
    "latency_p50_s",
    "latency_p90_s",
    "latency_p99_s",
    "saturation",
    "saturation_unit",
    "queue_p99_s",
    "queues",
)
#: JSON rows carry these: the CSV's columns and the service's findings (a list).
JSON_KEYS = (*SUMMARY_KEYS, "findings")
#: The keys of each finding, in output order.
FINDING_KEYS = (
    "service",
    "signal",
    "detail",
    "unit",
    "before",
    "after",
    "start",
    "end",
    "severity",
    "ongoing",
    "top_log_group",
)
#: Points per series to ask for: one chart's width, so the step matches the dashboard's.
SUMMARY_POINTS = 120


async def collect_summary(
    source: MetricsSource,
    range_seconds: float,
    *,
    scrape_interval: float = 15,
    now: float | None = None,
    thresholds: Callable[[Signal, str], Thresholds] | None = None,
) -> list[dict[str, Any]]:
    """One row per service (sorted) with the value of each signal at `now` (None = no
    data) and its findings over the range, judged against `thresholds` (the config's;
    the defaults if None).

    All five panel queries run concurrently; a SourceError from any of them propagates.
    """
    end = clock.now() if now is None else now
    window = compute_window(range_seconds, end, SUMMARY_POINTS, scrape_interval)
    recent = recent_window(end, scrape_interval)
    young = young_window(end, window, range_seconds, scrape_interval)
    results: list[SignalResult] = await asyncio.gather(
        *(source.query_signal(signal, window, recent=recent, young=young) for signal in Signal)
    )
    return rows_from_results({result.signal: result for result in results}, thresholds)


def rows_from_results(
    by_signal: Mapping[Signal, SignalResult],
    thresholds: Callable[[Signal, str], Thresholds] | None = None,
) -> list[dict[str, Any]]:
    """The rows of results already in hand, one per service (also the dashboard's export),
    each with what changed for its service."""
    services = sorted({name for result in by_signal.values() for name in result.services()})
    findings = detect_changes(by_signal, thresholds or Config().thresholds)
    rows = [_row(service, by_signal) for service in services]
    for row in rows:
        row["findings"] = [finding_json(f) for f in findings if f.service == row["service"]]
    return rows


def finding_json(finding: Finding) -> dict[str, Any]:
    """One finding as `FINDING_KEYS`: times in Unix seconds, levels in the signal's unit."""
    return {
        "service": finding.service,
        "signal": finding.signal.value,
        "detail": finding.detail,
        "unit": finding.unit,
        "before": finding.before,
        "after": finding.after,
        "start": finding.start,
        "end": finding.end,
        "severity": finding.severity,
        "ongoing": finding.ongoing,
        "top_log_group": None,  # summary reads no logs
    }


def export_json(
    by_signal: Mapping[Signal, SignalResult],
    thresholds: Callable[[Signal, str], Thresholds] | None = None,
) -> str:
    """What the dashboard's export writes as summary.json: this command's JSON."""
    return format_summary(rows_from_results(by_signal, thresholds), "json")


def _row(service: str, results: Mapping[Signal, SignalResult]) -> dict[str, Any]:
    def now(signal: Signal) -> list[Series]:
        return [s for s in results[signal].current() if s.service == service]

    def latest(signal: Signal, **labels: str) -> float | None:
        for series in now(signal):
            if all(series.labels.get(k) == v for k, v in labels.items()):
                return series.latest()
        return None

    queues = {series.labels.get("queue", ""): series.latest() for series in now(Signal.QUEUE)}
    known = [v for v in queues.values() if v is not None]
    return {
        "service": service,
        "traffic_rps": latest(Signal.TRAFFIC),
        "error_ratio": latest(Signal.ERRORS),
        "latency_p50_s": latest(Signal.LATENCY, quantile="p50"),
        "latency_p90_s": latest(Signal.LATENCY, quantile="p90"),
        "latency_p99_s": latest(Signal.LATENCY, quantile="p99"),
        "saturation": latest(Signal.SATURATION),
        "saturation_unit": results[Signal.SATURATION].unit,
        "queue_p99_s": max(known) if known else None,
        "queues": dict(sorted(queues.items())),
    }


def format_summary(
    rows: list[dict[str, Any]],
    fmt: str = "table",
    *,
    now: float | None = None,
    range_seconds: float = 3600.0,
) -> str:
    """Rows as "table" (aligned text, then what changed), "json" (a list of objects) or
    "csv" (flat: no findings). `now` and `range_seconds` word the table's findings."""
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False)
    if fmt == "csv":
        return _csv(rows)
    if fmt == "table":
        at = clock.now() if now is None else now
        return _table(rows) + "\n\n" + _changes(rows, at, range_seconds)
    raise ValueError(f"unknown summary format {fmt!r}; use table, json or csv")


def _number(value: float | None, digits: int = 4) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:.{digits}g}"


def _printable(text: str) -> str:
    """A service name as one safe line: control characters shown as escapes."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def _table(rows: list[dict[str, Any]]) -> str:
    header = ["SERVICE", "REQ/S", "ERR %", "P50 s", "P90 s", "P99 s", "SATURATION", "QUEUE P99 s"]
    lines = [header]
    for row in rows:
        ratio = row["error_ratio"]
        saturation = _number(row["saturation"])
        if saturation != "-":
            saturation += f" {row['saturation_unit']}"
        lines.append(
            [
                _printable(row["service"]),
                _number(row["traffic_rps"]),
                "-" if ratio is None else _number(ratio * 100, 3),
                _number(row["latency_p50_s"]),
                _number(row["latency_p90_s"]),
                _number(row["latency_p99_s"]),
                saturation,
                _number(row["queue_p99_s"]),
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for line in lines:
        cells = [line[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(line[1:], widths[1:], strict=True)
        ]
        out.append("  ".join(cells).rstrip())
    if not rows:
        out.append("(no services)")
    return "\n".join(out)


def _changes(rows: list[dict[str, Any]], now: float, range_seconds: float) -> str:
    """What changed, worst first, one line each, in the dashboard strip's words."""
    findings = [f for row in rows for f in row.get("findings", [])]
    if not findings:
        return f"WHAT CHANGED: no change in the last {format_duration(range_seconds)}"
    order = {name: i for i, name in enumerate(("crit", "warn", "info"))}
    findings.sort(key=lambda f: (not f["ongoing"], order[f["severity"]]))
    width = max(len(_printable(f["service"])) for f in findings)
    lines = ["WHAT CHANGED"]
    for item in findings:
        finding = Finding(
            service=item["service"],
            signal=Signal(item["signal"]),
            detail=item["detail"],
            unit=item["unit"],
            before=item["before"],
            after=item["after"],
            start=item["start"],
            end=item["end"],
            severity=item["severity"],
            step=0.0,
        )
        phrase = _printable(change_phrase(finding, now, range_seconds))
        lines.append(f"{_printable(item['service']).ljust(width)}  {item['severity']:<4}  {phrase}")
    return "\n".join(lines)


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SUMMARY_KEYS)
    for row in rows:
        cells = []
        for key in SUMMARY_KEYS:
            value = row[key]
            if key == "queues":  # CSV is flat: "emails=1.5 payments=4.7"
                value = " ".join(f"{q}={'' if v is None else v}" for q, v in value.items())
            cells.append("" if value is None else value)
        writer.writerow(cells)
    return buffer.getvalue().rstrip("\n")
