"""Time-series line charts as lines of `rich.text.Text`, one per terminal row.

Layout of a chart `width` cells wide and `height` rows high::

    " 1.5k/s┤⠀⠀⢀⡠⠔⠊⠉⠉⠑⠢⣀"   <- value label and tick, then the plot area
    "       │⡠⠔⠁⠀⠀⠀⠀⠀⠀⠀⠀"
    "    0/s┤⠁⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀"
    "       └ 10:00  10:05"   <- time labels

Below `LABELS_MIN_WIDTH` cells the value labels are dropped and only the axis line
remains, so that narrow charts keep most of their width for data.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from rich.text import Text

from pulse_tui.model.core.units import format_tick
from pulse_tui.ui.charts.axis import ValueAxis, clamp_value, time_label, time_ticks, value_axis
from pulse_tui.ui.charts.canvas import DotCanvas, GlyphSet, glyph_set

#: Cells for a value label ("1.02k/s"), not counting the axis line after it.
Y_LABEL_WIDTH = 7
#: Charts narrower than this show no value labels.
LABELS_MIN_WIDTH = 20
#: Below this size a chart is replaced by "…".
MIN_WIDTH = 10
MIN_HEIGHT = 3

AXIS_STYLE = "dim"
CURSOR_STYLE = "#8a8a8a"
#: Background behind a data cell that the cursor crosses.
CURSOR_CELL_STYLE = "on #3a3a3a"
#: A change's start ("what changed"), under the chart on the time axis.
MARKER_STYLE = "bold #ff5f5f"
MARKER_GLYPHS = {"ascii": "^"}
MARKER_GLYPH = "▲"


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """One line on a chart: its points, legend label and colour."""

    label: str
    #: Unix seconds, ascending.
    timestamps: Sequence[float]
    #: One per timestamp; NaN and ±Inf are gaps in the line.
    values: Sequence[float]
    #: A rich style or colour, e.g. "#5fd7ff".
    style: str
    #: Compare overlay: drawn dimmed and beneath the live series.
    dim: bool = False


def gutter_width(width: int) -> int:
    """Cells left of the plot area: a value label and the axis line, or only the line."""
    return Y_LABEL_WIDTH + 1 if width >= LABELS_MIN_WIDTH else 1


def plot_points(width: int, glyphs: str = "braille") -> int:
    """How many points fit across the plot area of a chart `width` cells wide (at least 1).

    The app divides the time range by this to choose a query step, so that each dot
    column shows one sample.
    """
    return max(1, (width - gutter_width(width)) * glyph_set(glyphs).dots_x)


def render_line_chart(
    series: Sequence[ChartSeries],
    *,
    width: int,
    height: int,
    start: float,
    end: float,
    unit: str,
    glyphs: str = "braille",
    cursor: float | None = None,
    y_min: float | None = 0.0,
    empty: str = "no data",
    markers: Sequence[float] = (),
) -> list[Text]:
    """Draw `series` between `start` and `end` as exactly `height` lines of `width` cells.

    Values are labelled with `format_tick` in `unit`; the y range runs from `y_min`
    (None: the data's minimum) to a round value above the data. Consecutive finite
    points are joined by lines; a non-finite value breaks the line. `cursor`, a
    timestamp, is marked with a vertical line; each of `markers` (timestamps: where a
    change began) with a ▲ on the time axis, over its labels. Too small a size gives "…",
    and no finite point in range gives `empty`.
    """
    gs = glyph_set(glyphs)
    width, height = max(0, width), max(0, height)
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return _message_lines("…", width, height)
    if not (math.isfinite(start) and math.isfinite(end) and end > start):
        return _message_lines("no data", width, height)
    bounds = _data_bounds(series, start, end)
    if bounds is None:
        return _message_lines(empty, width, height)

    gutter = gutter_width(width)
    canvas = DotCanvas(width - gutter, height - 1, gs)
    axis = value_axis(*bounds, y_min=y_min, max_ticks=_max_ticks(canvas.rows))
    x_scale = (canvas.width - 1) / (end - start)
    y_scale = (canvas.height - 1) / (axis.high - axis.low)
    if not (math.isfinite(x_scale) and math.isfinite(y_scale)):
        # A range of a few nanoseconds (or a subnormal one): nothing sensible to draw.
        return _message_lines("no data", width, height)

    # Compare overlays first, so the live series wins every cell they share.
    ordered = sorted(series, key=lambda s: not s.dim)
    for layer, item in enumerate(ordered):
        canvas.begin_layer(layer)
        _draw_series(canvas, item, start, axis.high, x_scale, y_scale)
    styles = [f"{s.style} dim".strip() if s.dim else s.style for s in ordered]

    cursor_col = None
    if cursor is not None and math.isfinite(cursor) and start <= cursor <= end:
        cursor_col = round((cursor - start) * x_scale) // gs.dots_x

    tick_labels = _tick_rows(axis, unit, gs, canvas.height, y_scale)
    lines = []
    for row in range(canvas.rows):
        line = _gutter_text(tick_labels.get(row), gutter, gs)
        _append_cells(line, canvas.row_cells(row), styles, cursor_col, gs)
        lines.append(line)
    marker_cols = {
        round((t - start) * x_scale) // gs.dots_x
        for t in markers
        if math.isfinite(t) and start <= t <= end
    }
    lines.append(_time_row(start, end, canvas.cols, gutter, gs, marker_cols, glyphs))
    return lines


def _max_ticks(rows: int) -> int:
    """About one value label every three rows, but three once there are four rows.

    Two labels alone force the top of the range to a single round step, which can
    leave half a small chart empty (data up to 5.1 -> axis up to 10).
    """
    return max(2, min(rows // 2 + 1, rows // 3 + 2))


def _data_bounds(
    series: Sequence[ChartSeries], start: float, end: float
) -> tuple[float, float] | None:
    """The smallest and largest finite values at times within [start, end], if any."""
    low, high = math.inf, -math.inf
    for item in series:
        for t, v in zip(item.timestamps, item.values, strict=False):
            if start <= t <= end and math.isfinite(v):
                low = min(low, v)
                high = max(high, v)
    return (low, high) if low <= high else None


def _draw_series(
    canvas: DotCanvas, item: ChartSeries, start: float, top: float, x_scale: float, y_scale: float
) -> None:
    previous: tuple[float, float] | None = None
    for t, v in zip(item.timestamps, item.values, strict=False):
        if not (math.isfinite(v) and math.isfinite(t)):
            previous = None
            continue
        point = ((t - start) * x_scale, (top - clamp_value(v)) * y_scale)
        # A run's first point is drawn on its own, so a lone sample between gaps shows.
        canvas.line(*(previous or point), *point)
        previous = point


def _tick_rows(
    axis: ValueAxis, unit: str, gs: GlyphSet, dot_height: int, y_scale: float
) -> dict[int, str]:
    """Row index -> value label for each tick, at most one per row (the lowest value wins)."""
    rows: dict[int, str] = {}
    for tick in axis.ticks:
        dot_y = round((axis.high - tick) * y_scale)
        if 0 <= dot_y < dot_height:
            rows.setdefault(dot_y // gs.dots_y, format_tick(tick, unit, axis.step))
    return rows


def _gutter_text(label: str | None, gutter: int, gs: GlyphSet) -> Text:
    """A new row holding the value label (if any) and the axis line, as a styled span.

    The style goes on a span, not on the Text itself: a Text's own style would be
    inherited by every plot cell appended after it.
    """
    line = Text(end="")
    if gutter == 1:
        line.append(gs.tick if label is not None else gs.axis, AXIS_STYLE)
    elif label is None:
        line.append(" " * (gutter - 1) + gs.axis, AXIS_STYLE)
    else:
        if len(label) > gutter - 1:
            label = label[: gutter - 2] + "…"
        line.append(label.rjust(gutter - 1) + gs.tick, AXIS_STYLE)
    return line


def _append_cells(
    line: Text,
    cells: list[tuple[str, int]],
    styles: list[str],
    cursor_col: int | None,
    gs: GlyphSet,
) -> None:
    """Append a row of plot cells, one span per run of equally styled cells."""

    def styled() -> Iterator[tuple[str, str]]:
        for col, (char, owner) in enumerate(cells):
            style = styles[owner] if owner >= 0 else ""
            if col == cursor_col:
                if owner < 0:
                    char, style = gs.cursor, CURSOR_STYLE
                else:
                    style = f"{style} {CURSOR_CELL_STYLE}"
            yield char, style

    append_runs(line, styled())


def append_runs(line: Text, cells: Iterable[tuple[str, str]]) -> None:
    """Append (character, style) cells to `line`, one span per run of one style ("":
    the line's own), so a row is a few spans, not one per cell."""
    run: list[str] = []
    run_style = ""
    for char, style in cells:
        if style != run_style and run:
            line.append("".join(run), run_style or None)
            run = []
        run_style = style
        run.append(char)
    if run:
        line.append("".join(run), run_style or None)


def _time_row(
    start: float,
    end: float,
    cols: int,
    gutter: int,
    gs: GlyphSet,
    markers: set[int] | frozenset[int] = frozenset(),
    glyphs: str = "braille",
) -> Text:
    """The bottom row: the axis corner, then time labels centred under their ticks, and
    a marker in each column of `markers` (over a label, if one is there)."""
    row = [" "] * cols
    ticks, fmt = time_ticks(start, end, cells=cols)
    next_free = 0
    for tick in ticks:
        label = time_label(tick, fmt)
        # The same column the tick's dot would be drawn in.
        dots = cols * gs.dots_x
        centre = round((tick - start) / (end - start) * (dots - 1)) // gs.dots_x
        left = min(max(centre - len(label) // 2, 0), cols - len(label))
        if left < next_free or left < 0:
            continue
        if any(left - 1 <= col <= left + len(label) for col in markers):
            continue  # a change's marker goes here: the label would read "▲7:15"
        row[left : left + len(label)] = label
        next_free = left + len(label) + 1
    corner = " " * (gutter - 1) + gs.corner
    line = Text(end="")
    if not markers:
        line.append(corner + "".join(row), AXIS_STYLE)
        return line
    line.append(corner, AXIS_STYLE)
    glyph = MARKER_GLYPHS.get(glyphs, MARKER_GLYPH)
    begin = 0
    for col in sorted(c for c in markers if 0 <= c < cols):
        line.append("".join(row[begin:col]), AXIS_STYLE)
        line.append(glyph, MARKER_STYLE)
        begin = col + 1
    line.append("".join(row[begin:]), AXIS_STYLE)
    return line


def _message_lines(message: str, width: int, height: int) -> list[Text]:
    """`height` blank lines of `width` cells with `message` centred on the middle ones,
    wrapped when it is wider (a hint holding a query), as much of it as fits."""
    lines = [Text(" " * width, end="") for _ in range(height)]
    if not (height and width):
        return lines
    wrapped = textwrap.wrap(message, width)[:height] or [""]
    first = max(0, height // 2 - (len(wrapped) - 1) // 2)
    first = min(first, height - len(wrapped))
    for offset, part in enumerate(wrapped):
        line = Text(end="")
        line.append(part.center(width), AXIS_STYLE)
        lines[first + offset] = line
    return lines


def message_lines(message: str, width: int, height: int) -> list[Text]:
    """`height` blank lines with `message` centred (for other charts: the heatmap)."""
    return _message_lines(message, width, height)


def time_axis_row(
    start: float,
    end: float,
    cols: int,
    gutter: int,
    glyphs: str = "braille",
    markers: set[int] | frozenset[int] = frozenset(),
) -> Text:
    """The time axis under a chart `cols` cells wide (for other charts: the heatmap)."""
    return _time_row(start, end, cols, gutter, glyph_set(glyphs), markers, glyphs)
