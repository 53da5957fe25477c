"""The latency and queue heatmaps against a real prometheus backfilled with buckets of
known counts (support/backfill.py): every bucket's count per step, exactly, and what the
panel shows once `m` is pressed.

Per scrape (15 s) api observes, cumulatively, .05:30 .1:60 .25:120 .5:144 1:149 2.5:150,
so per bucket 30 30 60 24 5 1 and 0 above 2.5 s; worker's two queues summed observe .1:52
.5:100 1:112 2:118 5:120, per bucket 52 48 12 6 2 and 0 above 5 s. A step of S seconds
holds S / 15 scrapes of each.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from support.prometheus_fixtures import PrometheusData
from support.prometheus_server import Canned, FaultProxy
from ui.harness import wait_until

from pulse_tui.config import Config, SignalConfig
from pulse_tui.model.core.durations import format_duration
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.model.metrics.step import compute_window
from pulse_tui.sources.buckets import fetch_buckets
from pulse_tui.sources.prometheus.source import PrometheusSource
from pulse_tui.ui.app import PulseApp
from pulse_tui.ui.charts.heatmap import format_count

API_PER_SCRAPE = [30, 30, 60, 24, 5, 1, 0]
QUEUES_PER_SCRAPE = [52, 48, 12, 6, 2, 0]
SIZE = (160, 48)


def exact(value: object) -> object:
    return pytest.approx(value, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize(
    ("signal", "service", "bounds", "per_scrape"),
    [
        (Signal.LATENCY, "api", (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, math.inf), API_PER_SCRAPE),
        (Signal.QUEUE, "worker", (0.1, 0.5, 1.0, 2.0, 5.0, math.inf), QUEUES_PER_SCRAPE),
    ],
)
async def test_every_bucket_count_per_step(
    prometheus_data: PrometheusData,
    signal: Signal,
    service: str,
    bounds: tuple[float, ...],
    per_scrape: list[int],
) -> None:
    config = prometheus_data.config()
    source = PrometheusSource(config)
    window = compute_window(3600, float(prometheus_data.end), 60, 15)
    before = source.requests_made
    answer = await fetch_buckets(source, config, signal, window, [service])
    assert source.requests_made - before == 1  # one query, not one per bucket or series
    heatmap = answer.heatmap
    assert heatmap is not None, answer.note
    assert heatmap.bounds == bounds
    assert heatmap.step == window.step == 60
    assert len(heatmap.timestamps) == 61
    scrapes = window.step / 15
    for row, expected in zip(heatmap.counts, per_scrape, strict=True):
        assert list(row) == [exact(expected * scrapes)] * len(row)
    await source.close()


async def test_a_native_histogram_template_with_no_such_histogram_says_so(
    prometheus_data: PrometheusData,
) -> None:
    native = "histogram_quantile(0.99, sum by (job) (rate(rpc_seconds{$filter}[$window])))"
    config = prometheus_data.config()
    config = replace(config, signals={**config.signals, Signal.QUEUE: SignalConfig(native)})
    source = PrometheusSource(config)
    window = compute_window(3600, float(prometheus_data.end), 60, 15)
    answer = await fetch_buckets(source, config, Signal.QUEUE, window)
    assert answer.heatmap is None
    assert answer.note == "no native histogram samples for rpc_seconds"
    assert source.requests_made == 1  # sum(rate(rpc_seconds[...])): one query
    await source.close()


def make_app(config: Config) -> PulseApp:
    config = replace(
        config, dashboard=replace(config.dashboard, refresh=1.0), prometheus_defaulted=False
    )
    return PulseApp(config, PrometheusSource(config), [])


def panel_lines(app: PulseApp, signal: Signal) -> list[str]:
    """The panel's content rows as they are on screen."""
    region = app.dashboard.panel(signal).content_region
    strips = app.screen._compositor.render_strips()
    rows = ["".join(seg.text for seg in strip) for strip in strips]
    return [row[region.x : region.right] for row in rows[region.y : region.bottom]]


