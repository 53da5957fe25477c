"""Uptime probes: HTTP(S) endpoints checked with httpx from where pulse-tui runs.

`Prober(probes).run(sink)` checks every probe concurrently, each in its own task at its own
interval, and hands the sink a `ProbeStatus` snapshot after every check. A slow or hanging
endpoint only delays its own task: each check is cut off at the probe's `timeout`, total
(connect + headers), not per network read.

What a check does, and why:

* `GET` the URL, TLS certificates verified (an expired certificate *is* an outage for
  the users). The body is not read: latency is the time to the response headers.
* Redirects are **not** followed: a probe checks the URL it names, so a 301/302 is its
  answer (set `expect_status` to expect one). A health URL that starts redirecting to a
  login page should read as failing, not as up.
* Up = the status is `expect_status`. Anything else is a failed check with a short
  reason (`connection refused`, `no answer within 2s`, `HTTP 503 (expected 200)`), in
  the words every source uses (`transport.errors`).
* `down` turns True once `down_after` checks in a row failed and back to False on the
  first success; `changed` marks the snapshot where that happened, so the app raises
  "api health down for 3 checks" once and resolves it once.

URLs may carry credentials (`https://user:secret@host/`). They are taken out of the URL
and sent as basic auth (httpx logs every request's URL), and every text meant for display
has the password masked (`display_url`) and never quotes the URL in errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx

from pulse_tui.config.alert_model import Probe
from pulse_tui.model.core.redact import display_url, split_credentials
from pulse_tui.sources.transport.errors import describe_transport_error
from pulse_tui.sources.transport.tls import TlsSettings

__all__ = ["ProbeCheck", "ProbeState", "ProbeStatus", "Prober", "display_url"]

_BARS = "▁▂▃▄▅▆▇█"
_FAILED = "✗"


@dataclass(frozen=True, slots=True)
class ProbeCheck:
    """One check: when (Unix time), whether it passed, and its latency (s) if answered."""

    timestamp: float
    ok: bool
    latency: float | None


@dataclass(frozen=True, slots=True)
class ProbeStatus:
    """A probe as of its latest check (an immutable snapshot the UI may keep)."""

    name: str
    #: The URL with its password masked and its query elided (see `display_url`).
    url: str
    severity: str
    down_after: int
    #: None before the first check, then whether the latest check passed.
    up: bool | None
    #: True from `down_after` failures in a row until the next success.
    down: bool
    #: `down` changed with this check (went down, or recovered).
    changed: bool
    consecutive_failures: int
    last_latency: float | None
    last_status_code: int | None
    #: Why the latest check failed (short, no credentials); None when it passed.
    last_error: str | None
    last_checked: float | None
    #: Oldest first, at most the prober's `history` checks.
    history: tuple[ProbeCheck, ...] = field(default=())

    @property
    def went_down(self) -> bool:
        """This check made the probe down: raise the alert."""
        return self.changed and self.down

    @property
    def recovered(self) -> bool:
        """This check ended a down period: resolve the alert."""
        return self.changed and not self.down

    @property
    def alert_text(self) -> str:
        """E.g. `api health down for 3 checks: HTTP 503 (expected 200)`."""
        if self.down:
            return (
                f"{self.name} down for {self.consecutive_failures} checks: "
                f"{self.last_error or 'failed'}"
            )
        return f"{self.name} up" + (
            f" ({self.last_latency * 1000:.0f} ms)" if self.last_latency is not None else ""
        )

    def history_strip(self, width: int) -> str:
        """The latest `width` checks as one glyph each, oldest left, right-aligned:
        a bar `▁`…`█` for a passed check (its latency against the slowest passed check
        shown) and `✗` for a failed one; blanks before the first check."""
        if width <= 0:
            return ""
        checks = self.history[-width:]
        slowest = max((c.latency for c in checks if c.ok and c.latency), default=0.0)
        glyphs = []
        for check in checks:
            if not check.ok:
                glyphs.append(_FAILED)
            elif not slowest or check.latency is None:
                glyphs.append(_BARS[0])
            else:
                step = round(check.latency / slowest * (len(_BARS) - 1))
                glyphs.append(_BARS[min(step, len(_BARS) - 1)])
        return " " * (width - len(glyphs)) + "".join(glyphs)


class ProbeState:
    """What the prober remembers about one probe between checks."""

    def __init__(self, probe: Probe, history: int) -> None:
        self.probe = probe
        self.url = display_url(probe.url)
        #: Where the check goes, and the URL's credentials, sent as basic auth.
        self.target, self.auth = split_credentials(probe.url)
        self.up: bool | None = None
        self.down = False
        self.consecutive_failures = 0
        self.last_latency: float | None = None
        self.last_status_code: int | None = None
        self.last_error: str | None = None
        self.last_checked: float | None = None
        self.history: deque[ProbeCheck] = deque(maxlen=history)

    def record(
        self,
        timestamp: float,
        ok: bool,
        latency: float | None,
        status_code: int | None,
        error: str | None,
    ) -> ProbeStatus:
        """Take one check's outcome; return the snapshot to hand on."""
        was_down = self.down
        self.up = ok
        self.last_checked = timestamp
        self.last_status_code = status_code
        self.last_error = error
        if latency is not None:
            self.last_latency = latency
        self.history.append(ProbeCheck(timestamp, ok, latency))
        if ok:
            self.consecutive_failures = 0
            self.down = False
        else:
            self.consecutive_failures += 1
            self.down = self.consecutive_failures >= self.probe.down_after
        return self.snapshot(changed=self.down != was_down)

    def snapshot(self, changed: bool = False) -> ProbeStatus:
        return ProbeStatus(
            name=self.probe.name,
            url=self.url,
            severity=self.probe.severity,
            down_after=self.probe.down_after,
            up=self.up,
            down=self.down,
            changed=changed,
            consecutive_failures=self.consecutive_failures,
            last_latency=self.last_latency,
            last_status_code=self.last_status_code,
            last_error=self.last_error,
            last_checked=self.last_checked,
            history=tuple(self.history),
        )


