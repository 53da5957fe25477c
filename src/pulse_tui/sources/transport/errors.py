"""One wording for a request or connection that got no answer, whichever library failed.

httpx, requests (urllib3 underneath) and asyncssh each wrap the same few socket failures
in their own exceptions, two or three levels deep. `describe_transport_error` walks the
whole chain (causes, contexts, urllib3's `reason`, anyio's exception groups) and names
what actually happened, the same way for a panel, an alert fetch, a probe, a webhook and
an SSH host:

    Prometheus at http://prom:9090: connection refused
    web-1 (10.0.0.5:22): cannot resolve host name (Name or service not known)
    no answer within 5s
    TLS: certificate verify failed: self-signed certificate

The reason never quotes a URL: a webhook's URL is its credential, so the caller names
the place in `where` (or leaves it empty).
"""

from __future__ import annotations

import errno
import http.client
import re
import socket
import ssl
import sys
from collections.abc import Mapping
from typing import Any, TypeVar

__all__ = ["describe_transport_error", "ssl_reason"]

E = TypeVar("E", bound=BaseException)

#: How deep a chain is followed; real ones are 3 to 8 long, a loop would be endless.
_MAX_CAUSES = 24

# The libraries' exception classes, by module and name. They are looked up in sys.modules,
# not imported: an error of a library nobody loaded cannot be in the chain, and importing
# them here would load all three for every source (httpx alone pulls in Rich, which the
# core must not load; SSH tailing would load requests and httpx for nothing).
#: {module: (exception class, ...)}
_Names = Mapping[str, tuple[str, ...]]

_CONNECT_TIMEOUTS: _Names = {
    "httpx": ("ConnectTimeout",),
    "requests.exceptions": ("ConnectTimeout",),
    "urllib3.exceptions": ("ConnectTimeoutError",),
}
_TIMEOUTS: _Names = {
    "httpx": ("TimeoutException",),
    "requests.exceptions": ("Timeout",),
    "urllib3.exceptions": ("TimeoutError",),
}
#: urllib3's NewConnectionError (refused, unreachable, no route) subclasses its timeout
#: errors for backwards compatibility only: it is not one.
_NOT_TIMEOUTS: _Names = {"urllib3.exceptions": ("NewConnectionError",)}
_BAD_URLS: _Names = {
    "httpx": ("InvalidURL", "UnsupportedProtocol"),
    "requests.exceptions": ("InvalidURL", "MissingSchema", "InvalidSchema"),
    "urllib3.exceptions": ("LocationParseError",),
}
_BAD_HTTP: _Names = {"httpx": ("RemoteProtocolError", "LocalProtocolError")}
#: The server went away: cleanly, mid-answer, or before saying anything.
_CLOSED: _Names = {"urllib3.exceptions": ("IncompleteRead",)}
_CLOSED_STDLIB = (
    http.client.RemoteDisconnected,
    http.client.IncompleteRead,
    BrokenPipeError,
    ConnectionAbortedError,
)


def describe_transport_error(
    exc: BaseException, where: str = "", *, timeout: float | None = None
) -> str:
    """`where: reason` for a failure below HTTP (or SSH); just the reason if `where` is "".

    `timeout` is the limit that was in force, for "no answer within 10s".
    """
    reason = _reason(_causes(exc), timeout)
    return f"{where}: {reason}" if where else reason


def ssl_reason(exc: ssl.SSLError) -> str:
    """OpenSSL's words without the "[SSL: CODE]" and "(_ssl.c:1000)" around them."""
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        detail = _lower_first(exc.verify_message.rstrip("."))
        return f"certificate verify failed: {detail}"
    text = exc.strerror if isinstance(exc.strerror, str) else str(exc)
    text = re.sub(r"^\[[^\]]*\]\s*|\s*\(_ssl\.c:\d+\)$", "", text).strip()
    if not text and exc.reason:
        text = exc.reason.replace("_", " ").lower()
    return text or type(exc).__name__


