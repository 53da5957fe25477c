"""The search on the hosts, seen from the app: when it is worth offering, and opening it.

The log pane's search covers the buffer. A host may hold more of the range than that:
the buffer dropped its oldest lines (`logs.max_lines` / `max_bytes`), the UI dropped some
while behind, or a file's history was cut at `logs.history_bytes`. Then the pane's
status line offers `H`, which searches the hosts for the same term over the range on
screen (`sources/ssh/remote_search.py`) and shows the matches on their own screen; Enter
on one shows the log pane at its time through the pane's jump to time (`LogFeed.jump_to`),
which fetches the window around it first when the buffer does not hold it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from textual.app import App

from pulse_tui.config import Config
from pulse_tui.model.search.remote import RemoteResults, RemoteTerm
from pulse_tui.model.search.scan import SearchError
from pulse_tui.sources.base import LogSource
from pulse_tui.ui.dashboard import Dashboard
from pulse_tui.ui.toast import toast
from pulse_tui.ui.view import ViewController

if TYPE_CHECKING:
    from pulse_tui.sources.ssh.remote_search import HostSearcher

#: The module of the SSH log source: while it is not imported, no source is one.
_SSH_SOURCES = "pulse_tui.sources.ssh.tail"


class HostSearch:
    """Owns the host searcher; opens one search at a time on its results screen."""

    def __init__(
        self,
        app: App[Any],
        config: Config,
        sources: Sequence[LogSource],
        view: ViewController,
        dashboard: Dashboard,
        *,
        jump: Callable[[float, float], None],
    ) -> None:
        self._app = app
        self._config = config
        self._view = view
        self._dashboard = dashboard
        #: The pane's jump to time (`LogFeed.jump_to`): the lines around a moment, fetched
        #: if the buffer does not hold them.
        self._jump = jump
        #: Searches the hosts of the SSH sources (None: there are none, nothing to offer).
        self.searcher = _searcher(sources, config)

    def offer(self) -> str | None:
        """Why the hosts hold lines the buffer does not (None: nothing to offer)."""
        if self.searcher is None:
            return None
        panel = self._dashboard.log_panel
        store = panel.store
        if store.rotated_out:
            oldest = store[0].timestamp if len(store) else None
            # The buffer's bound (logs.max_lines / max_bytes) dropped the older lines.
            return f"buffer from {_clock(oldest)}" if oldest else "buffer dropped lines"
        if panel.ui_dropped:
            return "lines dropped while behind"
        if self.searcher.history_cut:
            return "history cut at logs.history_bytes"
        return None

    def open(self, typed: str) -> None:
        """Search the hosts for `typed` (the pane's search text) over the range on screen."""
        from pulse_tui.ui.screens.host_search import HostSearchScreen

        if self.searcher is None:
            toast(self._app, "No SSH log hosts to search", severity="warning", timeout=3)
            return
        try:
            term = RemoteTerm.parse(typed)
        except SearchError as exc:
            toast(self._app, f"Host search: {exc} (type it with /)", severity="warning")
            return
        state = self._view.state
        until = state.window_end()
        logs = self._config.logs
        results = RemoteResults(
            term,
            self.searcher.hosts,
            until - state.range_seconds,
            until,
            logs.remote_search_max_matches,
            logs.remote_search_max_bytes,
        )
        self._app.push_screen(HostSearchScreen(results, self.searcher.run), self._chosen)

    def _chosen(self, timestamp: float | None) -> None:
        if timestamp is None:
            return
        self._dashboard.show_tab("logs")
        self._show_in_pane(timestamp)

    def _show_in_pane(self, timestamp: float) -> None:
        """The pane at a match's time, from every host: fetched first if not loaded (the
        status line says what is loading, and if nothing is near it)."""
        self._jump(timestamp, 0.0)


def _clock(timestamp: float) -> str:
    """Local time, as the pane shows lines."""
    return time.strftime("%H:%M:%S", time.localtime(timestamp))


def _searcher(sources: Sequence[LogSource], config: Config) -> HostSearcher | None:
    """The searcher of `sources`' SSH hosts, or None when they have none. Without SSH
    sources (the demo, a metrics-only config) the SSH modules are not imported: asyncssh
    and its crypto are a fifth of a second of the start-up."""
    if _SSH_SOURCES not in sys.modules:
        return None
    from pulse_tui.sources.ssh.remote_search import HostSearcher

    searcher = HostSearcher(sources, config.logs)
    return searcher if searcher.targets else None
