"""A Grafana panel's content as lines of rich `Text`, sized to the cells it has.

Every piece of text from the dashboard or from Prometheus (titles, legends, label values,
error bodies) is appended as plain text, never parsed as markup.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import replace

from rich.color import Color, ColorParseError
from rich.text import Text

from pulse_tui.model.dashboards.definition import Panel
from pulse_tui.model.dashboards.panels import (
    DisplayUnit,
    display_unit,
    reduce,
    threshold_color,
    value_range,
)
from pulse_tui.sources.dashboards import PanelLine, PanelResult
from pulse_tui.ui.charts.line_chart import ChartSeries, render_line_chart
from pulse_tui.ui.widgets.dashboards.big_digits import big_value
from pulse_tui.ui.widgets.dashboards.fields import Field, field_of, value_text
from pulse_tui.ui.widgets.dashboards.heatmap_panel import HeatmapMemo, heatmap_body
from pulse_tui.ui.widgets.dashboards.table import table_rows
from pulse_tui.ui.widgets.palette import series_colour

ERROR_STYLE = "#ff5f5f"
NOTE_STYLE = "#ffd75f"
#: What a panel other than a heatmap says of native histogram series: Grafana draws them
#: only as heatmap cells, no line or value.
NATIVE_NOTE = "native histogram: use histogram_quantile(…), histogram_count(…) or a heatmap panel"


def render_panel(
    panel: Panel,
    result: PanelResult | None,
    width: int,
    height: int,
    glyphs: str = "braille",
    shade: bool = False,
    memo: HeatmapMemo | None = None,
) -> list[Text]:
    """Exactly the panel's content: at most `height` lines of `width` cells (`shade`: a
    heatmap shades by characters, for terminals of 16 colours)."""
    width, height = max(1, width), max(1, height)
    if panel.unsupported:
        return _fit(wrapped(panel.unsupported, "dim italic", width), height)
    if not panel.queries:
        return _fit([Text("no queries", style="dim")], height)
    if result is None:
        return _fit([Text("loading…", style="dim")], height)
    footer: list[Text] = []
    for error in result.errors:
        # An error gets up to three lines: Prometheus' words matter, the chart too.
        footer.extend(wrapped(error, ERROR_STYLE, width)[:3])
    if result.note:
        footer.extend(wrapped(result.note, NOTE_STYLE, width))
    answered = bool(result.lines)
    if panel.type != "heatmap":
        result = _without_native(result, footer, width)
    room = max(1, height - len(footer))
    unit = display_unit(panel)
    if not result.lines:
        # Nothing said under an error, nor "no data" of a query that answered histograms.
        quiet = result.errors or answered
        body = [] if quiet else [Text("no data", style="dim")]
    elif panel.type in ("timeseries", "graph"):
        body = _timeseries(panel, result, unit, width, room, glyphs)
    elif panel.type == "heatmap":
        drawn = heatmap_body(result, unit, width, room, glyphs, shade, memo)
        body = wrapped(drawn, "dim italic", width) if isinstance(drawn, str) else drawn
    elif panel.type in ("gauge", "bargauge"):
        body = _gauges(panel, result.lines, unit, width, room)
    elif panel.type == "table":
        body = _table(panel, result.lines, width, room)
    else:
        body = _stats(panel, result.lines, unit, width, room, glyphs)
    return _fit(body[:room] + footer, height)


def _without_native(result: PanelResult, footer: list[Text], width: int) -> PanelResult:
    """`result` without its native-histogram-only lines (no value to draw), said in
    `footer`; "no data" is then not said of a panel whose query answered."""
    native = [line for line in result.lines if line.series.histograms and not line.series.values]
    if not native:
        return result
    kept = tuple(line for line in result.lines if line.series.values or not line.series.histograms)
    count = f"{len(native)} series: " if kept else ""
    footer.extend(wrapped(count + NATIVE_NOTE, NOTE_STYLE, width))
    return replace(result, lines=kept)


def wrapped(message: str, style: str, width: int) -> list[Text]:
    """A message (the file's or the server's text, as data) broken into lines of `width`."""
    return [Text(line, style=style) for line in textwrap.wrap(message, max(1, width)) or [""]]


def _fit(lines: list[Text], height: int) -> list[Text]:
    return lines[:height] + [Text("") for _ in range(height - len(lines))]


def _scaled(values: Sequence[float], factor: float) -> list[float]:
    return [v * factor for v in values] if factor != 1.0 else list(values)


def _timeseries(
    panel: Panel, result: PanelResult, unit: DisplayUnit, width: int, height: int, glyphs: str
) -> list[Text]:
    """The chart, and under it one legend line per series with its latest value."""
    legend_rows = min(len(result.lines), max(0, height - 4), 6)
    chart_rows = height - legend_rows
    window = result.window
    fields = [field_of(panel, line) for line in result.lines]
    colours = [field.colour or series_colour(i) for i, field in enumerate(fields)]
    series = [
        ChartSeries(
            field.name,
            line.series.timestamps,
            _scaled(line.series.values, unit.factor),
            colour,
        )
        for line, field, colour in zip(result.lines, fields, colours, strict=True)
    ]
    low = None if panel.min is None else panel.min * unit.factor
    start = window.start if window.start < window.end else window.end - window.step
    chart = render_line_chart(
        series,
        width=width,
        height=chart_rows,
        start=start,
        end=window.end,
        unit=unit.unit,
        glyphs=glyphs,
        y_min=0.0 if low is None else low,
    )
    legends = []
    for i, line in enumerate(result.lines[:legend_rows]):
        if i == legend_rows - 1 and len(result.lines) > legend_rows:
            legends.append(Text(f"… and {len(result.lines) - i} more series", style="dim"))
            break
        legends.append(_legend_line(line, fields[i], colours[i], width))
    return chart + legends


def _legend_line(line: PanelLine, field: Field, colour: str, width: int) -> Text:
    """ "■ name ····· last 10 req/s": the series' newest value, said to be that."""
    value = field.unit.format(line.series.latest())
    name = field.name or "(no labels)"
    room = max(1, width - len(value) - 8)
    shown = _clip(name, room)
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("■ ", style=colour)
    text.append(shown)
    text.append(" " * max(1, width - 2 - len(shown) - 5 - len(value)))
    text.append("last ", style="dim")
    text.append(value, style="bold")
    return text


