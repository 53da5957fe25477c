"""What reading native histograms costs, and what cutting dashboard targets in the source saves
(issue 15, rows 14 and 9), against real prometheus servers.

Figures:
* latency_classic_or_native_s: the built-in latency panel's range query (1 h, 120 points,
  `classic or native` for each quantile) on the tests' backfilled classic histograms,
  median of 15; reference: the classic-only template it replaced (ratio: what the native
  half costs a classic user per refresh).
* latency_native_s: the same built-in query on a prometheus holding native histograms
  (tests/support/native_histograms.py), median of 15; reference: the native-only template
  (ratio: what the classic half costs a native user).
* dashboard_flood_loop_s: the event-loop work of one imported-dashboard panel whose
  target answers ~10,000 series (legend and sanitising per line kept): the 200 lines the
  source now hands over, against every line, as before the cut moved into the source.
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

from support.backfill import standard_services  # noqa: E402
from support.native_histograms import Counter, NativeHistogram, native_prometheus  # noqa: E402
from support.prometheus_server import backfilled_prometheus  # noqa: E402

from pulse_tui.config import Config, PrometheusConfig, SignalConfig  # noqa: E402
from pulse_tui.model.core.sanitize import sanitize  # noqa: E402
from pulse_tui.model.dashboards.definition import Target  # noqa: E402
from pulse_tui.model.dashboards.panels import all_labels, legend  # noqa: E402
from pulse_tui.model.metrics.promql import DEFAULT_TEMPLATES, NATIVE_TEMPLATES  # noqa: E402
from pulse_tui.model.metrics.signals import QueryWindow, Signal  # noqa: E402
from pulse_tui.model.metrics.step import compute_window  # noqa: E402
from pulse_tui.sources.prometheus.source import PrometheusSource  # noqa: E402

RUNS = 15
_VALUES = '{__name__=~"http_.*|process_.*|queue_.*"}'
FLOOD = " or ".join(f'count_values("{name}", {_VALUES})' for name in ("a", "b", "c"))


def _source(url: str, template: str | None = None) -> PrometheusSource:
    signals = dict(Config().signals)
    if template:
        signals[Signal.LATENCY] = SignalConfig(query=template)
    base = Config(prometheus=PrometheusConfig(url=url, timeout=30.0, scrape_interval=1.0))
    return PrometheusSource(Config(prometheus=base.prometheus, signals=signals))


async def _median(url: str, window: QueryWindow, template: str | None) -> float:
    source = _source(url, template)
    times = []
    try:
        for _ in range(RUNS):
            start = time.perf_counter()
            result = await source.query_signal(Signal.LATENCY, window)
            times.append(time.perf_counter() - start)
            assert result.series, "the query answered nothing"
    finally:
        await source.close()
    return statistics.median(times)


async def _classic(url: str, end: int) -> list[dict[str, object]]:
    window = compute_window(3600, end, 120, 15)
    both = await _median(url, window, None)
    classic = await _median(url, window, DEFAULT_TEMPLATES[Signal.LATENCY])
    source = _source(url)
    try:
        every = await source.query_expr(FLOOD, window)
    finally:
        await source.close()
    target = Target(ref_id="A", expr=FLOOD)

    def lines(count: int) -> float:
        start = time.perf_counter()
        for series in every[:count]:
            sanitize(legend(target, all_labels(series, "job")))
        return time.perf_counter() - start

    before, after = lines(len(every)), lines(200)
    return [
        figure("latency_classic_or_native_s", both, "s", "classic-only template", both / classic),
        figure(
            "dashboard_flood_loop_s",
            after,
            "s",
            f"every line of {len(every):,} series (before)",
            after / before,
        ),
    ]


async def _native(url: str) -> list[dict[str, object]]:
    now = time.time()
    window = compute_window(60, now - 2, 60, 1)
    both = await _median(url, window, None)
    native = await _median(url, window, NATIVE_TEMPLATES[Signal.LATENCY])
    return [figure("latency_native_s", both, "s", "native-only template", both / native)]


def run() -> Iterator[dict[str, object]]:
    prometheus, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if not (prometheus and promtool):
        return
    end = int(time.time()) // 300 * 300
    with backfilled_prometheus(prometheus, promtool, end, 3 * 3600, standard_services()) as srv:
        yield from asyncio.run(_classic(srv.url, end))
    families = {
        "http_request_duration_seconds": [
            NativeHistogram({"job": f"svc-{n}"}, bucket=n % 6 - 3, per_second=10 + n)
            for n in range(20)
        ],
        "http_requests_total": [Counter({"job": "svc-0"}, 10)],
    }
    with native_prometheus(prometheus, families) as srv:
        yield from asyncio.run(_native(srv.url))
