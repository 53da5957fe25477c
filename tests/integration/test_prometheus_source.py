"""PrometheusSource against a real prometheus holding known data (support/backfill.py).

The panels' queries run against each backend (`metrics_backend`: Prometheus and
VictoriaMetrics hold the same data); what only Prometheus does stays on `prometheus_data`."""

from __future__ import annotations

import asyncio
import math
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import replace

import pytest
from support.backfill import EXPECTED, HOSTILE, INCIDENT
from support.binaries import require_binary
from support.process import free_port
from support.prometheus_fixtures import PrometheusData
from support.prometheus_server import FaultProxy, run_prometheus

from pulse_tui.config import SignalConfig
from pulse_tui.model.metrics.signals import Signal, SignalResult
from pulse_tui.model.metrics.step import compute_window, recent_window
from pulse_tui.sources.base import MetricsSource
from pulse_tui.sources.prometheus.http import RetryPolicy
from pulse_tui.sources.prometheus.source import PrometheusSource

pytestmark = pytest.mark.integration


def latest(result: SignalResult, service: str, **labels: str) -> float | None:
    for series in result.for_service(service):
        if all(series.labels.get(k) == v for k, v in labels.items()):
            return series.latest()
    raise AssertionError(f"no series for {service} {labels} in {result.series}")


@pytest.fixture
async def source(metrics_backend: PrometheusData):
    src = PrometheusSource(metrics_backend.config())
    yield src
    await src.close()


@pytest.fixture
def window(metrics_backend: PrometheusData):
    return compute_window(3600, metrics_backend.end, 120, 15)


def test_is_a_metrics_source(prometheus_data: PrometheusData) -> None:
    assert isinstance(PrometheusSource(prometheus_data.config()), MetricsSource)


async def test_traffic_per_service(source: PrometheusSource, window) -> None:
    result = await source.query_signal(Signal.TRAFFIC, window)
    assert result.unit == "req/s"
    assert result.services() == sorted(EXPECTED["traffic"])
    for service, rps in EXPECTED["traffic"].items():
        assert latest(result, service) == pytest.approx(rps, rel=1e-9)
    # 1h / 30s steps, both ends included, every point present.
    assert all(len(s.values) == 121 for s in result.series)
    assert result.series[0].timestamps[-1] == window.end


async def test_error_ratio_zero_when_no_5xx(source: PrometheusSource, window) -> None:
    result = await source.query_signal(Signal.ERRORS, window)
    for service, ratio in EXPECTED["errors"].items():
        assert latest(result, service) == pytest.approx(ratio, rel=1e-9, abs=1e-12)
    assert result.unit == "ratio"


async def test_incident_shows_in_checkout_errors(
    source: PrometheusSource, metrics_backend: PrometheusData
) -> None:
    window = compute_window(3 * 3600 - 600, metrics_backend.end, 120, 15)
    result = await source.query_signal(Signal.ERRORS, window, ["checkout"])
    (checkout,) = result.series
    assert checkout.worst() == pytest.approx(EXPECTED["incident_error_ratio"], rel=1e-9)
    during = [
        v
        for t, v in zip(checkout.timestamps, checkout.values, strict=True)
        if metrics_backend.end - INCIDENT + 600 <= t <= metrics_backend.end - INCIDENT + 1200
    ]
    assert during and all(v == pytest.approx(0.5, rel=1e-9) for v in during)


async def test_latency_quantiles_in_one_request(source: PrometheusSource, window) -> None:
    before = source.requests_made
    result = await source.query_signal(Signal.LATENCY, window)
    assert source.requests_made - before == 1
    for service, quantiles in EXPECTED["latency"].items():
        for quantile, seconds in quantiles.items():
            assert latest(result, service, quantile=quantile) == pytest.approx(seconds, rel=1e-9)
    assert {s.name for s in result.for_service("api")} == {"api p50", "api p90", "api p99"}


async def test_saturation_in_cores(source: PrometheusSource, window) -> None:
    result = await source.query_signal(Signal.SATURATION, window)
    assert result.unit == "cores"
    for service, cores in EXPECTED["saturation"].items():
        assert latest(result, service) == pytest.approx(cores, rel=1e-9)


