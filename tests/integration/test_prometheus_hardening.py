"""A misbehaving backend, one fault at a time (issue 15, Prometheus rows), against the real
prometheus behind the FaultProxy: what the source reports, and that it stays bounded.

The proxy passes the real server's answers through and breaks one thing: a Retry-After,
a query timeout Prometheus itself returns (the proxy only shortens the query's `timeout`),
a `warnings` list added to a real answer, a clock that is off, a body too big or too deep.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.prometheus_fixtures import PrometheusData
from support.prometheus_server import Canned, FaultProxy

from pulse_tui.model.metrics.signals import Signal
from pulse_tui.model.metrics.step import compute_window, recent_window
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.prometheus.http import QueryTimedOut, RetryPolicy
from pulse_tui.sources.prometheus.source import PrometheusSource
from pulse_tui.sources.transport.backoff import BackoffPolicy

pytestmark = pytest.mark.integration

FAST = RetryPolicy(attempts=3, backoff=BackoffPolicy(first=0.01, cap=0.05), max_retry_after=1.0)
MiB = 1024 * 1024


def make_source(data: PrometheusData, url: str, **prometheus: object) -> PrometheusSource:
    return PrometheusSource(data.config(url, **prometheus), retry=FAST)


@pytest.fixture
def window(prometheus_data: PrometheusData):
    return compute_window(3600, prometheus_data.end, 120, 15)


# ------------------------------------------------------------------ 6: Retry-After


async def test_a_long_retry_after_is_handed_to_the_caller(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window
) -> None:
    fault_proxy.mode = "canned"
    fault_proxy.canned = Canned(429, b"slow down", headers=(("Retry-After", "120"),))
    source = make_source(prometheus_data, fault_proxy.url)
    with pytest.raises(SourceError) as info:
        await source.query_signal(Signal.TRAFFIC, window)
    # The panel keeps to it across refreshes (test_prometheus_hardening_ui).
    assert info.value.retry_after == 120
    assert info.value.status == 429
    assert "is rate limiting the traffic query (HTTP 429 Too Many Requests)" in str(info.value)
    assert fault_proxy.requests == 1


# ------------------------------------------------------------------ 7: query timeout


def tiny_timeout(path: str) -> str:
    """The query's own `timeout` cut to a microsecond: Prometheus gives up evaluating it."""
    return path.replace("timeout=5s", "timeout=0.000001")


async def test_a_query_prometheus_timed_out_says_what_helps_and_is_not_resent(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window
) -> None:
    fault_proxy.rewrite = tiny_timeout
    source = make_source(prometheus_data, fault_proxy.url)
    with pytest.raises(QueryTimedOut) as info:
        await source.query_signal(Signal.LATENCY, window)
    message = str(info.value)
    assert message.startswith(
        "Prometheus timed out evaluating the latency query (HTTP 503 Service Unavailable): "
        "timeout: "
    )
    assert message.endswith("; a shorter range (press -) or a coarser step helps")
    assert info.value.retryable  # the next refresh may find the server less busy
    assert fault_proxy.requests == 1  # but sending the same query at once would not help


# ------------------------------------------------------------------ 8: partial answers

WARNING = 'partial response: store "eu-west" unavailable; some series are missing'


def add_warnings(path: str, body: bytes) -> bytes:
    answer = json.loads(body)
    if "query_range" in path:
        answer["warnings"] = [WARNING]
        answer["infos"] = ["PromQL info: metric might not be a counter"]
    return json.dumps(answer).encode()


async def test_warnings_and_infos_reach_the_result(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window
) -> None:
    fault_proxy.edit = add_warnings
    source = make_source(prometheus_data, fault_proxy.url)
    result = await source.query_signal(Signal.TRAFFIC, window)
    assert result.series  # the real answer, as it came
    assert result.warnings == (WARNING, "PromQL info: metric might not be a counter")


async def test_a_complete_answer_has_no_warnings(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window
) -> None:
    result = await make_source(prometheus_data, fault_proxy.url).query_signal(
        Signal.TRAFFIC, window
    )
    assert result.warnings == ()


# ------------------------------------------------------------------ 9: caps


async def test_series_are_capped_to_the_top_by_value_and_counted(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window
) -> None:
    full = await make_source(prometheus_data, fault_proxy.url).query_signal(Signal.TRAFFIC, window)
    assert len(full.series) == 4 and full.series_total == 4 and not full.capped
    busiest = sorted(full.series, key=lambda s: s.latest() or 0, reverse=True)[:2]

    source = make_source(prometheus_data, fault_proxy.url, max_series=2)
    capped = await source.query_signal(Signal.TRAFFIC, window)
    assert capped.series_total == 4 and capped.capped
    assert {s.service for s in capped.series} == {s.service for s in busiest}
    assert [s.service for s in capped.series] == sorted(s.service for s in busiest)


def huge_matrix(total: int) -> Iterator[bytes]:
    """A well-formed matrix answer of about `total` bytes, made as it is sent."""
    yield b'{"status":"success","data":{"resultType":"matrix","result":['
    item = b'{"metric":{"job":"svc-%d"},"values":[[1700000000,"1"],[1700000015,"2"]]},'
    sent = 0
    index = 0
    while sent < total:
        piece = b"".join(item % (index + i) for i in range(1000))
        index += 1000
        sent += len(piece)
        yield piece
    yield b'{"metric":{},"values":[]}]}}'


