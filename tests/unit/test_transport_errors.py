"""One wording of "no answer at all", whichever library failed and however deep it wrapped it.

The chains are built the way httpx (over httpcore and anyio), requests (over urllib3) and
asyncssh build theirs; tests/integration checks the same words against real sockets.
"""

from __future__ import annotations

import http.client
import itertools
import socket
import ssl
from typing import Any

import asyncssh
import httpx
import pytest
import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from pulse_tui.sources.transport.errors import describe_transport_error

#: urllib3's errors keep the pool or connection they came from; a unit test has none.
NOTHING: Any = None


def chain(*excs: BaseException) -> BaseException:
    """excs[0] raised from excs[1] raised from ... (what `raise X from Y` records)."""
    for outer, inner in itertools.pairwise(excs):
        outer.__cause__ = inner
    return excs[0]


def refused() -> ConnectionRefusedError:
    return ConnectionRefusedError(111, "Connection refused")


def via_requests(kind: type[requests.RequestException], reason: Exception) -> BaseException:
    """requests' ConnectionError(MaxRetryError(reason=urllib3 error)), as its adapter raises."""
    retry = chain(MaxRetryError(NOTHING, "/api/v1/query_range", reason), reason)
    return kind(retry)


def via_httpx(kind: type[httpx.TransportError], *inner: BaseException) -> BaseException:
    return chain(kind("mapped from httpcore"), *inner)


def cert_error(verify_message: str) -> ssl.SSLCertVerificationError:
    exc = ssl.SSLCertVerificationError(
        1, f"[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: {verify_message} (x)"
    )
    exc.verify_message = verify_message
    exc.reason = "CERTIFICATE_VERIFY_FAILED"
    return exc


def wrong_version() -> ssl.SSLError:
    exc = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)")
    exc.reason = "WRONG_VERSION_NUMBER"
    return exc


def cert_required() -> ssl.SSLError:
    exc = ssl.SSLError(
        1, "[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required"
    )
    exc.reason = "TLSV13_ALERT_CERTIFICATE_REQUIRED"
    return exc


def gaierror() -> socket.gaierror:
    return socket.gaierror(-2, "Name or service not known")


CASES = {
    "httpx refused (anyio tried two addresses)": (
        via_httpx(
            httpx.ConnectError,
            OSError("All connection attempts failed"),
            ExceptionGroup("attempts", [refused(), refused()]),
        ),
        "connection refused",
    ),
    "requests refused": (
        via_requests(
            requests.exceptions.ConnectionError,
            chain(NewConnectionError(NOTHING, "Failed to establish"), refused()),
        ),
        "connection refused",
    ),
    "asyncssh refused (the OSError itself)": (refused(), "connection refused"),
    "httpx unknown host": (
        via_httpx(httpx.ConnectError, gaierror()),
        "cannot resolve host name (Name or service not known)",
    ),
    "requests unknown host": (
        via_requests(
            requests.exceptions.ConnectionError,
            chain(NameResolutionError("prom", NOTHING, gaierror()), gaierror()),
        ),
        "cannot resolve host name (Name or service not known)",
    ),
    "httpx connect timeout": (
        via_httpx(httpx.ConnectTimeout, TimeoutError()),
        "cannot connect: no answer within 10s",
    ),
    "requests connect timeout": (
        via_requests(requests.exceptions.ConnectTimeout, ConnectTimeoutError(NOTHING, "timed out")),
        "cannot connect: no answer within 10s",
    ),
    "httpx read timeout": (via_httpx(httpx.ReadTimeout, TimeoutError()), "no answer within 10s"),
    "requests read timeout": (
        requests.exceptions.ReadTimeout(
            chain(ReadTimeoutError(NOTHING, "/", "timed out"), TimeoutError())
        ),
        "no answer within 10s",
    ),
    "asyncio's total bound (a probe, an SSH login)": (TimeoutError(), "no answer within 10s"),
    "the kernel gave up on the handshake": (
        TimeoutError(110, "Connection timed out"),
        "cannot connect: connection timed out",
    ),
    "unreachable through urllib3 (not a timeout)": (
        via_requests(
            requests.exceptions.ConnectionError,
            chain(NewConnectionError(NOTHING, "Failed"), OSError(101, "Network is unreachable")),
        ),
        "network is unreachable",
    ),
    "httpx TLS, unknown CA": (
        via_httpx(httpx.ConnectError, cert_error("unable to get local issuer certificate")),
        "TLS: certificate verify failed: unable to get local issuer certificate",
    ),
    "requests TLS, wrong host name": (
        via_requests(
            requests.exceptions.SSLError,
            cert_error("Hostname mismatch, certificate is not valid for 'prom'."),
        ),
        "TLS: certificate verify failed: hostname mismatch, certificate is not valid for 'prom'",
    ),
    "https:// to a plain HTTP port": (
        via_httpx(httpx.ConnectError, wrong_version()),
        "TLS: wrong version number (does the server speak TLS on that port?)",
    ),
    "a server wanting a client certificate hangs up": (
        via_requests(requests.exceptions.SSLError, ssl.SSLEOFError(8, "EOF occurred")),
        "TLS: the server closed the connection during the handshake "
        "(does it require a client certificate?)",
    ),
    "a server's alert: certificate required": (
        via_httpx(httpx.ReadError, cert_required()),
        "TLS: the server asks for a client certificate (cert_file/key_file)",
    ),
    "httpx: closed before answering": (
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        "connection closed by the server",
    ),
    "requests: closed before answering": (
        requests.exceptions.ConnectionError(
            ProtocolError("Connection aborted.", http.client.RemoteDisconnected("Remote end"))
        ),
        "connection closed by the server",
    ),
    "reset": (
        via_httpx(httpx.ReadError, ConnectionResetError(104, "Connection reset by peer")),
        "connection reset by the server",
    ),
    "not HTTP at all": (
        httpx.RemoteProtocolError("illegal status line: bytearray(b'SSH-2.0')"),
        "bad HTTP response",
    ),
    "bad URL": (
        httpx.UnsupportedProtocol("Request URL has an unsupported protocol"),
        "invalid URL",
    ),
    "SSH connection lost": (asyncssh.ConnectionLost("Connection lost"), "connection lost"),
}


@pytest.mark.parametrize(("exc", "reason"), CASES.values(), ids=CASES.keys())
def test_every_library_says_the_same_thing(exc: BaseException, reason: str) -> None:
    assert describe_transport_error(exc, timeout=10) == reason


def test_where_comes_first_and_an_unknown_limit_reads_in_time() -> None:
    exc = via_httpx(httpx.ReadTimeout, TimeoutError())
    assert describe_transport_error(exc, "Alertmanager at http://am:9093") == (
        "Alertmanager at http://am:9093: no answer in time"
    )


def test_a_message_of_last_resort_never_quotes_a_url() -> None:
    # A webhook's URL is its credential; only `where` may name the place.
    exc = httpx.ProxyError("proxy refused https://hooks.example/T000/B000/XXXX secretly")
    assert describe_transport_error(exc, "webhook #1 (page)") == (
        "webhook #1 (page): proxy refused <URL> secretly"
    )


def test_a_chain_that_loops_ends_with_its_innermost_words() -> None:
    outer, inner = OSError("outer"), OSError("inner")
    outer.__context__, inner.__context__ = inner, outer
    assert describe_transport_error(outer) == "inner"
