"""One dashboard refresh (all five panels) against a real prometheus holding 50 services.

Figures: HTTP requests per refresh (must equal two per panel: the chart's range query and
the recent minutes' for the current values), bytes received, points per series against the
chart width, and wall time per refresh. The reference is the naive design this code
avoids: one query per service (and per latency quantile).
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from run import figure

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.backfill import synthetic_services  # noqa: E402
from support.prometheus_server import backfilled_prometheus  # noqa: E402

from pulse_tui.config import Config, PrometheusConfig  # noqa: E402
from pulse_tui.model.metrics.signals import Signal  # noqa: E402
from pulse_tui.model.metrics.step import compute_window, recent_window  # noqa: E402
from pulse_tui.sources.prometheus.source import PrometheusSource  # noqa: E402

SERVICES = 50
RANGE = 3600
CHART_POINTS = 120
REFRESHES = 10


async def _refresh(source: PrometheusSource, end: float) -> tuple[int, int, float, list[int]]:
    window = compute_window(RANGE, end, CHART_POINTS, 15)
    recent = recent_window(end, 15)
    requests, received = source.requests_made, source.bytes_received
    started = time.perf_counter()
    results = await asyncio.gather(*(source.query_signal(s, window, recent=recent) for s in Signal))
    elapsed = time.perf_counter() - started
    lengths = [len(series.values) for result in results for series in result.series]
    return source.requests_made - requests, source.bytes_received - received, elapsed, lengths


async def _naive_refresh(
    source: PrometheusSource, end: float, services: list[str]
) -> tuple[int, float]:
    """The same panels queried one service at a time: the design this code avoids."""
    window = compute_window(RANGE, end, CHART_POINTS, 15)
    recent = recent_window(end, 15)
    before = source.requests_made
    started = time.perf_counter()
    calls = [
        source.query_signal(signal, window, [name], recent=recent)
        for signal in Signal
        for name in services
    ]
    await asyncio.gather(*calls)
    return source.requests_made - before, time.perf_counter() - started


async def _measure(url: str, end: float) -> Iterator[dict[str, object]]:
    source = PrometheusSource(Config(prometheus=PrometheusConfig(url=url, timeout=30)))
    await _refresh(source, end)  # warm up connections and prometheus' caches
    runs = [await _refresh(source, end) for _ in range(REFRESHES)]
    services = await source.services()
    naive_requests, naive_time = await _naive_refresh(source, end, services)
    await source.close()
    requests = runs[0][0]
    received = statistics.median(r[1] for r in runs)
    wall = statistics.median(r[2] for r in runs)
    lengths = runs[0][3]
    return iter(
        [
            figure("refresh_services", len(services), "services"),
            figure(
                "refresh_http_requests",
                requests,
                "requests",
                "per-service queries",
                requests / naive_requests,
            ),
            # Per panel: the chart's range query and the recent minutes' (current values).
            figure("refresh_panel_queries", 2 * len(Signal), "queries"),
            figure("refresh_bytes_received", received, "bytes"),
            figure(
                "refresh_points_per_series",
                max(lengths),
                "points",
                "chart width 120",
                max(lengths) / CHART_POINTS,
            ),
            figure(
                "refresh_wall_time", wall * 1000, "ms", "per-service queries", wall / naive_time
            ),
        ]
    )


def run() -> Iterator[dict[str, object]]:
    """Start prometheus with 50 backfilled services, refresh the dashboard, print figures."""
    prometheus, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if not prometheus or not promtool:
        raise SystemExit("bench_refresh needs prometheus and promtool (apt-get install prometheus)")
    end = int(time.time()) // 300 * 300
    services = synthetic_services(SERVICES)
    # Fifteen minutes more than the range, so the first points' rate windows hold data too.
    with backfilled_prometheus(prometheus, promtool, end, RANGE + 900, services) as server:
        yield from asyncio.run(_collect(server.url, end))


async def _collect(url: str, end: float) -> list[dict[str, object]]:
    return list(await _measure(url, end))


if __name__ == "__main__":
    for fig in run():
        print(fig)