async def test_a_huge_body_is_cut_at_the_cap_and_memory_stays_bounded(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window
) -> None:
    total = 100 * MiB
    fault_proxy.mode = "canned"
    fault_proxy.canned = Canned(
        200, content_type="application/json", chunks=lambda: huge_matrix(total)
    )
    source = make_source(prometheus_data, fault_proxy.url, max_body_bytes=2 * MiB)
    tracemalloc.start()
    try:
        with pytest.raises(SourceError) as info:
            await source.query_signal(Signal.TRAFFIC, window)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(info.value) == (
        f"Prometheus at {fault_proxy.url} sent more than 2 MiB for one query "
        "(prometheus.max_body_bytes); stopped reading. Filter the services (s) or use a "
        "coarser range"
    )
    assert not info.value.retryable
    assert fault_proxy.requests == 1
    # What was held is the cap and a few chunks over it, not the 100 MiB sent our way.
    assert peak < 8 * MiB
    assert fault_proxy.sent_bytes < total / 2


# ------------------------------------------------------------------ 10: bodies that are not JSON

DEEP = b'{"status":"success","data":' + b"[" * 200_000 + b"]" * 200_000 + b"}"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (
            DEEP,
            "application/json",
            "answered with JSON nested too deeply to read (391 KiB); not a Prometheus "
            "answer: check prometheus.url and any proxy in between",
        ),
        (
            b'{"status":"success",, "data":{}}',
            "application/json",
            "answered with malformed JSON: expecting property name enclosed in double quotes "
            "at line 1 column 21 (byte 20 of 32)",
        ),
        (
            b'{"status":"success","data":{"resultType":"matrix","result":[{"metric":{}',
            "application/json",
            "answered with malformed JSON: expecting ',' delimiter at line 1 column 73 "
            "(byte 72 of 72) (the answer ends early: cut off on the way?)",
        ),
        (
            b"<html>login</html>",
            "text/html",
            "answered with something other than the Prometheus API (text/html); "
            "check prometheus.url",
        ),
    ],
    ids=["deep", "malformed", "cut-off", "html"],
)
async def test_bodies_that_are_not_the_api_say_why_in_one_line(
    prometheus_data: PrometheusData,
    fault_proxy: FaultProxy,
    window,
    body: bytes,
    content_type: str,
    expected: str,
) -> None:
    fault_proxy.mode = "canned"
    fault_proxy.canned = Canned(200, body, content_type)
    source = make_source(prometheus_data, fault_proxy.url)
    with pytest.raises(SourceError) as info:
        await source.query_signal(Signal.TRAFFIC, window)
    assert str(info.value) == f"{fault_proxy.url} {expected}"
    assert not info.value.retryable
    assert fault_proxy.requests == 1


def test_summary_of_a_deeply_nested_answer_is_one_line_and_exit_1(
    fault_proxy: FaultProxy, tmp_path: Path
) -> None:
    fault_proxy.mode = "canned"
    fault_proxy.canned = Canned(200, DEEP, "application/json")
    src = Path(__file__).resolve().parents[2] / "src"
    done = subprocess.run(
        [sys.executable, "-m", "pulse_tui", "summary", "--prometheus", fault_proxy.url],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "answered with JSON nested too deeply to read" in lines[0]
    assert "Traceback" not in done.stderr


# ------------------------------------------------------------------ 11: clock skew


@pytest.mark.parametrize("offset", [-125.0, 0.0, 3600.0])
async def test_the_servers_clock_is_read_from_its_date_header(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window, offset: float
) -> None:
    fault_proxy.date_offset = offset
    result = await make_source(prometheus_data, fault_proxy.url).query_signal(
        Signal.TRAFFIC, window
    )
    assert result.clock_skew is not None
    assert abs(result.clock_skew - offset) <= 2  # the header has whole seconds


async def test_a_kept_chart_is_shown_with_the_clock_of_the_answer_just_given(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window
) -> None:
    """A settled chart is not asked for again (sources/prometheus/settled.py), but the
    clock warning it came with must go once the server's clock is right."""
    source = make_source(prometheus_data, fault_proxy.url)
    recent = recent_window(window.end, source.prom.scrape_interval)
    fault_proxy.date_offset = 120.0
    first = await source.query_signal(Signal.TRAFFIC, window, recent=recent)
    assert first.clock_skew is not None and abs(first.clock_skew - 120) <= 2
    fault_proxy.date_offset = 0.0
    before = fault_proxy.requests
    second = await source.query_signal(Signal.TRAFFIC, window, recent=recent)
    assert fault_proxy.requests - before == 1  # the current values only: the chart is kept
    assert second.series == first.series
    assert second.clock_skew is not None and abs(second.clock_skew) <= 2


# ------------------------------------------------------------------ 13: Mimir without a tenant


async def test_mimir_no_org_id_points_at_the_tenant_header_not_the_token(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window
) -> None:
    fault_proxy.mode = "canned"
    fault_proxy.canned = Canned(401, b"no org id\n")
    source = make_source(prometheus_data, fault_proxy.url)
    with pytest.raises(SourceError) as info:
        await source.query_signal(Signal.TRAFFIC, window)
    message = str(info.value)
    assert message == (
        f"Prometheus at {fault_proxy.url} refused access (HTTP 401 Unauthorized): the server "
        'asks for a tenant ("no org id", Mimir/Cortex): set X-Scope-OrgID under '
        "[prometheus.headers]; the token is not the problem"
    )
    assert "token_env" not in message
    assert not info.value.retryable
