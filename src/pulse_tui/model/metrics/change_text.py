"""The words of a finding, the same on the dashboard's strip and in `summary`'s table:
"errors 1% → 20% since 02:50 (32m)", "p99 250ms → 2.5s 02:10–02:25, recovered"."""

from __future__ import annotations

import time

from pulse_tui.model.core.durations import format_duration
from pulse_tui.model.core.units import format_value
from pulse_tui.model.metrics.changes import Finding
from pulse_tui.model.metrics.signals import Signal

#: Starts found to a minute or finer read as one time; coarser ones as the span they lie in.
MINUTE = 60.0
#: What a finding's signal is called on its line (latency is judged on p99).
SHORT_NAMES = {
    Signal.ERRORS: "errors",
    Signal.LATENCY: "p99",
    Signal.TRAFFIC: "traffic",
    Signal.SATURATION: "saturation",
    Signal.QUEUE: "queue p99",
}


def clock_time(at: float, span: float) -> str:
    """HH:MM (local), with the date when the range is longer than a day."""
    return time.strftime("%m-%d %H:%M" if span > 86400 else "%H:%M", time.localtime(at))


def signal_label(finding: Finding) -> str:
    if finding.signal is Signal.QUEUE and finding.detail:
        return f"queue {finding.detail} p99"
    return SHORT_NAMES[finding.signal]


def change_phrase(finding: Finding, now: float, span: float = 3600.0) -> str:
    """`<signal> <before> → <after> since HH:MM (<how long>)`, or with the time it went
    back when it recovered. `now` is the instant the view ends at; `span` its range.
    A start known only to a coarser step than a minute is the span it lies in:
    `since 07:00–11:00 (31h)`."""
    before = format_value(finding.before, finding.unit)
    after = format_value(finding.after, finding.unit)
    head = f"{signal_label(finding)} {before} → {after}"
    started = clock_time(finding.start, span)
    if finding.end is None:
        lasted = format_duration(_to_minutes(max(finding.step, now - finding.start)))
        return f"{head} since {_start_span(finding, now, span)} ({lasted})"
    return f"{head} {started}–{clock_time(finding.end, span)}, recovered"


def _start_span(finding: Finding, now: float, span: float) -> str:
    """When it started: one time when known to a minute; else the span points minutes
    apart leave it in. The detector's start is the point where the series' level split,
    and the rate window around a change puts a partly changed point on either side, so the
    change began within a step of it ("07:00–11:00"; the date once when both are on one day).
    """
    started = clock_time(finding.start, span)
    if finding.step <= MINUTE:
        return started
    earliest = clock_time(finding.start - finding.step, span)
    latest = clock_time(min(finding.start + finding.step, now), span)
    if earliest[:6] == latest[:6] and len(latest) > 5:
        latest = latest[6:]
    return f"{earliest}–{latest}"


def _to_minutes(seconds: float) -> float:
    """Whole minutes past a minute: "32m", not "32m10s", on a line read at a glance."""
    return seconds if seconds < 60 else round(seconds / 60) * 60
