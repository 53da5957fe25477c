"""A histogram heatmap as lines of `rich.text.Text`: time across, buckets up the side.

Layout of a heatmap `width` cells wide and `height` rows high::

    "   +Inf┤         "   <- the +Inf bucket: one row above the finite ones
    "   2.5s┤  ▒▒▓    "   <- a bucket's upper bound labels the row it ends in
    "       │░░▓█◆◆   "      (log scale: latencies span decades)
    "  100ms┤▒▒▓▓··   "   <- p50/p90/p99 lines drawn over the cells
    "       └ 10:00  10:05"

A cell's shade is its count against the largest count shown: a fixed colour ramp on the
cell's background where the terminal has 256 colours or more, else the density
characters ` ░▒▓█` (` .:*#` in ASCII), which read the same on 16 colours or none. An
unknown cell (no data at that step) is left blank, as a gap in a line chart is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

from pulse_tui.model.core.durations import format_duration
from pulse_tui.model.core.units import format_value
from pulse_tui.model.metrics.heatmap import Heatmap, lower_bound
from pulse_tui.ui.charts.line_chart import (
    AXIS_STYLE,
    CURSOR_STYLE,
    MIN_HEIGHT,
    MIN_WIDTH,
    append_runs,
    gutter_width,
    message_lines,
    time_axis_row,
)

#: Background colours of the count levels, lowest first (viridis, as Grafana's default).
COLOUR_RAMP = (
    "#440154",
    "#472d7b",
    "#3b528b",
    "#2c728e",
    "#21918c",
    "#28ae80",
    "#5ec962",
    "#addc30",
    "#fde725",
)
#: Density characters for terminals without a colour ramp (16 colours, NO_COLOR).
SHADE_RAMP = ("░", "▒", "▓", "█")
ASCII_RAMP = (".", ":", "*", "#")


@dataclass(frozen=True, slots=True)
class HeatmapChart:
    """The drawn rows, and the count the ramp's top stands for (the legend says it)."""

    lines: list[Text]
    #: The largest count of a drawn cell (a column's mean over the steps it shows).
    top: float = 0.0


@dataclass(frozen=True, slots=True)
class QuantileLine:
    """A quantile drawn over the cells: one glyph per column at its value."""

    label: str
    timestamps: Sequence[float]
    values: Sequence[float]
    glyph: str
    style: str


#: The glyph and colour of each quantile line (unicode, ascii).
QUANTILE_MARKS: dict[str, tuple[str, str, str]] = {
    "p50": ("·", ".", "bold #ffffff"),
    "p90": ("•", "o", "bold #ff87ff"),
    "p99": ("◆", "@", "bold #ff5f5f"),
}


def needs_shade(color_system: str | None, no_color: bool, glyphs: str) -> bool:
    """Whether to shade by characters rather than the colour ramp: on a terminal of 16
    colours or fewer (Rich's `color_system`), with NO_COLOR, or with ASCII glyphs, where
    the ramp's colours would merge or not show at all."""
    return glyphs == "ascii" or no_color or color_system not in ("256", "truecolor")


def ramp(shade: bool, glyphs: str) -> tuple[str, ...]:
    """The levels a count can take above zero, as characters (shade) or colours."""
    if not shade:
        return COLOUR_RAMP
    return ASCII_RAMP if glyphs == "ascii" else SHADE_RAMP


def level(count: float, top: float, levels: int) -> int:
    """1..levels for a count above zero (any count above zero is at least 1), else 0."""
    if not (count > 0 and top > 0):
        return 0
    return max(1, min(levels, math.ceil(count / top * levels)))


def format_count(count: float | None) -> str:
    """A count as the legend and the cursor say it: "12", "1.2k", "0.25"."""
    if count is None:
        return "?"
    if 0 < abs(count) < 1:
        return f"{count:.2g}"
    return format_value(count, "", compact=True)


