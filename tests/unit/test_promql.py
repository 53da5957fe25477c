"""The PromQL the panels send: defaults, the service filter and its escaping."""

from __future__ import annotations

import re

import pytest

from pulse_tui.model.metrics.promql import (
    DEFAULT_TEMPLATES,
    build_query,
    escape_string,
    metric_names,
    native_histogram_hint,
    native_histogram_note,
    service_matcher,
)
from pulse_tui.model.metrics.signals import Signal


def test_escape_string_handles_backslash_quote_and_newlines() -> None:
    assert escape_string('a\\b"c\nd\re\tf') == 'a\\\\b\\"c\\nd\\re\\tf'


def test_no_services_means_no_matcher() -> None:
    assert service_matcher("job", []) == ""


def test_one_service_is_an_exact_match() -> None:
    assert service_matcher("job", ["api.v2"]) == 'job="api.v2"'


def test_several_services_are_an_escaped_regex() -> None:
    matcher = service_matcher("service", ["checkout", "api.v2"])
    # Sorted, the dot escaped for RE2 and that backslash escaped again for the string.
    assert matcher == 'service=~"api\\\\.v2|checkout"'


def test_hostile_names_survive_both_escapings() -> None:
    hostile = 'we"ird\\[/]svc[link=x]'
    matcher = service_matcher("job", [hostile, "api"])
    literal = matcher.removeprefix('job=~"').removesuffix('"')
    # Undo the string escaping as PromQL's lexer would, then use the regex like RE2 would.
    pattern = literal.encode().decode("unicode_escape")
    assert re.fullmatch(pattern, hostile)
    assert re.fullmatch(pattern, "api")
    assert not re.fullmatch(pattern, "apix")


def test_traffic_default_fills_label_window_and_filter() -> None:
    query = build_query(Signal.TRAFFIC, service_label="svc", window_seconds=120, services=["a"])
    assert query.expr == 'sum by (svc) (rate(http_requests_total{svc="a"}[120s]))'
    assert query.unit == "req/s"
    assert query.no_data_note == "no data for http_requests_total"


def test_errors_use_status_label_and_keep_zero_error_services() -> None:
    query = build_query(Signal.ERRORS, status_label="status", window_seconds=60)
    assert 'http_requests_total{status=~"5..",}[60s]' in query.expr
    # A service with traffic but no 5xx series stays, as 0.
    assert " or 0 * sum by (job)" in query.expr
    assert query.unit == "ratio"


def test_latency_is_one_query_for_three_quantiles() -> None:
    query = build_query(Signal.LATENCY, window_seconds=60, services=["a", "b"])
    for quantile, label in (("0.5", "p50"), ("0.9", "p90"), ("0.99", "p99")):
        assert f"histogram_quantile({quantile}, sum by (le, job)" in query.expr
        assert f'"quantile", "{label}", "", "")' in query.expr
        # Each quantile from the classic histogram, or else from the native one.
        assert f"histogram_quantile({quantile}, sum by (job) (rate(" in query.expr
    # Two joining the three quantiles, and one per quantile joining the two forms.
    assert query.expr.count(" or ") == 2 + 3
    assert query.expr.count('job=~"a|b"') == 3 * 2
    assert 'rate(http_request_duration_seconds{job=~"a|b"}[60s])' in query.expr


def test_queue_groups_by_queue() -> None:
    query = build_query(Signal.QUEUE, window_seconds=60)
    assert "sum by (le, job, queue)" in query.expr
    assert " or histogram_quantile(0.99, sum by (job, queue) (rate(" in query.expr
    assert query.metrics == (
        "queue_processing_latency_seconds_bucket",
        "queue_processing_latency_seconds",
    )


def test_an_own_histogram_template_is_sent_as_written() -> None:
    template = (
        "histogram_quantile(0.99, sum by (le, $service_label) (rate(x_bucket{$filter}[$window])))"
    )
    query = build_query(Signal.QUEUE, template=template, window_seconds=60)
    assert query.expr == "histogram_quantile(0.99, sum by (le, job) (rate(x_bucket{}[60s])))"


def test_the_native_histogram_hint_is_a_template_for_the_signal() -> None:
    assert native_histogram_note("x") == "x is a native histogram, not x_bucket"
    latency = native_histogram_hint("x", Signal.LATENCY, "svc")
    assert latency == (
        "set signals.latency.query to histogram_quantile($quantile, sum by (svc) "
        "(rate(x{$filter}[$window])))"
    )
    template = latency.split(" to ", 1)[1]
    # It is a template build_query takes, and fills as it fills the built-in one.
    expr = build_query(Signal.LATENCY, template=template, window_seconds=60).expr
    assert "histogram_quantile(0.99, sum by (svc) (rate(x{}[60s])))" in expr
    assert native_histogram_hint("q", Signal.QUEUE, "job") == (
        "set signals.queue.query to histogram_quantile(0.99, sum by (job, queue) "
        "(rate(q{$filter}[$window])))"
    )


def test_saturation_limit_query_makes_percent() -> None:
    query = build_query(
        Signal.SATURATION,
        unit="cores",
        limit_template="sum by ($service_label) (cpu_limit_cores{$filter})",
        window_seconds=60,
    )
    assert query.expr == (
        "100 * (sum by (job) (rate(process_cpu_seconds_total{}[60s])))"
        " / on (job) (sum by (job) (cpu_limit_cores{}))"
    )
    assert query.unit == "%"
    assert query.metrics == ("process_cpu_seconds_total", "cpu_limit_cores")


def test_saturation_limit_query_as_ratio() -> None:
    query = build_query(
        Signal.SATURATION, unit="ratio", limit_template="limit{$filter}", window_seconds=60
    )
    assert query.expr.startswith("(sum by")
    assert query.unit == "ratio"


def test_custom_template_without_metric_braces_names_the_signal() -> None:
    query = build_query(Signal.TRAFFIC, template="vector(1)", window_seconds=60)
    assert query.no_data_note == "no data for the traffic query"


def test_unknown_placeholder_is_named() -> None:
    with pytest.raises(ValueError, match=r"unknown placeholder \$service"):
        build_query(Signal.TRAFFIC, template="sum by ($service) (x)")


def test_lone_dollar_is_explained() -> None:
    with pytest.raises(ValueError, match=r"\$\$"):
        build_query(Signal.TRAFFIC, template='x{a="$ "}')


def test_metric_names_in_order_without_repeats() -> None:
    assert metric_names(DEFAULT_TEMPLATES[Signal.ERRORS]) == ("http_requests_total",)
