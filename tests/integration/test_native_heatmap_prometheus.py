"""The heatmap of native histograms (issue #17 item 4) against a real prometheus 2.42 with
`--enable-feature=native-histograms` scraping the protobuf exporter every second
(support/native_histograms.py).

Every histogram holds all its observations in one schema-0 bucket: api's requests in
(0.25 s, 0.5 s] at 50/s, checkout's in (1 s, 2 s] at 20/s; the worker's emails in (2 s, 4 s]
at 5/s, its sms in (0.5 s, 1 s] at 8/s. So the heatmap's rows are those buckets, each
count is exactly that bucket's rate as Prometheus works it out times the step, the rows
between are exactly 0, and the quantile lines are exactly `histogram_quantile` of the sum.
"""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from support.binaries import require_binary
from support.native_histograms import native_prometheus
from support.prometheus_server import PrometheusProcess
from test_native_histograms import FAMILIES
from ui.harness import screen_text, wait_until

from pulse_tui.config import Config, PrometheusConfig
from pulse_tui.model.core.durations import format_duration, promql_duration
from pulse_tui.model.metrics.signals import QueryWindow, Series, Signal
from pulse_tui.model.metrics.step import compute_window
from pulse_tui.sources.buckets import fetch_buckets
from pulse_tui.sources.prometheus.source import PrometheusSource
from pulse_tui.ui.app import PulseApp
from pulse_tui.ui.widgets.dashboards.render import NATIVE_NOTE
from pulse_tui.ui.widgets.dashboards.screen import GrafanaScreen

pytestmark = pytest.mark.integration

LATENCY = "http_request_duration_seconds"
SIZE = (160, 48)


def exact(value: object) -> object:
    return pytest.approx(value, rel=1e-9, abs=1e-12)


#: How far back the rates must answer before the tests start: a heatmap of many steps.
HISTORY = 30.0


def _answers_at(url: str, expr: str, at: float) -> bool:
    query = urllib.parse.urlencode({"query": expr, "time": f"{at:.3f}"})
    with urllib.request.urlopen(f"{url}/api/v1/query?{query}", timeout=5) as response:
        return bool(json.load(response)["data"]["result"])


@pytest.fixture(scope="module")
def native() -> Iterator[PrometheusProcess]:
    with native_prometheus(require_binary("prometheus"), FAMILIES) as server:
        # Polled, not slept: until the exporter's history covers HISTORY seconds.
        deadline = time.monotonic() + 90
        expr = f"histogram_count(rate({LATENCY}[10s]))"
        while not _answers_at(server.url, expr, time.time() - HISTORY):
            assert time.monotonic() < deadline, "prometheus never had 30 s of history"
            time.sleep(0.5)
        yield server


def config(server: PrometheusProcess, range_seconds: float = 3600.0) -> Config:
    base = Config(prometheus=PrometheusConfig(url=server.url, timeout=5.0, scrape_interval=1.0))
    return replace(base, dashboard=replace(base.dashboard, range=range_seconds))


def window_now() -> QueryWindow:
    # Ending a few seconds back: every step's data is in, both queries see the same.
    return compute_window(120, time.time() - 3, 40, 1.0)


def by_time(series: list[Series]) -> dict[float, float]:
    (only,) = series
    return dict(zip(only.timestamps, only.values, strict=True))