async def test_m_shows_the_heatmap_with_its_legend_axis_cells_and_cursor(
    prometheus_data: PrometheusData,
) -> None:
    app = make_app(prometheus_data.config())
    async with app.run_test(size=SIZE) as pilot:
        end = float(prometheus_data.end)
        app.view.set(replace(app.view.state, end=end, services=frozenset({"api"})))
        panel = app.dashboard.panel(Signal.LATENCY)
        await pilot.press("1")
        await wait_until(pilot, lambda: panel.result is not None and panel.has_focus)
        assert "m Heatmap" in "".join(
            seg.text for seg in app.screen._compositor.render_strips()[-1]
        )
        await pilot.press("m")
        await wait_until(
            pilot,
            lambda: (
                panel.buckets is not None
                and panel.buckets.heatmap is not None
                and panel.result is not None
                and end - 300 < panel.result.window.end <= end
            ),
        )
        await pilot.pause(0.2)
        assert panel.result is not None
        step = panel.result.window.step
        lines = panel_lines(app, Signal.LATENCY)
        # The test terminal has 16 colours: the cells are shaded with characters.
        assert panel.shade()
        # Legend: the ramp from 0 to the busiest bucket's count per step, whose lines.
        busiest = format_count(60 * step / 15)
        assert lines[1].startswith(f"0 ░▒▓█ {busiest} per {format_duration(step)} ")
        assert lines[1].rstrip().endswith("  ·p50 •p90 ◆p99 (api)")
        labels = {line[:7].strip(): i for i, line in enumerate(lines) if line[7:8] == "┤"}
        assert list(labels) == ["+Inf", "2.5s", "1s", "500ms", "250ms", "100ms", "50ms"]
        # The busiest bucket (100-250 ms) is the darkest; nothing above 2.5 s.
        # (p50 = 137.5 ms is drawn over the same bucket's cells.)
        bucket_rows = range(labels["250ms"], labels["100ms"])
        cells = {c for i in bucket_rows for c in lines[i][8:].strip()}
        assert cells - {"·", "•"} == {"█"}
        assert {c for c in lines[labels["100ms"]][8:].strip()} - {"·"} == {"▒"}
        assert lines[labels["+Inf"]][8:].strip() == ""
        # p99 = 0.95 s: its glyph between the 1s and the 500ms labels, across the chart.
        p99_rows = [i for i, line in enumerate(lines) if line.count("◆") > 15]
        assert p99_rows and all(labels["1s"] <= i < labels["500ms"] for i in p99_rows)
        p50_rows = [i for i, line in enumerate(lines) if line.count("·") > 15]
        assert p50_rows and all(labels["250ms"] <= i <= labels["100ms"] for i in p50_rows)

        await pilot.press("left")
        await pilot.pause(0.2)
        readout = " ".join(panel_lines(app, Signal.LATENCY)[1:4])
        scrapes = step / 15
        assert "◆p99 950ms •p90 406ms ·p50 138ms" in readout
        bounds = ("50ms", "100ms", "250ms", "500ms", "1s", "2.5s")
        for bound, count in zip(bounds, API_PER_SCRAPE[:-1], strict=True):
            assert f"≤{bound} {format_count(count * scrapes)}" in readout
        assert ">2.5s" not in readout  # an empty bucket is left out

        await pilot.press("escape", "m")
        await wait_until(pilot, lambda: "┤" in "".join(panel_lines(app, Signal.LATENCY)))
        await wait_until(pilot, lambda: "+Inf" not in "".join(panel_lines(app, Signal.LATENCY)))


async def test_the_heatmap_key_is_only_on_the_histogram_panels_and_can_be_remapped(
    prometheus_data: PrometheusData,
) -> None:
    config = replace(prometheus_data.config(), keys={"heatmap": "M"})
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:

        def footer() -> str:
            return "".join(seg.text for seg in app.screen._compositor.render_strips()[-1])

        await pilot.press("2")  # traffic: no histogram, no key
        await wait_until(pilot, lambda: app.dashboard.panel(Signal.TRAFFIC).has_focus)
        await pilot.pause(0.1)
        assert "Heatmap" not in footer()
        await pilot.press("M")
        assert not app.dashboard.panel(Signal.TRAFFIC).heatmap_on
        await pilot.press("5")
        await wait_until(pilot, lambda: "M Heatmap" in footer())
        await pilot.press("m")  # remapped: m is no longer it
        assert not app.dashboard.panel(Signal.QUEUE).heatmap_on
        await pilot.press("M")
        assert app.dashboard.panel(Signal.QUEUE).heatmap_on


async def test_a_failed_bucket_query_says_so_and_the_lines_stay(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy
) -> None:
    """Prometheus rejects the bucket query (a proxy breaks it): the panel shows its words
    where the cells would be; the panel's own query is unaffected."""

    def break_buckets(path: str) -> str:
        parts = urlsplit(path)
        query = parse_qs(parts.query)
        if query.get("query", [""])[0].startswith("sum by (le)"):
            query["query"] = ["sum by (le) (rate(x_bucket[1m]"]
        return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))

    fault_proxy.rewrite = break_buckets
    app = make_app(prometheus_data.config(fault_proxy.url))
    async with app.run_test(size=SIZE) as pilot:
        end = float(prometheus_data.end)
        app.view.set(replace(app.view.state, end=end, services=frozenset({"api"})))
        panel = app.dashboard.panel(Signal.LATENCY)
        await pilot.press("1", "m")
        await wait_until(pilot, lambda: panel.buckets is not None and panel.buckets.failed)
        await pilot.pause(0.2)
        text = " ".join(" ".join(panel_lines(app, Signal.LATENCY)).split())
        assert "latency heatmap query" in text and "parse error" in text, text
        assert panel.result is not None and panel.result.series  # the quantiles came
        assert text.startswith("950ms p99 api heatmap: query failed")


async def test_a_malformed_native_histogram_fails_the_query_saying_what(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy
) -> None:
    """A backend answering a native histogram sample with a bound that is no number: the
    heatmap says so in one sentence (and does not retry a malformed answer)."""
    body = {
        "status": "success",
        "data": {
            "resultType": "matrix",
            "result": [
                {
                    "metric": {},
                    "histograms": [
                        [1.0, {"count": "1", "sum": "1", "buckets": [[0, "0.5", "<b>", "1"]]}]
                    ],
                }
            ],
        },
    }
    fault_proxy.mode = "canned"
    fault_proxy.canned = Canned(200, json.dumps(body).encode(), "application/json")
    config = prometheus_data.config(fault_proxy.url)
    source = PrometheusSource(config)
    window = compute_window(3600, float(prometheus_data.end), 60, 15)
    try:
        answer = await fetch_buckets(source, config, Signal.LATENCY, window)
    finally:
        await source.close()
    assert answer.failed and answer.heatmap is None
    assert answer.note is not None
    assert answer.note.startswith("latency heatmap query: ")
    assert answer.note.endswith(
        "answered a malformed native histogram: bucket 0's upper bound is not a number: '<b>'"
    )
    assert source.requests_made == 1
