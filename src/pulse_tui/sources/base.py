"""The interfaces every data source implements; the app knows nothing else about them.

Sources are plain asyncio code with no Textual import, so the same classes serve the TUI,
the `summary` and `check` commands, tests and benchmarks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable

from pulse_tui.model.core.redact import scrub
from pulse_tui.model.logs.line import LogLine
from pulse_tui.model.metrics.signals import QueryWindow, Series, Signal, SignalResult


class SourceError(Exception):
    """A source failed in a way worth showing the user; `str()` is the whole message.

    The message is scrubbed of known secrets and URL passwords on construction
    (`pulse_tui.model.core.redact`), so no error path can put one on the screen: server bodies and
    library exceptions quoted in it may echo our credentials.

    `retryable` is False for failures that retrying cannot fix (bad query, auth refused,
    unknown host key), so callers stop instead of hammering.

    `retry_after` is how long the server asked us to wait (its Retry-After header), which
    a caller's backoff keeps to across calls; `status` the HTTP status it answered with.
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = True,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(scrub(message))
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status


@runtime_checkable
class MetricsSource(Protocol):
    """Answers range queries for the five signals, for every service in one query each
    (and one more each for the current values, when asked)."""

    #: What the header shows: the backend URL, or "DEMO".
    label: str
    #: Label that names a service in the backend ("job" unless configured).
    service_label: str

    async def services(self) -> list[str]:
        """Every service the backend knows, sorted."""
        ...

    async def query_signal(
        self,
        signal: Signal,
        window: QueryWindow,
        services: Sequence[str] = (),
        *,
        compare_offset: float | None = None,
        recent: QueryWindow | None = None,
        young: QueryWindow | None = None,
    ) -> SignalResult:
        """One signal over the window; `services` narrows it (empty = all).

        `recent` (`step.recent_window`) asks for the same signal over those last minutes
        too, for the current values (`SignalResult.recent`; shifted back as well with
        `compare_offset`). A failure there is not the panel's: it is kept in
        `Recent.error` and the current values fall back to the chart's newest points.
        `young` (`step.young_window`) likewise asks for the last few chart steps at a finer
        step, for what changed (`SignalResult.young`), its failure kept the same way.
        Raises SourceError with a message fit for the panel's status line.
        """
        ...

    async def query_expr(
        self, expr: str, window: QueryWindow, *, what: str = "alert rule query"
    ) -> list[Series]:
        """Any expression over the window, one series per label set (for PromQL alert
        rules and imported dashboards; `what` names it in errors); a backend with no query
        language returns no series. Raises SourceError."""
        ...

    async def query_expr_top(
        self, expr: str, window: QueryWindow, limit: int, *, what: str = "dashboard query"
    ) -> tuple[list[Series], int]:
        """`query_expr` cut to the `limit` series with the highest value now (imported
        dashboards' panels, `dashboard.max_series`), and how many it answered in all."""
        ...

    async def probe(self) -> str:
        """One line saying the backend answers (for `pulse-tui check`); raises SourceError."""
        ...

    async def close(self) -> None: ...


class HostState(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    RETRYING = "retrying"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class HostStatus:
    """Where one log host stands, for the pane's status line."""

    host: str
    state: HostState
    #: FAILED: the whole message; RETRYING: why, in a few words ("connection refused").
    detail: str = ""
    #: For RETRYING: Unix time of the next attempt.
    retry_at: float | None = None


class LogSink(Protocol):
    """Where a log source delivers; the app implements it, tests may too."""

    def on_lines(self, lines: Sequence[LogLine]) -> None: ...

    def on_status(self, status: HostStatus) -> None: ...

    def on_history_done(self, host: str) -> None:
        """`host` has sent all the history it loads on connect; its lines are live now.

        Sent once, by a source whose `loads_history` is True (a sink may wait for it to
        merge every host's history into one time order)."""
        ...

    def on_partial(self, host: str, source: str, text: str | None) -> None:
        """`host`'s stream `source` ends in a line with no newline yet, `text` so far
        (None: there is none any more: it was completed, and comes by `on_lines`).

        Sent after the stream was quiet a moment (`ssh.tail.PARTIAL_QUIET_SECONDS`); the
        text is not a line yet: it is for showing, marked as partial, not for the buffer."""
        ...


@dataclass(slots=True)
class FetchedWindow:
    """What one host holds for a past window `[start, end)`, read on demand
    (`LogSource.fetch_window`): its lines in each stream's own order, and what it cost."""

    host: str
    start: float
    end: float
    #: One sequence per file or unit, each in its own order (the caller merges them).
    batches: list[Sequence[LogLine]] = field(default_factory=list)
    #: Why the window is not all there (None: it is), fit for the status line.
    problem: str | None = None
    #: Bytes of file content read on the host (0: nothing was read there).
    bytes_read: int = 0
    #: Nothing of the window was kept because the host could not be read (not connected,
    #: the connection or its jump host lost): asking again later may succeed. False with
    #: a `problem`: what could be read is here, and asking again would read the same.
    failed: bool = False

    @property
    def lines(self) -> int:
        return sum(map(len, self.batches))


def cannot_fetch(host: str, start: float, end: float) -> FetchedWindow:
    """The answer of a source that cannot load past windows (`fetches_windows` False)."""
    return FetchedWindow(host, start, end, problem="this source cannot load past windows")


@runtime_checkable
class LogSource(Protocol):
    """Streams sanitised lines from one host until cancelled."""

    #: The host's display name (the alias the user wrote).
    host: str
    #: The service the host's lines belong to by default ("" if none is configured; a
    #: file or unit may name its own).
    service: str
    #: True if it sends a history on connect and then calls `LogSink.on_history_done`;
    #: False for a live-only source.
    loads_history: bool
    #: True if `fetch_window` reads past windows from the host; False: it answers at once
    #: with `cannot_fetch`.
    fetches_windows: bool

    @property
    def loaded_since(self) -> float | None:
        """The time from which the source has delivered (or is delivering, as its
        history) every line; None: not known. Older windows come by `fetch_window`."""
        ...

    async def run(self, sink: LogSink) -> None:
        """Stream forever, reconnecting as needed; returns only when told to stop."""
        ...

    async def stop(self) -> None:
        """Stop streaming and leave nothing running on the remote side."""
        ...

    async def fetch_window(self, start: float, end: float) -> FetchedWindow:
        """The host's lines of `[start, end)` that it has not delivered yet (history on
        demand), without blocking the stream. Never raises for a host problem: it is in
        `FetchedWindow.problem`, with whatever was read before it. Cancellable: a cancelled
        fetch leaves nothing running on the host."""
        ...