async def test_every_native_bucket_count_per_step_and_the_quantile_lines(
    native: PrometheusProcess,
) -> None:
    source = PrometheusSource(config(native))
    window = window_now()
    rate = f"rate({LATENCY}{{job=~'api|checkout'}}[{promql_duration(window.rate_window)}])"
    try:
        before = source.requests_made
        answer = await fetch_buckets(source, source.config, Signal.LATENCY, window)
        assert source.requests_made - before == 1  # classic or native: one query
        heatmap = answer.heatmap
        assert heatmap is not None, answer.note
        # The schema-0 buckets from api's to checkout's, no +Inf row (native has none).
        assert heatmap.bounds == (0.5, 1.0, 2.0)
        assert heatmap.step == window.step
        api = by_time(
            await source.query_expr(
                f"histogram_count(sum({rate.replace('api|checkout', 'api')}))", window
            )
        )
        checkout = by_time(
            await source.query_expr(
                f"histogram_count(sum({rate.replace('api|checkout', 'checkout')}))", window
            )
        )
        assert len(heatmap.timestamps) >= 5
        assert set(heatmap.timestamps) == set(api)
        low, middle, high = heatmap.counts
        for i, t in enumerate(heatmap.timestamps):
            assert low[i] == exact(api[t] * window.step)
            assert middle[i] == 0.0
            assert high[i] == exact(checkout[t] * window.step)
        assert answer.quantiles is not None
        for q in (0.5, 0.9, 0.99):
            expected = by_time(
                await source.query_expr(f"histogram_quantile({q}, sum({rate}))", window)
            )
            assert answer.quantiles[q] == exact(tuple(expected[t] for t in heatmap.timestamps))
        assert answer.caveat is None
    finally:
        await source.close()


async def test_the_queue_heatmap_sums_every_queue(native: PrometheusProcess) -> None:
    source = PrometheusSource(config(native))
    window = window_now()
    try:
        answer = await fetch_buckets(source, source.config, Signal.QUEUE, window, ["worker"])
        rates = {
            queue: by_time(
                await source.query_expr(
                    "histogram_count(sum(rate(queue_processing_latency_seconds"
                    f'{{queue="{queue}"}}[{promql_duration(window.rate_window)}])))',
                    window,
                )
            )
            for queue in ("sms", "emails")
        }
    finally:
        await source.close()
    heatmap = answer.heatmap
    assert heatmap is not None, answer.note
    assert heatmap.bounds == (1.0, 2.0, 4.0)  # sms (0.5, 1], nothing in (1, 2], emails (2, 4]
    sms, empty, emails = heatmap.counts
    assert set(empty) == {0.0}
    stamps = heatmap.timestamps
    assert sms == exact(tuple(rates["sms"][t] * window.step for t in stamps))
    assert emails == exact(tuple(rates["emails"][t] * window.step for t in stamps))


def make_app(cfg: Config, *dashboards: Path) -> PulseApp:
    cfg = replace(
        cfg,
        dashboard=replace(cfg.dashboard, refresh=1.0),
        prometheus_defaulted=False,
        dashboards=dashboards,
    )
    return PulseApp(cfg, PrometheusSource(cfg), [])


def panel_lines(app: PulseApp, signal: Signal) -> list[str]:
    region = app.dashboard.panel(signal).content_region
    strips = app.screen._compositor.render_strips()
    rows = ["".join(seg.text for seg in strip) for strip in strips]
    return [row[region.x : region.right] for row in rows[region.y : region.bottom]]


