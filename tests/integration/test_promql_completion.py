"""The PromQL prompt's completion lists against the real backfilled prometheus (and
VictoriaMetrics): metric names, a metric's label names, a label's values narrowed by the
matchers typed, the cache, and a list cut short asked again narrowed by the prefix."""

from __future__ import annotations

from support.backfill import HOSTILE
from support.prometheus_fixtures import PrometheusData

from pulse_tui.model.metrics.promql_complete import context_at
from pulse_tui.sources.completion import CompletionCatalog, catalog_for
from pulse_tui.sources.prometheus.source import PrometheusSource

METRICS = {
    "http_requests_total",
    "http_request_duration_seconds_bucket",
    "process_cpu_seconds_total",
    "cpu_limit_cores",
    "queue_processing_latency_seconds_bucket",
    "odd_gauge",
}


def catalog(data: PrometheusData, **options: int) -> tuple[CompletionCatalog, PrometheusSource]:
    source = PrometheusSource(data.config())
    return CompletionCatalog(source, **options), source  # type: ignore[arg-type]


def span(data: PrometheusData) -> tuple[float, float]:
    return float(data.end - 3600), float(data.end)


async def offered(cat: CompletionCatalog, data: PrometheusData, text: str) -> list[str]:
    offer = await cat.offer(context_at(text, len(text)), *span(data))
    assert offer.note is None, offer.note
    return [c.text for c in offer.candidates]


async def test_the_lists_hold_what_the_server_holds(metrics_backend: PrometheusData) -> None:
    data = metrics_backend
    cat, source = catalog(data)
    try:
        names = await cat.metric_names(*span(data))
        assert set(names.names) >= METRICS, names
        labels = await cat.label_names(("http_requests_total",), *span(data))
        assert {"job", "code"} <= set(labels.names) and "le" not in labels.names
        jobs = await cat.label_values("job", ("http_requests_total",), *span(data))
        assert {"api", "checkout", "worker", HOSTILE} <= set(jobs.names)
        codes = await cat.label_values("code", ('http_requests_total{job="api"}',), *span(data))
        assert codes.names == ("200", "404", "500")
    finally:
        await source.close()


async def test_the_prompt_offers_metrics_labels_and_values_as_typed(
    prometheus_data: PrometheusData,
) -> None:
    cat, source = catalog(prometheus_data)
    try:
        assert await offered(cat, prometheus_data, "rate(http_req") == [
            "http_request_duration_seconds_bucket",
            "http_requests_total",
        ]
        queue = "queue_processing_latency_seconds_bucket"
        assert await offered(cat, prometheus_data, queue + "{") == ["job", "le", "queue"]
        # In `by (…)`: the label names of the metrics the expression selects.
        grouping = f"sum by (q|) (rate({queue}[5m]))"
        at = context_at(grouping.replace("|", ""), grouping.index("|"))
        offer = await cat.offer(at, *span(prometheus_data))
        assert [c.text for c in offer.candidates] == ["queue"]
        text = 'http_requests_total{job="checkout", code="'
        assert await offered(cat, prometheus_data, text) == ["200", "500"]
        assert await offered(cat, prometheus_data, 'cpu_limit_cores{job="w') == ["worker"]
    finally:
        await source.close()


async def test_a_list_is_asked_once_then_cached(prometheus_data: PrometheusData) -> None:
    cat, source = catalog(prometheus_data)
    try:
        for _ in range(3):
            await cat.label_names(("http_requests_total",), *span(prometheus_data))
        assert cat.requests == 1 and source.requests_made == 1
    finally:
        await source.close()


async def test_a_list_cut_short_is_asked_again_narrowed_by_the_prefix(
    prometheus_data: PrometheusData,
) -> None:
    cat, source = catalog(prometheus_data, max_values=2)
    try:
        jobs = await cat.label_values("job", ("http_requests_total",), *span(prometheus_data))
        assert jobs.truncated and len(jobs.names) == 2
        narrowed = await cat.label_values(
            "job", ("http_requests_total",), *span(prometheus_data), prefix="wor"
        )
        assert narrowed.names == ("worker",) and not narrowed.truncated
        # The hostile name's regex metacharacters are escaped, so it is found as typed.
        hostile = await cat.label_values(
            "job", ("http_requests_total",), *span(prometheus_data), prefix='we"ird\\[/]'
        )
        assert hostile.names == (HOSTILE,)
    finally:
        await source.close()


async def test_an_error_is_the_servers_words_and_no_candidates(
    prometheus_data: PrometheusData,
) -> None:
    cat, source = catalog(prometheus_data)
    try:
        listing = await cat.label_names(("up{",), *span(prometheus_data))
        assert listing.names == () and listing.error is not None
        assert "Prometheus rejected the label names (HTTP 400 Bad Request)" in listing.error
        assert "bad_data" in listing.error and "parse error" in listing.error, listing.error
    finally:
        await source.close()


def test_a_source_without_a_label_api_says_so() -> None:
    cat = catalog_for(object())
    assert not cat.available
