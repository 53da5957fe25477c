"""Builds the app: one worker per source, results in, model updated, widgets refreshed.

The app owns the view state (range, filter, pause) and the log buffer; sources know nothing
of Textual and are driven from here.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Sequence
from dataclasses import replace

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from pulse_tui import clock
from pulse_tui.config import Config
from pulse_tui.model.log_buffer import LogBuffer
from pulse_tui.model.logline import LogLine
from pulse_tui.model.overview import build_overview
from pulse_tui.model.signals import Signal, SignalResult
from pulse_tui.model.step import compute_window
from pulse_tui.model.view_state import ViewState
from pulse_tui.screens.help import HelpScreen
from pulse_tui.sources.base import HostStatus, LogSource, MetricsSource, SourceError
from pulse_tui.sources.factory import log_sources, metrics_source
from pulse_tui.widgets.log_panel import LogPanel
from pulse_tui.widgets.log_view import LogView
from pulse_tui.widgets.service_table import ServiceTable
from pulse_tui.widgets.signal_panel import SignalPanel
from pulse_tui.widgets.status_header import StatusHeader

#: Below this the layout cannot show anything useful; we say so instead of drawing.
MIN_WIDTH, MIN_HEIGHT = 60, 16
#: Narrower or shorter than this, panels collapse into the table + one focused panel.
WIDE_WIDTH, WIDE_HEIGHT = 120, 34
#: Lines waiting for the next repaint; past this the UI is behind and we drop (counted).
MAX_PENDING_LINES = 200_000
#: Log repaints per second at most, however fast lines arrive.
LOG_FLUSH_INTERVAL = 0.1
MAX_BACKOFF = 60.0

PANEL_KEYS = {
    "1": Signal.LATENCY,
    "2": Signal.TRAFFIC,
    "3": Signal.ERRORS,
    "4": Signal.SATURATION,
    "5": Signal.QUEUE,
}


class TooSmall(Static):
    """Shown instead of the dashboard when the terminal cannot fit it."""

    def render(self) -> str:
        width, height = self.app.size
        return (
            f"Terminal too small ({width}×{height}).\n"
            f"Enlarge it to at least {MIN_WIDTH}×{MIN_HEIGHT}."
        )


class PulseApp(App[int]):
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
                signal.title,
                show=False,
                id=f"panel_{signal.value}",
            )
            for key, signal in PANEL_KEYS.items()
        ),
        Binding("6", "focus_pane('services')", "Services", show=False, id="pane_services"),
        Binding("7", "focus_pane('log-view')", "Logs", show=False, id="pane_logs"),
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
        self._in_flight: set[Signal] = set()
        self._failures: dict[Signal, int] = {}
        self._next_attempt: dict[Signal, float] = {}
        self.current_panel = Signal.LATENCY
        self.maximized: Widget | None = None
        if config.keys:
            self.set_keymap(dict(config.keys))

    # ----------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield StatusHeader(
            self.metrics.label,
            defaulted=self.config.prometheus_defaulted and not self.config.demo,
            id="header",
        )
        with Widget(id="body"):
            for signal in Signal:
                yield SignalPanel(
                    signal,
                    self.config.thresholds(signal),
                    glyphs=self.config.dashboard.glyphs,
                    stale_after=max(
                        30.0, 3 * self.config.dashboard.refresh + self.config.prometheus.timeout
                    ),
                )
            yield ServiceTable(self.config.thresholds, self.config.unit, id="services")
            yield LogPanel(self.buffer, id="logs")
        yield TooSmall(id="too-small")
        yield Footer()

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
        for source in self.log_sources:
            self.run_worker(
                source.run(self), group="logs", exit_on_error=False, name=f"logs-{source.host}"
            )

    def _apply_layout(self) -> None:
        for signal in Signal:
            self.panel(signal).set_class(signal is self.current_panel, "-current")

    # ----------------------------------------------------------------- metrics

    def refresh_signals(self, force: bool = False) -> None:
        # Paused, or looking at a past range: nothing changes until the user moves.
        if (self.view_state.paused or self.view_state.end is not None) and not force:
            return
        now = clock.now()
        for signal in Signal:
            if signal in self._in_flight:
                continue  # a slow panel skips a beat instead of piling up requests
            if not force and now < self._next_attempt.get(signal, 0):
                continue
            self._in_flight.add(signal)
            self.fetch_signal(signal)

    @work(exit_on_error=False, group="metrics")
    async def fetch_signal(self, signal: Signal) -> None:
        panel = self.panel(signal)
        state = self.view_state
        try:
            window = compute_window(
                state.range_seconds,
                state.window_end(),
                panel.plot_points(),
                self.config.prometheus.scrape_interval,
            )
            result = await self.metrics.query_signal(
                signal, window, sorted(state.services), compare_offset=state.compare_offset
            )
        except SourceError as exc:
            self._failed(signal, str(exc), exc.retryable)
        except Exception as exc:
            self._failed(signal, f"{type(exc).__name__}: {exc}", True)
        else:
            self._failures.pop(signal, None)
            self._next_attempt.pop(signal, None)
            self.results[signal] = result
            panel.show_result(result, state.services)
            self._update_table()
        finally:
            self._in_flight.discard(signal)

    def _failed(self, signal: Signal, message: str, retryable: bool) -> None:
        count = self._failures.get(signal, 0) + 1
        self._failures[signal] = count
        delay = (
            MAX_BACKOFF
            if not retryable
            else min(MAX_BACKOFF, self.config.dashboard.refresh * 2 ** (count - 1))
        )
        delay *= random.uniform(0.8, 1.2)
        self._next_attempt[signal] = clock.now() + delay
        self.panel(signal).show_error(message, retry_in=delay)

    def _refetch(self, signal: Signal) -> None:
        if signal not in self._in_flight and not self.view_state.paused:
            self._in_flight.add(signal)
            self.fetch_signal(signal)

    @work(exit_on_error=False, group="discovery", exclusive=True)
    async def discover_services(self) -> None:
        try:
            self.known_services = await self.metrics.services()
        except Exception:
            return
        self._update_table()

    def _update_table(self) -> None:
        rows = build_overview(self.results, self.known_services)
        self.query_one("#services", ServiceTable).show_rows(rows)

    def _tick(self) -> None:
        for signal in Signal:
            self.panel(signal).tick()

    # ----------------------------------------------------------------- logs (LogSink)

    def on_lines(self, lines: Sequence[LogLine]) -> None:
        room = MAX_PENDING_LINES - self._pending_lines
        if room < len(lines):
            # The UI is behind: drop (and count) rather than grow without bound.
            self.log_panel.ui_dropped += len(lines) - max(room, 0)
            lines = lines[: max(room, 0)]
        if lines:
            self._pending.append(lines)
            self._pending_lines += len(lines)

    def on_status(self, status: HostStatus) -> None:
        self.log_panel.set_status(status)

    def flush_logs(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        self._pending_lines = 0
        if len({batch[0].host for batch in pending}) == 1:
            # One host: its own order is already right, and batches append in bulk.
            for batch in pending:
                self.buffer.append_many(batch)
        else:
            # Several hosts: within one flush (the reorder window) merge by timestamp.
            merged = sorted(
                (line for batch in pending for line in batch), key=lambda line: line.timestamp
            )
            self.buffer.append_many(merged)
        if not self.view_state.paused:
            self.log_panel.view.lines_arrived()
            self.log_panel.update_status()

    # ----------------------------------------------------------------- view state

    def set_view(self, state: ViewState, *, refetch: bool = True) -> None:
        old = self.view_state
        self.view_state = state
        self.query_one(StatusHeader).show(state)
        if state.services != old.services:
            self.log_panel.set_services(state.services)
        if refetch:
            self._next_attempt.clear()
            self.refresh_signals(force=True)

    def action_toggle_pause(self) -> None:
        state = self.view_state.toggle_pause()
        self.set_view(state, refetch=not state.paused)
        self.notify(
            "Paused: live updates stop until you press p"
            if self.view_state.paused
            else "Live updates resumed",
            timeout=2,
        )

    def action_zoom(self, direction: int) -> None:
        self.set_view(self.view_state.zoom(direction))

    def action_pan(self, direction: int) -> None:
        self.set_view(self.view_state.pan(direction))

    def action_go_live(self) -> None:
        self.set_view(self.view_state.go_live())

    def action_compare(self) -> None:
        state = self.view_state.cycle_compare()
        self.set_view(state)
        self.notify(
            f"Comparing {state.describe_compare()}" if state.compare_offset else "Compare off",
            timeout=2,
        )

    def all_services(self) -> list[str]:
        """Services from the backend, the panels' results and the log sources' mapping."""
        names = set(self.known_services)
        for result in self.results.values():
            names.update(result.services())
        for host in self.config.logs.hosts:
            names.add(host.service)
            names.update(f.service for f in host.files)
            names.update(j.service for j in host.journal)
        for source in self.log_sources:
            service = getattr(source, "service", "")
            if service:
                names.add(service)
        names.discard("")
        return sorted(names)

    def action_pick_services(self) -> None:
        from pulse_tui.screens.picker import PickerScreen

        def chosen(selection: frozenset[str] | None) -> None:
            if selection is not None:
                self.set_view(self.view_state.with_services(selection))

        self.push_screen(
            PickerScreen("Services", self.all_services(), self.view_state.services), chosen
        )

    def action_pick_range(self) -> None:
        from pulse_tui.screens.time_range import TimeRangeScreen

        def chosen(choice: tuple[float, float | None] | None) -> None:
            if choice is not None:
                self.set_view(self.view_state.with_range(*choice))

        self.push_screen(TimeRangeScreen(), chosen)

    def on_signal_panel_jump_to_time(self, event: SignalPanel.JumpToTime) -> None:
        view = self.log_panel.view
        view.scroll_to_time(event.timestamp)
        view.focus()

    def action_refresh_now(self) -> None:
        self._next_attempt.clear()
        self.refresh_signals(force=True)

    def action_escape(self) -> None:
        if self.maximized is not None:
            self.action_maximize()
        elif self.view_state.services:
            self.set_view(self.view_state.with_services(frozenset()))

    def on_service_table_service_chosen(self, event: ServiceTable.ServiceChosen) -> None:
        self.set_view(self.view_state.with_services(frozenset({event.service})))
        self.notify(f"Focused on {event.service} · Esc shows all services", timeout=3)

    # ----------------------------------------------------------------- panes

    def pane_order(self) -> list[Widget]:
        """Tab order: table, the five panels, then the logs."""
        return [
            self.query_one("#services"),
            *(self.panel(signal) for signal in Signal),
            self.query_one("#log-view"),
        ]

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
        current = self._pane_of(self.focused)
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
        pane.focus()

    def action_show_panel(self, name: str) -> None:
        self.focus_pane(self.panel(Signal(name)))

    def action_focus_pane(self, pane_id: str) -> None:
        self.focus_pane(self.query_one(f"#{pane_id}", Widget))

    def action_maximize(self) -> None:
        pane = self._pane_of(self.focused)
        if self.maximized is not None:
            self._restore()
            return
        if pane is None:
            return
        target = self.log_panel if isinstance(pane, LogView) else pane
        self.maximized = target
        target.add_class("-maximized")
        self.screen.add_class("-has-maximized")

    def _restore(self) -> None:
        if self.maximized is not None:
            self.maximized.remove_class("-maximized")
        self.maximized = None
        self.screen.remove_class("-has-maximized")

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            # Installed once and reused: composing the table is the slow part.
            if not self.is_screen_installed("help"):
                self.install_screen(HelpScreen(self.help_rows()), "help")
            self.push_screen("help")

    def help_rows(self) -> list[tuple[str, str]]:
        """(keys, what they do) for every binding the user can press."""
        rows = []
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            keys = self.get_key_display(binding)
            if binding.action in self.ACTION_HELP:
                rows.append((keys, self.ACTION_HELP[binding.action]))
            elif binding.description:
                rows.append((keys, binding.description))
        rows += [
            ("1-5", "Show a signal panel (Latency, Traffic, Errors, Saturation, Queue)"),
            ("6 / 7", "Focus the services table / the logs"),
            ("Enter (table)", "Focus every panel and the logs on that service"),
            ("o / O (table)", "Sort by the next column / reverse the order"),
            ("j k ↑ ↓ (logs)", "Scroll one line"),
            ("PgUp PgDn (logs)", "Scroll one page"),
            ("g / G (logs)", "Oldest line / follow the newest"),
            ("w (logs)", "Wrap long lines"),
            ("ctrl+p", "Command palette: every action by name"),
        ]
        seen: set[tuple[str, str]] = set()
        return [r for r in rows if not (r in seen or seen.add(r))]

    def get_system_commands(self, screen: Screen) -> list[SystemCommand]:  # type: ignore[override]
        commands = list(super().get_system_commands(screen))
        for action, description in self.ACTION_HELP.items():
            commands.append(
                SystemCommand(description, f"action: {action}", lambda a=action: self.run_action(a))
            )
        for signal in Signal:
            commands.append(
                SystemCommand(
                    f"Show the {signal.title} panel",
                    "Focus it (and show it in the narrow layout)",
                    lambda s=signal: self.action_show_panel(s.value),
                )
            )
        commands.append(
            SystemCommand(
                "Focus the logs",
                "Scroll and search the log pane",
                lambda: self.action_focus_pane("log-view"),
            )
        )
        commands.append(
            SystemCommand(
                "Focus the services table",
                "Sort and pick services",
                lambda: self.action_focus_pane("services"),
            )
        )
        commands.append(
            SystemCommand(
                "Toggle log line wrapping",
                "Wrap long log lines",
                lambda: self.log_panel.view.action_toggle_wrap(),
            )
        )
        commands.append(
            SystemCommand(
                "Follow the newest log lines",
                "Jump to the end of the logs",
                lambda: self.log_panel.view.action_follow(),
            )
        )
        return commands

    async def action_quit(self) -> None:
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
    return PulseApp(config, metrics_source(config), log_sources(config))


def demo_config() -> Config:
    """A config for the demo with no file and no flags."""
    return replace(Config(), demo=True)


__all__ = ["PulseApp", "build_app", "demo_config"]
