"""Search and filters of the log pane: what the user asked for, computed off the event loop.

The pane's state (search text, filter mode, excludes, level, hosts, services) lives here;
every change starts a SearchJob in a thread over the whole buffer and, when it finishes,
hands the result to the LogView, which then keeps it current as new lines arrive. A new
change cancels the job still running, so typing never queues up work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.line import Level
from pulse_tui.model.search.query import (
    LineFilter,
    SearchError,
    SearchHistory,
    SearchJob,
    SearchQuery,
)
from pulse_tui.ui.widgets.logs.log_view import LogView

#: `l` cycles the minimum level through these (UNKNOWN = all levels).
LEVEL_CYCLE = (Level.UNKNOWN, Level.ERROR, Level.WARN, Level.INFO)


@dataclass
class QueryState:
    """What the user has asked the pane for."""

    search: str = ""
    filter_mode: bool = False
    excludes: list[str] = field(default_factory=list)
    min_level: Level = Level.UNKNOWN
    hosts: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()


class LogQuery:
    """Turns QueryState changes into background jobs and their results into the view."""

    def __init__(
        self, buffer: LogBuffer, view: LogView, *, on_idle: Callable[[], None] | None = None
    ) -> None:
        self.buffer = buffer
        self.view = view
        #: Called when the last running job has handed its result to the view.
        self._on_idle = on_idle
        self.state = QueryState()
        self.history = SearchHistory()
        self.query: SearchQuery | None = None
        self.filter = LineFilter()
        self.error: str | None = None
        self.busy = False
        self._filter_job: SearchJob | None = None
        #: The filter job whose result the view shows.
        self._filter_shown: SearchJob | None = None
        self._search_job: SearchJob | None = None

    # ------------------------------------------------------------- what the user sets

    def set_search(self, text: str) -> str | None:
        """Search for `text` (literal, `re:` regex, `key=value` field terms). Returns an
        error, keeping the old search."""
        if not text:
            self.query = None
            self.state.search = ""
            self._start_search()
            if self.state.filter_mode:
                self._start_filter()
            return None
        try:
            query = SearchQuery.parse(text, fields=True)
        except SearchError as exc:
            self.error = str(exc)
            return self.error
        self.error = None
        if query.empty:
            # "re:" alone (half-typed) matches everything: treat it as no search yet.
            return self.set_search("")
        self.query = query
        self.state.search = text
        self._start_search()
        if self.state.filter_mode:
            self._start_filter()
        return None

    def add_exclude(self, text: str) -> str | None:
        """Hide lines matching `text`. Returns an error (shown in the status) if it is bad."""
        try:
            SearchQuery.parse(text, fields=True)
        except SearchError as exc:
            self.error = str(exc)
            return self.error
        self.state.excludes.append(text)
        self._start_filter()
        return None

    def toggle_filter_mode(self) -> None:
        self.state.filter_mode = not self.state.filter_mode
        self._start_filter()

    def cycle_level(self) -> Level:
        index = LEVEL_CYCLE.index(self.state.min_level)
        self.state.min_level = LEVEL_CYCLE[(index + 1) % len(LEVEL_CYCLE)]
        self._start_filter()
        return self.state.min_level

    def set_min_level(self, level: Level) -> None:
        """The minimum level, one of LEVEL_CYCLE (what `--level` starts with)."""
        if level not in LEVEL_CYCLE:
            raise ValueError(f"{level.name} is not a level the pane cycles through")
        self.state.min_level = level
        self._start_filter()

    def set_hosts(self, hosts: frozenset[str]) -> None:
        self.state.hosts = hosts
        self._start_filter()

    def set_services(self, services: frozenset[str]) -> None:
        self.state.services = services
        self._start_filter()

    def clear(self) -> bool:
        """Drop search, excludes, level and hosts (not services: those belong to the app).

        Returns False when there was nothing to clear, so Escape can mean something else.
        """
        state = self.state
        if not (state.search or state.excludes or state.hosts or state.filter_mode) and (
            state.min_level is Level.UNKNOWN
        ):
            return False
        self.state = QueryState(services=state.services)
        self.query = None
        self.error = None
        self._start_search()
        self._start_filter()
        return True

    def restart(self) -> None:
        """Run the filter and the search again over the whole buffer (it was rebuilt)."""
        self._start_search()
        self._start_filter()

    # ------------------------------------------------------------- jobs

    def _line_filter(self) -> LineFilter:
        state = self.state
        line_filter = LineFilter(
            min_level=state.min_level, hosts=state.hosts, services=state.services
        )
        for text in state.excludes:
            line_filter = line_filter.with_pattern("!" + text, fields=True)
        if state.filter_mode and self.query is not None:
            line_filter = line_filter.with_pattern(state.search, fields=True)
        return line_filter

    def _start_filter(self) -> None:
        if self._filter_job is not None:
            self._filter_job.cancel()
        self.filter = self._line_filter()
        if not self.filter.active:
            self._filter_job = None
            self.view.set_visible(None, None, 0)
            self._update_busy()
            return
        line_filter = self.filter
        self._filter_job = self._run(
            line_filter,
            lambda job: self.view.set_visible(
                line_filter.accepts, job.result_indices, job.stop_index
            ),
        )

    def _start_search(self) -> None:
        if self._search_job is not None:
            self._search_job.cancel()
        query = self.query
        if query is None:
            self._search_job = None
            self.view.set_search(None, [], 0)
            self._update_busy()
            return
        self._search_job = self._run(
            query, lambda job: self.view.set_search(query, job.result_indices, job.stop_index)
        )

    def _run(
        self, matcher: SearchQuery | LineFilter, apply: Callable[[SearchJob], None]
    ) -> SearchJob:
        loop = asyncio.get_running_loop()

        def finished(job: SearchJob) -> None:
            # Called in the job's thread: hand over to the event loop, never block here.
            loop.call_soon_threadsafe(self._finish, job, apply)

        job = SearchJob(self.buffer, matcher, on_done=finished)
        self.busy = True
        job.start()
        return job

    def _finish(self, job: SearchJob, apply: Callable[[SearchJob], None]) -> None:
        if job.cancelled or job not in (self._filter_job, self._search_job):
            return
        if job.error is not None:
            self.error = str(job.error)
        else:
            apply(job)
        if job is self._filter_job:
            self._filter_shown = job
        self._update_busy()
        if not self.busy and self._on_idle is not None:
            self._on_idle()

    @property
    def filtering(self) -> bool:
        """The filter's lines are being computed or not yet handed to the view (a job
        done in its thread is handed over on the event loop, a moment later)."""
        return self._filter_job is not None and self._filter_job is not self._filter_shown

    def _update_busy(self) -> None:
        jobs = (self._filter_job, self._search_job)
        self.busy = any(job is not None and not job.done for job in jobs)

    # ------------------------------------------------------------- status

    def describe(self) -> str:
        """The pane's filter summary: "level ≥ WARN · !healthz · hosts: web-1"."""
        state = self.state
        parts = []
        if state.search:
            parts.append(f"{'filter' if state.filter_mode else 'search'} {state.search!r}")
        if state.min_level is not Level.UNKNOWN:
            parts.append(f"level ≥ {state.min_level.name}")
        parts.extend(f"!{text}" for text in state.excludes)
        if state.hosts:
            parts.append("hosts: " + ", ".join(sorted(state.hosts)))
        return " · ".join(parts)
