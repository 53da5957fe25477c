"""What a `requests` response hook sees of every Prometheus answer (see http.py).

The hook keeps every answer bounded and readable before the library touches it:

* it reads the body in chunks up to `prometheus.max_body_bytes` (decompressing as it
  goes) and stops with a clear error past it, so a 100 MB answer is never held whole;
* it parses a 200 answer's JSON itself, so a body nested too deep or malformed gets one
  line naming the cause (not a RecursionError out of the library), and hands the parsed
  document to the library through the response's `json` (no second parse);
* it keeps what the library drops: `warnings` and `infos` (Thanos' partial responses,
  Mimir's limits) and the server's clock (its Date header), for the clock-skew banner.

The library has no lower-level call that returns the response itself (every method ends
in `response.json()["data"]...`), so the hook is the one place that sees the response.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Any

import requests
import urllib3

from pulse_tui.model.core.redact import scrub
from pulse_tui.sources.base import SourceError

#: How much of an error answer is read: enough for a JSON error or an HTML page's title.
ERROR_BODY_LIMIT = 64 * 1024
#: How many of a server's warnings (and infos) an answer keeps.
MAX_WARNINGS = 20


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    """What the hook saw of one response (the body only up to a cap)."""

    status: int
    headers: dict[str, str]
    body: bytes
    wire_bytes: int
    #: Our clock when the headers came (time.time()), for the skew against Date.
    received: float = 0.0
    #: A 200 answer's `warnings` and `infos`, as the server sent them (scrubbed).
    warnings: tuple[str, ...] = ()

    @property
    def clock_skew(self) -> float | None:
        """The server's clock minus ours, from the Date header; None if it has none.

        Date is floored to the second, so ours is floored too: ±1 s is noise.
        """
        date = self.headers.get("date")
        if not date:
            return None
        try:
            server = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError, IndexError):
            return None
        return server - int(self.received)


class AnswerRejected(requests.RequestException):
    """Raised by the hook for an answer we will not use (too big, not JSON, too deep);
    `error` is the one line to show. A RequestException, so that code catching the
    library's usual failures (the build-info lookup) catches this too."""

    def __init__(self, error: SourceError) -> None:
        super().__init__(str(error))
        self.error = error


class ResponseRecorder:
    """A `requests` response hook that remembers responses per thread and counts bytes.

    Per thread because each call runs in its own thread (see source.py) and the hook has
    no other way to hand its findings to the code that made the call: the library returns
    only the parsed data. The calling thread reads `last()` right after the call.
    """

    def __init__(self, label: str = "Prometheus", max_body_bytes: int = 32 << 20) -> None:
        #: The URL as messages show it (password masked).
        self.label = label
        self.max_body_bytes = max_body_bytes
        self._local = threading.local()
        self._lock = threading.Lock()
        self.bytes_received = 0

    def hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        received = time.time()
        ok = response.status_code == 200
        cap = self.max_body_bytes if ok else ERROR_BODY_LIMIT
        timeout = _total_timeout(kwargs.get("timeout"))
        try:
            # A 200 cut at the cap is refused whole: none of it needs keeping.
            body, wire, cut = _read_body(response, cap, timeout, keep_cut=not ok)
        finally:
            # Counted even when reading failed half-way: those bytes did come.
            with self._lock:
                self.bytes_received += getattr(response, "_pulse_wire", 0)
        headers = {k.lower(): v for k, v in response.headers.items()}
        info = ResponseInfo(response.status_code, headers, body, wire, received)
        self._local.last = info
        if cut and ok:
            raise AnswerRejected(self._too_big())
        if ok:
            document = parse_json(info, self.label)
            warnings = _warnings(document)
            self._local.last = ResponseInfo(info.status, headers, body, wire, received, warnings)
            # The library calls `response.json()`: give it what we parsed, not a second parse.
            response.json = lambda **_: document  # type: ignore[method-assign]

    def reset(self) -> None:
        self._local.last = None

    def last(self) -> ResponseInfo | None:
        """The last response this thread received since `reset()`."""
        return getattr(self._local, "last", None)

    def _too_big(self) -> SourceError:
        return SourceError(
            f"Prometheus at {self.label} sent more than {_size(self.max_body_bytes)} for one "
            "query (prometheus.max_body_bytes); stopped reading. Filter the services "
            "(s) or use a coarser range",
            retryable=False,
        )


def _total_timeout(timeout: object) -> float | None:
    """requests' `timeout` (a number, or connect/read) as one deadline for the body."""
    if isinstance(timeout, tuple):
        timeout = timeout[-1]
    return float(timeout) if isinstance(timeout, int | float) else None