async def test_saturation_with_limit_query_in_percent(
    metrics_backend: PrometheusData, window
) -> None:
    config = metrics_backend.config()
    signals = dict(config.signals)
    signals[Signal.SATURATION] = SignalConfig(
        unit="cores", limit_query="sum by ($service_label) (cpu_limit_cores{$filter})"
    )
    source = PrometheusSource(replace(config, signals=signals))
    result = await source.query_signal(Signal.SATURATION, window)
    assert result.unit == "%"
    for service, percent in EXPECTED["limit_percent"].items():
        assert latest(result, service) == pytest.approx(percent, rel=1e-9)
    assert HOSTILE not in result.services()  # no limit known, so no percentage


async def test_queue_p99_per_queue(source: PrometheusSource, window) -> None:
    result = await source.query_signal(Signal.QUEUE, window)
    for queue, seconds in EXPECTED["queue"].items():
        assert latest(result, "worker", queue=queue) == pytest.approx(seconds, rel=1e-9)


async def test_filter_narrows_in_the_same_single_query(source: PrometheusSource, window) -> None:
    before = source.requests_made
    result = await source.query_signal(Signal.TRAFFIC, window, ["api", "worker"])
    assert result.services() == ["api", "worker"]
    assert source.requests_made - before == 1


async def test_hostile_service_name_is_escaped(source: PrometheusSource, window) -> None:
    result = await source.query_signal(Signal.TRAFFIC, window, [HOSTILE])
    assert result.services() == [HOSTILE]
    assert latest(result, HOSTILE) == pytest.approx(0.5)
    both = await source.query_signal(Signal.TRAFFIC, window, [HOSTILE, "api"])
    assert both.services() == sorted([HOSTILE, "api"])


async def test_services_and_probe(
    source: PrometheusSource, metrics_backend: PrometheusData
) -> None:
    assert await source.services() == sorted(["api", "checkout", "worker", HOSTILE])
    line = await source.probe()
    # Prometheus names its version; VictoriaMetrics' build info is empty, and a query
    # proves it speaks the API all the same.
    name = "Prometheus 2." if metrics_backend.backend == "prometheus" else "Prometheus API at"
    assert line.startswith(name)
    assert line.endswith("4 services")


async def test_compare_overlay_lines_up_with_an_hour_ago(
    source: PrometheusSource, metrics_backend: PrometheusData
) -> None:
    window = compute_window(1800, metrics_backend.end, 60, 15)
    result = await source.query_signal(
        Signal.ERRORS, window, ["checkout"], compare_offset=INCIDENT - 600
    )
    (now,) = result.series
    (then,) = result.compare
    assert then.timestamps == now.timestamps  # shifted onto the current range
    assert now.latest() == pytest.approx(0.02, rel=1e-9)
    assert then.worst() == pytest.approx(0.5, rel=1e-9)


async def test_nan_and_infinities_become_floats(prometheus_data: PrometheusData) -> None:
    window = compute_window(3600, prometheus_data.end, 120, 15)
    config = prometheus_data.config()
    signals = dict(config.signals)
    signals[Signal.SATURATION] = SignalConfig(query="odd_gauge{$filter}", unit="x")
    source = PrometheusSource(replace(config, signals=signals))
    result = await source.query_signal(Signal.SATURATION, window)
    values = {s.service: s.values[-1] for s in result.series}
    assert math.isnan(values["nan"])
    assert values["inf"] == math.inf
    assert values["ninf"] == -math.inf
    assert all(s.latest() is None for s in result.series)  # charts find nothing to draw
    assert result.series[0].labels == {}  # __name__ is not a legend label


async def test_empty_result_names_the_metric(source: PrometheusSource, window) -> None:
    result = await source.query_signal(Signal.TRAFFIC, window, ["no-such-service"])
    assert result.series == ()
    assert result.note == "no data for http_requests_total"


async def test_live_exporter_values_refresh(tmp_path) -> None:
    """A live scrape (1 s interval): each refresh sees newer points, the live path."""
    from prometheus_client import CollectorRegistry, Counter, start_http_server

    binary = require_binary("prometheus")
    registry = CollectorRegistry()
    requests = Counter("http_requests", "served", ["code"], registry=registry)
    port = free_port()
    server, _thread = start_http_server(port, addr="127.0.0.1", registry=registry)
    stop = threading.Event()

    def serve() -> None:  # ~50 req/s of fake traffic
        while not stop.wait(0.02):
            requests.labels(code="200").inc()

    threading.Thread(target=serve, daemon=True).start()
    scrape = f"  - job_name: live\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n"
    try:
        with run_prometheus(binary, tmp_path, scrape, scrape_interval="1s") as prom:
            from pulse_tui.config import Config, PrometheusConfig

            source = PrometheusSource(
                Config(prometheus=PrometheusConfig(url=prom.url, scrape_interval=1, timeout=5))
            )
            seen: list[float] = []
            deadline = time.monotonic() + 20
            while len(seen) < 2 and time.monotonic() < deadline:
                window = compute_window(60, time.time(), 60, 1)
                result = await source.query_signal(Signal.TRAFFIC, window, ["live"])
                if result.series and result.series[0].latest() is not None:
                    stamp = result.series[0].timestamps[-1]
                    if not seen or stamp > seen[-1]:
                        seen.append(stamp)
                        assert result.series[0].latest() > 0
                await asyncio.sleep(0.3)
            assert len(seen) == 2, "the live series never advanced"
            assert await source.services() == ["live"]
    finally:
        stop.set()
        server.shutdown()