def _clip(text: str, room: int) -> str:
    return text if len(text) <= room else text[: max(0, room - 1)] + "…"


def _value_of(panel: Panel, line: PanelLine) -> float | None:
    return reduce(list(line.series.values), panel.calc)


def _style(
    panel: Panel, value: float | None, low: float, high: float, fixed: str | None = None
) -> str:
    """Bold, in `fixed` (a mapping's or an override's colour) or the thresholds' colour."""
    colour = fixed or threshold_color(panel.thresholds, value, low, high)
    if colour is None or colour == "default":
        return "bold"
    try:
        Color.parse(colour)
    except ColorParseError:
        return "bold"
    return f"bold {colour}"


def _stats(
    panel: Panel,
    lines: tuple[PanelLine, ...],
    unit: DisplayUnit,
    width: int,
    height: int,
    glyphs: str,
) -> list[Text]:
    """One value per series, coloured by the thresholds: a single one big and centred
    (three rows high where it fits), several listed with their legends."""
    if len(lines) == 1:
        value = _value_of(panel, lines[0])
        field = field_of(panel, lines[0])
        shown, mapped = value_text(panel, field, value)
        scaled = None if value is None else value * unit.factor
        style = _style(panel, scaled, *_bounds(panel), fixed=mapped or field.colour)
        big = big_value(shown, style, width) if glyphs != "ascii" and height >= 3 else None
        rows = big or [Text(" " * max(0, (width - len(shown)) // 2)).append(shown, style=style)]
        return [Text("") for _ in range((height - len(rows)) // 2)] + rows
    out: list[Text] = []
    for line in lines[:height]:
        value = _value_of(panel, line)
        field = field_of(panel, line)
        shown, mapped = value_text(panel, field, value)
        scaled = None if value is None else value * unit.factor
        style = _style(panel, scaled, *_bounds(panel), fixed=mapped or field.colour)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(_clip(field.name, max(1, width - len(shown) - 1)) + " ")
        text.append(shown, style=style)
        out.append(text)
    if len(lines) > height:
        out[-1] = Text(f"… {len(lines) - height + 1} more", style="dim")
    return out


def _table(panel: Panel, lines: tuple[PanelLine, ...], width: int, height: int) -> list[Text]:
    """A table (imported, or the ad-hoc prompt's): a row per series with its value at the
    window's end, through its field (override name, unit, decimals, mapping). The column
    says "last" when a range query fed it: the newest value of a series over time."""
    rows = []
    for line in lines:
        field = field_of(panel, line)
        rows.append((field.name, value_text(panel, field, line.series.latest())[0]))
    instant = all(target.instant for target in panel.queries)
    return table_rows(rows, "value" if instant else "last", width, height)


def _bounds(panel: Panel) -> tuple[float, float]:
    low = panel.min if panel.min is not None else 0.0
    high = panel.max if panel.max is not None else 100.0
    return low, high


def _gauges(
    panel: Panel, lines: tuple[PanelLine, ...], unit: DisplayUnit, width: int, height: int
) -> list[Text]:
    """A bar per series: legend, the bar from min to max, the value."""
    values = [_value_of(panel, line) for line in lines]
    low, high = value_range(panel, unit, [v * unit.factor for v in values if v is not None])
    out: list[Text] = []
    for line, value in zip(lines[:height], values, strict=False):
        field = field_of(panel, line)
        shown, mapped = value_text(panel, field, value)
        label = _clip(field.name, max(4, width // 4)) if len(lines) > 1 else ""
        bar_width = max(1, width - len(label) - len(shown) - 3)
        scaled = None if value is None else value * unit.factor
        fill = 0 if scaled is None or not math.isfinite(scaled) else (scaled - low) / (high - low)
        cells = round(min(max(fill, 0.0), 1.0) * bar_width)
        style = _style(panel, scaled, low, high, fixed=mapped or field.colour)
        text = Text(no_wrap=True, overflow="ellipsis")
        if label:
            text.append(label.ljust(len(label)) + " ")
        text.append("█" * cells, style=style.replace("bold ", "") or "default")
        text.append("░" * (bar_width - cells), style="dim")
        text.append(" " + shown, style=style)
        out.append(text)
    return out
