"""An imported Grafana dashboard of 30 panels against a real prometheus (the tests' dataset).

Figures: the import (read, parse, validate, lay out) against `json.loads` of the same file
alone; the first frame (from the key that opens the dashboard to every panel holding its
answer, in the real app, headless, 160x48); HTTP requests per refresh against the targets
shown (must be 1.0: one query per target) and against the series they answer (the naive
one query per series this design avoids); what a refresh of the 30 panels costs the event
loop against one frame (16 ms): the panels' drawing (`render_panel` at their sizes, what
their `render()` runs on the loop) and the longest stall a 1 ms ticker sees while the
answers come in and are painted.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from run import figure

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.backfill import standard_services  # noqa: E402
from support.prometheus_server import backfilled_prometheus  # noqa: E402

from pulse_tui.config import Config, PrometheusConfig  # noqa: E402
from pulse_tui.model.dashboards.grafana import load_dashboard  # noqa: E402
from pulse_tui.model.dashboards.layout import layout  # noqa: E402
from pulse_tui.sources.prometheus.source import PrometheusSource  # noqa: E402

PANELS = 30
IMPORTS = 50
REFRESHES = 5
FRAME_MS = 16.0
EXPRS = {
    "timeseries": 'sum by (job) (rate(http_requests_total{job=~"$job"}[$__rate_interval]))',
    "stat": 'sum(rate(http_requests_total{job=~"$job",code=~"5.."}[5m]))',
    "gauge": "rate(process_cpu_seconds_total[5m])",
    "bargauge": (
        "histogram_quantile(0.99, sum by (le, queue) "
        "(rate(queue_processing_latency_seconds_bucket[5m])))"
    ),
}


def dashboard_json() -> dict[str, object]:
    kinds = ["timeseries"] * 12 + ["stat"] * 8 + ["gauge"] * 5 + ["bargauge"] * 5
    panels = []
    for index, kind in enumerate(kinds):
        panels.append(
            {
                "id": index + 1,
                "type": kind,
                "title": f"{kind} {index + 1}",
                "gridPos": {"x": (index % 4) * 6, "y": (index // 4) * 8, "w": 6, "h": 8},
                "fieldConfig": {"defaults": {"unit": "reqps"}},
                "targets": [{"refId": "A", "expr": EXPRS[kind], "legendFormat": "{{job}}"}],
            }
        )
    variable = {
        "name": "job",
        "type": "query",
        "query": "label_values(http_requests_total, job)",
        "multi": True,
        "includeAll": True,
        "current": {"value": "$__all"},
    }
    return {
        "title": "Bench",
        "schemaVersion": 39,
        "panels": panels,
        "templating": {"list": [variable]},
    }


def _import_figures(path: Path) -> Iterator[dict[str, object]]:
    text = path.read_text()
    parse, imports = [], []
    for _ in range(IMPORTS):
        started = time.perf_counter()
        json.loads(text)
        parse.append(time.perf_counter() - started)
        started = time.perf_counter()
        board = load_dashboard(path)
        layout(board.panels, 160)
        imports.append(time.perf_counter() - started)
    value, reference = statistics.median(imports), statistics.median(parse)
    yield figure("grafana_import_30_panels", value * 1000, "ms", "json.loads", value / reference)


async def _app_figures(url: str, end: int, path: Path) -> list[dict[str, object]]:
    from pulse_tui.ui.app import PulseApp
    from pulse_tui.ui.widgets.dashboards.screen import GrafanaScreen

    config = Config(prometheus=PrometheusConfig(url=url, timeout=10.0), dashboards=(path,))
    config = replace(config, dashboard=replace(config.dashboard, refresh=3600.0))
    source = PrometheusSource(config)
    app = PulseApp(config, source, [])
    app.view.set(replace(app.view.state, end=float(end)))
    out = []
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause(1.0)  # the main dashboard's first refresh is not ours to time
        started = time.perf_counter()
        await pilot.press("d")
        screen = app.screen
        assert isinstance(screen, GrafanaScreen)
        while not all(w.result is not None for w in screen.shown_panels()):
            await asyncio.sleep(0.005)
        await pilot.pause()  # painted
        first = time.perf_counter() - started
        out.append(figure("grafana_first_frame_30_panels", first * 1000, "ms"))
        before, sent = source.requests_made, screen.queries_sent
        await pilot.press("r")
        while screen.queries_sent < sent + PANELS:
            await asyncio.sleep(0.005)
        requests = source.requests_made - before
        series = sum(len(w.result.lines) for w in screen.shown_panels() if w.result)
        out.append(
            figure(
                "grafana_requests_per_refresh", requests, "requests", "targets", requests / PANELS
            )
        )
        out.append(
            figure(
                "grafana_requests_per_refresh_vs_series",
                requests,
                "requests",
                "one per series",
                requests / max(1, series),
            )
        )
        out.extend(await _loop_figures(pilot, screen))
        await app.action_quit()
    return out


async def _loop_figures(pilot, screen) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """On-loop cost of a refresh: drawing every panel, and the longest stall of the loop."""
    from pulse_tui.ui.widgets.dashboards.render import render_panel

    drawing, stalls, idle = [], [], []
    for _ in range(REFRESHES):
        # The same ticker with no refresh going on, as long: what the machine's load alone
        # costs the loop (2 shared cores), to tell the refresh's part from it.
        stop = asyncio.Event()
        ticker = asyncio.create_task(_longest_stall(stop))
        await asyncio.sleep(0.5)
        stop.set()
        idle.append(await ticker)
        sent = screen.queries_sent
        stop = asyncio.Event()
        ticker = asyncio.create_task(_longest_stall(stop))
        await pilot.press("r")
        while screen.queries_sent < sent + PANELS:
            await asyncio.sleep(0.005)
        await pilot.pause()  # painted
        stop.set()
        stalls.append(await ticker)
        started = time.perf_counter()
        for widget in screen.shown_panels():
            size = widget.content_size
            render_panel(widget.panel, widget.result, size.width, size.height)
        drawing.append(time.perf_counter() - started)
    draw_ms, stall_ms = statistics.median(drawing) * 1000, statistics.median(stalls) * 1000
    idle_ms = statistics.median(idle) * 1000
    return [
        figure("grafana_refresh_drawing_on_loop_30_panels", draw_ms, "ms", "one frame (16 ms)",
               draw_ms / FRAME_MS),
        figure("grafana_refresh_longest_loop_stall_30_panels", stall_ms, "ms",
               "one frame (16 ms)", stall_ms / FRAME_MS),
        figure("grafana_idle_longest_loop_stall", idle_ms, "ms", "one frame (16 ms)",
               idle_ms / FRAME_MS),
    ]  # fmt: skip


async def _longest_stall(stop: asyncio.Event) -> float:
    """The longest time past its 1 ms sleep a ticker waited for the loop, until `stop`."""
    longest, tick = 0.0, 0.001
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(tick)
        now = time.perf_counter()
        longest, last = max(longest, now - last - tick), now
    return longest


def run() -> Iterator[dict[str, object]]:
    prometheus, promtool = shutil.which("prometheus"), shutil.which("promtool")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.json"
        path.write_text(json.dumps(dashboard_json()))
        yield from _import_figures(path)
        if not (prometheus and promtool):
            return
        end = int(time.time()) // 300 * 300
        with backfilled_prometheus(prometheus, promtool, end, 3 * 3600, standard_services()) as srv:
            yield from asyncio.run(_app_figures(srv.url, end, path))
