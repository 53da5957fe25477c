"""Chart rendering cost: our renderer against plotext (what textual-plotext draws with).

The workload is one dashboard refresh: 5 panels of 90×15 cells, each with 3 series of
200 points (a few NaN gaps), rendered to `rich.text.Text`. plotext is optional: when it
is not installed the reference figures are left out. Its run is made as fair as we can:
one reused figure (as textual-plotext keeps one), time labels given as ticks, and the
ANSI it builds parsed back into Text, since that is what a widget needs.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterator

from run import figure

from pulse_tui.model.core.units import format_value
from pulse_tui.ui.charts import ChartSeries, render_line_chart, sparkline
from pulse_tui.ui.charts.axis import time_label, time_ticks

PANELS = 5
SERIES = 3
POINTS = 200
WIDTH, HEIGHT = 90, 15
END = 1_700_000_000.0
START = END - 3600
COLOURS = ("#5fd7ff", "#ff875f", "#afd75f")


def _panel_data() -> list[ChartSeries]:
    step = (END - START) / (POINTS - 1)
    timestamps = [START + i * step for i in range(POINTS)]
    panels = []
    for s in range(SERIES):
        values = [
            # A scrape gap every 60 points, so both renderers draw broken lines.
            math.nan if i % 60 == 7 else 100 + 40 * s + 50 * math.sin(i / (8 + 3 * s))
            for i in range(POINTS)
        ]
        panels.append(ChartSeries(f"svc{s}", timestamps, values, COLOURS[s]))
    return panels


def _ms_per_call(call: Callable[[], object], repeat: int) -> float:
    """Median milliseconds of `repeat` timed batches (after a warm-up call)."""
    call()
    batches = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        batches.append(time.perf_counter() - began)
    return statistics.median(batches) * 1000


def _ours(series: list[ChartSeries], glyphs: str) -> Callable[[], object]:
    def refresh() -> None:
        for _ in range(PANELS):
            render_line_chart(
                series, width=WIDTH, height=HEIGHT, start=START, end=END, unit="req/s",
                glyphs=glyphs, cursor=START + 1800,
            )  # fmt: skip

    return refresh


def _plotext(series: list[ChartSeries]) -> Callable[[], object] | None:
    try:
        from plotext._figure import _figure_class
    except ImportError:
        return None
    from rich.text import Text

    plot = _figure_class()
    # plotext shrinks a plot to the terminal it thinks it has; a widget sets its own size.
    plot._limit_size(False, False)
    plot.plotsize(WIDTH, HEIGHT)
    plot.theme("clear")
    ticks, fmt = time_ticks(START, END, cells=WIDTH - 8)
    labels = [time_label(t, fmt) for t in ticks]
    colours = [tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in COLOURS]

    def refresh() -> None:
        for _ in range(PANELS):
            plot.clear_data()
            for item, colour in zip(series, colours, strict=True):
                plot.plot(list(item.timestamps), list(item.values), marker="braille", color=colour)
            plot.xticks(ticks, labels)
            Text.from_ansi(plot.build())

    return refresh


def run() -> Iterator[dict[str, object]]:
    series = _panel_data()
    repeat = 30
    reference = _plotext(series)
    ref_ms = _ms_per_call(reference, repeat) / PANELS if reference else None
    ref_name = "plotext 5 braille + Text.from_ansi" if reference else None
    for glyphs in ("braille", "block", "ascii"):
        ours = _ms_per_call(_ours(series, glyphs), repeat) / PANELS
        yield figure(
            f"line_chart_{glyphs}_ms_per_panel_90x15_3x200",
            ours,
            "ms",
            reference=ref_name,
            ratio=ours / ref_ms if ref_ms else None,
        )
    if ref_ms is not None:
        yield figure("plotext_ms_per_panel_90x15_3x200", ref_ms, "ms")

    ours_refresh = _ms_per_call(_ours(series, "braille"), repeat)
    yield figure(
        "dashboard_refresh_5_panels_ms",
        ours_refresh,
        "ms",
        reference=ref_name,
        ratio=ours_refresh / (ref_ms * PANELS) if ref_ms else None,
    )

    values = list(series[0].values)
    spark_us = _ms_per_call(lambda: [sparkline(values, 20) for _ in range(100)], repeat) * 10
    yield figure("sparkline_200_to_20_us", spark_us, "µs")

    samples = [0.00085, 0.123, 12.5, 1234.0, math.nan, None] * 50
    fmt_us = _ms_per_call(lambda: [format_value(v, "s", compact=True) for v in samples], repeat)
    yield figure("format_value_us", fmt_us * 1000 / len(samples), "µs")
