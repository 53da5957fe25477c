"""A Grafana `heatmap` panel: its targets' `le` buckets drawn by the latency heatmap's
renderer (ui/charts/heatmap.py).

Grafana's `format: heatmap` takes a histogram's cumulative `_bucket` series, one per `le`,
and shows each bucket's own value: the same de-cumulation as the latency heatmap's
(`model/metrics/heatmap.py`), without turning rates into counts per step, since the panel's
query says what its values are (a rate, an increase). A panel whose answer has no `le`
label (Grafana would bucket the values itself) says so instead of drawing a wrong map.

A target answering native histogram samples is drawn too, as Grafana's Prometheus data
source turns them into heatmap cells: each sample's buckets as the query answered them
(a rate stays a rate), merged onto coarser exponential rows (`model/metrics/
native_histogram.py`). Where a panel has both, the `le` buckets are drawn.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text

from pulse_tui.model.dashboards.panels import DisplayUnit
from pulse_tui.model.metrics.heatmap import Heatmap, decumulate
from pulse_tui.model.metrics.native_histogram import native_heatmap
from pulse_tui.sources.dashboards import PanelResult
from pulse_tui.ui.charts.heatmap import heatmap_legend, render_heatmap

NO_BUCKETS = (
    "heatmap: the query answers no le buckets (a histogram's _bucket series, "
    "format: heatmap) and no native histogram; bucketing raw values is not supported"
)


def heatmap_body(
    result: PanelResult,
    unit: DisplayUnit,
    width: int,
    height: int,
    glyphs: str,
    shade: bool,
    memo: HeatmapMemo | None = None,
) -> list[Text] | str:
    """The heatmap's rows and its legend, or why there is none (a sentence); `memo`
    keeps the merged buckets between repaints of the same answer."""
    window = result.window
    heatmap = (memo or HeatmapMemo()).of(result, window.step)
    if heatmap is None:
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


class HeatmapMemo:
    """The heatmap of a panel's newest answer: a panel is drawn again at every resize and
    repaint, its answer only changes on a refresh, and a wide native histogram takes
    ~20 ms to merge, which the event loop must not spend at each repaint."""

    def __init__(self) -> None:
        self._result: PanelResult | None = None
        self._heatmap: Heatmap | None = None

    def of(self, result: PanelResult, step: float) -> Heatmap | None:
        if result is not self._result:
            self._result, self._heatmap = result, _made(result, step)
        return self._heatmap


def _made(result: PanelResult, step: float) -> Heatmap | None:
    """The `le` buckets de-cumulated, else the native samples merged; None: neither."""
    series = [line.series for line in result.lines if "le" in line.series.labels]
    if series:
        heatmap = decumulate(series, step, per_step=False)
        if not heatmap.empty:
            return heatmap
    native = [line.series.histograms for line in result.lines if line.series.histograms]
    if native:
        heatmap = native_heatmap(native, step, per_step=False, quantiles=()).heatmap
        if not heatmap.empty:
            return heatmap
    return None