class Prober:
    """Checks `probes` concurrently, each at its interval, until `stop()`.

    `client` is used as given (and not closed) when passed; otherwise the prober makes one
    (TLS verified per `tls`, redirects not followed) and closes it when `run` ends.
    """

    def __init__(
        self,
        probes: Sequence[Probe],
        *,
        client: httpx.AsyncClient | None = None,
        tls: TlsSettings | None = None,
        history: int = 60,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.probes = tuple(probes)
        self.states = {probe.name: ProbeState(probe, history) for probe in self.probes}
        self._client = client
        self._tls = tls or TlsSettings()
        self._clock = clock
        self._stopped = asyncio.Event()

    def statuses(self) -> list[ProbeStatus]:
        """Every probe's latest snapshot, in config order (for a first paint)."""
        return [self.states[p.name].snapshot() for p in self.probes]

    async def run(self, sink: Callable[[ProbeStatus], None]) -> None:
        """Probe until `stop()`; `sink` gets a snapshot after every check."""
        self._stopped.clear()
        own = self._client is None
        client = self._client or self._new_client()
        try:
            tasks = [
                asyncio.create_task(self._loop(client, probe, sink), name=f"probe {probe.name}")
                for probe in self.probes
            ]
            try:
                await self._stopped.wait()
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            if own:
                await client.aclose()

    async def check_all_once(self) -> list[ProbeStatus]:
        """Every probe checked once, concurrently (for `pulse-tui check`), in config order."""
        own = self._client is None
        client = self._client or self._new_client()
        try:
            return list(await asyncio.gather(*(self.check(client, p) for p in self.probes)))
        finally:
            if own:
                await client.aclose()

    def _new_client(self) -> httpx.AsyncClient:
        # Redirects not followed: a probe checks the URL it names (see the module docstring).
        return httpx.AsyncClient(follow_redirects=False, verify=self._tls.ssl_context("probes"))

    async def stop(self) -> None:
        """End `run`: checks in flight are abandoned."""
        self._stopped.set()

    async def _loop(
        self, client: httpx.AsyncClient, probe: Probe, sink: Callable[[ProbeStatus], None]
    ) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopped.is_set():
            started = loop.time()
            sink(await self.check(client, probe))
            # Fixed rate: the next check is due `interval` after this one started (at
            # once if the check took longer), woken early by `stop()`.
            delay = max(0.0, started + probe.interval - loop.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), delay)

    async def check(self, client: httpx.AsyncClient, probe: Probe) -> ProbeStatus:
        """Check `probe` once, record the outcome, return the snapshot."""
        state = self.states[probe.name]
        timestamp = self._clock()
        start = time.perf_counter()
        try:
            # The total bound: httpx's own timeouts apply per connect / read, so a server
            # trickling bytes could otherwise hold a check for much longer.
            async with asyncio.timeout(probe.timeout):
                request = client.build_request("GET", state.target, timeout=probe.timeout)
                auth = state.auth if state.auth is not None else httpx.USE_CLIENT_DEFAULT
                response = await client.send(request, stream=True, auth=auth)
                latency = time.perf_counter() - start
                await response.aclose()  # the body is not needed
        except (httpx.HTTPError, httpx.InvalidURL, TimeoutError, OSError) as exc:
            # No `where`: the reason is shown next to the probe's name, and never a URL.
            reason = describe_transport_error(exc, timeout=probe.timeout)
            return state.record(timestamp, False, None, None, reason)
        code = response.status_code
        if code != probe.expect_status:
            error = f"HTTP {code} (expected {probe.expect_status})"
            return state.record(timestamp, False, latency, code, error)
        return state.record(timestamp, True, latency, code, None)
