"""The log pane: the virtualised line view plus a status line of hosts and counters."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget

from pulse_tui import clock
from pulse_tui.model.sanitize import sanitize
from pulse_tui.sources.base import HostState, HostStatus
from pulse_tui.widgets.log_view import LineStore, LogView
from pulse_tui.widgets.palette import host_colour

_STATE_STYLE = {
    HostState.CONNECTING: ("◌", "#ffd75f"),
    HostState.LIVE: ("●", "#87d787"),
    HostState.RETRYING: ("◌", "#ffaf00"),
    HostState.FAILED: ("✖", "#ff5f5f"),
    HostState.STOPPED: ("○", "grey50"),
}


class LogStatus(Widget):
    """The pane's one-line status; renders from its LogPanel on every refresh."""

    def __init__(self, panel: LogPanel, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.panel = panel

    def render(self) -> Text:
        return self.panel.status_text()


class LogPanel(Vertical):
    """Border, line view and a one-line status: per-host state, counts, follow mode."""

    DEFAULT_CSS = """
    LogPanel { border: round $panel-lighten-2; height: 1fr; }
    LogPanel:focus-within { border: round $accent; }
    LogPanel > #log-status { height: 1; background: $panel; }
    """

    def __init__(self, store: LineStore, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.statuses: dict[str, HostStatus] = {}
        self.ui_dropped = 0
        self.border_title = "Logs"

    def compose(self) -> ComposeResult:
        yield LogView(self.store, id="log-view")
        yield LogStatus(self, id="log-status")

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    def on_mount(self) -> None:
        self.set_interval(1.0, self.update_status)
        self.update_status()

    def set_status(self, status: HostStatus) -> None:
        self.statuses[status.host] = status
        self.view.host_width = min(16, max((len(h) for h in self.statuses), default=8))
        self.update_status()

    def on_log_view_moved(self, _: LogView.Moved) -> None:
        self.update_status()

    def update_status(self) -> None:
        # A plain repaint of one row: no layout pass, however often lines arrive.
        self.query_one(LogStatus).refresh()

    def status_text(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        now = clock.now()
        for host, status in sorted(self.statuses.items()):
            glyph, colour = _STATE_STYLE[status.state]
            text.append(f"{glyph} ", style=colour)
            text.append(sanitize(host), style=host_colour(host))
            label = status.state.value
            if status.state is HostState.RETRYING and status.retry_at:
                label = f"retrying in {max(0, round(status.retry_at - now))}s"
            if status.state is HostState.FAILED and status.detail:
                label = f"failed: {sanitize(status.detail)}"
            text.append(f" {label}  ", style="dim")
        if not self.statuses:
            text.append("no log sources configured (--logs user@host:/path)  ", style="dim")
        view = self.view
        dropped = getattr(self.store, "dropped", 0)
        counts = f"{view.count:,} lines"
        if view.predicate is not None:
            counts = f"{view.count:,} of {len(self.store):,} lines"
        text.append(f"│ {counts}", style="dim")
        if dropped:
            text.append(f" · {dropped:,} rotated out", style="dim")
        if self.ui_dropped:
            text.append(f" · {self.ui_dropped:,} dropped (UI behind)", style="bold #ffaf00")
        mode = "following" if view.follow else "scrolled (G to follow)"
        text.append(f" · {mode}{' · wrap' if view.wrap else ''}", style="dim")
        return text