@dataclass(frozen=True, slots=True)
class _Scale:
    """The log y scale: `rows` finite rows from 10**low to 10**high, plus one for +Inf."""

    low: float
    high: float
    rows: int
    inf_row: bool

    def row_of(self, value: float) -> int:
        """The finite row (0 = bottom) holding `value`; +Inf and above the top: the top."""
        if value <= 0:
            return 0
        if math.isinf(value) or value >= 10**self.high:
            return self.rows - 1
        where = (math.log10(value) - self.low) / (self.high - self.low) * self.rows
        return min(self.rows - 1, max(0, math.floor(where)))


def _scale(bounds: Sequence[float], rows: int) -> _Scale | None:
    finite = [b for b in bounds if math.isfinite(b) and b > 0]
    if not finite:
        return None
    inf_row = math.isinf(bounds[-1]) and rows >= 2
    ratio = finite[1] / finite[0] if len(finite) >= 2 else 10.0
    low = math.log10(finite[0] / ratio)
    high = math.log10(finite[-1])
    if high <= low:
        high = low + 1
    return _Scale(low, high, rows - (1 if inf_row else 0), inf_row)


def _row_members(heatmap: Heatmap, scale: _Scale) -> list[list[int]]:
    """Per row (bottom first, +Inf last), the buckets whose counts it shows: the bucket
    whose log span holds the row's centre, and any bucket too thin to hold a centre of
    its own in the row its middle falls in (so no count is ever left undrawn)."""
    bounds = heatmap.bounds
    members: list[list[int]] = [[] for _ in range(scale.rows)]
    per_row = (scale.high - scale.low) / scale.rows
    for index, bound in enumerate(bounds):
        if math.isinf(bound):
            continue
        below = lower_bound(bounds, index)
        top = math.log10(bound) if bound > 0 else scale.low
        bottom = math.log10(below) if below > 0 else -math.inf
        holds = [
            row
            for row in range(scale.rows)
            if bottom <= scale.low + (row + 0.5) * per_row < top
            or (row == scale.rows - 1 and index == len(bounds) - 2 and top >= scale.high)
        ]
        if not holds:
            middle = (max(bottom, scale.low) + top) / 2
            holds = [scale.row_of(10**middle)]
        for row in holds:
            members[row].append(index)
    if scale.inf_row:
        members.append([len(bounds) - 1])
    return [sorted(set(found)) for found in members]


def _columns(heatmap: Heatmap, cols: int, start: float, end: float) -> list[list[int]]:
    """Per column, the steps it shows."""
    x_scale = (cols - 1) / (end - start)
    steps_of: list[list[int]] = [[] for _ in range(cols)]
    stamps = heatmap.timestamps
    for i, t in enumerate(stamps):
        if start <= t <= end:
            steps_of[round((t - start) * x_scale)].append(i)
    # Fewer steps than columns: a column between two steps shows the step it lies in (a
    # step's value covers the time up to it), as a line chart joins its points.
    at = 0
    for col, steps in enumerate(steps_of):
        if steps:
            continue
        moment = start + col / x_scale
        while at < len(stamps) and stamps[at] < moment:
            at += 1
        if at < len(stamps) and stamps[at] - moment < heatmap.step:
            steps.append(at)
    return steps_of


def _cells(
    heatmap: Heatmap, members: list[list[int]], steps_of: list[list[int]]
) -> list[list[float | None]]:
    """Rows (bottom first) of per-column counts (None: nothing known there): the mean
    over the steps shown in that column of the row's buckets' summed counts."""
    counts = heatmap.counts
    steps = range(len(heatmap.timestamps))
    grid: list[list[float | None]] = []
    for buckets in members:
        # The row's count at each step first (one bucket: its own counts, as they are).
        per_step: Sequence[float | None]
        if len(buckets) == 1:
            per_step = counts[buckets[0]]
        else:
            parts = [counts[b] for b in buckets]
            per_step = [
                None
                if not parts or any(p[i] is None for p in parts)
                else sum(p[i] or 0.0 for p in parts)
                for i in steps
            ]
        row: list[float | None] = []
        for shown in steps_of:
            if len(shown) == 1:
                row.append(per_step[shown[0]])
                continue
            known = [v for i in shown if (v := per_step[i]) is not None]
            row.append(sum(known) / len(known) if known else None)
        grid.append(row)
    return grid


