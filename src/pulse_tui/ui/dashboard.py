"""The dashboard's layout and focus: which widget is where, which pane has the keys, which
panel the narrow layout shows, and which pane fills the body while maximised.

The feeds find their widgets here (typed, by role) instead of querying ids themselves.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane

from pulse_tui.config import Config
from pulse_tui.model.core.view_state import ViewState
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.ui.toast import toast
from pulse_tui.ui.widgets.alerting.alerts_pane import AlertsPane
from pulse_tui.ui.widgets.alerting.error_groups_pane import ErrorGroupsPane
from pulse_tui.ui.widgets.alerting.probes_pane import ProbesPane
from pulse_tui.ui.widgets.focus import focus_now
from pulse_tui.ui.widgets.key_bar import KeyBar
from pulse_tui.ui.widgets.logs.log_panel import LogPanel
from pulse_tui.ui.widgets.metrics.changes_strip import ChangesStrip
from pulse_tui.ui.widgets.metrics.service_table import ServiceTable
from pulse_tui.ui.widgets.metrics.signal_panel import SignalPanel
from pulse_tui.ui.widgets.status_header import StatusHeader

#: Below this the layout cannot show anything useful; we say so instead of drawing.
MIN_WIDTH, MIN_HEIGHT = 60, 16
#: Narrower or shorter than this, panels collapse into the table + one focused panel.
WIDE_WIDTH, WIDE_HEIGHT = 120, 34

#: Bottom tab -> the widget that takes focus in it.
BOTTOM_FOCUS = {
    "logs": "#log-view",
    "alerts": "#alert-table",
    "error-groups": "#error-group-table",
    "probes": "#probe-table",
}

#: The one line a logs-only screen shows where the panels would be.
NO_METRICS_HINT = "no metrics source · add --prometheus URL or [prometheus] url in the config"
NO_LOGS_HINT = "no log sources configured (--logs user@host:/path)"


class TooSmall(Static):
    """Shown instead of the dashboard when the terminal cannot fit it."""

    def render(self) -> str:
        width, height = self.app.size
        return (
            f"Terminal too small ({width}×{height}).\n"
            f"Enlarge it to at least {MIN_WIDTH}×{MIN_HEIGHT}."
        )


@runtime_checkable
class TakesTab(Protocol):
    """A modal screen that uses Tab itself (the picker ticks with it)."""

    def on_tab(self, delta: int) -> None: ...


class Dashboard:
    """Owns the layout of the main screen and the focus between its panes.

    Panes, in Tab order: the services table, the five signal panels, then whichever bottom
    tab is showing. `on_panel_shown` hears of a panel becoming the current one (the narrow
    layout shows only it), `on_tab_shown` of a bottom tab brought up.

    What was asked for decides what takes rows: with log sources but no metrics asked for
    (`Config.metrics_wanted`), the bottom tabs fill the body under one line saying how to
    add Prometheus; with no log sources, the Logs tab is not shown at all.
    """

    def __init__(
        self,
        app: App[Any],
        config: Config,
        backend: str,
        *,
        on_panel_shown: Callable[[Signal], None],
        on_tab_shown: Callable[[str], None],
        has_logs: bool = True,
    ) -> None:
        self._app = app
        self._config = config
        #: Log sources exist: the Logs tab is shown.
        self.has_logs = has_logs
        #: Logs but no metrics asked for: no panels, no table, nothing fetched for them.
        self.logs_only = has_logs and not config.metrics_wanted
        #: What the header names as the metrics backend (its URL, or "DEMO").
        self._backend = backend
        self._on_panel_shown = on_panel_shown
        self._on_tab_shown = on_tab_shown
        #: The panel the narrow layout shows (the last one focused).
        self._current_panel = Signal.LATENCY
        self._maximized: Widget | None = None
        #: The pane a key just chose, until focus (which moves a message later) lands.
        self._pending_pane: Widget | None = None
        #: The log pane `compose` made: looked up by reference, not by a walk of the DOM
        #: (lines arrive several times a second, and each flush asks for it).
        self._log_panel: LogPanel | None = None

    # ----------------------------------------------------------------- layout

    def compose(self, buffer: LogBuffer, view: ViewState) -> ComposeResult:
        """The whole main screen; the log pane shows `buffer`, the header `view`."""
        config = self._config
        metrics = not self.logs_only
        yield StatusHeader(
            self._backend if metrics else "logs only",
            view,
            defaulted=config.prometheus_defaulted and not config.demo and metrics,
            insecure=config.prometheus.tls_insecure and not config.demo and metrics,
            id="header",
        )
        # The strip names changes in the metrics: with no metrics source it stays hidden.
        yield ChangesStrip(id="changes", classes="" if metrics else "-hidden")
        with Widget(id="body", classes="" if metrics else "-logs-only"):
            if not metrics:
                yield Static(Text(NO_METRICS_HINT, style="dim"), id="metrics-hint")
            # The panels get a container of their own: Textual repaints every widget whose
            # container overlaps a changed region, so with one shared container a log line
            # arriving made all five charts and the table render again.
            with Widget(id="panels"):
                for signal in Signal:
                    yield SignalPanel(
                        signal,
                        config.thresholds(signal),
                        glyphs=config.dashboard.glyphs,
                        stale_after=max(
                            30.0, 3 * config.dashboard.refresh + config.prometheus.timeout
                        ),
                    )
                yield ServiceTable(config.thresholds, config.unit, id="services")
            initial = "tab-logs" if self.has_logs else "tab-alerts"
            bottom = TabbedContent(id="bottom", initial=initial)
            bottom.set_class(not self.has_logs, "-no-logs")
            with bottom:
                with TabPane("Logs", id="tab-logs"):
                    self._log_panel = LogPanel(buffer, id="logs")
                    yield self._log_panel
                with TabPane("Alerts", id="tab-alerts"):
                    yield AlertsPane(id="alerts")
                with TabPane("Errors", id="tab-error-groups"):
                    yield ErrorGroupsPane(id="error-groups")
                with TabPane("Probes", id="tab-probes"):
                    yield ProbesPane(id="probes")
        yield TooSmall(id="too-small")
        yield KeyBar()

    def mounted(self, view: ViewState) -> None:
        """The widgets exist: mark the current panel, give the table the keys, and narrow
        the logs to the services of a view set before the app ran."""
        self._apply_layout()
        if not self.has_logs:
            self.bottom.hide_tab("tab-logs")
        if self.logs_only:
            self.focus_pane(self._bottom_focus())
        else:
            self.service_table.focus()
        if view.services:
            self.log_panel.set_services(view.services)

    def _apply_layout(self) -> None:
        for signal in Signal:
            self.panel(signal).set_class(signal is self._current_panel, "-current")

    # ----------------------------------------------------------------- widgets by role

    def panel(self, signal: Signal) -> SignalPanel:
        return self._app.query_one(f"#panel-{signal.value}", SignalPanel)

    def signal_panels(self) -> list[SignalPanel]:
        """Every panel still mounted (none while the app shuts down)."""
        return list(self._app.query(SignalPanel))

    @property
    def service_table(self) -> ServiceTable:
        return self._app.query_one("#services", ServiceTable)

    @property
    def changes_strip(self) -> ChangesStrip:
        return self._app.query_one("#changes", ChangesStrip)

    @property
    def header(self) -> StatusHeader:
        return self._app.query_one(StatusHeader)

    @property
    def log_panel(self) -> LogPanel:
        panel = self._log_panel
        if panel is not None and panel.is_attached:
            return panel
        return self._app.query_one(LogPanel)  # raises NoMatches, as before, once it is gone

    def log_panels(self) -> list[LogPanel]:
        """The log pane if still mounted (lines keep arriving while the app shuts down)."""
        panel = self._log_panel
        return [panel] if panel is not None and panel.is_attached else []

    @property
    def alerts_pane(self) -> AlertsPane:
        return self._app.query_one(AlertsPane)

    @property
    def error_groups_pane(self) -> ErrorGroupsPane:
        return self._app.query_one(ErrorGroupsPane)

    @property
    def probes_pane(self) -> ProbesPane:
        return self._app.query_one(ProbesPane)

    @property
    def bottom(self) -> TabbedContent:
        return self._app.query_one("#bottom", TabbedContent)

    @property
    def active_tab(self) -> str:
        """The bottom tab showing ("logs", "alerts", ...); "" before mount or while quitting."""
        with contextlib.suppress(Exception):
            return self.bottom.active.removeprefix("tab-")
        return ""

    def set_tab_label(self, tab: str, label: str) -> None:
        """Retitle a bottom tab (the alert count); no repaint when it reads the same."""
        widget = self.bottom.get_tab(f"tab-{tab}")
        if str(widget.label) != label:
            widget.label = label

    # ----------------------------------------------------------------- panes and focus

    @property
    def maximized(self) -> Widget | None:
        """The pane filling the body, if one does."""
        return self._maximized

    def pane_order(self) -> list[Widget]:
        """Tab order: table, the five panels, then the bottom tab's content."""
        if self.logs_only:
            return [self._bottom_focus()]
        return [
            self.service_table,
            *(self.panel(signal) for signal in Signal),
            self._bottom_focus(),
        ]

    def _bottom_focus(self) -> Widget:
        active = self.bottom.active.removeprefix("tab-")
        return self._app.query_one(BOTTOM_FOCUS.get(active, "#log-view"), Widget)

    def show_tab(self, name: str) -> None:
        """Switch the bottom area to logs, alerts, error groups or probes, and focus it."""
        if name == "logs" and not self.has_logs:
            toast(self._app, NO_LOGS_HINT, timeout=4)
            return
        self.bottom.active = f"tab-{name}"
        # Panes off screen are not kept current: whoever fills this one brings it up to date.
        self._on_tab_shown(name)
        self.focus_pane(self._app.query_one(BOTTOM_FOCUS[name], Widget))

    def _pane_of(self, widget: Widget | None) -> Widget | None:
        while widget is not None:
            if widget in self.pane_order():
                return widget
            widget = widget.parent if isinstance(widget.parent, Widget) else None
        return None

    def cycle_focus(self, delta: int) -> None:
        """Tab / Shift+Tab: the next or previous pane (or, on a modal screen, its widgets)."""
        app = self._app
        screen = app.screen
        if screen is not app.screen_stack[0]:
            # Modal screens keep Tab for themselves: the picker ticks with it.
            if isinstance(screen, TakesTab):
                screen.on_tab(delta)
            elif delta > 0:
                screen.focus_next()
            else:
                screen.focus_previous()
            return
        order = self.pane_order()
        current = self._current_pane()
        index = order.index(current) if current in order else -1
        self.focus_pane(order[(index + delta) % len(order)])

    def focus_pane(self, pane: Widget) -> None:
        if self.logs_only and isinstance(pane, (SignalPanel, ServiceTable)):
            toast(self._app, NO_METRICS_HINT, timeout=4)
            return
        if isinstance(pane, SignalPanel) and pane.signal is not self._current_panel:
            self._current_panel = pane.signal
            self._apply_layout()
            # A panel shown for the first time may have been fetched for another width.
            self._app.call_after_refresh(self._on_panel_shown, pane.signal)
        if self._maximized is not None and pane is not self._maximized:
            self.restore()
        self._pending_pane = pane
        focus_now(pane)

    def focus_pane_by_id(self, pane_id: str) -> None:
        self.focus_pane(self._app.query_one(f"#{pane_id}", Widget))

    def show_panel(self, signal: Signal) -> None:
        self.focus_pane(self.panel(signal))

    def _current_pane(self) -> Widget | None:
        # Typed quickly, "7z" must maximise the logs: `focus()` takes effect a message
        # later, so until then the pane the last key chose is the current one.
        if self._pending_pane is not None and self._pending_pane.is_attached:
            return self._pending_pane
        return self._pane_of(self._app.focused)

    def focus_landed(self) -> None:
        """Focus moved (a message after `focus()`): the focused widget is the truth again."""
        self._pending_pane = None

    def toggle_maximize(self) -> None:
        """Maximise the current pane, or restore the one maximised."""
        pane = self._current_pane()
        if self._maximized is not None:
            self.restore()
            return
        if pane is None:
            return
        bottom = self.bottom
        target = bottom if pane is self._bottom_focus() else pane
        self._maximized = target
        target.add_class("-maximized")
        if target is not bottom:
            self._app.query_one("#panels").add_class("-maximized")
        self._app.screen.add_class("-has-maximized")

    def restore(self) -> None:
        """Back to the full layout (nothing if no pane is maximised)."""
        if self._maximized is not None:
            self._maximized.remove_class("-maximized")
        self._app.query_one("#panels").remove_class("-maximized")
        self._maximized = None
        self._app.screen.remove_class("-has-maximized")
