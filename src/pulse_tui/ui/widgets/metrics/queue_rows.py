"""The queue panel's legend: each queue with its own p99 now and its worst over the window.

The chart draws one line per queue; a single "worst" across all of them says nothing of
which queue it was. Where the panel has room, each queue gets a row under the headline
("━ worker emails  1.5s  worst 1.8s"); where it has not (80×24), the queues share the
legend row and the ones that do not fit are counted ("+3 queues").
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from pulse_tui.model.core.units import format_value
from pulse_tui.model.metrics.signals import Series, SignalResult, Thresholds
from pulse_tui.ui.widgets.metrics.signal_series import current_series
from pulse_tui.ui.widgets.palette import LEVEL_STYLES, series_colour
from pulse_tui.ui.widgets.safe_text import append_safe

#: Chart rows a queue panel keeps before giving rows to the queues.
CHART_ROWS_KEPT = 6


def extra_rows(queues: int, chart_height: int) -> int:
    """Rows beyond the legend row to give the queues: one each while the chart keeps
    `CHART_ROWS_KEPT` rows."""
    return max(0, min(queues - 1, chart_height - CHART_ROWS_KEPT))


def _key(series: Series) -> tuple[str, tuple[tuple[str, str], ...]]:
    return series.service, tuple(sorted(series.labels.items()))


def queue_values(
    result: SignalResult, drawn: Sequence[Series]
) -> list[tuple[float | None, float | None]]:
    """(p99 now, worst over the window) of each drawn queue line, in order.

    Now is the current value (`SignalResult.current`: the recent query); the worst is the
    largest of the chart's points and the value now (the chart's points average a step)."""
    now = {_key(s): s.latest() for s in result.current()}
    out = []
    for series in drawn:
        current = now.get(_key(series))
        worst = series.worst()
        if current is not None and (worst is None or current > worst):
            worst = current
        out.append((current, worst))
    return out


def headline_queue(result: SignalResult, focused: frozenset[str]) -> Series | None:
    """The queue line the headline names: the one with the highest p99 now."""
    latest = [(v, s) for s in current_series(result, focused) if (v := s.latest()) is not None]
    return max(latest, key=lambda pair: pair[0])[1] if latest else None


def worst_of(result: SignalResult, series: Series) -> float | None:
    """The worst over the window of the queue line `series` (the headline's), alone."""
    chart = next((s for s in result.series if _key(s) == _key(series)), series)
    return queue_values(result, [chart])[0][1]


def _entry(
    index: int,
    series: Series,
    now: float | None,
    worst: float | None,
    unit: str,
    levels: Thresholds,
) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("━ ", style=series_colour(index))
    append_safe(text, series.name or "queue", "dim")
    text.append(" ")
    text.append(format_value(now, unit, compact=True), style=LEVEL_STYLES[levels.level(now)])
    text.append(" worst ", style="dim")
    text.append(format_value(worst, unit, compact=True), style=LEVEL_STYLES[levels.level(worst)])
    return text


def queue_rows(
    result: SignalResult,
    drawn: Sequence[Series],
    width: int,
    rows: int,
    thresholds: Thresholds,
) -> list[Text]:
    """At most `rows` rows of `width` cells naming every drawn queue with its p99 now and
    its worst; entries share a row when they must, and those left over are counted."""
    values = queue_values(result, drawn)
    entries = [
        _entry(i, s, now, worst, result.unit, thresholds)
        for i, (s, (now, worst)) in enumerate(zip(drawn, values, strict=True))
    ]
    if not entries:
        return []
    if rows >= len(entries):
        for entry in entries:
            entry.truncate(width, overflow="ellipsis")
        return entries
    out: list[Text] = []
    current = Text(no_wrap=True, overflow="ellipsis")
    for placed, entry in enumerate(entries):
        left = len(entries) - placed
        more = Text(f"  +{left} queue{'s' if left != 1 else ''}", style="dim")
        gap = 2 if current.cell_len else 0
        # Room for this entry and, unless it is the last one, the count of the rest.
        tail = more.cell_len if left > 1 else 0
        if current.cell_len + gap + entry.cell_len + tail <= width:
            if gap:
                current.append("  ")
            current.append_text(entry)
            continue
        if len(out) + 1 < rows and current.cell_len:
            out.append(current)
            current = entry.copy()
            continue
        if not current.cell_len:  # not even one fits: the entry cut, then the count
            current = entry.copy()
            current.truncate(max(1, width - more.cell_len), overflow="ellipsis")
            left -= 1
            more = Text(f"  +{left} queue{'s' if left != 1 else ''}", style="dim")
            if left:
                current.append_text(more)
        else:
            current.append_text(more)
        out.append(current)
        return out
    out.append(current)
    return out