def render_heatmap(
    heatmap: Heatmap,
    *,
    width: int,
    height: int,
    start: float,
    end: float,
    unit: str,
    quantiles: Sequence[QuantileLine] = (),
    cursor: float | None = None,
    shade: bool = False,
    glyphs: str = "braille",
    markers: Sequence[float] = (),
    empty: str = "no data",
) -> HeatmapChart:
    """Exactly `height` lines of `width` cells: the buckets' counts between `start` and
    `end`, the quantile lines over them, the bounds labelled in `unit`."""
    width, height = max(0, width), max(0, height)
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return HeatmapChart(message_lines("…", width, height))
    if heatmap.empty or not (math.isfinite(start) and math.isfinite(end) and end > start):
        return HeatmapChart(message_lines(empty, width, height))
    scale = _scale(heatmap.bounds, height - 1)
    if scale is None:
        return HeatmapChart(message_lines("no finite bucket bounds", width, height))
    gutter = gutter_width(width)
    cols = width - gutter
    members = _row_members(heatmap, scale)
    x_scale = (cols - 1) / (end - start)
    steps_of = _columns(heatmap, cols, start, end)
    grid = _cells(heatmap, members, steps_of)
    levels = ramp(shade, glyphs)
    top = max((c for row in grid for c in row if c is not None), default=0.0)
    columns = [[heatmap.timestamps[i] for i in steps] for steps in steps_of]
    # Density characters cannot show a glyph and a shade in one cell: the lines take
    # every other column there, so the shade under them stays readable.
    every = 2 if shade else 1
    overlay = _overlay(quantiles, _RowFinder(heatmap.bounds, members, scale), columns, every)
    cursor_col = None
    if cursor is not None and math.isfinite(cursor) and start <= cursor <= end:
        cursor_col = round((cursor - start) * x_scale)
    labels = _labels(heatmap.bounds, members, unit)
    lines = []
    # Most cells are a plain shade: made once per level, not once per cell.
    plain = [_cell(heat, levels, shade, None, False) for heat in range(len(levels) + 1)]
    count_levels = len(levels)
    per_count = count_levels / top if top > 0 else 0.0
    for row in reversed(range(len(grid))):
        line = _gutter(labels.get(row), gutter, glyphs)
        cells = []
        for col, count in enumerate(grid[row]):
            # `level` inlined: it runs once per cell.
            heat = 0
            if count is not None and count > 0 and top > 0:
                heat = max(1, min(count_levels, math.ceil(count * per_count)))
            mark = overlay.get((row, col))
            if mark is None and col != cursor_col:
                cells.append(plain[heat])
            else:
                cells.append(_cell(heat, levels, shade, mark, col == cursor_col))
        append_runs(line, cells)
        lines.append(line)
    marker_cols = {
        round((t - start) * x_scale) for t in markers if math.isfinite(t) and start <= t <= end
    }
    lines.append(time_axis_row(start, end, cols, gutter, glyphs, marker_cols))
    return HeatmapChart(lines, top)


class _RowFinder:
    """The row a value is drawn in: among the rows of the bucket holding it (so a p99 of
    950 ms is drawn in the 500ms-1s bucket's cells, never the next one's), by its log
    position within them."""

    def __init__(self, bounds: Sequence[float], members: list[list[int]], scale: _Scale) -> None:
        self._bounds = bounds
        self._scale = scale
        self._rows: dict[int, list[int]] = {}
        for row, found in enumerate(members):
            for bucket in found:
                self._rows.setdefault(bucket, []).append(row)

    def row(self, value: float) -> int:
        bucket = next((i for i, b in enumerate(self._bounds) if value <= b), None)
        position = self._scale.row_of(value)
        rows = self._rows.get(bucket) if bucket is not None else None
        if not rows:
            return position
        return min(max(position, rows[0]), rows[-1])


