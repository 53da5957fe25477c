"""The one scrubber: registered secrets and URL passwords masked in any text, and in logs."""

from __future__ import annotations

import logging

import pytest

from pulse_tui.config import ConfigError
from pulse_tui.model.core.redact import SECRETS, display_url, scrub, split_credentials
from pulse_tui.sources.base import SourceError


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:pass@host:9090", "http://user:***@host:9090"),
        ("https://ops:p%40ss@prom.example/prometheus/", "https://ops:***@prom.example/prometheus/"),
        ("https://tok3n@host/x", "https://***@host/x"),  # a lone user name is usually a token
        ("https://host/health?api_key=k#frag", "https://host/health?…"),
        ("http://u:p@h:notaport", "http://u:***@h:notaport"),  # no parser accepts it
        ("u:pass@host:9090", "u:***@host:9090"),  # no scheme
        ("http://[::1]:9090", "http://[::1]:9090"),
    ],
)
def test_display_url(url: str, shown: str) -> None:
    assert display_url(url) == shown


def test_split_credentials_hands_over_decoded_basic_auth_and_registers_it() -> None:
    assert split_credentials("http://host:9090/x") == ("http://host:9090/x", None)
    url, auth = split_credentials("https://ops:p%40ssword@host:9090/x")
    assert (url, auth) == ("https://host:9090/x", ("ops", "p@ssword"))
    # The password as written and decoded, and the base64 an Authorization header carries.
    text = "p%40ssword p@ssword Basic b3BzOnBAc3N3b3Jk"
    assert scrub(text) == "*** *** Basic ***"


def test_scrub_masks_forms_a_server_echoes_and_the_longest_first() -> None:
    SECRETS.add('ab"cd\\ef')
    SECRETS.add("short-secret")
    SECRETS.add("short-secret-but-longer")
    assert scrub('{"key": "ab\\"cd\\\\ef"}') == '{"key": "***"}'  # JSON-escaped
    assert scrub("q=ab%22cd%5Cef") == "q=***"  # URL-encoded
    assert scrub("short-secret-but-longer") == "***"
    assert (
        scrub("see http://me:pw@h/x and https://t@h") == "see http://me:***@h/x and https://***@h"
    )


def test_short_values_are_not_searched_for() -> None:
    SECRETS.add("pw")
    assert scrub("password pw") == "password pw"
    assert scrub("http://u:pw@h") == "http://u:***@h"  # still masked in a URL


def test_the_error_types_scrub_their_own_messages() -> None:
    SECRETS.add("tok-3f9a2c")
    assert str(SourceError("echo: Bearer tok-3f9a2c")) == "echo: Bearer ***"
    error = ConfigError("--prometheus", "http://u:hunter22@h:x", "invalid")
    assert str(error) == "--prometheus: http://u:***@h:x: invalid"


def test_http_library_logs_are_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    SECRETS.add("/hook/T0/B0/xyzzy")
    logging.getLogger("httpx").info("HTTP Request: %s %s", "POST", "https://h/hook/T0/B0/xyzzy")
    logging.getLogger("urllib3.connectionpool").debug("GET http://u:pw@h/ 200")
    assert "xyzzy" not in caplog.text and "HTTP Request: POST https://h***" in caplog.text
    assert "u:pw@" not in caplog.text
