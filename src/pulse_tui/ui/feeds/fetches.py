"""History on demand: when the view moves to a time the buffer does not hold, fetch that
window from every host in the background, and land the pane on it when it is in.

`WindowFetches` owns the loaded coverage (`model.logs.coverage`), the fetches in flight
(one task per host, so a slow host holds nobody back) and what the pane's status line
says about them. Every `want` is a new generation: the fetches of the one before are
cancelled, and a result that still arrives from them is never applied. A window already
covered for a host is not asked of it again; the buffer's evictions cut the coverage, so
an evicted window is fetched again when the view comes back to it.

A fetch that failed on a host (not connected, the connection or its jump host lost:
`FetchedWindow.failed`) keeps nothing and is never marked covered; it is asked again
with the shared backoff while the view stays, and the status line counts down to it
("web-2: window fetch failed (no answer) · retrying in 4s"). A window that came back
cut (a corrupt .gz, the byte bound) is not retried: asking again would read the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable, Sequence

from pulse_tui.model.core import clock
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.coverage import Coverage
from pulse_tui.model.logs.fetched import Merged, Window
from pulse_tui.sources.base import FetchedWindow, LogSource
from pulse_tui.sources.transport.backoff import Backoff, BackoffPolicy
from pulse_tui.ui.widgets.logs.log_panel import LogPanel

#: A jump to T fetches this much either side of it.
JUMP_SPAN = 300.0
#: A jump finds no line "near" T beyond max(this, the chart's step).
NEAR_SECONDS = 60.0
#: How soon a failed window fetch is asked again (doubling per failure in a row).
RETRY = BackoffPolicy(first=2.0, cap=30.0)


def clock_time(t: float, seconds: bool = False) -> str:
    """Local wall-clock time, as the pane shows lines."""
    return time.strftime("%H:%M:%S" if seconds else "%H:%M", time.localtime(t))


class WindowFetches:
    """Fetches what the view needs and is not loaded; says what is loading."""

    def __init__(
        self,
        sources: Sequence[LogSource],
        buffer: LogBuffer,
        *,
        apply: Callable[[Window], None],
        panels: Callable[[], list[LogPanel]],
        view_start: Callable[[], float],
        retry: BackoffPolicy = RETRY,
    ) -> None:
        self._sources = [s for s in sources if s.fetches_windows]
        self._buffer = buffer
        #: Hands a fetched window to the feed, to merge into the buffer.
        self._apply = apply
        self._panels = panels
        #: Where the range on screen starts (what "logs from" is measured against).
        self._view_start = view_start
        #: Per host, the time the buffer holds every line of.
        self.coverage = Coverage()
        #: Hosts whose `loaded_since` is in `coverage` already (added once: evictions
        #: cut it afterwards).
        self._seeded: set[str] = set()
        self._generation = 0
        self._tasks: dict[str, asyncio.Task[None]] = {}
        #: The window being fetched, and the hosts not done with it.
        self._window: tuple[float, float] | None = None
        self._waiting: set[str] = set()
        #: Windows handed to the feed and not yet merged.
        self._unmerged = 0
        #: Where to put the pane once the fetch is in: (time, "near" bound, take focus).
        self._land: tuple[float, float, bool] | None = None
        self._problems: dict[str, str] = {}
        self._retry = retry
        #: Per host, its failed fetches in a row (reset by one that succeeds).
        self._backoffs: dict[str, Backoff] = {}
        #: Hosts whose failed fetch waits to be asked again: (why it failed, when, by
        #: `time.monotonic`, it is asked again).
        self._retrying: dict[str, tuple[str, float]] = {}
        #: The window the view asked for last (kept while a retry waits).
        self._asked: tuple[float, float] | None = None
        self._notes: list[str] = []
        #: Every window ever fetched, per host (for tests and `summary`-like counters).
        self.fetched: list[tuple[str, float, float]] = []

    @property
    def loading(self) -> bool:
        return bool(self._waiting)

    @property
    def landing_at(self) -> float | None:
        """The time the pane is to land on once the fetch is in (None: no jump pending);
        a merge past the buffer's bounds keeps the lines around it."""
        return None if self._land is None else self._land[0]

    @property
    def busy(self) -> bool:
        """Fetching, or fetched lines still being merged into the buffer (in a thread)."""
        return bool(self._waiting or self._unmerged)

    # ------------------------------------------------------------------ asking

    def want(
        self,
        start: float,
        end: float,
        *,
        land_at: float | None = None,
        near: float = 0.0,
        take_focus: bool = False,
    ) -> None:
        """The view shows `[start, end)`: fetch what of it is not loaded; with `land_at`,
        put the pane there once it is in (at once if nothing needs fetching), and say so
        if no line is within max(`near`, NEAR_SECONDS) of it. `take_focus`: the logs get
        the keys when it lands (a jump asked for them; a range change only scrolls them,
        the user stays on the tab they were reading)."""
        self._cancel()
        self._generation += 1
        self._problems.clear()
        self._notes.clear()
        self._land = None if land_at is None else (land_at, max(near, NEAR_SECONDS), take_focus)
        end = min(end, clock.now())
        self._asked = (start, end)
        missing: dict[LogSource, list[tuple[float, float]]] = {}
        for source in self._sources:
            self._seed(source)
            gaps = self.coverage.missing(source.host, start, end)
            if gaps:
                missing[source] = gaps
        if land_at is not None and all(
            self.coverage.covers(source.host, land_at - 1, min(land_at + 1, end))
            for source in self._sources
        ):
            # The moment itself is loaded: show it now, fetch around it in the background
            # (the merge keeps the pane where it is).
            self._window = None
            self._settled()
        if not missing:
            self._window = None
            self._settled()
            return
        self._window = (start, end)
        self._waiting = {source.host for source in missing}
        for source, gaps in missing.items():
            task = asyncio.ensure_future(self._fetch(source, gaps, self._generation))
            self._tasks[source.host] = task
        self._show()

    def jump(self, at: float, near: float) -> None:
        """Enter on the chart cursor at `at`: the lines around it, fetched if needed."""
        self.want(at - JUMP_SPAN, at + JUMP_SPAN, land_at=at, near=near, take_focus=True)

    def _seed(self, source: LogSource) -> None:
        """A source's own history counts as loaded, once it says from when."""
        if source.host in self._seeded:
            return
        since = source.loaded_since
        if since is not None:
            self._seeded.add(source.host)
            self.coverage.add(source.host, since, math.inf)
            if self._buffer.rotated_out and len(self._buffer):
                self.coverage.keep_only(self._buffer[0].timestamp)

    def _cancel(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()
        self._waiting.clear()
        self._retrying.clear()

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        self._cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task

    # ------------------------------------------------------------------ results

    async def _fetch(
        self, source: LogSource, gaps: list[tuple[float, float]], generation: int
    ) -> None:
        """Fetch `gaps` from `source`; what failed is asked again after a backoff, for as
        long as the view stays (a new `want` cancels this task)."""
        host = source.host
        backoff = self._backoffs.setdefault(host, Backoff(self._retry))
        while True:
            failed = await self._fetch_gaps(source, gaps, generation)
            if generation != self._generation:
                return  # the view moved on: never applied
            if failed is None:
                backoff.succeeded()
                break
            gaps, reason = failed
            retry_at = time.monotonic() + backoff.failed()
            self._retrying[host] = (reason, retry_at)
            self._waiting.discard(host)
            self._settled()  # the other hosts' lines are shown meanwhile
            while (left := retry_at - time.monotonic()) > 0:
                await asyncio.sleep(min(1.0, left))
                self._show()  # the countdown
            del self._retrying[host]
            self._problems.pop(host, None)
            self._window = self._window or self._asked
            self._waiting.add(host)
            self._show()
        self._tasks.pop(host, None)
        self._waiting.discard(host)
        self._show()
        if not self._waiting:
            self._settled()

    async def _fetch_gaps(
        self, source: LogSource, gaps: list[tuple[float, float]], generation: int
    ) -> tuple[list[tuple[float, float]], str] | None:
        """Fetch `gaps` in turn and hand each in; None if every one was read, else the
        gaps left from the one that failed on, and why."""
        for k, (start, end) in enumerate(gaps):
            result: FetchedWindow = await source.fetch_window(start, end)
            if generation != self._generation:
                return None
            self.fetched.append((source.host, start, end))
            if result.failed:
                return gaps[k:], (result.problem or "no answer").removeprefix("window not loaded: ")
            if result.problem:
                self._problems[source.host] = result.problem
            else:  # a window cut or cut short is not covered: it may be fetched again
                self.coverage.add(source.host, start, end)
            if result.batches:
                self._unmerged += 1
                self._apply(Window(source.host, start, end, result.batches))
        return None

    def merged(self, result: Merged, windows: int) -> None:
        """The feed merged `windows` fetched windows into the buffer (`result`)."""
        self._unmerged = max(0, self._unmerged - windows)
        if result.evicted_before or result.evicted_after:
            first, last = result.kept_span or (math.inf, math.inf)
            self.coverage.keep_only(first, last if result.evicted_after else math.inf)
            evicted = result.evicted_before + result.evicted_after
            where = []
            if result.evicted_before and result.kept_span:
                where.append(f"before {clock_time(first)}")
            if result.evicted_after and result.kept_span:
                where.append(f"after {clock_time(last)}")
            self._notes.append(
                f"evicted {evicted:,} lines {' and '.join(where)} (buffer full: logs.max_lines"
                " / logs.max_bytes)"
            )
        self._settled()

    def trimmed(self) -> None:
        """The buffer dropped its oldest lines to stay within its bounds."""
        if len(self._buffer):
            self.coverage.keep_only(self._buffer[0].timestamp)

    def _settled(self) -> None:
        """When nothing is loading or waiting to be merged: land the pane, if asked."""
        if self._waiting or self._unmerged:
            self._show()
            return
        self._window = None
        land, self._land = self._land, None
        if land is not None:
            at, near, take_focus = land
            for panel in self._panels():
                panel.show_time(at, focus=take_focus)
            nearest = self._nearest(at)
            if nearest is None:
                self._notes.append(f"no lines near {clock_time(at)}")
            elif abs(nearest[0] - at) > near:
                when, host = nearest
                self._notes.append(
                    f"no lines near {clock_time(at)} (nearest {clock_time(when, True)} on {host})"
                )
        self._show()

    def _nearest(self, at: float) -> tuple[float, str] | None:
        """The time and host of the buffer's line nearest `at` (the buffer is in order)."""
        buffer = self._buffer
        low, high = 0, len(buffer)
        while low < high:
            mid = (low + high) // 2
            if buffer[mid].timestamp < at:
                low = mid + 1
            else:
                high = mid
        near = [buffer[i] for i in (low - 1, low) if 0 <= i < len(buffer)]
        if not near:
            return None
        line = min(near, key=lambda line: abs(line.timestamp - at))
        return line.timestamp, line.host

    # ------------------------------------------------------------------ saying so

    def note(self) -> str:
        """What the status line says: loading, what failed, evictions, a jump's miss."""
        parts: list[str] = []
        if self._window is not None and self._waiting:
            start, end = self._window
            count = len(self._waiting)
            hosts = f"{count} host{'' if count == 1 else 's'}"
            parts.append(f"loading {clock_time(start)}–{clock_time(end)} from {hosts}")
        elif self._window is not None and self._unmerged:
            parts.append("merging the fetched lines")
        parts += [f"{host}: {problem}" for host, problem in sorted(self._problems.items())]
        now = time.monotonic()
        for host, (reason, retry_at) in sorted(self._retrying.items()):
            wait = max(1, math.ceil(retry_at - now))
            parts.append(f"{host}: window fetch failed ({reason}) · retrying in {wait}s")
        parts += self._notes
        buffer = self._buffer
        if not parts and len(buffer):
            oldest = buffer[0].timestamp
            if self._view_start() < oldest - NEAR_SECONDS:
                parts.append(f"logs from {clock_time(oldest)}")
        return " · ".join(parts)

    def _show(self) -> None:
        note = self.note()
        for panel in self._panels():
            panel.set_window_note(note)
