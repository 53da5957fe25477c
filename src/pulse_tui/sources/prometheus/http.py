"""HTTP plumbing for PrometheusSource: session, auth, retry policy and error messages.

prometheus-api-client's `PrometheusConnect` makes the calls, but its exceptions carry only
"HTTP Status Code 503 (b'...')" and it keeps no response: no status code to decide on a
retry, no Retry-After header, no byte count. Instead of parsing that string we hand it our
own `requests.Session` with a response hook (`ResponseRecorder`), which records every
response's status, headers, body and wire size in a thread-local slot that the calling
thread reads right after the call.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import threading
import zlib
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from pulse_tui.config import ConfigError, PrometheusConfig, SecretRef
from pulse_tui.config.headers import NON_SECRET_HEADERS, header_problem
from pulse_tui.model.core.redact import SECRETS, scrub, split_credentials
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.transport.backoff import BackoffPolicy
from pulse_tui.sources.transport.errors import describe_transport_error
from pulse_tui.sources.transport.retry_after import parse_retry_after
from pulse_tui.sources.transport.tls import TlsSettings

#: Statuses worth another attempt: overload and gateway trouble, not our mistakes.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: How much of a non-JSON error body a message may quote.
BODY_EXCERPT = 160


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard one call tries: attempts in total, and the shared backoff between them."""

    attempts: int = 3
    backoff: BackoffPolicy = field(default_factory=lambda: BackoffPolicy(first=0.5, cap=8.0))
    #: A Retry-After longer than this ends the call at once; the next refresh tries again.
    max_retry_after: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait after failed `attempt` (1-based), or None to give up now."""
        if retry_after is not None and retry_after > self.max_retry_after:
            return None
        return max(self.backoff.delay(attempt), retry_after or 0.0)


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    """What the hook saw of one response."""

    status: int
    headers: dict[str, str]
    body: bytes
    wire_bytes: int


class ResponseRecorder:
    """A `requests` response hook that remembers responses per thread and counts bytes."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self.bytes_received = 0

    def hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        body, wire = _read_body(response)
        info = ResponseInfo(
            response.status_code, {k.lower(): v for k, v in response.headers.items()}, body, wire
        )
        self._local.last = info
        with self._lock:
            self.bytes_received += wire

    def reset(self) -> None:
        self._local.last = None

    def last(self) -> ResponseInfo | None:
        """The last response this thread received since `reset()`."""
        return getattr(self._local, "last", None)


def _read_body(response: requests.Response) -> tuple[bytes, int]:
    """The decoded body and its size on the wire (compressed, without chunk framing).

    urllib3 does not count the bytes of chunked responses (`raw.tell()` stays 0), and large
    Prometheus answers are chunked, so we read the raw stream here, before requests would,
    and hand requests the decoded body. Only gzip is ever asked for (see build_session).
    """
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    raw = response.raw
    if raw is None or response._content_consumed or encoding not in ("", "identity", "gzip"):
        body = response.content
        return body, len(body)
    try:
        wire_body = b"".join(raw.stream(64 * 1024, decode_content=False))
        body = gzip.decompress(wire_body) if encoding == "gzip" and wire_body else wire_body
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ReadTimeout(exc, response=response) from exc
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise requests.exceptions.ChunkedEncodingError(exc, response=response) from exc
    except (EOFError, zlib.error) as exc:
        raise requests.exceptions.ContentDecodingError(exc, response=response) from exc
    # requests' own `content` returns this from now on instead of reading the stream.
    response._content = body
    response._content_consumed = True
    return body, len(wire_body)


def build_session(config: PrometheusConfig, recorder: ResponseRecorder) -> requests.Session:
    """A session with the config's TLS settings, retries off (we retry) and the hook.

    SourceError (not retryable) if a TLS file cannot be used.
    """
    tls = TlsSettings.of(config)
    # Built only to check the files and name the wrong one; requests takes paths (see tls).
    tls.ssl_context(f"Prometheus at {config.url}")
    session = _TlsSession()
    session.verify = tls.requests_verify
    session.cert = tls.requests_cert
    if tls.insecure:
        # The user asked for it in the config; a warning per request would flood the log.
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    # total=0/read=False is requests' own default: fail fast, let RetryPolicy decide.
    no_retry = Retry(total=0, read=False, redirect=False, raise_on_status=False)
    session.mount("http://", HTTPAdapter(max_retries=no_retry))
    session.mount("https://", HTTPAdapter(max_retries=no_retry))
    # Only gzip, so _read_body can decode whatever comes back (requests may offer br/zstd).
    session.headers["Accept-Encoding"] = "gzip"
    session.hooks["response"].append(recorder.hook)
    return session


def base_url(config: PrometheusConfig) -> str:
    """The URL requests go to: `prometheus.url` without the credentials it may hold, which
    `auth_settings` hands over as basic auth instead."""
    return split_credentials(config.url)[0]


