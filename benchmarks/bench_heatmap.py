"""Heatmap cost: de-cumulating one bucket query's answer and drawing it, against the
braille line chart of the same panel (what `m` replaces), per panel.

The workload is the latency panel at 160×48 maximised: 150 columns of 40 rows, 20
histogram bounds (a wide histogram) with a point per column, and the three quantile lines
over them. Both the de-cumulation and the drawing run off the event loop (the feed's
worker and the panel's prerender thread); the figures say what a refresh costs there.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable

from run import figure

from pulse_tui.model.metrics.heatmap import decumulate
from pulse_tui.model.metrics.native_histogram import native_heatmap
from pulse_tui.model.metrics.signals import Series
from pulse_tui.sources.prometheus.histograms import parse_histograms
from pulse_tui.ui.charts import ChartSeries, render_line_chart
from pulse_tui.ui.charts.heatmap import QuantileLine, render_heatmap

WIDTH, HEIGHT = 158, 40
COLUMNS = WIDTH - 8
BOUNDS = [0.001 * 1.6**i for i in range(19)] + [math.inf]
END = 1_700_000_000.0
STEP = 60.0
START = END - STEP * (COLUMNS - 1)


def _buckets() -> list[Series]:
    stamps = [START + i * STEP for i in range(COLUMNS)]
    out = []
    for bound in BOUNDS:
        values = []
        for i in range(COLUMNS):
            median = 0.05 * (1 + 3 * (40 <= i < 60))  # an incident: latency up fourfold
            share = 1.0 if math.isinf(bound) else 1 / (1 + (median / bound) ** 2)
            values.append(100.0 * share)
        out.append(
            Series("", stamps, values, {"le": "+Inf" if math.isinf(bound) else f"{bound:g}"})
        )
    return out


def _native_item() -> dict[str, object]:
    """A `sum(rate(X[w]))` answer as the API sends it: 160 schema-3 buckets (a client's
    default limit) from 1 ms up, at every column."""
    base = 2 ** (1 / 8)
    first = -80  # 2^-10: about 1 ms
    buckets = [
        [0, repr(base ** (i - 1)), repr(base**i), repr(1.0 + (i % 7))]
        for i in range(first, first + 160)
    ]
    histograms = [
        [START + i * STEP, {"count": "640", "sum": "12.5", "buckets": buckets}]
        for i in range(COLUMNS)
    ]
    return {"metric": {}, "histograms": histograms}


def _ms(call: Callable[[], object], repeat: int = 20) -> float:
    call()
    batches = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        batches.append(time.perf_counter() - began)
    return statistics.median(batches) * 1000


def run():  # type: ignore[no-untyped-def]
    series = _buckets()
    heatmap = decumulate(series, STEP)
    stamps = heatmap.timestamps
    lines = [
        QuantileLine(
            label, stamps, [0.05 * k * (1 + 3 * (40 <= i < 60)) for i in range(COLUMNS)], g, "red"
        )
        for label, k, g in (("p50", 1, "·"), ("p90", 3, "•"), ("p99", 10, "◆"))
    ]
    decumulate_ms = _ms(lambda: decumulate(series, STEP))
    yield figure("heatmap_decumulate_20_bounds_x150_ms", decumulate_ms, "ms")

    def draw(shade: bool) -> object:
        return render_heatmap(
            heatmap, width=WIDTH, height=HEIGHT, start=START, end=END, unit="s",
            quantiles=lines, cursor=START + 30 * STEP, shade=shade,
        )  # fmt: skip

    chart = [ChartSeries(q.label, q.timestamps, q.values, "red") for q in lines]
    line_ms = _ms(
        lambda: render_line_chart(
            chart, width=WIDTH, height=HEIGHT, start=START, end=END, unit="s", cursor=START
        )
    )
    for shade in (False, True):
        heat_ms = _ms(lambda shade=shade: draw(shade))
        yield figure(
            f"heatmap_draw_{'shade' if shade else 'colour'}_158x40_ms",
            heat_ms,
            "ms",
            reference="braille line chart, same panel and lines",
            ratio=heat_ms / line_ms,
        )
    yield figure("line_chart_158x40_3_lines_ms", line_ms, "ms")

    item = _native_item()
    parse_ms = _ms(lambda: parse_histograms(item), repeat=5)
    yield figure(
        "native_parse_160_buckets_x150_ms",
        parse_ms,
        "ms",
        reference="de-cumulating 20 classic bounds x150",
        ratio=parse_ms / decumulate_ms,
    )
    samples = parse_histograms(item)
    merge_ms = _ms(lambda: native_heatmap([samples], STEP), repeat=5)
    yield figure(
        "native_merge_160_buckets_x150_ms",
        merge_ms,
        "ms",
        reference="de-cumulating 20 classic bounds x150",
        ratio=merge_ms / decumulate_ms,
    )
    rows_ms = _ms(lambda: native_heatmap([samples], STEP, quantiles=()), repeat=5)
    yield figure(
        "native_merge_rows_only_160_buckets_x150_ms",
        rows_ms,
        "ms",
        reference="de-cumulating 20 classic bounds x150",
        ratio=rows_ms / decumulate_ms,
    )
    kept = sum(sample.flat.itemsize * len(sample.flat) for sample in samples)
    yield figure("native_bytes_per_bucket", kept / (160 * COLUMNS), "B")
