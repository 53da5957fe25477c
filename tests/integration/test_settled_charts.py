"""A refresh does not ask again for a chart that cannot change, and a late sample still
shows (sources/prometheus/settled.py), against a real Prometheus scraping a real exporter
every second.

The exporter serves one gauge; the test sets its value. The chart's window is given
explicitly: one that ended more than two scrapes ago is final at once; one that ends in the near
future is not final until two scrapes after its end, so every refresh before that asks
for it again and sees a sample scraped after the last answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.binaries import require_binary
from support.prometheus_server import run_prometheus

from pulse_tui.config import Config, PrometheusConfig, SignalConfig
from pulse_tui.model.metrics.signals import QueryWindow, Signal
from pulse_tui.model.metrics.step import recent_window
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.prometheus.source import PrometheusSource

pytestmark = pytest.mark.integration

#: The saturation panel reads the exporter's gauge as it is.
TEMPLATE = "sum by ($service_label) (pulse_test_gauge{$filter})"


class _Gauge:
    """A /metrics endpoint with one gauge, `pulse_test_gauge`, set by the test."""

    def __init__(self) -> None:
        self.value = 1.0
        gauge = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                body = f"# TYPE pulse_test_gauge gauge\npulse_test_gauge {gauge.value}\n".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"


@contextlib.contextmanager
def scraped_gauge() -> Iterator[tuple[_Gauge, str]]:
    """The gauge, scraped every second as job "api" by a real Prometheus (its URL)."""
    binary = require_binary("prometheus")
    gauge = _Gauge()
    scrape = f"  - job_name: api\n    static_configs:\n      - targets: ['{gauge.target}']\n"
    try:
        with (
            tempfile.TemporaryDirectory(prefix="pulse-settled-") as tmp,
            run_prometheus(binary, Path(tmp), scrape_configs=scrape, scrape_interval="1s") as prom,
        ):
            yield gauge, prom.url
    finally:
        gauge.server.shutdown()


def make_source(url: str) -> PrometheusSource:
    signals = dict(Config().signals)
    signals[Signal.SATURATION] = SignalConfig(query=TEMPLATE)
    prometheus = PrometheusConfig(url=url, timeout=5.0, scrape_interval=1.0)
    config = replace(Config(prometheus=prometheus), signals=signals)
    return PrometheusSource(config, keep_settled_charts=True)


def newest(values: list[float]) -> float:
    return next(v for v in reversed(values) if math.isfinite(v))


def wait_for_samples(source: PrometheusSource, value: float, timeout: float = 20.0) -> None:
    """Until Prometheus has scraped the gauge at `value` (an instant query, not counted
    by the test: it looks at requests around its own calls)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        window = recent_window(time.time(), 1.0)
        series = asyncio.run(source.query_expr("pulse_test_gauge", window))
        if series and series[0].values and newest(list(series[0].values)) == value:
            return
        time.sleep(0.2)
    raise AssertionError(f"the gauge at {value} was never scraped")


def test_a_chart_whose_window_ended_long_ago_is_asked_for_once() -> None:
    with scraped_gauge() as (_, url):
        source = make_source(url)
        wait_for_samples(source, 1.0)
        time.sleep(4.0)  # samples before the window's end
        # Ended 3 s ago at a 1 s scrape: every sample of it is in (settle: 2 s).
        end = float(math.floor(time.time()) - 3)
        window = QueryWindow(start=end - 10, end=end, step=1.0, rate_window=2.0)

        async def refresh() -> tuple[int, float, float]:
            before = source.requests_made
            result = await source.query_signal(
                Signal.SATURATION, window, recent=recent_window(time.time(), 1.0)
            )
            chart = newest(list(result.series[0].values))
            current = result.current()[0].latest()
            assert current is not None
            return source.requests_made - before, chart, current

        first = asyncio.run(refresh())
        second = asyncio.run(refresh())
        # The first refresh asks for the chart and the current values; the second only
        # for the current values, and shows the same chart.
        assert first == (2, 1.0, 1.0)
        assert second == (1, 1.0, 1.0)


def test_a_sample_scraped_after_the_answer_is_shown_while_the_window_is_not_final() -> None:
    with scraped_gauge() as (gauge, url):
        source = make_source(url)
        wait_for_samples(source, 1.0)
        # Ends 3 s from now: until 2 s after that, a refresh asks for the chart again.
        end = float(math.floor(time.time()) + 3)
        window = QueryWindow(start=end - 60, end=end, step=1.0, rate_window=2.0)

        async def chart() -> tuple[int, float]:
            before = source.requests_made
            result = await source.query_signal(
                Signal.SATURATION, window, recent=recent_window(time.time(), 1.0)
            )
            return source.requests_made - before, newest(list(result.series[0].values))

        # Each refresh: the chart and the current values.
        assert asyncio.run(chart()) == (2, 1.0)
        gauge.value = 7.0
        wait_for_samples(source, 7.0)
        # The same window again: its last points now hold the sample scraped since.
        assert asyncio.run(chart()) == (2, 7.0)
        # Once two scrapes past its end, one more answer is final and kept.
        while time.time() < end + 2.5:
            time.sleep(0.2)
        asked, final = asyncio.run(chart())
        assert asked == 2 and final == 7.0
        assert asyncio.run(chart()) == (1, 7.0)


def test_without_current_values_a_kept_chart_is_asked_for_again() -> None:
    """A call that would ask the server nothing could not tell an outage: it asks."""
    with scraped_gauge() as (_, url):
        source = make_source(url)
        wait_for_samples(source, 1.0)
        time.sleep(4.0)
        end = float(math.floor(time.time()) - 3)
        window = QueryWindow(start=end - 10, end=end, step=1.0, rate_window=2.0)
        recent = recent_window(time.time(), 1.0)
        asyncio.run(source.query_signal(Signal.SATURATION, window, recent=recent))
        before = source.requests_made
        result = asyncio.run(source.query_signal(Signal.SATURATION, window))
        assert source.requests_made - before == 1
        assert newest(list(result.series[0].values)) == 1.0


def test_the_current_values_failing_fail_the_panel_when_its_chart_is_kept() -> None:
    with scraped_gauge() as (_, url):
        source = make_source(url)
        wait_for_samples(source, 1.0)
        time.sleep(4.0)
        end = float(math.floor(time.time()) - 3)
        window = QueryWindow(start=end - 10, end=end, step=1.0, rate_window=2.0)
        recent = recent_window(time.time(), 1.0)
        asyncio.run(source.query_signal(Signal.SATURATION, window, recent=recent))
        # The kept chart is still the server's answer, but "updated just now" would say
        # nothing true with no current values: the panel fails as a whole instead.
        broken = QueryWindow(start=recent.end, end=recent.start, step=1.0, rate_window=2.0)
        with pytest.raises(SourceError):
            asyncio.run(source.query_signal(Signal.SATURATION, window, recent=broken))
