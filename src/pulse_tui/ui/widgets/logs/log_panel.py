"""The log pane: the virtualised line view plus a status line of hosts and counters."""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input

from pulse_tui.model.core import clock
from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.line import Level
from pulse_tui.sources.base import HostState, HostStatus
from pulse_tui.ui.toast import toast
from pulse_tui.ui.widgets.focus import focus_now
from pulse_tui.ui.widgets.logs.log_query import LogQuery
from pulse_tui.ui.widgets.logs.log_view import LogView
from pulse_tui.ui.widgets.logs.partial_tail import PartialTail
from pulse_tui.ui.widgets.palette import host_colour
from pulse_tui.ui.widgets.safe_text import append_safe
from pulse_tui.ui.widgets.strips import text_strip

_STATE_STYLE = {
    HostState.CONNECTING: ("◌", "#ffd75f"),
    HostState.LIVE: ("●", "#87d787"),
    HostState.RETRYING: ("◌", "#ffaf00"),
    HostState.FAILED: ("✖", "#ff5f5f"),
    HostState.STOPPED: ("○", "grey50"),
}


class LogStatus(Widget):
    """The pane's one-line status, as its LogPanel says it (`update`)."""

    def __init__(self, panel: LogPanel, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.panel = panel
        #: What the line says; repainted only when that changes (it is asked every
        #: second, and with every batch of lines shown).
        self.text = Text()

    def update(self) -> None:
        text = self.panel.status_text()
        if text != self.text:
            self.text = text
            self.refresh()

    def render(self) -> Text:
        return self.text

    def render_line(self, y: int) -> Strip:
        # Repainted with every batch of lines while tailing: our own strip, not Textual's
        # conversion of `render()` (several times the cost).
        style = self.visual_style.rich_style
        if y:
            return Strip.blank(self.size.width, style)
        return text_strip(self.text, self.size.width, style)


class SearchBar(Input):
    """The `/` and `!` prompt: search as you type, Enter keeps it, Escape restores."""

    #: What the key bar says Enter does while the prompt has the keys.
    ENTER_HINT = "Keep"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("up", "history(-1)", "Older search", show=False),
        Binding("down", "history(1)", "Newer search", show=False),
        Binding("ctrl+r", "search_hosts", "Search the hosts", show=False),
    ]

    @property
    def panel(self) -> LogPanel:
        panel = self.parent
        assert isinstance(panel, LogPanel)  # composed by a LogPanel and nowhere else
        return panel

    def action_cancel(self) -> None:
        self.panel.close_prompt(commit=False)

    def action_search_hosts(self) -> None:
        """Search the hosts for what is typed (the search stays as typed here too)."""
        panel = self.panel
        if panel.prompt_mode != "search":
            self.app.bell()  # an exclude is not a term to search for
            return
        text = self.value
        panel.close_prompt(commit=True)
        if not self.has_class("-open"):  # still open: the search was refused, and says why
            panel.search_hosts(text)

    def action_history(self, direction: int) -> None:
        history = self.panel.query_state.history
        text = history.previous() if direction < 0 else history.next()
        if text is not None:
            self.value = text
            self.cursor_position = len(text)


