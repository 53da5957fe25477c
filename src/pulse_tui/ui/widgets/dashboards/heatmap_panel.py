"""A Grafana `heatmap` panel: its targets' `le` buckets drawn by the latency heatmap's
renderer (ui/charts/heatmap.py).

Grafana's `format: heatmap` takes a histogram's cumulative `_bucket` series, one per `le`,
and shows each bucket's own value: the same de-cumulation as the latency heatmap's
(`model/metrics/heatmap.py`), without turning rates into counts per step, since the panel's
query says what its values are (a rate, an increase). A panel whose answer has no `le`
label (Grafana would bucket the values itself) says so instead of drawing a wrong map.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text

from pulse_tui.model.dashboards.panels import DisplayUnit
from pulse_tui.model.metrics.heatmap import decumulate
from pulse_tui.sources.dashboards import PanelResult
from pulse_tui.ui.charts.heatmap import heatmap_legend, render_heatmap

NO_BUCKETS = (
    "heatmap: the query answers no le buckets (a histogram's _bucket series, "
    "format: heatmap); bucketing raw values is not supported"
)


def heatmap_body(
    result: PanelResult, unit: DisplayUnit, width: int, height: int, glyphs: str, shade: bool
) -> list[Text] | str:
    """The heatmap's rows and its legend, or why there is none (a sentence)."""
    series = [line.series for line in result.lines if "le" in line.series.labels]
    if not series:
        return NO_BUCKETS
    window = result.window
    heatmap = decumulate(series, window.step, per_step=False)
    if heatmap.empty:
        return NO_BUCKETS
    if unit.factor != 1.0:  # bounds in the panel's unit (ms buckets shown as seconds)
        heatmap = replace(heatmap, bounds=tuple(b * unit.factor for b in heatmap.bounds))
    start = window.start if window.start < window.end else window.end - window.step
    chart = render_heatmap(
        heatmap,
        width=width,
        height=max(1, height - 1),
        start=start,
        end=window.end,
        unit=unit.unit,
        shade=shade,
        glyphs=glyphs,
    )
    legend = heatmap_legend(chart.top, None, shade=shade, glyphs=glyphs, quantiles=())
    legend.truncate(width, overflow="ellipsis")
    return [*chart.lines, legend]
