"""One TLS setup: what each client trusts and presents, and a wrong file named before use.

Certificates come from tests/support/tls.py (a throwaway CA); no connection is made here,
tests/integration/test_tls.py makes real handshakes with the same settings.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from support.tls import Certs, encrypted_key, make_certs

from pulse_tui.config import PrometheusConfig
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.transport.tls import TlsSettings

WHERE = "Prometheus at https://prom:9090"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("tls"))


def problem(settings: TlsSettings) -> str:
    with pytest.raises(SourceError) as info:
        settings.ssl_context(WHERE)
    assert not info.value.retryable, "a wrong file stays wrong"
    return str(info.value).removeprefix(f"TLS settings for {WHERE}: ")


def test_the_prometheus_section_gives_the_settings() -> None:
    config = PrometheusConfig(ca_file="/ca", cert_file="/c", key_file="/k", tls_insecure=True)
    assert TlsSettings.of(config) == TlsSettings("/ca", "/c", "/k", insecure=True)


def test_requests_gets_the_same_choice_as_paths() -> None:
    assert TlsSettings().requests_verify is True
    assert TlsSettings(ca_file="/ca").requests_verify == "/ca"
    assert TlsSettings(ca_file="/ca", insecure=True).requests_verify is False
    assert TlsSettings().requests_cert is None
    assert TlsSettings(cert_file="/both.pem").requests_cert == "/both.pem"
    assert TlsSettings(cert_file="/c", key_file="/k").requests_cert == ("/c", "/k")


def test_default_trust_is_the_system_store_and_certifi() -> None:
    context = TlsSettings().ssl_context(WHERE)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 50


def test_a_ca_file_is_the_only_trust(certs: Certs) -> None:
    context = TlsSettings(ca_file=str(certs.ca)).ssl_context(WHERE)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 1


def test_insecure_skips_verification_but_still_presents_the_client_certificate(
    certs: Certs,
) -> None:
    settings = TlsSettings(
        cert_file=str(certs.client_cert), key_file=str(certs.client_key), insecure=True
    )
    context = settings.ssl_context(WHERE)
    assert context.verify_mode == ssl.CERT_NONE and not context.check_hostname


def test_a_missing_file_is_named(certs: Certs, tmp_path: Path) -> None:
    missing = tmp_path / "gone.pem"
    assert problem(TlsSettings(ca_file=str(missing))) == (
        f"ca_file {missing}: no such file or directory"
    )
    settings = TlsSettings(cert_file=str(certs.client_cert), key_file=str(missing))
    assert problem(settings) == f"key_file {missing}: no such file or directory"


def test_a_file_that_is_not_what_it_should_be_says_so(certs: Certs) -> None:
    assert problem(TlsSettings(ca_file=str(certs.client_key))) == (
        f"ca_file {certs.client_key}: no certificate or crl found"
    )
    assert problem(TlsSettings(cert_file=str(certs.client_cert))) == (
        f"cert_file {certs.client_cert}: no PEM certificate with its private key there"
    )
    mismatch = TlsSettings(cert_file=str(certs.client_cert), key_file=str(certs.server_key))
    assert problem(mismatch) == (
        f"cert_file {certs.client_cert} / key_file {certs.server_key}: key values mismatch"
    )


def test_an_encrypted_key_is_refused_instead_of_prompting(certs: Certs, tmp_path: Path) -> None:
    # OpenSSL would ask for the passphrase on the terminal, under the TUI: a hang.
    key = encrypted_key(certs, tmp_path / "encrypted.pem")
    message = problem(TlsSettings(cert_file=str(certs.client_cert), key_file=str(key)))
    assert message.startswith(f"cert_file {certs.client_cert} / key_file {key}: the key is")
    assert "cannot ask for its passphrase" in message


def test_a_context_is_built_once_until_its_files_change(certs: Certs, tmp_path: Path) -> None:
    # Loading the trust store costs ~20 ms; the alerts, probes and webhooks ask every
    # few seconds.
    assert TlsSettings().ssl_context(WHERE) is TlsSettings().ssl_context(WHERE)
    ca = tmp_path / "ca.pem"
    ca.write_bytes(certs.ca.read_bytes())
    first = TlsSettings(ca_file=str(ca)).ssl_context(WHERE)
    assert TlsSettings(ca_file=str(ca)).ssl_context(WHERE) is first
    # Replaced by a file that is no CA: said at once, not hidden by the context built before.
    ca.write_bytes(certs.client_key.read_bytes())
    assert problem(TlsSettings(ca_file=str(ca))).endswith("no certificate or crl found")
    ca.write_bytes(certs.ca.read_bytes() + b"\n")
    again = TlsSettings(ca_file=str(ca)).ssl_context(WHERE)
    assert again is not first and again.cert_store_stats()["x509_ca"] == 1