class LogPanel(Vertical):
    """Border, line view and a one-line status: per-host state, counts, follow mode.

    Search and filters: `/` (the app's key) searches (highlight, `n`/`N`), `f` shows only
    matching lines, `!` excludes a pattern, `l` cycles the minimum level, `h` picks hosts,
    Escape clears.
    `H` (or ctrl+r in the prompt) searches the hosts themselves for the search's term.
    """

    class HostSearchRequested(Message):
        """Search the hosts for `term` (what the user typed, `re:` and all)."""

        def __init__(self, term: str) -> None:
            super().__init__()
            self.term = term

    DEFAULT_CSS = """
    LogPanel { height: 1fr; }
    LogPanel > #log-status { height: 1; background: $panel; }
    /* :focus too: Input's own focused border (tall) would leave its one row no room,
       and the text typed would not show. */
    LogPanel > SearchBar, LogPanel > SearchBar:focus { border: none; }
    LogPanel > SearchBar { display: none; height: 1; padding: 0 1; }
    LogPanel > SearchBar.-open { display: block; }
    LogPanel > SearchBar.-error { color: $error; }
    """

    BINDINGS = [
        # `/` is the app's (it searches from any pane). `!` has priority for the reason
        # `/` has: checked when the key is read, before the keys typed after it, so they
        # reach the prompt it opens (see ui/widgets/focus.py). Not while the prompt has
        # the keys: there `!` is text (`check_action`).
        Binding(
            "exclamation_mark",
            "prompt('exclude')",
            "Exclude",
            show=False,
            key_display="!",
            priority=True,
        ),
        Binding("f", "toggle_filter", "Filter", show=False),
        Binding("l", "cycle_level", "Level", show=False),
        Binding("h", "pick_hosts", "Hosts", show=False),
        Binding("H", "search_hosts", "Search the hosts", show=False),
        Binding("escape", "clear", "Clear search", show=False),
    ]

    def __init__(self, store: LogBuffer, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.statuses: dict[str, HostStatus] = {}
        self.ui_dropped = 0
        #: Hosts still loading their history (the lines wait to be merged in order).
        self.history_loading: list[str] = []
        #: What past windows are loading, failed or were evicted (`feeds.fetches`).
        self.window_note = ""
        #: (first index, its clock time) of the oldest line, once lines were dropped.
        self._oldest: tuple[int, str] | None = None
        self.border_title = "Logs"
        self.prompt_mode = "search"
        self._typed: Timer | None = None
        self._search_before = ""
        #: Why the hosts hold lines the buffer does not (None: they do not), if known.
        self._host_search_offer: Callable[[], str | None] | None = None
        # Held, not queried: lines keep arriving while the pane is torn down at exit, and a
        # query then finds no view.
        self._view = LogView(store, id="log-view")
        #: Lines the hosts have begun and not finished, under the view.
        self._partials = PartialTail(id="log-partial")
        #: The search and filters the user set, and the jobs computing them.
        self.query_state = LogQuery(store, self._view, on_idle=self._filters_done)
        #: A time to show again once the filter is computed, and with context or not
        #: (see `_scroll_to_time`).
        self._land_at: tuple[float, bool] | None = None

    def compose(self) -> ComposeResult:
        yield self._view
        yield self._partials
        yield SearchBar(id="log-search", placeholder="search (re: for a regex)")
        yield LogStatus(self, id="log-status")

    def on_mount(self) -> None:
        self.set_interval(1.0, self.update_status)
        self.update_status()

    # ------------------------------------------------------------- search and filters

    @property
    def search_bar(self) -> SearchBar:
        return self.query_one(SearchBar)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the prompt has the keys, `!` is text for it.
        return not (action == "prompt" and self.search_bar.has_focus)

    def action_prompt(self, mode: str) -> None:
        self.prompt_mode = mode
        bar = self.search_bar
        bar.placeholder = (
            "exclude lines matching… (re: for a regex)"
            if mode == "exclude"
            else "search… (re: for a regex; Enter keeps it, f filters)"
        )
        self._search_before = self.query_state.state.search
        bar.value = self._search_before if mode == "search" else ""
        bar.remove_class("-error")
        bar.add_class("-open")
        focus_now(bar)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.prompt_mode != "search":
            return
        # Debounced: a burst of keystrokes runs one search, each new one cancels the last.
        if self._typed is not None:
            self._typed.stop()
        self._typed = self.set_timer(0.15, lambda: self._search_now(event.value))

    def _search_now(self, text: str) -> None:
        error = self.query_state.set_search(text)
        self.search_bar.set_class(error is not None, "-error")
        self.update_status()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.close_prompt(commit=True)

    def close_prompt(self, *, commit: bool) -> None:
        bar = self.search_bar
        if self._typed is not None:
            self._typed.stop()
        text = bar.value
        if self.prompt_mode == "search":
            if commit:
                error = self.query_state.set_search(text)
                if error is not None:
                    bar.add_class("-error")
                    toast(self.app, error, severity="error", timeout=4)
                    self.update_status()
                    return  # keep the prompt open to fix it; the old search stays
                if text:
                    self.query_state.history.add(text)
            else:
                self.query_state.set_search(self._search_before)
        elif commit and text:
            error = self.query_state.add_exclude(text)
            if error is not None:
                bar.add_class("-error")
                toast(self.app, error, severity="error", timeout=4)
                self.update_status()
                return
            self.query_state.history.add("!" + text)
        bar.remove_class("-open", "-error")
        focus_now(self.view)
        self.update_status()

    def action_toggle_filter(self) -> None:
        self.query_state.toggle_filter_mode()
        self.update_status()

    def action_cycle_level(self) -> None:
        level = self.query_state.cycle_level()
        label = "all levels" if level is Level.UNKNOWN else f"{level.name} and above"
        self.app.notify(f"Logs: {label}", timeout=2)
        self.update_status()

    def action_pick_hosts(self) -> None:
        from pulse_tui.ui.screens.picker import PickerScreen

        hosts = sorted(self.statuses)

        def chosen(selection: frozenset[str] | None) -> None:
            if selection is not None:
                self.query_state.set_hosts(selection)
                self.update_status()

        self.app.push_screen(PickerScreen("Hosts", hosts, self.query_state.state.hosts), chosen)

    def action_search_hosts(self) -> None:
        self.search_hosts(self.query_state.state.search)

    def search_hosts(self, term: str) -> None:
        """Ask the app to search the hosts for `term`."""
        self.post_message(self.HostSearchRequested(term))

    def set_host_search_offer(self, offer: Callable[[], str | None]) -> None:
        """Where the status line learns that a search on the hosts would find more."""
        self._host_search_offer = offer

    def action_clear(self) -> None:
        if not self.query_state.clear():
            raise SkipAction()  # nothing of ours to clear: Escape means what it does elsewhere
        self.update_status()

    def filter_to(self, search: str) -> None:
        """Search for `search` and show only the lines it matches (an error group's)."""
        self.query_state.set_search(search)
        if not self.query_state.state.filter_mode:
            self.query_state.toggle_filter_mode()
        self.update_status()

    def set_services(self, services: frozenset[str]) -> None:
        self.query_state.set_services(services)

    @property
    def view(self) -> LogView:
        return self._view

    def show_time(self, timestamp: float, *, focus: bool = True) -> None:
        """Scroll to the lines around `timestamp` and (with `focus`) give the view the keys."""
        self._scroll_to_time(timestamp, context=True)
        if focus:
            self.view.focus()

    def _scroll_to_time(self, timestamp: float, *, context: bool) -> None:
        self.view.scroll_to_time(timestamp, context=context)
        # A filter being computed again (the buffer was just rebuilt) shows no line yet:
        # scroll there again once it is in, or a filtered pane would follow the newest
        # lines instead of showing the time asked for.
        self._land_at = (timestamp, context) if self.query_state.filtering else None

    def _filters_done(self) -> None:
        land, self._land_at = self._land_at, None
        if land is not None:
            self.view.scroll_to_time(land[0], context=land[1])
        # "searching…" goes now, not at the next batch of lines or the next second.
        self.update_status()

    def lines_arrived(self) -> None:
        """The buffer grew: show the new lines (following) and the new counts."""
        self.view.lines_arrived()
        self.update_status()

    def shown_time(self) -> float | None:
        """The time of the top line of a scrolled view (None: following, or empty)."""
        view = self.view
        return None if view.follow or not view.count else view.top_line_time()

    def buffer_rebuilt(self, at: float | None) -> None:
        """The buffer was rebuilt in a new order (a late history merged in): filters and
        searches start over, and a scrolled view goes back to `at` (its `shown_time`)."""
        self.view.forget_lines()
        self.query_state.restart()
        if at is not None:
            self._scroll_to_time(at, context=False)
        self.lines_arrived()

    def set_history_loading(self, hosts: list[str]) -> None:
        """Hosts still loading their history: the status line says so."""
        self.history_loading = list(hosts)
        self.update_status()

    def set_window_note(self, note: str) -> None:
        """What the fetches of past windows say (loading, failed, evicted, a jump's miss)."""
        if note != self.window_note:
            self.window_note = note
            self.update_status()

    def count_dropped(self, lines: int) -> None:
        """Lines the app had to drop before they reached the buffer (the UI is behind)."""
        self.ui_dropped += lines

    def set_partial(self, host: str, source: str, text: str | None) -> None:
        """`host`'s `source` ends in an unfinished line, `text` so far (None: no more)."""
        self._partials.set_line(host, source, text)

    def set_status(self, status: HostStatus) -> None:
        self.statuses[status.host] = status
        self.view.set_host_width(min(16, max((len(h) for h in self.statuses), default=8)))
        self.update_status()

    def on_log_view_moved(self, _: LogView.Moved) -> None:
        self.update_status()

    def update_status(self) -> None:
        # A plain repaint of one row, if it reads differently: no layout pass, however
        # often lines arrive.
        for status in self.query(LogStatus):  # none while the pane is being torn down
            status.update()

    def _query_summary(self) -> Text:
        query = self.query_state
        text = Text()
        summary = query.describe()
        if summary:
            text.append(sanitize(summary), style="bold #5fafff")
        if query.state.search and query.query is not None:
            text.append(f" · {self.view.hit_counter()}", style="bold")
            offer = self._host_search_offer() if self._host_search_offer else None
            if offer:
                text.append(f" · H searches hosts ({offer})", style="bold #ffd75f")
        if query.busy:
            text.append(" · searching…", style="italic")
        if query.error:
            text.append(f" · {sanitize(query.error)}", style="bold red")
        return text

    def _oldest_shown(self) -> str:
        """The clock time of the buffer's oldest line, read again only when lines were
        dropped since (its block may be compressed: thawed once, not at every repaint)."""
        first = self.store.first_index
        if self._oldest is None or self._oldest[0] != first:
            stamp = self.store[0].timestamp
            self._oldest = (first, time.strftime("%H:%M:%S", time.localtime(stamp)))
        return self._oldest[1]

    def status_text(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        summary = self._query_summary()
        if summary.plain:
            text.append_text(summary)
            text.append(" │ ", style="dim")
        now = clock.now()
        for host, status in sorted(self.statuses.items()):
            glyph, colour = _STATE_STYLE[status.state]
            text.append(f"{glyph} ", style=colour)
            append_safe(text, host, host_colour(host))
            label = status.state.value
            if status.state is HostState.RETRYING and status.retry_at:
                label = f"retrying in {max(0, round(status.retry_at - now))}s"
                if status.detail:  # why, in the words `check` uses ("connection refused")
                    label += f": {sanitize(status.detail)}"
            if status.state is HostState.FAILED and status.detail:
                label = f"failed: {sanitize(status.detail)}"
            text.append(f" {label}  ", style="dim")
        if self.history_loading:
            count = len(self.history_loading)
            text.append(
                f"loading history from {count} host{'' if count == 1 else 's'}  ", style="italic"
            )
        if self.window_note:
            text.append(f"{self.window_note}  ", style="italic #5fafff")
        if not self.statuses:
            text.append("no log sources configured (--logs user@host:/path)  ", style="dim")
        view = self.view
        dropped = self.store.rotated_out
        total = len(self.store)
        counts = f"{view.count:,} line{'' if view.count == 1 else 's'}"
        if view.narrowed:
            counts = f"{view.count:,} of {total:,} line{'' if total == 1 else 's'}"
        text.append(f"│ {counts}", style="dim")
        if dropped and total:
            # Say from when the pane holds lines and which bound cut the rest, so "where
            # are 02:10's lines?" has its answer on screen (`logs.max_lines` / `max_bytes`).
            bound = "max_lines" if total >= self.store.max_lines else "max_bytes"
            since = self._oldest_shown()
            text.append(f" · from {since} ({dropped:,} older beyond logs.{bound})", style="#ffaf00")
        if self.ui_dropped:
            text.append(f" · {self.ui_dropped:,} dropped (UI behind)", style="bold #ffaf00")
        mode = "following" if view.follow else "scrolled (G to follow)"
        text.append(f" · {mode}{' · wrap' if view.wrap else ''}", style="dim")
        if view.columns:
            text.append(" · columns", style="dim")
        return text