def _reason(causes: list[BaseException], timeout: float | None) -> str:
    """The most telling cause, most specific first."""

    def find(*types: type[BaseException]) -> bool:
        return any(isinstance(c, types) for c in causes)

    def errno_in(*codes: int) -> bool:
        return any(isinstance(c, OSError) and c.errno in codes for c in causes)

    within = f"within {timeout:g}s" if timeout is not None else "in time"
    tls = _first(causes, ssl.SSLError)
    if tls is not None:
        return _tls(tls)
    dns = _first(causes, socket.gaierror)
    if dns is not None:
        detail = f" ({dns.strerror})" if dns.strerror else ""
        return f"cannot resolve host name{detail}"
    if find(ConnectionRefusedError) or errno_in(errno.ECONNREFUSED):
        return "connection refused"
    not_timeouts = _loaded(_NOT_TIMEOUTS)
    timed_out = [c for c in causes if not isinstance(c, not_timeouts)]
    if any(isinstance(c, _loaded(_CONNECT_TIMEOUTS)) for c in timed_out):
        return f"cannot connect: no answer {within}"
    # A TimeoutError with ETIMEDOUT is the kernel giving up on the handshake, not our limit.
    if errno_in(errno.ETIMEDOUT):
        return "cannot connect: connection timed out"
    if any(isinstance(c, (TimeoutError, *_loaded(_TIMEOUTS))) for c in timed_out):
        return f"no answer {within}"
    # RemoteDisconnected is a ConnectionResetError too, but nothing was reset: look first.
    if find(*_CLOSED_STDLIB, *_loaded(_CLOSED)) or _closed_by_peer(causes):
        return "connection closed by the server"
    if find(ConnectionResetError) or errno_in(errno.ECONNRESET):
        return "connection reset by the server"
    if find(http.client.HTTPException, *_loaded(_BAD_HTTP)):
        return "bad HTTP response"
    if find(*_loaded(_BAD_URLS)):
        return "invalid URL"
    ssh = _ssh_reason(causes)
    if ssh:
        return ssh
    for cause in reversed(causes):  # the innermost system error says it best
        if isinstance(cause, OSError) and isinstance(cause.strerror, str) and cause.strerror:
            return _lower_first(cause.strerror)
    return _fallback(causes)


def _loaded(names: _Names) -> tuple[type[BaseException], ...]:
    """The classes `names` lists ({module: (class, ...)}) of the modules already imported."""
    found: list[type[BaseException]] = []
    for module, classes in names.items():
        lib = sys.modules.get(module)
        for name in classes if lib is not None else ():
            kind: Any = getattr(lib, name, None)
            if isinstance(kind, type) and issubclass(kind, BaseException):
                found.append(kind)
    return tuple(found)


def _first(causes: list[BaseException], kind: type[E]) -> E | None:
    return next((c for c in causes if isinstance(c, kind)), None)


def _tls(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLEOFError | ssl.SSLWantReadError | ssl.SSLZeroReturnError):
        # OpenSSL's words ("EOF occurred in violation of protocol") do not say what
        # usually happened: a server that wants a client certificate hung up on us.
        return (
            "TLS: the server closed the connection during the handshake "
            "(does it require a client certificate?)"
        )
    if exc.reason in ("TLSV13_ALERT_CERTIFICATE_REQUIRED", "CERTIFICATE_REQUIRED"):
        # The server said so in a TLS alert: no guess here.
        return "TLS: the server asks for a client certificate (cert_file/key_file)"
    text = ssl_reason(exc)
    if exc.reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST"):
        # What OpenSSL says when the other end speaks plain HTTP (or something else).
        text += " (does the server speak TLS on that port?)"
    return f"TLS: {text}"


def _closed_by_peer(causes: list[BaseException]) -> bool:
    """httpx and urllib3 say "the server disconnected" only in words."""
    words = ("server disconnected", "remote end closed", "connection broken", "peer closed")
    text = " ".join(str(c) for c in causes).lower()
    return any(w in text for w in words)


def _ssh_reason(causes: list[BaseException]) -> str:
    """asyncssh's own reason ("Connection lost"), if asyncssh is loaded at all."""
    ssh_errors = _loaded({"asyncssh": ("Error",)})
    for cause in causes:
        reason = getattr(cause, "reason", None) if isinstance(cause, ssh_errors) else None
        if isinstance(reason, str) and reason:
            return _lower_first(reason)
    return ""


def _fallback(causes: list[BaseException]) -> str:
    """The innermost message with no object reprs, errno numbers or URLs."""
    for cause in reversed(causes):
        text = str(cause)
        text = re.sub(r"<[^>]*object at 0x[0-9a-f]+>:?\s*", "", text)
        text = re.sub(r"\[Errno -?\d+\]\s*", "", text)
        text = re.sub(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://\S+", "<URL>", text)
        text = " ".join(text.split())
        if text:
            return _lower_first(text)
    return type(causes[0]).__name__


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and everything it wraps, outermost first, each once."""
    found: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(found) < _MAX_CAUSES:
        current = todo.pop(0)
        if any(current is seen for seen in found):
            continue
        found.append(current)
        inner: list[object] = [current.__cause__, current.__context__]
        inner.append(getattr(current, "reason", None))  # urllib3's MaxRetryError
        inner += current.args  # requests and urllib3 pass the error they wrap as an argument
        inner += getattr(current, "exceptions", ())  # anyio's group of connect attempts
        todo += [e for e in inner if isinstance(e, BaseException)]
    return found


def _lower_first(text: str) -> str:
    """ "Connection lost" -> "connection lost", but "SSH ..." stays."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text