def _overlay(
    quantiles: Sequence[QuantileLine],
    rows: _RowFinder,
    columns: list[list[float]],
    every: int = 1,
) -> dict[tuple[int, int], tuple[str, str]]:
    """(row, column) -> (glyph, style) of the quantile lines, each at its value at the
    newest step the column shows (the same steps as the cells), in every `every`th
    column; a later line wins a cell."""
    marks: dict[tuple[int, int], tuple[str, str]] = {}
    for line in quantiles:
        values = dict(zip(line.timestamps, line.values, strict=False))
        for col, stamps in enumerate(columns):
            if col % every:
                continue
            shown = [v for t in stamps if (v := values.get(t)) is not None and math.isfinite(v)]
            if shown:
                marks[(rows.row(shown[-1]), col)] = (line.glyph, line.style)
    return marks


def _labels(bounds: Sequence[float], members: list[list[int]], unit: str) -> dict[int, str]:
    """Row -> the upper bound of the bucket whose top row it is (a row whose bucket goes
    on above it has none); "+Inf" on the +Inf row."""
    labels: dict[int, str] = {}
    for row, found in enumerate(members):
        if not found:
            continue
        top = max(found)
        above = members[row + 1] if row + 1 < len(members) else []
        if above and max(above) == top:
            continue
        bound = bounds[top]
        labels[row] = "+Inf" if math.isinf(bound) else format_value(bound, unit, compact=True)
    return labels


def _gutter(label: str | None, gutter: int, glyphs: str) -> Text:
    axis, tick = ("|", "+") if glyphs == "ascii" else ("│", "┤")
    line = Text(end="")
    if gutter == 1:
        line.append(tick if label is not None else axis, AXIS_STYLE)
    elif label is None:
        line.append(" " * (gutter - 1) + axis, AXIS_STYLE)
    else:
        if len(label) > gutter - 1:
            label = label[: gutter - 2] + "…"
        line.append(label.rjust(gutter - 1) + tick, AXIS_STYLE)
    return line


def _cell(
    heat: int,
    levels: Sequence[str],
    shade: bool,
    mark: tuple[str, str] | None,
    on_cursor: bool,
) -> tuple[str, str]:
    """(character, style) of one cell: the count's shade, a quantile's glyph over it, the
    cursor's line through it."""
    background = f"on {levels[heat - 1]}" if heat and not shade else ""
    char = levels[heat - 1] if heat and shade else " "
    style = background
    if mark is not None:
        char, style = mark[0], f"{mark[1]} {background}".strip()
    elif on_cursor:
        char = "│" if not heat or not shade else char
        style = f"{CURSOR_STYLE} {background or 'on #3a3a3a'}"
    elif heat and shade:
        style = "#d0d0d0"
    return char, style


def heatmap_legend(
    top: float,
    step: float | None,
    *,
    shade: bool,
    glyphs: str,
    quantiles: Sequence[str] = ("p50", "p90", "p99"),
) -> Text:
    """ "0 ░▒▓█ 240 per 1m  ·p50 •p90 ◆p99": the ramp from 0 to the largest count
    shown, what a count is (observations per step), and the quantile lines' glyphs."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("0 ", style="dim")
    for colour_or_char in ramp(shade, glyphs):
        if shade:
            text.append(colour_or_char, style="#d0d0d0")
        else:
            text.append(" ", style=f"on {colour_or_char}")
    # `step` None: the cells are the query's values as they are (a Grafana heatmap).
    per = f" per {format_duration(step)}" if step is not None else ""
    text.append(f" {format_count(top)}{per}", style="dim")
    text.append(" " if quantiles else "")
    for label in quantiles:
        unicode_glyph, ascii_glyph, style = QUANTILE_MARKS[label]
        text.append(" ")
        text.append(ascii_glyph if glyphs == "ascii" else unicode_glyph, style=style)
        text.append(label, style="dim")
    return text