class _TlsSession(requests.Session):
    """A session whose own `verify` wins over REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE.

    Plain requests lets those variables replace a session's CA bundle, and even its
    `verify=False`, on every request that does not pass `verify` itself: `ca_file` and
    `tls_insecure` would be silently ignored wherever the variables are set. With
    `verify=True` (nothing configured) the variables still apply, as requests' users expect.
    """

    def merge_environment_settings(
        self,
        url: str,
        proxies: dict[str, str] | None,
        stream: bool | None,
        verify: bool | str | None,
        cert: str | tuple[str, str] | None,
    ) -> dict[str, Any]:
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if verify is None and self.verify is not True:
            settings["verify"] = self.verify
        return settings


def _header_value(name: str, value: str | SecretRef) -> str:
    where = f"prometheus.headers.{name}"
    try:
        text = value.resolve() if isinstance(value, SecretRef) else value
    except ConfigError as exc:
        raise ConfigError(where, "", str(exc)) from exc
    problem = header_problem(text)
    if problem:  # requests would quote the value in its own error
        raise ConfigError(where, "", problem)
    if name.lower() not in NON_SECRET_HEADERS:
        # A plain str from code (not the loader) is treated as the loader would treat it.
        SECRETS.add(text)
    return text


def auth_settings(config: PrometheusConfig) -> tuple[dict[str, str], tuple[str, str] | None]:
    """Headers (extra + bearer token) and basic auth (`basic_auth`, else the URL's user and
    password); SourceError if a secret is missing. Every value is registered as a secret."""
    headers: dict[str, str] = {}
    try:
        for name, value in config.headers.items():
            headers[name] = _header_value(name, value)
        if config.token:
            headers["Authorization"] = f"Bearer {config.token.resolve()}"
        if config.username:
            auth: tuple[str, str] | None = (config.username, config.password.resolve())
        else:
            auth = split_credentials(config.url)[1]
    except ConfigError as exc:
        raise SourceError(f"Prometheus credentials: {exc}", retryable=False) from exc
    if auth is not None:
        SECRETS.add_basic(*auth)
    return headers, auth


def _excerpt(body: bytes, content_type: str) -> str:
    """A short readable line from a non-JSON body: an HTML page's title or its text.

    Scrubbed before it is cut short: a proxy echoing our headers could otherwise leave the
    first characters of a secret at the cut, too short to be recognised afterwards.
    """
    text = scrub(body.decode("utf-8", "replace"))
    if "html" in content_type or text.lstrip().startswith("<"):
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        if title and title.group(1).strip():
            text = title.group(1)
        else:
            text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.I | re.S)
            text = re.sub(r"<[^>]+>", " ", text)
        text = html.unescape(text)
    text = " ".join(text.split())  # also drops newlines and control whitespace
    text = scrub("".join(ch for ch in text if ch.isprintable()))
    return text if len(text) <= BODY_EXCERPT else text[: BODY_EXCERPT - 1] + "…"


def _api_error(body: bytes) -> str | None:
    """`errorType: error` from a Prometheus error body, or None if it is not one."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or data.get("status") != "error":
        return None
    kind = data.get("errorType") or "error"
    return f"{kind}: {data.get('error') or 'no details'}"


def status_error(
    info: ResponseInfo, url: str, what: str, *, token_configured: bool
) -> tuple[SourceError, float | None]:
    """The message for a non-200 answer, and the server's Retry-After (if retryable).

    `url` is the URL as shown (`display_url`), never one with its password.
    """
    status = info.status
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "unknown status"
    head = f"HTTP {status} {reason}"
    if status in (401, 403):
        # Never quote the body or our headers here: some proxies echo the credentials back.
        hint = (
            "the configured token or password was rejected; check it"
            if token_configured
            else "set prometheus.token_env, token_file or token_command (or basic_auth)"
        )
        return SourceError(
            f"Prometheus at {url} refused access ({head}): {hint}", retryable=False
        ), None
    detail = _api_error(info.body) or _excerpt(info.body, info.headers.get("content-type", ""))
    detail = f": {detail}" if detail else ""
    if status in (400, 422):
        return SourceError(
            f"Prometheus rejected the {what} ({head}){detail}", retryable=False
        ), None
    if status == 404:
        message = f"no Prometheus API at {url} ({head}); check prometheus.url"
        return SourceError(message, retryable=False), None
    retryable = status in RETRY_STATUSES
    error = SourceError(
        f"Prometheus at {url} failed the {what} ({head}){detail}", retryable=retryable
    )
    return error, parse_retry_after(info.headers.get("retry-after")) if retryable else None


def transport_error(exc: requests.RequestException, url: str, timeout: float) -> SourceError:
    """The message for a request that got no HTTP answer at all (`url` as shown)."""
    message = describe_transport_error(exc, f"Prometheus at {url}", timeout=timeout)
    # A certificate that failed verification fails the same way on the next try.
    return SourceError(message, retryable=not isinstance(exc, requests.exceptions.SSLError))
