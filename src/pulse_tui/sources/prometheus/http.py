"""HTTP plumbing for PrometheusSource: session, auth, retry policy and error messages.

prometheus-api-client's `PrometheusConnect` makes the calls, but its exceptions carry only
"HTTP Status Code 503 (b'...')" and it keeps no response: no status code to decide on a
retry, no Retry-After header, no byte count. Instead of parsing that string we hand it our
own `requests.Session` with a response hook (`ResponseRecorder`), which records every
response's status, headers, body and wire size in a thread-local slot that the calling
thread reads right after the call. The hook, which also bounds and parses the answer,
is in recorder.py.
"""

from __future__ import annotations

import html
import json
import re
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
from pulse_tui.sources.prometheus.recorder import ResponseInfo, ResponseRecorder
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


def _api_error(body: bytes) -> tuple[str, str] | None:
    """(errorType, error) from a Prometheus error body, or None if it is not one."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("status") != "error":
        return None
    return str(data.get("errorType") or "error"), str(data.get("error") or "no details")


class QueryTimedOut(SourceError):
    """Prometheus gave up evaluating the query (503, errorType "timeout").

    Sent again as it is, it times out again: the source does not retry it within a call,
    and the panel offers what helps (a shorter range, a coarser step).
    """


#: What a query timeout's message says helps; the dashboard's `-` key halves the range.
TIMEOUT_HINT = "a shorter range (press -) or a coarser step helps"

#: Mimir's and Cortex's words for a request without a tenant.
_NO_TENANT = re.compile(rb"no org ?id", re.IGNORECASE)


def status_error(
    info: ResponseInfo, url: str, what: str, *, token_configured: bool
) -> tuple[SourceError, float | None]:
    """The message for a non-200 answer, and the server's Retry-After (if retryable);
    the error carries both the status and the Retry-After too.

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
        if _NO_TENANT.search(info.body[:4096]):
            hint = (
                'the server asks for a tenant ("no org id", Mimir/Cortex): set X-Scope-OrgID '
                "under [prometheus.headers]; the token is not the problem"
            )
        elif token_configured:
            hint = "the configured token or password was rejected; check it"
        else:
            hint = "set prometheus.token_env, token_file or token_command (or basic_auth)"
        return SourceError(
            f"Prometheus at {url} refused access ({head}): {hint}", retryable=False, status=status
        ), None
    api = _api_error(info.body)
    detail = (
        f"{api[0]}: {api[1]}" if api else _excerpt(info.body, info.headers.get("content-type", ""))
    )
    detail = f": {detail}" if detail else ""
    if status in (400, 422):
        return SourceError(
            f"Prometheus rejected the {what} ({head}){detail}", retryable=False, status=status
        ), None
    if status == 404:
        message = f"no Prometheus API at {url} ({head}); check prometheus.url"
        return SourceError(message, retryable=False, status=status), None
    if status == 503 and api is not None and api[0] == "timeout":
        message = f"Prometheus timed out evaluating the {what} ({head}){detail}; {TIMEOUT_HINT}"
        return QueryTimedOut(message, status=status), None
    retryable = status in RETRY_STATUSES
    retry_after = parse_retry_after(info.headers.get("retry-after")) if retryable else None
    doing = "is rate limiting" if status == 429 else "failed"
    error = SourceError(
        f"Prometheus at {url} {doing} the {what} ({head}){detail}",
        retryable=retryable,
        retry_after=retry_after,
        status=status,
    )
    return error, retry_after


def transport_error(
    exc: requests.RequestException, url: str, timeout: float, *, client_certificate: bool
) -> SourceError:
    """The message for a request that got no HTTP answer at all (`url` as shown)."""
    message = describe_transport_error(exc, f"Prometheus at {url}", timeout=timeout)
    if url.startswith("https:") and not client_certificate:
        message = _client_certificate_hint(message)
    # A certificate that failed verification fails the same way on the next try.
    return SourceError(message, retryable=not isinstance(exc, requests.exceptions.SSLError))


#: How an mTLS server without our certificate is seen: its alert, or a hang-up (before
#: its alert reached us, or instead of one) during or right after the handshake.
_HANG_UPS = (
    "TLS: the server closed the connection during the handshake "
    "(does it require a client certificate?)",
    "connection reset by the server",
    "connection closed by the server",
)


def _client_certificate_hint(message: str) -> str:
    """An HTTPS server hanging up on a client with no certificate configured most
    likely wants one: say which options give it one (a guess, so worded as one)."""
    for hang_up in _HANG_UPS:
        if message.endswith(hang_up):
            head = message[: -len(hang_up)]
            return (
                f"{head}{hang_up.split(' (')[0]}; the server probably asks for a client "
                "certificate (prometheus.cert_file/key_file)"
            )
    return message