def _read_body(
    response: requests.Response, cap: int, timeout: float | None, *, keep_cut: bool
) -> tuple[bytes, int, bool]:
    """The decoded body (at most `cap` bytes; nothing if cut and not `keep_cut`), its size
    on the wire (compressed, without chunk framing) so far, and whether it was cut.

    urllib3 does not count the bytes of chunked responses (`raw.tell()` stays 0), and large
    Prometheus answers are chunked, so we read the raw stream here, before requests would,
    and hand requests the decoded body. Only gzip is ever asked for (see build_session); it
    is decompressed chunk by chunk with a bound, so a small gzip bomb stays small too.
    A cut answer's connection is closed, not drained: the rest is never read.

    requests' timeout is per read: a server trickling a byte a second would never time
    out, so the body also has a deadline, what is left of `timeout` after the headers.
    """
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    raw = response.raw
    if raw is None or response._content_consumed or encoding not in ("", "identity", "gzip"):
        body = response.content
        response._pulse_wire = len(body)  # type: ignore[attr-defined]
        return body[:cap], len(body), len(body) > cap
    deadline = None
    if timeout is not None:
        deadline = time.monotonic() + max(timeout - response.elapsed.total_seconds(), 0.5)
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None
    parts: list[bytes] = []
    size = wire = 0
    cut = False
    try:
        for chunk in raw.stream(64 * 1024, decode_content=False):
            wire += len(chunk)
            response._pulse_wire = wire  # type: ignore[attr-defined]
            # One byte past the cap is enough to know it is too big.
            data = decoder.decompress(chunk, cap + 1 - size) if decoder else chunk
            parts.append(data)
            size += len(data)
            if size > cap:
                cut = True
                # Trimmed in place, so that joining makes no copy beyond the cap.
                parts[-1] = data[: len(data) - (size - cap)]
                break
            if deadline is not None and time.monotonic() > deadline:
                raise urllib3.exceptions.ReadTimeoutError(None, response.url, "body too slow")  # type: ignore[arg-type]
        if decoder is not None and not cut and wire:
            parts.append(decoder.flush())
            if not decoder.eof:
                raise EOFError("compressed answer ends early")
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ReadTimeout(exc, response=response) from exc
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise requests.exceptions.ChunkedEncodingError(exc, response=response) from exc
    except (EOFError, zlib.error) as exc:
        raise requests.exceptions.ContentDecodingError(exc, response=response) from exc
    if cut:
        response.close()
        if not keep_cut:
            parts.clear()
    body = b"".join(parts)
    parts.clear()
    # requests' own `content` returns this from now on instead of reading the stream.
    response._content = body
    response._content_consumed = True
    return body, wire, cut


def parse_json(info: ResponseInfo, label: str) -> Any:
    """A 200 body as JSON; AnswerRejected with the cause in one line if it is not."""
    body = info.body
    content_type = info.headers.get("content-type", "")
    if body.lstrip()[:1] not in (b"{", b"[") and "json" not in content_type:
        raise AnswerRejected(not_the_api(info, label))
    try:
        return json.loads(body)
    except RecursionError:
        message = (
            f"{label} answered with JSON nested too deeply to read ({_size(len(body))}); "
            "not a Prometheus answer: check prometheus.url and any proxy in between"
        )
    except UnicodeDecodeError as exc:
        message = f"{label} answered with malformed JSON: not UTF-8 at byte {exc.start}"
    except json.JSONDecodeError as exc:
        cut = " (the answer ends early: cut off on the way?)" if exc.pos >= len(body) else ""
        message = (
            f"{label} answered with malformed JSON: {exc.msg.lower()} at line {exc.lineno} "
            f"column {exc.colno} (byte {exc.pos} of {len(body)}){cut}"
        )
    raise AnswerRejected(SourceError(message, retryable=False))


def not_the_api(info: ResponseInfo | None, label: str) -> SourceError:
    kind = info.headers.get("content-type", "unknown content") if info else "unknown content"
    return SourceError(
        f"{label} answered with something other than the Prometheus API ({kind}); "
        "check prometheus.url",
        retryable=False,
    )


def _warnings(document: object) -> tuple[str, ...]:
    """The answer's `warnings` then `infos` (strings only, at most MAX_WARNINGS each)."""
    if not isinstance(document, dict):
        return ()
    found: list[str] = []
    for key in ("warnings", "infos"):
        value = document.get(key)
        if isinstance(value, list):
            found += [scrub(str(v)) for v in value[:MAX_WARNINGS] if isinstance(v, str | int)]
    return tuple(found)


def _size(count: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count} bytes"
