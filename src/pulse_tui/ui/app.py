"""Builds the app: one worker per source, results in, model updated, widgets refreshed.

The app owns the view state (range, filter, pause) and the log buffer; sources know nothing
of Textual and are driven from here.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Sequence
from dataclasses import replace

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane

from pulse_tui.config import Config
from pulse_tui.model.core.view_state import ViewState
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.line import LogLine
from pulse_tui.model.logs.merge import ReorderWindow
from pulse_tui.model.metrics.signals import Signal, SignalResult
from pulse_tui.sources.base import LogSource, MetricsSource
from pulse_tui.sources.factory import log_sources, metrics_source
from pulse_tui.ui.app_alerts import AlertsMixin
from pulse_tui.ui.app_commands import CommandsMixin
from pulse_tui.ui.app_constants import (
    LOG_FLUSH_INTERVAL,
    MIN_HEIGHT,
    MIN_WIDTH,
    PANEL_KEYS,
    WIDE_HEIGHT,
    WIDE_WIDTH,
)
from pulse_tui.ui.app_logs import LogSinkMixin
from pulse_tui.ui.app_metrics import MetricsMixin
from pulse_tui.ui.app_view import ViewActionsMixin
from pulse_tui.ui.screens.help import HelpScreen
from pulse_tui.ui.widgets.alerts_pane import AlertsPane
from pulse_tui.ui.widgets.errors_pane import ErrorsPane
from pulse_tui.ui.widgets.key_bar import KeyBar
from pulse_tui.ui.widgets.log_panel import LogPanel
from pulse_tui.ui.widgets.probes_pane import ProbesPane
from pulse_tui.ui.widgets.service_table import ServiceTable
from pulse_tui.ui.widgets.signal_panel import SignalPanel
from pulse_tui.ui.widgets.status_header import StatusHeader


class TooSmall(Static):
    """Shown instead of the dashboard when the terminal cannot fit it."""

    def render(self) -> str:
        width, height = self.app.size
        return (
            f"Terminal too small ({width}×{height}).\n"
            f"Enlarge it to at least {MIN_WIDTH}×{MIN_HEIGHT}."
        )


class PulseApp(MetricsMixin, LogSinkMixin, ViewActionsMixin, CommandsMixin, AlertsMixin, App[int]):
    """The dashboard. `build_app(config)` is the one way to make it, for CLI and tests alike."""

    CSS_PATH = "pulse.tcss"
    TITLE = "pulse-tui"
    # Textual puts these classes on the screen as the terminal resizes; pulse.tcss picks
    # the layout from them (see MIN_* and WIDE_*).
    HORIZONTAL_BREAKPOINTS = [(0, "-w-tiny"), (MIN_WIDTH, "-w-narrow"), (WIDE_WIDTH, "-w-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-h-tiny"), (MIN_HEIGHT, "-h-short"), (WIDE_HEIGHT, "-h-tall")]

    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        Binding("tab", "cycle_focus(1)", "Next pane", show=False, priority=True, id="next_pane"),
        Binding(
            "shift+tab",
            "cycle_focus(-1)",
            "Prev pane",
            show=False,
            priority=True,
            id="previous_pane",
        ),
        Binding("z", "maximize", "Maximise", id="maximize"),
        Binding("enter", "maximize", "Maximise", show=False, id="maximize_enter"),
        Binding("p", "toggle_pause", "Pause", id="pause"),
        Binding("plus,equals_sign", "zoom(1)", "Zoom out", key_display="+", id="zoom_out"),
        Binding("minus", "zoom(-1)", "Zoom in", key_display="-", id="zoom_in"),
        Binding("r", "refresh_now", "Refresh", show=False, id="refresh"),
        Binding(
            "left_square_bracket", "pan(-1)", "Pan back", show=False, key_display="[", id="pan_back"
        ),
        Binding(
            "right_square_bracket",
            "pan(1)",
            "Pan forward",
            show=False,
            key_display="]",
            id="pan_forward",
        ),
        Binding("0", "go_live", "Live", show=False, id="live"),
        Binding("c", "compare", "Compare", id="compare"),
        Binding("s", "pick_services", "Services", id="pick_services"),
        Binding("t", "pick_range", "Range", id="pick_range"),
        Binding("escape", "escape", "Clear filter", show=False, id="clear"),
        *(
            Binding(
                key,
                f"show_panel('{signal.value}')",
                signal.heading,
                show=False,
                id=f"panel_{signal.value}",
            )
            for key, signal in PANEL_KEYS.items()
        ),
        Binding("6", "focus_pane('services')", "Services", show=False, id="pane_services"),
        Binding("7", "show_tab('logs')", "Logs", show=False, id="pane_logs"),
        Binding("a", "show_tab('alerts')", "Alerts", id="pane_alerts"),
        Binding("e", "show_tab('errors')", "Errors", show=False, id="pane_errors"),
        Binding("u", "show_tab('probes')", "Probes", show=False, id="pane_probes"),
    ]

    #: Action -> description, for the help screen and the command palette.
    ACTION_HELP: dict[str, str] = {
        "quit": "Quit pulse-tui",
        "help": "Show the key bindings",
        "cycle_focus(1)": "Move to the next pane",
        "cycle_focus(-1)": "Move to the previous pane",
        "maximize": "Maximise the focused pane (again to restore)",
        "toggle_pause": "Pause or resume live updates",
        "zoom(1)": "Zoom out (longer time range)",
        "zoom(-1)": "Zoom in (shorter time range)",
        "refresh_now": "Refresh every panel now",
        "pan(-1)": "Pan back by half a range",
        "pan(1)": "Pan forward by half a range",
        "go_live": "Back to live (the range ends now)",
        "compare": "Compare with a day / a week earlier (dimmed overlay)",
        "pick_services": "Filter by service (fuzzy, multi-select)",
        "pick_range": "Choose the time range (presets or custom)",
        "escape": "Clear the service filter / restore a maximised pane",
    }

    def __init__(
        self,
        config: Config,
        metrics: MetricsSource,
        logs: Sequence[LogSource],
    ) -> None:
        super().__init__()
        self.config = config
        self.metrics = metrics
        self.log_sources = list(logs)
        self.view_state = ViewState(range_seconds=config.dashboard.range)
        self.buffer = LogBuffer(config.logs.max_lines, config.logs.max_bytes)
        self.results: dict[Signal, SignalResult] = {}
        self.known_services: list[str] = []
        #: Batches delivered since the last repaint, as the sources handed them over.
        self._pending: list[Sequence[LogLine]] = []
        self._pending_lines = 0
        #: Several hosts: their lines wait here to be merged in time order (one host: no wait).
        self.reorder: ReorderWindow | None = None
        if len(self.log_sources) > 1:
            self.reorder = ReorderWindow(config.logs.reorder_window)
        self._in_flight: set[Signal] = set()
        self._table_update_due = False
        self._failures: dict[Signal, int] = {}
        self._next_attempt: dict[Signal, float] = {}
        self.current_panel = Signal.LATENCY
        self.maximized: Widget | None = None
        #: The pane a key just chose, until focus (which moves a message later) lands.
        self._pending_pane: Widget | None = None
        self.setup_alerts()
        if config.keys:
            self.set_keymap(dict(config.keys))

    # ----------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield StatusHeader(
            self.metrics.label,
            defaulted=self.config.prometheus_defaulted and not self.config.demo,
            insecure=self.config.prometheus.tls_insecure and not self.config.demo,
            id="header",
        )
        with Widget(id="body"):
            # The panels get a container of their own: Textual repaints every widget whose
            # container overlaps a changed region, so with one shared container a log line
            # arriving made all five charts and the table render again.
            with Widget(id="panels"):
                for signal in Signal:
                    yield SignalPanel(
                        signal,
                        self.config.thresholds(signal),
                        glyphs=self.config.dashboard.glyphs,
                        stale_after=max(
                            30.0,
                            3 * self.config.dashboard.refresh + self.config.prometheus.timeout,
                        ),
                    )
                yield ServiceTable(self.config.thresholds, self.config.unit, id="services")
            with TabbedContent(id="bottom", initial="tab-logs"):
                with TabPane("Logs", id="tab-logs"):
                    yield LogPanel(self.buffer, id="logs")
                with TabPane("Alerts", id="tab-alerts"):
                    yield AlertsPane(id="alerts")
                with TabPane("Errors", id="tab-errors"):
                    yield ErrorsPane(id="errors")
                with TabPane("Probes", id="tab-probes"):
                    yield ProbesPane(id="probes")
        yield TooSmall(id="too-small")
        yield KeyBar()

    def panel(self, signal: Signal) -> SignalPanel:
        return self.query_one(f"#panel-{signal.value}", SignalPanel)

    @property
    def log_panel(self) -> LogPanel:
        return self.query_one(LogPanel)

    def on_mount(self) -> None:
        self._apply_layout()
        self.query_one("#services", ServiceTable).focus()
        self.set_interval(self.config.dashboard.refresh, self.refresh_signals)
        self.set_interval(LOG_FLUSH_INTERVAL, self.flush_logs)
        self.set_interval(1.0, self._tick)
        self.set_interval(60.0, self.discover_services)
        self.discover_services()
        # Wait one frame so panels know their width (the query step depends on it).
        self.call_after_refresh(self.refresh_signals)
        # What exists once the dashboard is up (Textual's and our modules, the widgets)
        # lives as long as the app: keep it out of the collector's full passes, which
        # otherwise stall a frame by ~80 ms every ~20 s under a log flood (22 ms after).
        # Not headless: a test process runs many apps, and frozen objects are never freed.
        if not self.is_headless:
            self.call_after_refresh(gc.freeze)
        for source in self.log_sources:
            self.run_worker(
                source.run(self), group="logs", exit_on_error=False, name=f"logs-{source.host}"
            )
        self.start_alerts()

    def _apply_layout(self) -> None:
        for signal in Signal:
            self.panel(signal).set_class(signal is self.current_panel, "-current")

    # ----------------------------------------------------------------- metrics

    #: Bottom tab -> the widget that takes focus in it.
    BOTTOM_FOCUS = {
        "logs": "#log-view",
        "alerts": "#alert-table",
        "errors": "#error-table",
        "probes": "#probe-table",
    }

    def pane_order(self) -> list[Widget]:
        """Tab order: table, the five panels, then the bottom tab's content."""
        return [
            self.query_one("#services"),
            *(self.panel(signal) for signal in Signal),
            self._bottom_focus(),
        ]

    def _bottom_focus(self) -> Widget:
        active = self.query_one("#bottom", TabbedContent).active.removeprefix("tab-")
        return self.query_one(self.BOTTOM_FOCUS.get(active, "#log-view"), Widget)

    def action_show_tab(self, name: str) -> None:
        """Switch the bottom area to logs, alerts, errors or probes, and focus it."""
        self.query_one("#bottom", TabbedContent).active = f"tab-{name}"
        # Panes off screen are not kept current; bring this one up to date now.
        {"alerts": self._show_alerts, "errors": self._show_errors, "probes": self._show_probes}.get(
            name, lambda: None
        )()
        self.focus_pane(self.query_one(self.BOTTOM_FOCUS[name], Widget))

    def _pane_of(self, widget: Widget | None) -> Widget | None:
        while widget is not None:
            if widget in self.pane_order():
                return widget
            widget = widget.parent if isinstance(widget.parent, Widget) else None
        return None

    def action_cycle_focus(self, delta: int) -> None:
        if self.screen is not self.screen_stack[0]:
            # Modal screens keep Tab for themselves: the picker ticks with it.
            tab = getattr(self.screen, "on_tab", None)
            if tab is not None:
                tab(delta)
                return
            if delta > 0:
                self.screen.focus_next()
            else:
                self.screen.focus_previous()
            return
        order = self.pane_order()
        current = self._current_pane()
        index = order.index(current) if current in order else -1
        self.focus_pane(order[(index + delta) % len(order)])

    def focus_pane(self, pane: Widget) -> None:
        if isinstance(pane, SignalPanel) and pane.signal is not self.current_panel:
            self.current_panel = pane.signal
            self._apply_layout()
            # A panel shown for the first time may have been fetched for another width.
            self.call_after_refresh(self._refetch, pane.signal)
        if self.maximized is not None and pane is not self.maximized:
            self._restore()
        self._pending_pane = pane
        pane.focus()

    def _current_pane(self) -> Widget | None:
        # Typed quickly, "7z" must maximise the logs: `focus()` takes effect a message
        # later, so until then the pane the last key chose is the current one.
        if self._pending_pane is not None and self._pending_pane.is_attached:
            return self._pending_pane
        return self._pane_of(self.focused)

    def on_descendant_focus(self) -> None:
        self._pending_pane = None

    def action_show_panel(self, name: str) -> None:
        self.focus_pane(self.panel(Signal(name)))

    def action_focus_pane(self, pane_id: str) -> None:
        self.focus_pane(self.query_one(f"#{pane_id}", Widget))

    def action_maximize(self) -> None:
        pane = self._current_pane()
        if self.maximized is not None:
            self._restore()
            return
        if pane is None:
            return
        bottom = self.query_one("#bottom", TabbedContent)
        target = bottom if pane is self._bottom_focus() else pane
        self.maximized = target
        target.add_class("-maximized")
        if target is not bottom:
            self.query_one("#panels").add_class("-maximized")
        self.screen.add_class("-has-maximized")

    def _restore(self) -> None:
        if self.maximized is not None:
            self.maximized.remove_class("-maximized")
        self.query_one("#panels").remove_class("-maximized")
        self.maximized = None
        self.screen.remove_class("-has-maximized")

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            # Installed once and reused: composing the table is the slow part.
            if not self.is_screen_installed("help"):
                self.install_screen(HelpScreen(self.help_rows()), "help")
            self.push_screen("help")

    async def action_quit(self) -> None:
        await self.stop_alerts()
        await self.shutdown_sources()
        self.exit(0)

    async def shutdown_sources(self) -> None:
        """Stop every log source (no remote process left behind), within a bounded time."""
        stops = [source.stop() for source in self.log_sources]
        if stops:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*stops, return_exceptions=True), timeout=1.5)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.metrics.close(), timeout=0.5)


def build_app(config: Config) -> PulseApp:
    """The one app factory: the CLI and the tests run the same wiring."""
    config = with_demo_alerts(config)
    return PulseApp(config, metrics_source(config), log_sources(config))


def with_demo_alerts(config: Config) -> Config:
    """The demo brings its own alert rules unless the config has some."""
    if not config.demo or config.alerts.rules or config.alerts.log_rules:
        return config
    from pulse_tui.sources.demo import demo_alerts

    return replace(config, alerts=replace(demo_alerts(), probes=config.alerts.probes))


def demo_config() -> Config:
    """A config for the demo with no file and no flags."""
    return with_demo_alerts(replace(Config(), demo=True))


__all__ = ["PulseApp", "build_app", "demo_config"]
