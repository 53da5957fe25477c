"""What a panel shows when Prometheus misbehaves: outages, rejections, overload, hangs, auth.

A FaultProxy sits between the source and the real server and breaks on demand; it counts
the requests that reached it, so retries are observed from the outside.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from support.process import free_port
from support.prometheus_fixtures import PrometheusData
from support.prometheus_server import Canned, FaultProxy
from support.tls import make_certs

from pulse_tui.config import SecretRef, SignalConfig
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.model.metrics.step import compute_window
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.prometheus.http import RetryPolicy
from pulse_tui.sources.prometheus.source import PrometheusSource
from pulse_tui.sources.transport.backoff import BackoffPolicy

pytestmark = pytest.mark.integration

#: Fast retries so the suite stays quick; three attempts per call.
FAST = RetryPolicy(attempts=3, backoff=BackoffPolicy(first=0.01, cap=0.05), max_retry_after=1.0)
TOKEN = "s3cr3t-token-value"


def make_source(data: PrometheusData, url: str, **prometheus: object) -> PrometheusSource:
    return PrometheusSource(data.config(url, **prometheus), retry=FAST)


@pytest.fixture
def window(prometheus_data: PrometheusData):
    return compute_window(3600, prometheus_data.end, 120, 15)


async def test_down_at_start_then_comes_up(prometheus_data: PrometheusData, window) -> None:
    proxy = FaultProxy(prometheus_data.url)
    proxy.stop_listening()
    source = make_source(prometheus_data, proxy.url)
    try:
        with pytest.raises(SourceError, match=r"Prometheus at .*: connection refused") as info:
            await source.query_signal(Signal.TRAFFIC, window)
        assert info.value.retryable
        assert source.requests_made == FAST.attempts  # retried, then gave up
        proxy.start_listening()
        result = await source.query_signal(Signal.TRAFFIC, window)
        assert result.series
    finally:
        proxy.close()


async def test_goes_down_mid_session_and_recovers(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window
) -> None:
    source = make_source(prometheus_data, fault_proxy.url)
    assert (await source.query_signal(Signal.TRAFFIC, window)).series
    fault_proxy.mode = "reset"
    before = fault_proxy.requests
    with pytest.raises(SourceError, match=r"connection (reset|closed) by the server") as info:
        await source.query_signal(Signal.TRAFFIC, window)
    assert info.value.retryable
    assert fault_proxy.requests - before == FAST.attempts
    fault_proxy.stop_listening()
    with pytest.raises(SourceError, match="connection refused"):
        await source.query_signal(Signal.TRAFFIC, window)
    fault_proxy.mode = "pass"
    fault_proxy.start_listening()
    assert (await source.query_signal(Signal.TRAFFIC, window)).series


@pytest.mark.parametrize(
    ("template", "status", "kind"),
    [
        ("sum by ($service_label) (rate(http_requests_total{$filter}[$window])", 400, "bad_data"),
        # Two series per job on each side: many-to-many is an execution error (422).
        (
            "http_requests_total{$filter} + on ($service_label) http_requests_total{$filter}",
            422,
            "execution",
        ),
    ],
)
async def test_rejected_query_is_shown_and_not_retried(
    prometheus_data: PrometheusData,
    fault_proxy: FaultProxy,
    window,
    template: str,
    status: int,
    kind: str,
) -> None:
    config = prometheus_data.config(fault_proxy.url)
    signals = dict(config.signals)
    signals[Signal.TRAFFIC] = SignalConfig(query=template)
    source = PrometheusSource(replace(config, signals=signals), retry=FAST)
    with pytest.raises(SourceError) as info:
        await source.query_signal(Signal.TRAFFIC, window)
    message = str(info.value)
    assert message.startswith(f"Prometheus rejected the traffic query (HTTP {status} ")
    assert f"{kind}: " in message
    assert not info.value.retryable
    assert fault_proxy.requests == 1


@pytest.mark.parametrize(
    ("body", "content_type", "shown"),
    [
        (
            b"upstream connect error or disconnect/reset before headers\n",
            "text/plain",
            "upstream connect error or disconnect/reset before headers",
        ),
        (
            b"<html><head><title>503 Service Temporarily Unavailable</title></head><body>"
            + b"<h1>503</h1>"
            + b"<p>nginx</p>" * 500
            + b"</body></html>",
            "text/html",
            "503 Service Temporarily Unavailable",
        ),
    ],
)
async def test_503_is_retried_then_explained(
    prometheus_data: PrometheusData,
    fault_proxy: FaultProxy,
    window,
    body: bytes,
    content_type: str,
    shown: str,
) -> None:
    fault_proxy.mode = "canned"
    fault_proxy.canned = Canned(503, body, content_type)
    source = make_source(prometheus_data, fault_proxy.url)
    with pytest.raises(SourceError) as info:
        await source.query_signal(Signal.LATENCY, window)
    message = str(info.value)
    assert message == (
        f"Prometheus at {fault_proxy.url} failed the latency query "
        f"(HTTP 503 Service Unavailable): {shown}"
    )
    assert info.value.retryable
    assert fault_proxy.requests == FAST.attempts


async def test_503_then_recovery_within_one_call(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window
) -> None:
    """Retry-After is honoured; the retry that follows succeeds."""
    fault_proxy.mode = "canned"
    fault_proxy.canned = Canned(429, b"slow down", headers=(("Retry-After", "0"),))
    source = make_source(prometheus_data, fault_proxy.url)
    original = FaultProxy._send

    def heal_after_first(*args, **kwargs):  # the next request goes through
        fault_proxy.mode = "pass"
        return original(*args, **kwargs)

    fault_proxy._send = heal_after_first  # type: ignore[method-assign]
    result = await source.query_signal(Signal.TRAFFIC, window)
    assert result.series
    assert fault_proxy.requests == 2


async def test_retry_after_too_long_gives_up_at_once(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window
) -> None:
    fault_proxy.mode = "canned"
    fault_proxy.canned = Canned(429, b"", headers=(("Retry-After", "120"),))
    source = make_source(prometheus_data, fault_proxy.url)
    with pytest.raises(SourceError, match=r"HTTP 429 Too Many Requests.*retry after 120s"):
        await source.query_signal(Signal.TRAFFIC, window)
    assert fault_proxy.requests == 1


async def test_hung_server_times_out(prometheus_data: PrometheusData, window) -> None:
    proxy = FaultProxy(prometheus_data.url)
    proxy.mode = "hang"
    source = make_source(prometheus_data, proxy.url, timeout=0.5)
    try:
        with pytest.raises(SourceError) as info:
            await source.query_signal(Signal.TRAFFIC, window)
        assert str(info.value) == f"Prometheus at {proxy.url}: no answer within 0.5s"
        assert info.value.retryable
        assert proxy.requests == 1  # a hung query is not sent again within the same refresh
    finally:
        proxy.close()


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_refusal_hints_and_never_leaks_the_token(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window, status: int
) -> None:
    fault_proxy.mode = "canned"
    # A hostile proxy echoing our credentials back must not get them onto the screen.
    fault_proxy.canned = Canned(status, f"bad token {TOKEN}".encode())
    source = make_source(prometheus_data, fault_proxy.url, token=SecretRef(inline=TOKEN))
    with pytest.raises(SourceError) as info:
        await source.query_signal(Signal.TRAFFIC, window)
    assert TOKEN not in str(info.value)
    assert f"HTTP {status}" in str(info.value)
    assert "token or password was rejected" in str(info.value)
    assert not info.value.retryable
    assert fault_proxy.requests == 1


async def test_auth_refusal_without_token_says_how_to_set_one(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window
) -> None:
    fault_proxy.mode = "canned"
    fault_proxy.canned = Canned(401, b"")
    source = make_source(prometheus_data, fault_proxy.url)
    hint = r"set prometheus\.token_env, token_file or token_command"
    with pytest.raises(SourceError, match=hint):
        await source.query_signal(Signal.TRAFFIC, window)


async def test_credentials_and_headers_are_sent(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window
) -> None:
    seen: dict[str, str] = {}
    original = fault_proxy._handle

    def record(handler) -> None:
        seen.update({k.lower(): v for k, v in handler.headers.items()})
        original(handler)

    fault_proxy._handle = record  # type: ignore[method-assign]
    source = make_source(
        prometheus_data,
        fault_proxy.url,
        token=SecretRef(inline=TOKEN),
        headers={"X-Scope-OrgID": "tenant-1"},
    )
    assert (await source.query_signal(Signal.TRAFFIC, window)).series
    assert seen["authorization"] == f"Bearer {TOKEN}"
    assert seen["x-scope-orgid"] == "tenant-1"


async def test_not_prometheus_at_that_url(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window
) -> None:
    fault_proxy.mode = "canned"
    fault_proxy.canned = Canned(200, b"<html>login</html>", "text/html")
    source = make_source(prometheus_data, fault_proxy.url)
    with pytest.raises(SourceError, match=r"something other than the Prometheus API \(text/html"):
        await source.query_signal(Signal.TRAFFIC, window)


async def test_nothing_listening_probe(prometheus_data: PrometheusData) -> None:
    source = make_source(prometheus_data, f"http://127.0.0.1:{free_port()}")
    with pytest.raises(SourceError, match="connection refused"):
        await source.probe()


async def test_basic_auth_is_sent(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window
) -> None:
    seen: list[str] = []
    original = fault_proxy._handle

    def record(handler) -> None:
        seen.append(handler.headers.get("Authorization", ""))
        original(handler)

    fault_proxy._handle = record  # type: ignore[method-assign]
    source = make_source(
        prometheus_data, fault_proxy.url, username="ops", password=SecretRef(inline="pw")
    )
    assert (await source.query_signal(Signal.TRAFFIC, window)).series
    assert seen == ["Basic b3BzOnB3"]  # base64("ops:pw")


async def test_missing_token_variable_is_named_not_retried(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window, monkeypatch
) -> None:
    monkeypatch.delenv("PULSE_TEST_NO_SUCH_TOKEN", raising=False)
    source = make_source(
        prometheus_data, fault_proxy.url, token=SecretRef(env="PULSE_TEST_NO_SUCH_TOKEN")
    )
    with pytest.raises(SourceError, match="PULSE_TEST_NO_SUCH_TOKEN: variable is not set") as info:
        await source.query_signal(Signal.TRAFFIC, window)
    assert not info.value.retryable
    assert fault_proxy.requests == 0


def test_tls_settings_reach_the_session(prometheus_data: PrometheusData, tmp_path) -> None:
    certs = make_certs(tmp_path)
    mtls = (
        make_source(
            prometheus_data,
            "https://prom.example:9090",
            ca_file=str(certs.ca),
            cert_file=str(certs.client_cert),
            key_file=str(certs.client_key),
        )
        ._connect()
        ._session
    )
    assert mtls.verify == str(certs.ca)
    assert mtls.cert == (str(certs.client_cert), str(certs.client_key))
    insecure = make_source(prometheus_data, "https://prom.example", tls_insecure=True)
    assert insecure._connect()._session.verify is False


async def test_unusable_tls_file_is_named_before_any_request(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, window, tmp_path
) -> None:
    missing = tmp_path / "no-such-ca.pem"
    source = make_source(prometheus_data, fault_proxy.url, ca_file=str(missing))
    with pytest.raises(SourceError) as info:
        await source.query_signal(Signal.TRAFFIC, window)
    assert str(info.value) == (
        f"TLS settings for Prometheus at {fault_proxy.url}: "
        f"ca_file {missing}: no such file or directory"
    )
    assert not info.value.retryable
    assert fault_proxy.requests == 0
