"""The log feed, the sources' LogSink: batches arrive, wait for the next repaint (bounded),
are merged in time order when several hosts stream, and land in the buffer."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from typing import Any

from textual.app import App
from textual.timer import Timer

from pulse_tui.config import Config
from pulse_tui.model.core import clock
from pulse_tui.model.core.view_state import ViewState
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.dense_merge import PIECE
from pulse_tui.model.logs.fetched import Merged, Window, merge_fetched
from pulse_tui.model.logs.line import LogLine
from pulse_tui.model.logs.merge import ReorderWindow, merged_parts
from pulse_tui.model.logs.order import QUIET_SECONDS, HistoryOrder, merge_with
from pulse_tui.sources.base import HostState, HostStatus, LogSource
from pulse_tui.ui.dashboard import Dashboard
from pulse_tui.ui.feeds.alerts import AlertsFeed
from pulse_tui.ui.feeds.fetches import WindowFetches
from pulse_tui.ui.view import ViewController

#: Lines waiting for the next repaint; past this the UI is behind and we drop (counted).
MAX_PENDING_LINES = 200_000
#: How often what arrived moves into the buffer (and on to the rules and error groups).
FLUSH_INTERVAL = 0.1
#: While lines stream, the panes show them at most this often (4 Hz): each repaint of the
#: pane costs the same whether it shows 1 new line or 1,000, and at every flush it was most
#: of the app's CPU on a shared host. The first lines after a quiet spell, and every key,
#: still show at once.
LINES_REPAINT_INTERVAL = 0.25
#: While sources load their history, how long one may be silent before the pane shows
#: what the others sent (a host that connects later is merged in then).
HISTORY_QUIET = QUIET_SECONDS
#: While sources load their history, once this many lines are held, those below the
#: watermark (`logs.release`) are merged in a thread while the rest streams in.
RELEASE_LINES = 100_000


class LogFeed:
    """Owns the log buffer and what waits to enter it; every log source delivers here.

    `on_lines` only queues (it runs once per batch, however fast they come); `flush`, on a
    timer, moves the queue into the buffer, hands it to the alerts feed, and repaints.
    The timer pauses while a flush would have nothing to do (no line, partial line or
    window waiting, nothing held for the time merge or the history) and every delivery
    wakes it: an idle dashboard is not woken 10 times a second for nothing, and the first
    batch after a quiet spell is flushed at once.
    """

    def __init__(
        self,
        app: App[Any],
        config: Config,
        sources: Sequence[LogSource],
        view: ViewController,
        dashboard: Dashboard,
        alerts: AlertsFeed,
    ) -> None:
        self._app = app
        self._config = config
        self._view = view
        self._dashboard = dashboard
        self._alerts = alerts
        self.sources = list(sources)
        #: Every line shown in the log pane, bounded by lines and bytes.
        logs = config.logs
        self.buffer = LogBuffer(logs.max_lines, logs.max_bytes, hot_lines=logs.hot_lines)
        #: Batches delivered since the last repaint, as the sources handed them over.
        self._pending: list[Sequence[LogLine]] = []
        self._pending_lines = 0
        #: Several hosts: their lines wait here to be merged in time order (one host: no wait).
        self._reorder: ReorderWindow | None = None
        if len(self.sources) > 1:
            self._reorder = ReorderWindow(config.logs.reorder_window)
        #: Lines held while sources load their history, to enter the buffer in order.
        loading = [s.host for s in self.sources if s.loads_history]
        limit = config.logs.max_lines
        # Each host's files and units: its history streams, all heard before a release.
        streams = {h.label: len(h.files) + len(h.journal) for h in logs.hosts}
        self._order = (
            HistoryOrder(
                loading, HISTORY_QUIET, limit=limit, release_lines=RELEASE_LINES, streams=streams
            )
            if loading
            else None
        )
        #: The hosts the pane last said were loading their history.
        self._loading_shown: list[str] = []
        #: Hosts past their history (or gone) whose last batches may still be in
        #: `_pending`: the order hears of it only after those batches reach it.
        self._done_after_pending: list[str] = []
        #: A history is being merged with the buffer in a thread: flushes wait.
        self._rebuild: asyncio.Task[None] | None = None
        #: That merge is the one of the histories held on connect (`_start_settle`).
        self._settling = False
        #: While settling: the buffer the lines released below the watermark are merged
        #: into, in threads one after the other (the last of them `_releasing`); only
        #: those threads and the settle touch it, and the settle adopts it.
        self._released: LogBuffer | None = None
        self._releasing: asyncio.Task[None] | None = None
        #: Past windows fetched on demand, waiting to be merged into the buffer.
        self._fetched: list[Window] = []
        #: History on demand: what the view needs and the buffer lacks.
        self.fetches = WindowFetches(
            self.sources,
            self.buffer,
            apply=self._window_fetched,
            panels=dashboard.log_panels,
            view_start=lambda: view.state.window_end() - view.state.range_seconds,
        )
        self._rotated_seen = 0
        #: Lines in the buffer the panes have not been told of yet (`LINES_REPAINT_INTERVAL`).
        self._unshown = False
        #: When the panes were last told of new lines (monotonic seconds).
        self._shown_at = -LINES_REPAINT_INTERVAL
        #: Unfinished lines (`on_partial`; None: ended) since the last flush, the newest
        #: per stream: shown with the lines of the same flush, so a completed line
        #: replaces its part.
        self._partials: dict[tuple[str, str], str | None] = {}
        #: The flush timer (None until `start`), and whether it is paused (nothing to flush).
        self._flush_timer: Timer | None = None
        self._flush_paused = False
        #: A source has delivered lines since the start.
        self._delivered = False
        view.on_range_change(self._range_changed)

    @property
    def order(self) -> HistoryOrder | None:
        """Where lines wait while sources load their history (None: none loads any)."""
        return self._order

    @property
    def rebuilding(self) -> bool:
        """A history is being merged in (the buffer is rebuilt off the event loop): the
        histories held on connect, a late one, or fetched windows."""
        return self._rebuild is not None

    @property
    def flushing(self) -> bool:
        """The flush timer runs: something waits to be flushed (False before `start`)."""
        return self._flush_timer is not None and not self._flush_paused

    @property
    def reorder(self) -> ReorderWindow | None:
        """Where several hosts' lines wait to be merged in time order (None: one host)."""
        return self._reorder

    def start(self) -> None:
        """Called on mount: one worker per source, and the repaint timer."""
        self._flush_timer = self._app.set_interval(FLUSH_INTERVAL, self.flush)
        if self._order is not None:
            self._loading_shown = self._order.loading
            self._dashboard.log_panel.set_history_loading(self._loading_shown)
        if self._view.state.end is not None:
            self._range_changed(self._view.state)  # started on a past range (`--range A..B`)
        for source in self.sources:
            self._app.run_worker(
                source.run(self), group="logs", exit_on_error=False, name=f"logs-{source.host}"
            )

    def _range_changed(self, state: ViewState) -> None:
        """The view moved: fetch what of its range is not loaded; a past range lands the
        pane at its start once it is in."""
        end = state.window_end()
        start = end - state.range_seconds
        self.fetches.want(start, end, land_at=None if state.end is None else start)

    def jump_to(self, at: float, near: float) -> None:
        """Enter on the chart cursor: the lines around `at`, fetched first if need be."""
        self.fetches.jump(at, near)

    async def stop(self) -> None:
        """Stop every log source (no remote process left behind), within a bounded time."""
        await self.fetches.stop()
        stops = [source.stop() for source in self.sources]
        if stops:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*stops, return_exceptions=True), timeout=1.5)

    def service_names(self) -> set[str]:
        """Services the log side names: the configured hosts' mappings and the sources'."""
        names: set[str] = set()
        for host in self._config.logs.hosts:
            names.add(host.service)
            names.update(f.service for f in host.files)
            names.update(j.service for j in host.journal)
        for source in self.sources:
            names.add(source.service)
        names.discard("")
        return names

    # ----------------------------------------------------------------- LogSink

    def on_lines(self, lines: Sequence[LogLine]) -> None:
        """A source's batch: queued for the next flush, or dropped (counted) if far behind."""
        # Lines held for the time merge count too: they are just as far from the screen.
        held = len(self._reorder) if self._reorder is not None else 0
        room = MAX_PENDING_LINES - self._pending_lines - held
        # A history is never dropped: it is bounded already (`logs.history_bytes` a
        # file), and what went would be missing from the range on screen (counts, first
        # seen). It came in faster than a merge in progress let it in (1-3% of 4 hosts'
        # hour lost on connect). Only live lines beyond what the UI can take are dropped.
        history = self._order is not None and self._order.loads(lines)
        if room < len(lines) and not history:
            # The UI is behind: drop (and count) rather than grow without bound.
            self._dashboard.log_panel.count_dropped(len(lines) - max(room, 0))
            lines = lines[: max(room, 0)]
        if lines:
            self._pending.append(lines)
            self._pending_lines += len(lines)
            self._wake()
            if not self._delivered:
                # The first lines show at once, not at the timer's first tick a tenth of a
                # second after the start: that wait was part of the time to a first frame.
                self._delivered = True
                self._app.call_later(self.flush)

    def on_history_done(self, host: str) -> None:
        """`host` is past the history it loads on connect: what it sends now is live."""
        if self._order is not None:
            self._done_after_pending.append(host)
            self._wake()

    def on_partial(self, host: str, source: str, text: str | None) -> None:
        """A host's unfinished last line (None: finished): shown by the next flush."""
        self._partials[(host, source)] = text
        self._wake()

    def on_status(self, status: HostStatus) -> None:
        """A host connected, dropped, retries or failed: the pane's status line says so."""
        if self._order is not None and status.state in (HostState.FAILED, HostState.STOPPED):
            self._done_after_pending.append(status.host)  # no history is coming
            self._wake()
        self._dashboard.log_panel.set_status(status)

    def flush(self) -> None:
        """Move what arrived into the buffer (every 0.1 s), and show it in the panes (at
        most every `LINES_REPAINT_INTERVAL`)."""
        self._move_lines()
        if self._unshown and self._rebuild is None:
            now = time.monotonic()
            if now - self._shown_at >= LINES_REPAINT_INTERVAL:
                self._shown_at = now
                self._unshown = False
                self._lines_arrived()
        if self._flush_timer is not None and not self._flush_paused and self._nothing_to_flush():
            self._flush_paused = True
            self._flush_timer.pause()

    def _wake(self) -> None:
        """Something arrived for the next flush: the timer runs (at once if paused)."""
        if self._flush_timer is not None and self._flush_paused:
            self._flush_paused = False
            self._flush_timer.resume()

    def _window_fetched(self, window: Window) -> None:
        """A past window fetched on demand: merged in by the next flush."""
        self._fetched.append(window)
        self._wake()

    def _nothing_to_flush(self) -> bool:
        """Whether a flush now would do nothing, and go on doing nothing until a source
        delivers or a window is fetched (each wakes the timer). Anything held for a
        time-based release (the reorder window, the history order, its quiet timeout,
        the 4 Hz repaint) keeps the timer running."""
        order = self._order
        return not (
            self._pending
            or self._partials
            or self._fetched
            or self._done_after_pending
            or self._unshown
            or self._rebuild is not None
            or self._released is not None  # a history's release in progress
            or (self._reorder is not None and len(self._reorder) > 0)
            or (order is not None and (len(order) > 0 or order.settling or order.loading))
        )

    def _move_lines(self) -> None:
        """What arrived since the last flush: into the order, the merge and the buffer."""
        held = self._order is not None and (len(self._order) > 0 or self._settling)
        if self._partials and not held:  # held: the lines before them are not shown yet
            partials, self._partials = self._partials, {}
            for (host, source), text in partials.items():
                for panel in self._dashboard.log_panels():
                    panel.set_partial(host, source, text)
        if self._rebuild is not None:
            return  # the buffer is being rebuilt: lines wait in `_pending` (bounded)
        reorder, order = self._reorder, self._order
        if self._fetched and not (order is not None and order.settling):
            self._start_fetch_merge()
            return  # lines wait in `_pending` for the merge (bounded)
        if not self._pending and not reorder and not order:
            return
        pending, self._pending = self._pending, []
        self._pending_lines = 0
        if pending:
            # Rules and error groups see lines at once; only the pane waits for the merge.
            self._app.call_after_refresh(self._alerts.after_lines, pending)
        ready: list[Sequence[LogLine]] = []
        late: list[Sequence[LogLine]] = []
        if order is not None:
            pending = [batch for batch in pending if not order.push(batch)]
            # Before the hosts done are heard of: they still bound the watermark, so the
            # lines of a flush that brought the last of every history go too.
            released = order.take_released()
            if released:
                self._release(released)
            # Only now: a host's last history batches, delivered before it said it was
            # done, were still in `pending` and must be held, not appended as live lines.
            for host in self._done_after_pending:
                order.history_done(host)
            self._done_after_pending.clear()
            history = order.take_settled()
            loading = order.loading
            if loading != self._loading_shown:
                self._loading_shown = loading
                for panel in self._dashboard.log_panels():
                    panel.set_history_loading(loading)
            if history or (history is not None and self._released is not None):
                # While settling every batch was held: nothing of `pending` is left.
                assert not pending
                self._start_settle(history)
                return  # a late history (`take_late`) is taken after it, by a flush
            late = order.take_late()
        if reorder is None:
            # One host: its own order is already right, and batches append in bulk.
            ready += pending
        else:
            for batch in pending:
                reorder.push(batch)
            ready += reorder.release(clock.now())
        for part in ready:
            self.buffer.append_many(part)
        if self.buffer.rotated_out != self._rotated_seen:
            self._rotated_seen = self.buffer.rotated_out
            self.fetches.trimmed()
        if late:  # after the appends: the thread reads the buffer as it is now
            self._start_rebuild(late)
        if ready:
            self._unshown = True

    def _lines_arrived(self) -> None:
        if not self._view.state.paused:
            for panel in self._dashboard.log_panels():  # none during shutdown
                panel.lines_arrived()

    def _start_settle(self, history: list[Sequence[LogLine]]) -> None:
        """Merge the histories held on connect into the buffer's one order, in a thread
        (a million lines take about a second: keys pressed meanwhile are not kept
        waiting); flushes wait for it, new lines in `_pending` (bounded)."""
        buffer = self.buffer
        order = self._order
        # What was released is kept only if the rest follows it (`continues_release`).
        released = self._released if order is not None and order.continues_release else None
        releasing = self._releasing if released is not None else None
        self._released = self._releasing = None

        def build() -> LogBuffer:
            if released is not None:
                _append_merged(released, history)
                return released
            if len(buffer):  # nothing enters while settling: kept for safety
                return buffer.rebuilt(merge_with(buffer.columns(), history))
            return buffer.rebuilt(merged_parts(history))

        async def settle() -> None:
            try:
                if releasing is not None:
                    await releasing  # the last release is in `released` first
                new = await asyncio.to_thread(build)
                shown = [(panel, panel.shown_time()) for panel in self._dashboard.log_panels()]
                buffer.adopt(new)
            finally:
                self._rebuild = None
                self._settling = False
            if buffer.rotated_out != self._rotated_seen:  # past the bounds: some dropped
                self._rotated_seen = buffer.rotated_out
                self.fetches.trimmed()
            self._shown_at = time.monotonic()
            for panel, at in shown:
                panel.buffer_rebuilt(at)  # the first lines: shown now, not at a flush

        self._settling = True
        self._rebuild = asyncio.ensure_future(settle())

    def _release(self, lines: list[Sequence[LogLine]]) -> None:
        """Merge lines released below the watermark into `_released`, in a thread after
        the previous release's; flushes go on meanwhile (the pane shows none of it until
        the settle adopts it)."""
        if self._released is None:
            self._released = self.buffer.rebuilt(iter(()))
        target, previous = self._released, self._releasing

        async def release() -> None:
            if previous is not None:
                await previous
            await asyncio.to_thread(_append_merged, target, lines)

        self._releasing = asyncio.ensure_future(release())

    def _start_rebuild(self, late: list[Sequence[LogLine]]) -> None:
        """Merge a late history with the whole buffer, in a thread; flushes wait for it."""
        buffer = self.buffer

        def build() -> LogBuffer:
            return buffer.rebuilt(merge_with(buffer.columns(), late))

        async def rebuild() -> None:
            try:
                new = await asyncio.to_thread(build)
                # Where each scrolled pane is, by time, before the old numbers go.
                shown = [(panel, panel.shown_time()) for panel in self._dashboard.log_panels()]
                buffer.adopt(new)
            finally:
                self._rebuild = None
            for panel, at in shown:
                panel.buffer_rebuilt(at)

        self._rebuild = asyncio.ensure_future(rebuild())

    def _start_fetch_merge(self) -> None:
        """Merge the fetched windows into the buffer's one order, in a thread, keeping
        the lines nearest the view when the bounds are reached; flushes wait for it."""
        buffer, windows = self.buffer, self._fetched[:]
        self._fetched.clear()
        state = self._view.state
        centre = self.fetches.landing_at  # a jump keeps what is around where it lands
        if centre is None:
            centre = state.window_end() - state.range_seconds / 2

        def build() -> tuple[LogBuffer, Merged]:
            merged = merge_fetched(
                buffer.columns(),
                windows,
                centre=centre,
                max_lines=buffer.max_lines,
                max_bytes=buffer.max_bytes,
            )
            return buffer.rebuilt(merged.parts), merged

        async def rebuild() -> None:
            try:
                new, merged = await asyncio.to_thread(build)
                shown = [(panel, panel.shown_time()) for panel in self._dashboard.log_panels()]
                buffer.adopt(new)
                self._rotated_seen = buffer.rotated_out
            finally:
                self._rebuild = None
            for panel, at in shown:
                panel.buffer_rebuilt(at)
            # The window's lines are history of the range on screen: the error groups
            # count them too (first seen, counts, NEW), once, as the buffer holds them.
            self._alerts.after_history(merged.fresh)
            self.fetches.merged(merged, len(windows))

        self._rebuild = asyncio.ensure_future(rebuild())


def _append_merged(buffer: LogBuffer, lines: list[Sequence[LogLine]]) -> None:
    """`lines` merged (`merged_parts`) and appended to `buffer`, each piece filling its
    open block (run in a thread, on a buffer no other thread touches)."""
    lead = PIECE - buffer.next_index % PIECE
    for part in merged_parts(lines, lead=lead):
        buffer.append_many(part)
