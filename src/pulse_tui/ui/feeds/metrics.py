"""The metrics feed: each panel refreshed in its own worker, backing off on its own when it
fails; the services table rebuilt once per round of results; services discovered."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Collection
from functools import partial
from typing import Any

from textual.app import App
from textual.css.query import NoMatches

from pulse_tui.config import Config
from pulse_tui.model.core import clock
from pulse_tui.model.core.redact import scrub
from pulse_tui.model.core.view_state import ViewState
from pulse_tui.model.metrics.change_logs import RisingGroup, top_group
from pulse_tui.model.metrics.changes import Finding, detect_changes
from pulse_tui.model.metrics.heatmap import BucketAnswer
from pulse_tui.model.metrics.overview import build_overview, judge_rows
from pulse_tui.model.metrics.signals import QueryWindow, Signal, SignalResult
from pulse_tui.model.metrics.step import compute_window, recent_window, young_window
from pulse_tui.sources.base import MetricsSource, SourceError
from pulse_tui.sources.buckets import fetch_buckets
from pulse_tui.sources.transport.backoff import Backoff, BackoffPolicy
from pulse_tui.ui.dashboard import Dashboard
from pulse_tui.ui.feeds.alerts import AlertsFeed
from pulse_tui.ui.feeds.worker import start_worker
from pulse_tui.ui.view import ViewController

#: The longest a failing panel waits between tries (and what a hopeless failure waits).
MAX_BACKOFF = 60.0
#: Seconds between two rankings of the strip's log errors between judgements: a few ms
#: on the loop for a full table of 500 groups (benchmarks/bench_changes.py).
RANK_LOGS_EVERY = 5
#: How often the backend is asked which services it knows.
DISCOVERY_INTERVAL = 60.0
#: The longest Retry-After kept to (`r` retries at once anyway): a day-long one is a typo.
MAX_RETRY_AFTER = 3600.0


class MetricsFeed:
    """Owns what the panels and the services table show and when each panel is fetched.

    Every refresh starts one worker per panel that is neither in flight (a slow panel
    skips a beat) nor waiting out its backoff; it asks for the chart's aligned window and
    for the recent minutes that give the current values. A result goes to its panel, then to the
    table (coalesced: one rebuild per round), then to the alerts feed's rules.
    """

    def __init__(
        self,
        app: App[Any],
        config: Config,
        source: MetricsSource,
        view: ViewController,
        dashboard: Dashboard,
        alerts: AlertsFeed,
        log_services: Callable[[], Collection[str]] = frozenset,
    ) -> None:
        self._app = app
        self._config = config
        self._source = source
        self._view = view
        self._dashboard = dashboard
        self._alerts = alerts
        #: The services the log sources name (their lines' `service`): a finding's top
        #: log error comes from its service's lines when they do.
        self._log_services = log_services
        #: Each panel's latest result.
        self.results: dict[Signal, SignalResult] = {}
        #: Every service the backend knows, as of the last discovery.
        self.known_services: list[str] = []
        #: What changed in the latest results, worst first (`model/metrics/changes.py`).
        self.findings: list[Finding] = []
        self._in_flight: set[Signal] = set()
        #: Panels asked for again while in flight (`refetch`): fetched once more after.
        self._again: set[Signal] = set()
        policy = BackoffPolicy(first=config.dashboard.refresh, cap=MAX_BACKOFF)
        self._backoff = {signal: Backoff(policy, clock=clock.now) for signal in Signal}
        #: When a failed panel may be fetched again (absent: at the next refresh).
        self._next_attempt: dict[Signal, float] = {}
        self._table_update_due = False
        #: Seconds (ticks) since the strip's log errors were last ranked.
        self._ticks_since_ranked = 0

    def start(self) -> None:
        """Called on mount: the refresh, discovery and staleness timers, and a first fetch
        (none of it when no metrics were asked for: nothing would show them)."""
        if self._dashboard.logs_only:
            return
        app = self._app
        app.set_interval(self._config.dashboard.refresh, self.refresh)
        app.set_interval(1.0, self._tick)
        app.set_interval(DISCOVERY_INTERVAL, self._discover)
        self._discover()
        # Wait one frame so panels know their width (the query step depends on it).
        # Forced: a view that starts on a past range (`--range A..B`) is fetched once too.
        app.call_after_refresh(self.refresh, True)

    async def close(self) -> None:
        """On quit: cancel the queries in flight (a hung one must not hold the exit), then
        let the source close its connections, within a bounded time."""
        workers = self._app.workers
        for group in ("metrics", "discovery"):
            workers.cancel_group(self._app, group)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._source.close(), timeout=0.5)

    def service_names(self) -> set[str]:
        """Services the backend knows and those in the panels' results."""
        names = set(self.known_services)
        for result in self.results.values():
            names.update(result.services())
        return names

    # ----------------------------------------------------------------- fetching

    def refresh(self, force: bool = False) -> None:
        """Fetch every panel that is due (`force`: paused or not, backoff or not)."""
        state = self._view.state
        # Paused, or looking at a past range: nothing changes until the user moves.
        if (state.paused or state.end is not None) and not force:
            return
        now = clock.now()
        for signal in Signal:
            if signal in self._in_flight:
                continue  # a slow panel skips a beat instead of piling up requests
            if not force and now < self._next_attempt.get(signal, 0):
                continue
            self._start(signal)

    def retry_now(self) -> None:
        """Every panel now, failed ones too (`r`, or the view changed)."""
        self._next_attempt.clear()
        self.refresh(force=True)

    def refetch(self, signal: Signal) -> None:
        """One panel again (shown for the first time, maybe at another width, or its
        heatmap turned on); one in flight is fetched again when it is done, as the answer
        on its way was asked for what it showed before."""
        if self._view.state.paused:
            return
        if signal in self._in_flight:
            self._again.add(signal)
        else:
            self._start(signal)

    def _start(self, signal: Signal) -> None:
        if self._dashboard.logs_only:
            return  # `r` or a new range: still no panel to fill
        self._in_flight.add(signal)
        start_worker(self._app, partial(self._fetch, signal), name="fetch_signal", group="metrics")

    async def _fetch(self, signal: Signal) -> None:
        panel = self._dashboard.panel(signal)
        state = self._view.state
        window = self._window(signal, state)
        try:
            # The heatmap's buckets (when it is on) in the same round, on the same window:
            # one query more, answered with the panel's, never raising (its note says).
            result, buckets = await asyncio.gather(
                self._query(signal, state, window), self._buckets(signal, state, window)
            )
        except SourceError as exc:
            self._failed(signal, str(exc), exc.retryable, exc.retry_after, exc.status)
        except Exception as exc:
            self._failed(signal, f"{type(exc).__name__}: {exc}", True)
        else:
            self._backoff[signal].succeeded()
            self._next_attempt.pop(signal, None)
            self.results[signal] = result
            # Charts are pure functions of the data: draw off the event loop, show after.
            await asyncio.to_thread(panel.prerender, result, state.services, buckets)
            panel.show_result(result, state.services, state.compare_offset, buckets)
            if result.clock_skew is not None:
                self._dashboard.header.show_clock_skew(result.clock_skew)
            self._update_table()
            # Paint first, judge after: alert rules never delay a panel's repaint.
            self._app.call_after_refresh(self._alerts.after_result, signal, result)
        finally:
            self._in_flight.discard(signal)
            if signal in self._again:
                self._again.discard(signal)
                self._start(signal)

    def _window(self, signal: Signal, state: ViewState) -> QueryWindow:
        """The chart's window: the range at the panel's width in points."""
        panel = self._dashboard.panel(signal)
        scrape = self._config.prometheus.scrape_interval
        return compute_window(state.range_seconds, state.window_end(), panel.plot_points(), scrape)

    async def _buckets(
        self, signal: Signal, state: ViewState, window: QueryWindow
    ) -> BucketAnswer | None:
        """The heatmap's buckets over the chart's window, if the panel shows its heatmap."""
        if not self._dashboard.panel(signal).heatmap_on:
            return None
        services = sorted(state.services)
        return await fetch_buckets(self._source, self._config, signal, window, services)

    async def _query(
        self, signal: Signal, state: ViewState, window: QueryWindow | None = None
    ) -> SignalResult:
        scrape = self._config.prometheus.scrape_interval
        # One instant for both: the chart ends on its step at or before it, the current
        # values are those at it (now, or a past range's end).
        end = state.window_end()
        window = window or self._window(signal, state)
        return await self._source.query_signal(
            signal,
            window,
            sorted(state.services),
            compare_offset=state.compare_offset,
            recent=recent_window(end, scrape),
            young=young_window(end, window, state.range_seconds, scrape),
        )

    async def current_results(self) -> dict[Signal, SignalResult]:
        """Every panel's result for the view shown: the ones on screen, and, for a panel
        with none or whose last fetch failed (its old result is not the view's), one query
        now. A SourceError of that query propagates."""
        state = self._view.state
        results = {s: r for s, r in self.results.items() if s not in self._next_attempt}
        missing = [signal for signal in Signal if signal not in results]
        fetched = await asyncio.gather(*(self._query(signal, state) for signal in missing))
        return {**results, **dict(zip(missing, fetched, strict=True))}

    def _failed(
        self,
        signal: Signal,
        message: str,
        retryable: bool,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        # The server's Retry-After holds across refreshes: no panel asks again before it.
        wait = None if retry_after is None else min(retry_after, MAX_RETRY_AFTER)
        delay = self._backoff[signal].failed(
            retryable=retryable or wait is not None, retry_after=wait
        )
        self._next_attempt[signal] = clock.now() + delay
        words = "retry in"
        if wait is not None:
            words = "rate limited, next try in" if status == 429 else "server busy, next try in"
        # A SourceError is scrubbed already; an unexpected exception's text is not.
        self._dashboard.panel(signal).show_error(scrub(message), retry_in=delay, retry_words=words)

    def _discover(self) -> None:
        start_worker(
            self._app,
            self._discover_now,
            name="discover_services",
            group="discovery",
            exclusive=True,
        )

    async def _discover_now(self) -> None:
        try:
            self.known_services = await self._source.services()
        except Exception:
            return  # the table keeps the services it has; the next discovery tries again
        self._update_table()

    # ----------------------------------------------------------------- the table

    def _update_table(self) -> None:
        # Five panels' results land together: one table update after them, in the next
        # frame, rather than five (each re-renders every changed cell, ~3 ms).
        if not self._table_update_due:
            self._table_update_due = True
            self._app.call_after_refresh(self._update_table_now)

    def _update_table_now(self) -> None:
        # What changed is judged in a thread: ~7 ms of pure Python for 50 services
        # (benchmarks/bench_changes.py), more than a frame should wait. The loop gets the
        # GIL back every switch interval, and the newest round wins (`exclusive`).
        self._table_update_due = False
        results = dict(self.results)
        start_worker(
            self._app,
            partial(self._judge_and_show, results),
            name="judge_changes",
            group="changes",
            exclusive=True,
        )

    async def _judge_and_show(self, results: dict[Signal, SignalResult]) -> None:
        findings = await asyncio.to_thread(detect_changes, results, self._config.thresholds)
        self._show_changes(results, findings)

    def _show_changes(self, results: dict[Signal, SignalResult], findings: list[Finding]) -> None:
        """On the loop: the strip, a marker per finding on its panel, the table."""
        self.findings = findings
        state = self._view.state
        rows = build_overview(results, self.known_services)
        judge_rows(rows, findings, self._config.thresholds)
        self._dashboard.changes_strip.show(
            findings,
            now=state.window_end(),
            span=state.range_seconds,
            live=state.end is None,
            unjudged=[s.heading for s in Signal if s not in results],
            crit_now=[row.service for row in rows if row.status == "crit"],
        )
        for signal in Signal:
            starts = tuple(sorted({f.start for f in findings if f.signal is signal}))
            self._dashboard.panel(signal).set_markers(starts)
        # Change rules (the automatic alerts) judge the same findings.
        self._alerts.after_findings(results, findings)
        self._rank_logs()
        self._dashboard.service_table.show_rows(rows, state.services)

    def _rank_logs(self) -> None:
        """Each shown line's top rising log error: after every judgement, and every
        `RANK_LOGS_EVERY` seconds (the logs' history arrives after the first results)."""
        self._ticks_since_ranked = 0
        strip = self._dashboard.changes_strip
        state = self._view.state
        until = state.window_end(clock.now())
        services = self._log_services()
        tops: dict[str, RisingGroup] = {}
        for findings in strip.services_shown():
            top = top_group(self._alerts.error_groups, findings, until, log_services=services)
            if top is not None:
                tops[findings[0].service] = top
        strip.show_logs(tops)

    def _tick(self) -> None:
        # Every second: panels age their "updated Ns ago" and turn STALE on their own.
        for panel in self._dashboard.signal_panels():  # none during shutdown
            panel.tick()
        self._ticks_since_ranked += 1
        if self.findings and self._ticks_since_ranked >= RANK_LOGS_EVERY:
            with contextlib.suppress(NoMatches):  # during shutdown
                self._rank_logs()
