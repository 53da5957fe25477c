"""Native histograms (issue #15 row 14) against a real prometheus scraping them.

Prometheus 2.42 keeps a native histogram only with `--enable-feature=native-histograms`
and only from a protobuf scrape, so these tests run a prometheus that scrapes a small
protobuf exporter every second (support/native_histograms.py). Each histogram holds every
observation in one known bucket, so each quantile is a known point inside it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from support.binaries import require_binary
from support.native_histograms import Counter, Exported, NativeHistogram, native_prometheus
from support.prometheus_server import PrometheusProcess
from ui.harness import screen_text, wait_until

from pulse_tui.cli.summary import collect_summary
from pulse_tui.config import Config, PrometheusConfig, SignalConfig
from pulse_tui.model.core.units import format_value
from pulse_tui.model.metrics.signals import Signal, SignalResult
from pulse_tui.model.metrics.step import compute_window, recent_window
from pulse_tui.sources.prometheus.source import PrometheusSource
from pulse_tui.ui.app import PulseApp
from pulse_tui.ui.widgets.metrics.service_table import ServiceTable

pytestmark = pytest.mark.integration

#: api's requests all take (0.25 s, 0.5 s], checkout's (1 s, 2 s]; the worker's emails
#: (2 s, 4 s] and its sms (0.5 s, 1 s].
API = NativeHistogram({"job": "api"}, bucket=-1, per_second=50)
CHECKOUT = NativeHistogram({"job": "checkout"}, bucket=1, per_second=20)
EMAILS = NativeHistogram({"job": "worker", "queue": "emails"}, bucket=2, per_second=5)
SMS = NativeHistogram({"job": "worker", "queue": "sms"}, bucket=0, per_second=8)
FAMILIES: dict[str, list[Exported]] = {
    "http_request_duration_seconds": [API, CHECKOUT],
    "queue_processing_latency_seconds": [EMAILS, SMS],
    "http_requests_total": [Counter({"job": "api"}, 50), Counter({"job": "checkout"}, 20)],
}
QUANTILES = {"p50": 0.5, "p90": 0.9, "p99": 0.99}
SCRAPE = 1.0
#: A user's own latency template written for a classic histogram.
CLASSIC_ONLY = (
    "histogram_quantile($quantile, sum by (le, $service_label) "
    "(rate(http_request_duration_seconds_bucket{$filter}[$window])))"
)


def exact(value: float) -> object:
    """Equal up to float rounding in PromQL's arithmetic."""
    return pytest.approx(value, rel=1e-9)


@pytest.fixture(scope="module")
def native() -> Iterator[PrometheusProcess]:
    with native_prometheus(require_binary("prometheus"), FAMILIES) as server:
        yield server


def config(server: PrometheusProcess, **signals: SignalConfig) -> Config:
    base = Config(prometheus=PrometheusConfig(url=server.url, timeout=5.0, scrape_interval=SCRAPE))
    chosen = dict(base.signals)
    chosen.update({Signal(name): settings for name, settings in signals.items()})
    return replace(base, signals=chosen)


async def query(source: PrometheusSource, signal: Signal) -> SignalResult:
    now = time.time()
    window = compute_window(300, now, 60, SCRAPE)
    return await source.query_signal(signal, window, recent=recent_window(now, SCRAPE))


def now_values(result: SignalResult) -> dict[tuple[str, str], float | None]:
    """(service, quantile or queue) -> the value now."""
    return {(s.service, " ".join(s.labels.values())): s.latest() for s in result.current()}


@pytest.fixture
async def source(native: PrometheusProcess) -> Iterator[PrometheusSource]:
    src = PrometheusSource(config(native))
    yield src
    await src.close()


async def test_latency_quantiles_come_from_the_native_histogram(
    source: PrometheusSource,
) -> None:
    result = await query(source, Signal.LATENCY)
    assert result.note is None
    expected = {
        (h.labels["job"], label): exact(h.quantile(q))
        for h in (API, CHECKOUT)
        for label, q in QUANTILES.items()
    }
    assert now_values(result) == expected
    # The chart has them too, not only the current values.
    assert {s.service for s in result.series} == {"api", "checkout"}


async def test_queue_p99_per_queue_from_the_native_histogram(source: PrometheusSource) -> None:
    result = await query(source, Signal.QUEUE)
    assert now_values(result) == {
        ("worker", "emails"): exact(EMAILS.quantile(0.99)),
        ("worker", "sms"): exact(SMS.quantile(0.99)),
    }


async def test_summary_reads_the_same_values(source: PrometheusSource) -> None:
    rows = {
        row["service"]: row for row in await collect_summary(source, 300, scrape_interval=SCRAPE)
    }
    assert rows["api"]["latency_p50_s"] == exact(API.quantile(0.5))
    assert rows["checkout"]["latency_p99_s"] == exact(CHECKOUT.quantile(0.99))
    assert rows["worker"]["queue_p99_s"] == exact(EMAILS.quantile(0.99))
    assert rows["worker"]["queues"] == {
        "emails": exact(EMAILS.quantile(0.99)),
        "sms": exact(SMS.quantile(0.99)),
    }


