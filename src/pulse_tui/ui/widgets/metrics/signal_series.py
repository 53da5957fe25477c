"""What a signal panel takes from a result: the series it draws and its headline number."""

from __future__ import annotations

from collections.abc import Sequence

from pulse_tui.model.metrics.signals import Series, Signal, SignalResult


def _pick(signal: Signal, series: Sequence[Series], focused: frozenset[str]) -> list[Series]:
    """The lines a panel shows: per service, or p50/p90/p99 when one service is focused."""
    if signal is Signal.LATENCY:
        if len(focused) == 1:
            return [s for s in series if s.service in focused]
        return [s for s in series if s.labels.get("quantile", "p99") == "p99"]
    return list(series)


def chart_series(
    result: SignalResult, focused: frozenset[str]
) -> tuple[list[Series], list[Series]]:
    """Which lines to draw: per service, or p50/p90/p99 when one service is focused."""
    return _pick(result.signal, result.series, focused), _pick(
        result.signal, result.compare, focused
    )


def current_series(
    result: SignalResult, focused: frozenset[str], *, compare: bool = False
) -> list[Series]:
    """The drawn lines' values now (`SignalResult.current`), or the compare overlay's."""
    series = result.compare_current() if compare else result.current()
    return _pick(result.signal, series, focused)


def headline(result: SignalResult, focused: frozenset[str]) -> tuple[float | None, str, str]:
    """(value now, what it is, service it belongs to) for the big number on the panel."""
    drawn = current_series(result, focused)
    if result.signal is Signal.LATENCY:
        drawn = [s for s in drawn if s.labels.get("quantile", "p99") == "p99"]
    latest = [(newest, s) for s in drawn if (newest := s.latest()) is not None]
    if not latest:
        return None, "", ""
    if result.signal is Signal.TRAFFIC:
        total = sum(v for v, _ in latest)
        only = latest[0][1].service if len(latest) == 1 else ""
        return total, only or "total", only
    value, series = max(latest, key=lambda pair: pair[0])
    what = {
        Signal.LATENCY: "p99",
        Signal.ERRORS: "5xx",
        Signal.SATURATION: "peak",
        Signal.QUEUE: "p99",
    }[result.signal]
    name = series.name if result.signal is Signal.QUEUE else series.service
    return value, f"{what} {name}".strip(), series.service
