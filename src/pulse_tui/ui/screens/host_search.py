"""The results of a search on the hosts (`H`): progress, per-host problems, and the
matches in time order across hosts; Enter jumps the log pane to a match's time.

The search runs in a worker while the screen is up (`HostSearcher.run`); Escape cancels
it (the remote greps are killed), a second Escape closes the screen, and closing it
cancels a search still running. The matches are painted row by row from the results
(only the rows on screen), each line's text as data in a `Text`, the term highlighted.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Coroutine
from itertools import islice
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static
from textual.worker import Worker

from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.search.remote import HostState, RemoteMatch, RemoteResults
from pulse_tui.ui.widgets.palette import host_colour
from pulse_tui.ui.widgets.safe_text import append_safe
from pulse_tui.ui.widgets.strips import text_strip

#: How often the screen looks for new matches and progress (the results count changes).
REPAINT_INTERVAL = 0.2
_CURSOR = Style(bgcolor="#303a4a", bold=True)
_HIT = "bold #1c1c1c on #ffd75f"
#: Highlights in one row at most (a term like `re:.` would otherwise give thousands).
MAX_HIGHLIGHTS = 64


def match_row(match: RemoteMatch, highlight: re.Pattern[str], host_width: int, today: int) -> Text:
    """`03:02:11 web-1  <line>`, the line as data with the term highlighted."""
    local = time.localtime(match.timestamp)
    fmt = "%H:%M:%S" if local.tm_yday == today else "%m-%d %H:%M:%S"
    row = Text(no_wrap=True)
    row.append(time.strftime(fmt, local), style="dim")
    row.append(" ")
    append_safe(row, sanitize(match.host).ljust(host_width), host_colour(match.host))
    row.append("  ")
    start = len(row)
    row.append(match.text)
    for hit in islice(highlight.finditer(match.text), MAX_HIGHLIGHTS):
        if hit.end() > hit.start():
            row.stylize(_HIT, start + hit.start(), start + hit.end())
    return row


class MatchList(ScrollView, can_focus=True):
    """The matches, one row each, with a cursor; only the rows on screen are built."""

    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "ends(0)", "First", show=False),
        Binding("end,G", "ends(1)", "Last", show=False),
    ]

    def __init__(self, results: RemoteResults, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.results = results
        #: The row Enter jumps from.
        self.cursor = 0
        self._host_width = min(16, max((len(h) for h in results.hosts), default=4))
        self._highlight = results.term.highlighter()

    def grew(self) -> None:
        """The results changed: size the scroll area to them and repaint."""
        self.virtual_size = Size(self.size.width, len(self.results.matches))
        self.cursor = min(self.cursor, max(0, len(self.results.matches) - 1))
        self.refresh()

    @property
    def chosen(self) -> RemoteMatch | None:
        matches = self.results.matches
        return matches[self.cursor] if 0 <= self.cursor < len(matches) else None

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        matches = self.results.matches
        if index >= len(matches):
            return Strip.blank(width)
        today = time.localtime().tm_yday
        row = match_row(matches[index], self._highlight, self._host_width, today)
        return text_strip(row, width, _CURSOR if index == self.cursor else None)

    def _put_cursor(self, index: int) -> None:
        count = len(self.results.matches)
        self.cursor = max(0, min(index, count - 1))
        height = max(1, self.size.height)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)
        self.refresh()

    def action_move(self, delta: int) -> None:
        self._put_cursor(self.cursor + delta)

    def action_page(self, delta: int) -> None:
        self._put_cursor(self.cursor + delta * max(1, self.size.height - 1))

    def action_ends(self, end: int) -> None:
        self._put_cursor(len(self.results.matches) - 1 if end else 0)


Search = Callable[[RemoteResults], Coroutine[Any, Any, None]]


class HostSearchScreen(ModalScreen[float | None]):
    """Runs `search` into `results` and shows them; dismissed with a match's time (Enter)
    or None (Escape when nothing runs)."""

    DEFAULT_CSS = """
    HostSearchScreen { background: $background; }
    HostSearchScreen > #host-search-progress { height: 1; background: $panel; padding: 0 1; }
    HostSearchScreen > #host-search-problems { height: auto; max-height: 6; color: $warning;
        padding: 0 1; }
    HostSearchScreen > MatchList { height: 1fr; }
    HostSearchScreen > #host-search-keys { height: 1; color: $text-muted; padding: 0 1; }
    """

    BINDINGS = [
        Binding("escape", "cancel_or_close", "Cancel / close"),
        Binding("enter", "jump", "Jump to its time"),
    ]

    def __init__(self, results: RemoteResults, search: Search) -> None:
        super().__init__()
        self.results = results
        self._search = search
        self._worker: Worker[None] | None = None
        self._shown_version = -1
        self._list = MatchList(results, id="host-search-matches")

    def compose(self) -> ComposeResult:
        yield Static(id="host-search-progress")
        yield Static(id="host-search-problems")
        yield self._list
        yield Static(
            Text("↑↓ PgUp PgDn move · Enter shows the logs at that time · Esc cancels / closes"),
            id="host-search-keys",
        )

    def on_mount(self) -> None:
        self._worker = self.run_worker(
            self._search(self.results), exit_on_error=False, name="host-search"
        )
        self.set_interval(REPAINT_INTERVAL, self._repaint)
        self._list.focus()
        self._repaint()

    def _repaint(self) -> None:
        results = self.results
        worker = self._worker
        if results.searching and worker is not None and worker.is_finished:
            # It ended without a word for every host: never show those as searching.
            results.abandon(f"the search stopped: {worker.error or 'no result'}")
        if results.version == self._shown_version:
            return
        self._shown_version = results.version
        term = Text(f"“{results.term.describe()}” ", style="bold #5fafff")
        progress = Text.assemble(term, (results.progress(), "bold"))
        self.query_one("#host-search-progress", Static).update(progress)
        problems = Text()
        for state in results.hosts.values():
            for problem in state.problems[-3:]:
                style = "bold red" if state.state is HostState.FAILED else ""
                if problems:
                    problems.append("\n")
                append_safe(problems, state.host, host_colour(state.host)).append(
                    ": ", style=host_colour(state.host)
                )
                append_safe(problems, problem, style)
        shown = self.query_one("#host-search-problems", Static)
        shown.update(problems)
        shown.display = bool(problems)
        self._list.grew()

    def cancel(self) -> None:
        """Stop the search (every remote grep ends); what came so far stays on screen."""
        if self._worker is not None and not self._worker.is_finished:
            self._worker.cancel()
        self.results.cancel()
        self._repaint()

    def action_cancel_or_close(self) -> None:
        if self.results.searching:
            self.cancel()
        else:
            self.dismiss(None)

    def action_jump(self) -> None:
        match = self._list.chosen
        if match is None:
            self.app.bell()
            return
        self.cancel()
        self.dismiss(match.timestamp)

    def on_unmount(self) -> None:
        self.cancel()