async def test_m_on_a_native_latency_panel_draws_its_buckets(native: PrometheusProcess) -> None:
    app = make_app(config(native, range_seconds=120))
    async with app.run_test(size=SIZE) as pilot:
        panel = app.dashboard.panel(Signal.LATENCY)
        await pilot.press("1")
        await wait_until(pilot, lambda: panel.result is not None and panel.has_focus, 30)
        await pilot.press("m")
        await wait_until(
            pilot, lambda: panel.buckets is not None and panel.buckets.heatmap is not None, 30
        )
        await pilot.pause(0.2)
        assert panel.result is not None and panel.buckets is not None
        lines = panel_lines(app, Signal.LATENCY)
        text = "\n".join(lines)
        assert "buckets not shown" not in text
        legend = next(line for line in lines if "░▒▓█" in line).rstrip()
        step = panel.result.window.step
        assert f" per {format_duration(step)} " in legend
        assert legend.endswith("·p50 •p90 ◆p99 (all)")  # two services: from the summed buckets
        labels = {line[:7].strip(): i for i, line in enumerate(lines) if line[7:8] == "┤"}
        assert list(labels) == ["2s", "1s", "500ms"]
        chart_bottom = next(i for i, line in enumerate(lines) if "└" in line)

        def cells(rows: range) -> set[str]:
            return {c for i in rows for c in lines[i][8:]} - {" "}

        # api's bucket is the busiest (50/s): darkest (lighter at the start, while the
        # exporter's rate rose); checkout's (20/s, 0.4 of it) never the darkest; nothing
        # between.
        assert "█" in cells(range(labels["500ms"], chart_bottom))
        assert cells(range(labels["1s"], labels["500ms"])) == set()
        assert "▒" in cells(range(labels["2s"], labels["1s"]))
        assert "█" not in cells(range(labels["2s"], labels["1s"]))
        # p50 = 0.425 s (in api's bucket), p99 = 1.965 s (in checkout's).
        assert "·" in "".join(lines[labels["500ms"] : chart_bottom])
        assert "◆" in "".join(lines[labels["2s"] : labels["1s"]])

        await pilot.press("left")
        await pilot.pause(0.2)
        readout = " ".join(panel_lines(app, Signal.LATENCY)[:4])
        assert "≤500ms" in readout and "≤2s" in readout
        assert "≤1s" not in readout  # an empty bucket is left out


def board(path: Path) -> Path:
    rate = f"sum(rate({LATENCY}[$__rate_interval]))"
    panels = [
        {
            "type": "heatmap",
            "title": "Native heat",
            "id": 1,
            "gridPos": {"x": 0, "y": 0, "w": 24, "h": 14},
            "fieldConfig": {"defaults": {"unit": "s"}},
            "targets": [{"refId": "A", "expr": rate, "format": "heatmap"}],
        },
        {
            "type": "timeseries",
            "title": "Native line",
            "id": 2,
            "gridPos": {"x": 0, "y": 14, "w": 24, "h": 8},
            "targets": [{"refId": "A", "expr": rate}],
        },
    ]
    path.write_text(json.dumps({"title": "Native", "panels": panels}))
    return path


def grafana_panel(app: PulseApp, title: str) -> list[str]:
    screen = app.screen
    assert isinstance(screen, GrafanaScreen)
    widget = next(w for w in screen.panel_widgets.values() if w.panel.title == title)
    region = widget.content_region
    rows = screen_text(app).splitlines()[region.y : region.bottom]
    return [row[region.x : region.right] for row in rows]


async def test_a_dashboard_heatmap_draws_a_native_histogram_and_a_line_panel_says_why_not(
    native: PrometheusProcess, tmp_path: Path
) -> None:
    app = make_app(config(native, range_seconds=120), board(tmp_path / "native.json"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, GrafanaScreen))
        screen = app.screen
        assert isinstance(screen, GrafanaScreen)
        await wait_until(
            pilot, lambda: all(w.result is not None for w in screen.shown_panels()), 30
        )
        await pilot.pause(0.2)
        heat = grafana_panel(app, "Native heat")
        labels = {line[:7].strip(): i for i, line in enumerate(heat) if line[7:8] == "┤"}
        assert list(labels) == ["2s", "1s", "500ms"]
        bottom = next(i for i, line in enumerate(heat) if "└" in line)
        api = {c for i in range(labels["500ms"], bottom) for c in heat[i][8:]} - {" "}
        assert "█" in api  # lighter at the start, while the exporter's rate rose
        assert {c for i in range(labels["1s"], labels["500ms"]) for c in heat[i][8:]} == {" "}
        # The cells are the query's values, a rate: no "per step" in the legend.
        legend = next(line for line in heat if "░▒▓█" in line)
        assert " per " not in legend
        line_panel = " ".join(" ".join(grafana_panel(app, "Native line")).split())
        assert NATIVE_NOTE in line_panel
        assert "no data" not in line_panel
