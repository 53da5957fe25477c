"""TLS against a real HTTPS server: every client trusts, presents and fails the same way.

The server has a certificate from a throwaway CA (tests/support/tls.py) and, for mTLS,
asks for a client certificate from that CA. The panels (requests), Prometheus' alerts
(httpx) and probes (httpx) get their settings from the one `TlsSettings`, and say the
same words when the certificate does not verify.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import certifi
import pytest
from support.http_receiver import HttpReceiver
from support.tls import Certs, https_server, make_certs

from pulse_tui.cli import main
from pulse_tui.config import Config, PrometheusConfig
from pulse_tui.config.alert_model import Probe
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.probes import Prober, ProbeStatus
from pulse_tui.sources.prometheus.external_alerts import fetch_prometheus_alerts
from pulse_tui.sources.prometheus.source import PrometheusSource

pytestmark = pytest.mark.integration

UNTRUSTED = "TLS: certificate verify failed: self-signed certificate in certificate chain"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def mtls(certs: Certs) -> Iterator[str]:
    with https_server(certs, require_client_cert=True) as url:
        yield url


def prometheus(url: str, certs: Certs | None = None, **tls: object) -> PrometheusConfig:
    files: dict[str, object] = {}
    if certs is not None:
        files = {
            "ca_file": str(certs.ca),
            "cert_file": str(certs.client_cert),
            "key_file": str(certs.client_key),
        }
    return PrometheusConfig(url=url, timeout=5.0, **{**files, **tls})  # type: ignore[arg-type]


async def probe_once(url: str) -> str | None:
    """Why the first check of a probe on `url` failed (the prober makes its own client)."""
    prober = Prober([Probe("api", url, interval=60.0, timeout=5.0)])
    seen: list[ProbeStatus] = []
    task = asyncio.create_task(prober.run(seen.append))
    async with asyncio.timeout(10):
        while not seen:
            await asyncio.sleep(0.01)
    await prober.stop()
    await task
    return seen[0].last_error


async def test_panels_and_alerts_pass_mtls_with_the_configured_ca_and_certificate(
    mtls: str, certs: Certs, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Plain requests would let this replace the configured ca_file (and fail the check).
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    config = prometheus(mtls, certs)
    source = PrometheusSource(Config(prometheus=config))
    try:
        assert await source.probe() == f"Prometheus 2.99.0-tls at {mtls}, 1 service"
    finally:
        await source.close()
    assert await fetch_prometheus_alerts(config) == []


async def test_an_unknown_ca_reads_the_same_from_every_client(mtls: str) -> None:
    source = PrometheusSource(Config(prometheus=prometheus(mtls)))
    with pytest.raises(SourceError) as panels:
        await source.probe()
    assert str(panels.value) == f"Prometheus at {mtls}: {UNTRUSTED}"
    assert not panels.value.retryable, "a certificate that failed fails again"
    with pytest.raises(SourceError) as alerts:
        await fetch_prometheus_alerts(prometheus(mtls))
    assert str(alerts.value) == f"Prometheus at {mtls}: {UNTRUSTED}"
    assert await probe_once(mtls) == UNTRUSTED


async def test_insecure_still_presents_the_client_certificate(mtls: str, certs: Certs) -> None:
    config = prometheus(mtls, certs, tls_insecure=True, ca_file=None)
    assert await fetch_prometheus_alerts(config) == []
    source = PrometheusSource(Config(prometheus=config))
    try:
        assert (await source.probe()).startswith("Prometheus 2.99.0-tls")
    finally:
        await source.close()


async def test_no_client_certificate_is_a_tls_error(mtls: str, certs: Certs) -> None:
    config = prometheus(mtls, ca_file=str(certs.ca))
    with pytest.raises(SourceError, match=f"^Prometheus at {mtls}: "):
        await fetch_prometheus_alerts(config)


async def test_panels_and_check_say_the_server_asks_for_a_client_certificate(
    mtls: str, certs: Certs
) -> None:
    """The server's alert may or may not reach us before it hangs up (a race in the
    kernel): either way the panels and `check` (the same `probe`) name the options."""
    config = prometheus(mtls, ca_file=str(certs.ca))
    for _ in range(3):
        source = PrometheusSource(Config(prometheus=config))
        with pytest.raises(SourceError) as info:
            await source.probe()
        message = str(info.value)
        assert message.startswith(f"Prometheus at {mtls}: ")
        assert message.endswith("client certificate (prometheus.cert_file/key_file)") or (
            message.endswith("TLS: the server asks for a client certificate (cert_file/key_file)")
        ), message
        assert "EOF occurred" not in message


async def test_https_to_a_plain_http_port_says_so() -> None:
    plain = HttpReceiver(path="/")
    try:
        url = plain.url.replace("http://", "https://")
        hint = "TLS: wrong version number (does the server speak TLS on that port?)"
        source = PrometheusSource(Config(prometheus=prometheus(url)))
        with pytest.raises(SourceError) as info:
            await source.probe()
        assert str(info.value) == f"Prometheus at {url}: {hint}"
        assert await probe_once(url) == hint
    finally:
        plain.stop()


def run_check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str, **files: Path
) -> tuple[int, str]:
    """`pulse-tui check` on a config naming `url` and the TLS `files`: exit code, its line
    about Prometheus."""
    path = tmp_path / "config.toml"
    keys = "".join(f'{key} = "{value}"\n' for key, value in files.items())
    path.write_text(f'[prometheus]\nurl = "{url}"\n{keys}')
    path.chmod(0o600)
    code = main(["check", "--config", str(path)])
    out = capsys.readouterr().out
    return code, next(line for line in out.splitlines() if " prometheus " in f" {line} ")


def test_check_uses_the_dashboards_tls_settings_even_with_requests_ca_bundle_set(
    mtls: str,
    certs: Certs,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The bug of row 12: `check` let this replace the configured ca_file, and failed.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    files = {"ca_file": certs.ca, "cert_file": certs.client_cert, "key_file": certs.client_key}
    code, line = run_check(capsys, tmp_path, mtls, **files)
    assert code == 0, line
    assert line.startswith("OK") and f"Prometheus 2.99.0-tls at {mtls}, 1 service" in line


def test_check_without_a_client_certificate_names_the_options(
    mtls: str, certs: Certs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, line = run_check(capsys, tmp_path, mtls, ca_file=certs.ca)
    assert code == 1, line
    assert "client certificate (" in line and "cert_file/key_file)" in line, line
    assert "EOF occurred" not in line