async def test_an_own_classic_template_says_what_the_series_is_and_how_to_query_it(
    native: PrometheusProcess,
) -> None:
    # Charts asked for every time (no settled chart kept), so the count below is the
    # panel's two queries whatever the clock says: what it checks is that no check is sent.
    source = PrometheusSource(
        config(native, latency=SignalConfig(query=CLASSIC_ONLY)), keep_settled_charts=False
    )
    try:
        result = await query(source, Signal.LATENCY)
        assert result.series == ()
        assert result.note is not None
        assert result.note == (
            "http_request_duration_seconds is a native histogram, "
            "not http_request_duration_seconds_bucket"
        )
        assert result.hint is not None
        assert result.hint.startswith("set signals.latency.query to histogram_quantile(")
        # Asked once: the next empty refresh sends the panel's two queries and no check.
        before = source.requests_made
        await query(source, Signal.LATENCY)
        assert source.requests_made - before == 2
    finally:
        await source.close()
    # The template it offers is true: as the panel's own, it answers the same values.
    offered = result.hint.split(".query to ", 1)[1]
    fixed = PrometheusSource(config(native, latency=SignalConfig(query=offered)))
    try:
        answer = await query(fixed, Signal.LATENCY)
    finally:
        await fixed.close()
    assert now_values(answer)[("api", "p99")] == exact(API.quantile(0.99))
    assert now_values(answer)[("checkout", "p50")] == exact(CHECKOUT.quantile(0.5))


async def test_the_queue_panel_hint_keeps_its_lines_per_queue(native: PrometheusProcess) -> None:
    own = (
        "histogram_quantile(0.99, sum by (le, $service_label, queue) "
        "(rate(queue_processing_latency_seconds_bucket{$filter}[$window])))"
    )
    source = PrometheusSource(config(native, queue=SignalConfig(query=own)))
    try:
        result = await query(source, Signal.QUEUE)
    finally:
        await source.close()
    assert result.note == (
        "queue_processing_latency_seconds is a native histogram, "
        "not queue_processing_latency_seconds_bucket"
    )
    assert result.hint is not None
    offered = result.hint.split(".query to ", 1)[1]
    fixed = PrometheusSource(config(native, queue=SignalConfig(query=offered)))
    try:
        answer = await query(fixed, Signal.QUEUE)
    finally:
        await fixed.close()
    assert now_values(answer) == {
        ("worker", "emails"): exact(EMAILS.quantile(0.99)),
        ("worker", "sms"): exact(SMS.quantile(0.99)),
    }


async def test_a_metric_that_is_not_there_is_still_no_data(native: PrometheusProcess) -> None:
    template = CLASSIC_ONLY.replace("http_request_duration", "grpc_server_handling")
    source = PrometheusSource(config(native, latency=SignalConfig(query=template)))
    try:
        result = await query(source, Signal.LATENCY)
    finally:
        await source.close()
    assert result.note == "no data for grpc_server_handling_seconds_bucket"


def make_app(cfg: Config) -> PulseApp:
    cfg = replace(cfg, dashboard=replace(cfg.dashboard, refresh=1.0), prometheus_defaulted=False)
    return PulseApp(cfg, PrometheusSource(cfg), [])


async def test_the_dashboard_shows_native_quantiles_in_panels_and_table(
    native: PrometheusProcess,
) -> None:
    app = make_app(config(native))
    async with app.run_test(size=(200, 50)) as pilot:

        def loaded() -> bool:
            rows = {row.service: row for row in app.query_one(ServiceTable).rows_data}
            return (
                all(
                    rows.get(service) is not None and rows[service].p99 is not None
                    for service in ("api", "checkout")
                )
                and "worker" in rows
                and rows["worker"].queue is not None
            )

        await wait_until(pilot, loaded, timeout=30)
        await pilot.pause(0.1)
        rows = {row.service: row for row in app.query_one(ServiceTable).rows_data}
        assert rows["api"].p50 == exact(API.quantile(0.5))
        assert rows["checkout"].p99 == exact(CHECKOUT.quantile(0.99))
        assert rows["worker"].queue == exact(EMAILS.quantile(0.99))
        table = app.query_one(ServiceTable)
        assert table.get_cell("checkout", "p99").plain == format_value(
            CHECKOUT.quantile(0.99), "s", compact=True
        )
        text = screen_text(app)
        # The latency headline: the slowest service's p99; the queue's: the worst queue.
        assert format_value(CHECKOUT.quantile(0.99), "s") in text
        assert format_value(EMAILS.quantile(0.99), "s") in text
        assert "no data for http_request_duration" not in text
        assert "no data for queue_processing" not in text


async def test_the_panel_of_an_own_classic_template_shows_the_hint(
    native: PrometheusProcess,
) -> None:
    app = make_app(config(native, latency=SignalConfig(query=CLASSIC_ONLY)))
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_until(pilot, lambda: "is a native histogram" in screen_text(app), timeout=30)
        panel = app.dashboard.panel(Signal.LATENCY)
        assert panel.result is not None and panel.result.hint is not None
        # The hint, wrapped in the chart's place: all of it is on screen, in order.
        lines = screen_text(app).splitlines()
        top = next(i for i, line in enumerate(lines) if line.startswith("╭─ Latency"))
        inside = [line.split("│")[1].strip() for line in lines[top + 2 : top + 14]]
        assert panel.result.hint.replace(" ", "") in "".join(inside).replace(" ", "")