async def test_counts_requests_and_compressed_bytes(
    source: PrometheusSource, metrics_backend: PrometheusData, window
) -> None:
    results = [await source.query_signal(signal, window) for signal in Signal]
    assert all(r.series for r in results)
    assert source.requests_made == len(Signal)  # one HTTP request per panel
    # The same latency query fetched uncompressed is bigger than what the source received.
    before = source.bytes_received
    await source.query_signal(Signal.LATENCY, window)
    params = {
        "query": source.panel_query(Signal.LATENCY, window).expr,
        "start": window.start,
        "end": window.end,
        "step": window.step,
    }
    url = f"{metrics_backend.url}/api/v1/query_range?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url) as response:
        plain = len(response.read())
    assert 0 < source.bytes_received - before < plain


async def test_recent_minutes_come_in_one_more_request_at_the_scrape_step(
    source: PrometheusSource, metrics_backend: PrometheusData
) -> None:
    end = metrics_backend.end
    chart = compute_window(7 * 86400, end, 70, 15)
    recent = recent_window(end, 15)
    before = source.requests_made
    result = await source.query_signal(Signal.LATENCY, chart, recent=recent)
    assert source.requests_made - before == 2  # the chart's query and the recent one
    assert result.window == chart and chart.step == 3 * 3600  # the chart keeps its step
    assert result.recent is not None and result.recent.error is None
    assert result.recent.window == recent
    checkout = [s for s in result.recent.series if s.service == "checkout"]
    assert all(len(s.timestamps) == 21 and s.timestamps[-1] == end for s in checkout)
    now = {(s.service, s.labels["quantile"]): s.latest() for s in result.current()}
    for service, quantiles in EXPECTED["latency"].items():
        for quantile, seconds in quantiles.items():
            assert now[(service, quantile)] == pytest.approx(seconds, rel=1e-9)


async def test_compare_overlay_has_its_own_value_at_the_same_instant(
    source: PrometheusSource, metrics_backend: PrometheusData
) -> None:
    # An hour back from 10 minutes into the incident: the overlay's value then was 50 %.
    at = metrics_backend.end - INCIDENT + 600 + 3600
    result = await source.query_signal(
        Signal.ERRORS,
        compute_window(86400, at, 70, 15),
        ["checkout"],
        compare_offset=3600,
        recent=recent_window(at, 15),
    )
    assert [s.latest() for s in result.current()] == [pytest.approx(0.02, rel=1e-9)]
    assert [s.latest() for s in result.compare_current()] == [pytest.approx(0.5, rel=1e-9)]


async def test_a_failed_recent_query_leaves_the_chart_and_says_why(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy
) -> None:
    original = fault_proxy._handle

    def reject_the_recent_query(handler) -> None:
        if "step=15&" in handler.path or handler.path.endswith("step=15"):
            FaultProxy._send(handler, 503, b"overloaded", "text/plain", ())
        else:
            original(handler)

    fault_proxy._handle = reject_the_recent_query  # type: ignore[method-assign]
    source = PrometheusSource(prometheus_data.config(fault_proxy.url), retry=RetryPolicy(1))
    chart = compute_window(3600, prometheus_data.end, 60, 15)
    result = await source.query_signal(
        Signal.TRAFFIC, chart, recent=recent_window(prometheus_data.end, 15)
    )
    assert result.recent is not None and result.recent.series == ()
    assert "failed the traffic query (current values) (HTTP 503" in (result.recent.error or "")
    # The chart's newest points stand in, saying nothing new.
    assert result.current() == result.series
    assert {s.service: s.latest() for s in result.current()} == pytest.approx(EXPECTED["traffic"])
