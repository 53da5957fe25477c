"""The heatmap view of the latency and queue panels (`m`): what SignalPanel draws instead
of its lines, its legend and its cursor's read-out. Pure functions of the panel's result
and its bucket answer; the panel owns the state (on or off, the answer)."""

from __future__ import annotations

import math
import textwrap
import time

from rich.text import Text

from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.core.units import format_value
from pulse_tui.model.metrics.heatmap import BucketAnswer, Heatmap, quantile_series
from pulse_tui.model.metrics.signals import Series, Signal, SignalResult
from pulse_tui.ui.charts.heatmap import (
    QUANTILE_MARKS,
    HeatmapChart,
    QuantileLine,
    format_count,
    heatmap_legend,
    render_heatmap,
)
from pulse_tui.ui.charts.line_chart import MIN_HEIGHT, MIN_WIDTH, gutter_width, message_lines

#: The quantiles drawn over the cells.
OVERLAY = (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))


def heatmap_points(width: int) -> int:
    """Columns of a heatmap `width` cells wide: one query step per cell."""
    return max(10, width - gutter_width(width))


def _line(
    label: str, series: Series | list[float], stamps: tuple[float, ...], glyphs: str
) -> QuantileLine:
    unicode_glyph, ascii_glyph, style = QUANTILE_MARKS[label]
    glyph = ascii_glyph if glyphs == "ascii" else unicode_glyph
    if isinstance(series, Series):
        return QuantileLine(label, series.timestamps, series.values, glyph, style)
    return QuantileLine(label, stamps, series, glyph, style)


def overlay_lines(
    result: SignalResult,
    heatmap: Heatmap,
    glyphs: str,
    precomputed: dict[float, tuple[float, ...]] | None = None,
) -> tuple[list[QuantileLine], str]:
    """The p50/p90/p99 lines over the heatmap, and whose they are.

    The latency panel's own quantiles when its answer is one service's (the heatmap sums
    the same buckets); otherwise (several services, or the queue panel, which has p99
    per queue) they are worked out from the heatmap's summed buckets, as
    `histogram_quantile` of the sum would, so lines and cells always say the same thing
    (a native histogram's `precomputed` ones from its fine buckets, before they were
    merged into rows).
    """
    services = {s.service for s in result.series}
    if result.signal is Signal.LATENCY and len(services) == 1:
        by_label = {s.labels.get("quantile"): s for s in result.series}
        if all(label in by_label for label, _ in OVERLAY):
            lines = [_line(label, by_label[label], (), glyphs) for label, _ in OVERLAY]
            return lines, sanitize(next(iter(services)))
    stamps = heatmap.timestamps
    lines = [
        _line(
            label,
            list(precomputed[q])
            if precomputed and q in precomputed
            else quantile_series(heatmap, q),
            stamps,
            glyphs,
        )
        for label, q in OVERLAY
    ]
    return lines, "all"


def draw(
    result: SignalResult,
    answer: BucketAnswer | None,
    *,
    width: int,
    height: int,
    cursor: float | None,
    shade: bool,
    glyphs: str,
    markers: tuple[float, ...],
) -> tuple[list[Text], Text]:
    """(chart rows, legend) of the heatmap view; a message in place of the rows while the
    buckets are loading or when there are none (saying why)."""
    if answer is None:
        return message_lines("loading buckets…", width, height), Text("heatmap", style="dim")
    if answer.heatmap is None:
        note = answer.note or "no buckets"
        style = "#ff8787" if answer.failed else "dim"
        # The whole sentence (Prometheus' words, for a failed query), wrapped and centred.
        said = textwrap.wrap(note, max(1, width))[: max(1, height)]
        rows = message_lines("", width, height)
        top = max(0, (height - len(said)) // 2)
        for offset, line in enumerate(said):
            if top + offset < len(rows):
                rows[top + offset] = Text(line.center(width), style=style)
        return rows, Text("heatmap: " + ("query failed" if answer.failed else note), style=style)
    heatmap = answer.heatmap
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        # No cells drawn: a legend for them would name a count nobody sees.
        return message_lines("…", width, height), Text("heatmap: too small here (z)", "dim")
    lines, whose = overlay_lines(result, heatmap, glyphs, answer.quantiles)
    window = result.window
    chart: HeatmapChart = render_heatmap(
        heatmap,
        width=width,
        height=height,
        start=window.start,
        end=window.end,
        unit=result.unit,
        quantiles=lines,
        cursor=cursor,
        shade=shade,
        glyphs=glyphs,
        markers=markers,
    )
    legend = heatmap_legend(chart.top, heatmap.step, shade=shade, glyphs=glyphs)
    legend.append(f" ({whose})", style="dim")
    if answer.caveat:
        legend.append(f" · {answer.caveat}", style="#ffd75f")
    return chart.lines, legend


def cursor_lines(
    result: SignalResult,
    answer: BucketAnswer | None,
    cursor: float,
    glyphs: str,
    width: int,
    rows: int,
) -> list[Text]:
    """ "◆ 10:05:00 ◆p99 950ms •p90 406ms ·p50 138ms", then "≤50ms 120 ≤100ms 120 …":
    the quantiles and each bucket's count at the step under the cursor (empty buckets
    left out), wrapped onto at most `rows` rows of `width`, the last cut with "…"."""
    window = result.window
    fmt = "%H:%M:%S" if window.end - window.start <= 86400 else "%m-%d %H:%M"
    first = Text(no_wrap=True, overflow="ellipsis")
    first.append(f"◆ {time.strftime(fmt, time.localtime(cursor))}", style="bold")
    heatmap = answer.heatmap if answer is not None else None
    if heatmap is None:
        first.append(" no buckets here", style="dim")
        first.truncate(width, overflow="ellipsis")
        return [first]
    lines, _ = overlay_lines(result, heatmap, glyphs, answer.quantiles if answer else None)
    for line in reversed(lines):  # p99 first: the one an SRE reads
        value = _value_near(line, cursor, heatmap.step)
        first.append(f" {line.glyph}", style=line.style)
        first.append(f"{line.label} {format_value(value, result.unit, compact=True)}")
    entries: list[tuple[str, str]] = []
    previous = 0.0
    for bound, count in heatmap.at(cursor):
        if count is None or count > 0:
            where = f"≤{format_value(bound, result.unit, compact=True)}"
            if math.isinf(bound):
                where = f">{format_value(previous, result.unit, compact=True)}"
            entries.append((where, format_count(count)))
        previous = bound
    out = [first]
    current = Text(no_wrap=True, overflow="ellipsis")
    if not entries:
        current.append("no observations at this step", style="dim")
    for where, shown in entries:
        piece = len(where) + len(shown) + 2
        if current.cell_len and current.cell_len + piece > width:
            out.append(current)
            current = Text(no_wrap=True, overflow="ellipsis")
        if current.cell_len:
            current.append("  ")
        current.append(f"{where} ", style="dim")
        current.append(shown, style="bold")
    out.append(current)
    if len(out) > rows:
        out = out[:rows]
        out[-1].truncate(max(1, width - 1))
        out[-1].append("…")
    for text in out:
        text.truncate(width, overflow="ellipsis")
    return out


def _value_near(line: QuantileLine, at: float, step: float) -> float | None:
    best = None
    for t, v in zip(line.timestamps, line.values, strict=False):
        if abs(t - at) <= step / 2 and math.isfinite(v):
            best = v
    return best
