"""The app: it holds the owners of the dashboard's state and wires them together.

`Dashboard` owns the layout and focus, `ViewController` what the user looks at, and one
feed per data source owns what that source delivers (`MetricsFeed`, `LogFeed`,
`AlertsFeed`, in ui/feeds/). The app itself is the mediator: key bindings and widget
messages arrive here and become one call on the owner concerned. Sources know nothing of
Textual; the feeds drive them in app workers.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual.actions import SkipAction
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

from pulse_tui.config import Config
from pulse_tui.model.alerting.fingerprint import pattern_query
from pulse_tui.model.core.view_command import StartView, command_line
from pulse_tui.model.metrics.changes import Finding
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.sources.base import LogSource, MetricsSource
from pulse_tui.sources.factory import log_sources, metrics_source
from pulse_tui.ui.commands import palette_commands
from pulse_tui.ui.dashboard import MIN_HEIGHT, MIN_WIDTH, WIDE_HEIGHT, WIDE_WIDTH, Dashboard
from pulse_tui.ui.export import Exporter, SummaryJson
from pulse_tui.ui.feeds.alerts import AlertsFeed
from pulse_tui.ui.feeds.host_search import HostSearch
from pulse_tui.ui.feeds.logs import LogFeed
from pulse_tui.ui.feeds.metrics import MetricsFeed
from pulse_tui.ui.screens.help import HelpScreen, help_sections
from pulse_tui.ui.toast import toast
from pulse_tui.ui.view import ViewController
from pulse_tui.ui.view_command import apply_log_view, current_view, initial_state, not_carried
from pulse_tui.ui.widgets.alerting.alerts_pane import AlertsPane
from pulse_tui.ui.widgets.alerting.error_groups_pane import ErrorGroupsPane
from pulse_tui.ui.widgets.logs.log_panel import LogPanel
from pulse_tui.ui.widgets.metrics.changes_strip import ChangesStrip
from pulse_tui.ui.widgets.metrics.service_table import ServiceTable
from pulse_tui.ui.widgets.metrics.signal_panel import SignalPanel

if TYPE_CHECKING:
    from pulse_tui.sources.dashboards import Span
    from pulse_tui.ui.widgets.dashboards.adhoc import AdhocQueries
    from pulse_tui.ui.widgets.dashboards.imports import DashboardImports

#: Digit -> the panel it shows.
PANEL_KEYS = {
    "1": Signal.LATENCY,
    "2": Signal.TRAFFIC,
    "3": Signal.ERRORS,
    "4": Signal.SATURATION,
    "5": Signal.QUEUE,
}


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
        # Priority: acted on as the key is read, so the keys typed after it reach the
        # prompt (see action_search_logs); an Input focused keeps `/` as text.
        Binding("slash", "search_logs", "Search logs", key_display="/", priority=True, id="search"),
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
        # The id is the config's name for the key (`[keys] pane_errors`); the tab reads "Errors".
        Binding("e", "show_tab('error-groups')", "Errors", show=False, id="pane_errors"),
        Binding("u", "show_tab('probes')", "Probes", show=False, id="pane_probes"),
        Binding("i", "next_change", "What changed", id="what_changed"),
        Binding("y", "copy_view", "Copy view", show=False, id="copy_view"),
        Binding("E", "export", "Export", show=False, id="export"),
        Binding("d", "next_dashboard", "Dashboards", show=False, id="dashboards"),
        Binding("colon", "adhoc_query", "PromQL", show=False, key_display=":", id="adhoc_query"),
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
        "search_logs": "Search the logs, from any pane (Enter keeps it, n / N move)",
        "next_change": "Go to what changed: its service, its chart and logs at its start",
        "copy_view": "Copy the view as a command line (services, range, search, level)",
        "export": "Export the screen (SVG) and the view's summary (JSON) to a directory",
        "next_dashboard": "Next imported Grafana dashboard (--dashboard), then back",
        "adhoc_query": "Ad-hoc PromQL: type a query with completion, see it, keep it (k)",
    }

    #: What the help says of keys whose binding's description is a footer's one word, and
    #: of the keys that pick a pane or a panel (not palette entries: the palette names the
    #: panes itself). By action; the rest of the help is the bindings' own descriptions.
    KEY_HELP: dict[str, str] = {
        "prompt('exclude')": "Exclude lines matching a pattern (several combine)",
        "toggle_filter": "Filter mode: only the lines matching the search",
        "cycle_level": "Minimum level: error → warn → info → all",
        "pick_hosts": "Host filter (same picker as services)",
        "clear": "Clear search and filters",
        "scroll_home": "Oldest line",
        "follow": "Follow the newest lines",
        "toggle_wrap": "Wrap long lines",
        "cycle_sort": "Sort by the next column",
        "toggle_heatmap": "Latency / queue panel: heatmap of the histogram's buckets, or lines",
        **{f"show_panel('{s.value}')": f"Show the {s.heading} panel" for s in Signal},
        "focus_pane('services')": "Focus the services table",
        "show_tab('logs')": "Logs tab",
        "show_tab('alerts')": "Alerts tab",
        "show_tab('error-groups')": "Errors tab: error groups",
        "show_tab('probes')": "Probes tab",
    }

    def __init__(
        self,
        config: Config,
        metrics: MetricsSource,
        logs: Sequence[LogSource],
        *,
        start: StartView | None = None,
        origin: Sequence[str] | None = None,
        summary_json: SummaryJson | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        #: The view the flags asked for, applied to the log pane once it is mounted.
        self._start = start or StartView()
        #: The flags that chose the data, first in the command line `y` copies.
        self._origin = list(origin if origin is not None else ["--demo"] * config.demo)
        # Each owner is handed the earlier ones it talks to. The dashboard and the view
        # come first (every feed needs them) and reach the feeds through this app's
        # methods, which run only once everything below exists.
        #: The layout: widgets by role, focus between panes, the maximised pane.
        self.dashboard = Dashboard(
            self,
            config,
            metrics.label,
            on_panel_shown=self._panel_shown,
            on_tab_shown=self._tab_shown,
            has_logs=bool(logs),
        )
        #: What the user looks at: range, service filter, pause, compare.
        self.view = ViewController(
            self,
            self.dashboard,
            initial_state(self._start, config.dashboard.range),
            refetch=self.action_refresh_now,
        )
        #: Rules, alerts, silences, webhooks, error groups and probes.
        self.alerts = AlertsFeed(self, config, metrics, self.view, self.dashboard)
        #: The panels' results and the services table, fetched from `metrics`.
        self.metrics = MetricsFeed(
            self,
            config,
            metrics,
            self.view,
            self.dashboard,
            self.alerts,
            log_services=lambda: self.logs.service_names(),
        )
        #: The log buffer and the sources streaming into it.
        self.logs = LogFeed(self, config, logs, self.view, self.dashboard, self.alerts)
        self.alerts.follow_buffer(self.logs.buffer)  # groups forget what the buffer evicts
        #: Searches on the log hosts themselves, for what the buffer no longer holds.
        self.host_search = HostSearch(
            self, config, logs, self.view, self.dashboard, jump=self.logs.jump_to
        )
        #: `E`: the screen and the view's summary, written to a directory.
        self.exporter = Exporter(
            self,
            self.dashboard,
            self.metrics,
            base_dir=config.dashboard.export_dir,
            summary_json=summary_json,
        )
        #: Imported Grafana dashboards and the `:` prompt (ui/widgets/dashboards), made on
        #: first use (`grafana`, `adhoc`): a start with no dashboard does not import their
        #: modules, about 15 ms of the time to the first frame.
        self._metrics_source = metrics
        self._grafana: DashboardImports | None = None
        self._adhoc: AdhocQueries | None = None
        if config.keys:
            self.set_keymap(dict(config.keys))

    def compose(self) -> ComposeResult:
        yield from self.dashboard.compose(self.logs.buffer, self.view.state)

    def on_mount(self) -> None:
        self.dashboard.mounted(self.view.state)
        for problem in apply_log_view(self.dashboard.log_panel, self._start):
            toast(self, problem, severity="error", timeout=10)
        self.dashboard.log_panel.set_host_search_offer(self.host_search.offer)
        self.metrics.start()
        self.call_after_refresh(self._first_frame_drawn)
        self.logs.start()
        self.alerts.start()
        if self.config.dashboards:
            self.grafana.mounted()  # says which files could not be imported

    @property
    def grafana(self) -> DashboardImports:
        """Imported Grafana dashboards (`--dashboard`), a screen each."""
        if self._grafana is None:
            from pulse_tui.ui.widgets.dashboards.imports import DashboardImports

            self._grafana = DashboardImports(
                self, self.config, self._metrics_source, self._dashboard_span
            )
        return self._grafana

    @property
    def adhoc(self) -> AdhocQueries:
        """`:`: the ad-hoc PromQL prompt; what it keeps goes on the Ad-hoc dashboard."""
        if self._adhoc is None:
            from pulse_tui.ui.widgets.dashboards.adhoc import AdhocQueries

            self._adhoc = AdhocQueries(
                self, self.config, self._metrics_source, self._dashboard_span, self.grafana
            )
        return self._adhoc

    def _first_frame_drawn(self) -> None:
        # What exists once the dashboard is up (Textual's and our modules, the widgets)
        # lives as long as the app: keep it out of the collector's full passes, which
        # otherwise stall a frame by ~80 ms every ~20 s under a log flood (22 ms after).
        # Not headless: a test process runs many apps, and frozen objects are never freed.
        if not self.is_headless:
            gc.freeze()
        gc.enable()  # off since the start (`pulse_tui.__main__.run`)

    def _dashboard_span(self) -> Span:
        from pulse_tui.sources.dashboards import Span

        state = self.view.state
        label = state.describe_range() + (" · paused" if state.paused else "")
        scrape = self.config.prometheus.scrape_interval
        return Span(state.range_seconds, state.window_end(), scrape, label)

    def action_next_dashboard(self) -> None:
        self.grafana.next()

    def action_adhoc_query(self) -> None:
        self.adhoc.open()

    def _panel_shown(self, signal: Signal) -> None:
        self.metrics.refetch(signal)

    def _tab_shown(self, tab: str) -> None:
        self.alerts.show_pane(tab)

    # ----------------------------------------------------------------- panes

    def action_show_tab(self, name: str) -> None:
        """Switch the bottom area to logs, alerts, error groups or probes, and focus it."""
        self.dashboard.show_tab(name)

    def action_search_logs(self) -> None:
        """`/` from anywhere, as in less, lnav and k9s: show the logs and open the prompt.

        The prompt takes focus before this returns (`focus_now`), so "/timeout" typed in
        one go searches "timeout" instead of firing `t`.
        """
        if isinstance(self.focused, Input):
            raise SkipAction()  # `/` typed into a prompt is text
        if self.screen is not self.screen_stack[0]:
            if not isinstance(self.screen, HelpScreen):
                raise SkipAction()  # a dialog's own key
            self.pop_screen()
        if self.dashboard.active_tab != "logs" or not self.dashboard.log_panel.view.has_focus:
            # (Not when the logs have the keys: show_tab would restore a maximised pane.)
            self.dashboard.show_tab("logs")
        self.dashboard.log_panel.action_prompt("search")

    def action_cycle_focus(self, delta: int) -> None:
        self.dashboard.cycle_focus(delta)

    def on_descendant_focus(self) -> None:
        self.dashboard.focus_landed()

    def action_show_panel(self, name: str) -> None:
        self.dashboard.show_panel(Signal(name))

    def action_focus_pane(self, pane_id: str) -> None:
        self.dashboard.focus_pane_by_id(pane_id)

    def action_maximize(self) -> None:
        self.dashboard.toggle_maximize()

    # ----------------------------------------------------------------- the view

    def action_toggle_pause(self) -> None:
        self.view.toggle_pause()

    def action_zoom(self, direction: int) -> None:
        self.view.zoom(direction)

    def action_pan(self, direction: int) -> None:
        self.view.pan(direction)

    def action_go_live(self) -> None:
        self.view.go_live()

    def action_compare(self) -> None:
        self.view.cycle_compare()

    def action_pick_services(self) -> None:
        names = self.metrics.service_names() | self.logs.service_names()
        names.discard("")
        self.view.pick_services(sorted(names))

    def action_pick_range(self) -> None:
        self.view.pick_range()

    def action_escape(self) -> None:
        if self.dashboard.maximized is not None:
            self.dashboard.restore()
        else:
            self.view.clear_services()

    def action_refresh_now(self) -> None:
        self.metrics.retry_now()
        # The view changed (range, pan, zoom) or `r`: a dashboard on screen fetches too.
        if self._grafana is not None:
            self._grafana.refresh_now()
        if self._adhoc is not None:
            self._adhoc.refresh_now()

    def on_service_table_service_chosen(self, event: ServiceTable.ServiceChosen) -> None:
        self.view.focus_service(event.service)

    def action_next_change(self) -> None:
        """The next line of the "what changed" strip (the worst one first)."""
        finding = self.dashboard.changes_strip.next_line()
        if finding is not None:
            self._go_to_change(finding)

    def on_changes_strip_finding_chosen(self, event: ChangesStrip.FindingChosen) -> None:
        self._go_to_change(event.finding)

    def _go_to_change(self, finding: Finding) -> None:
        """Focus the service, put its panel's cursor at the start and the logs there."""
        self.view.focus_service(finding.service)
        self.dashboard.panel(finding.signal).put_cursor(finding.start)
        self.dashboard.show_panel(finding.signal)
        self.dashboard.show_tab("logs")
        # Through the log feed, so a start older than what is loaded is fetched first. The
        # start is the first point at the new level, which averages the step before it:
        # the change began within that step, so the pane opens there and shows the onset
        # (an incident at 09:00:25 is a 09:01 point at a 1 m step, 09:05 at 5 m).
        self.logs.jump_to(finding.start - finding.step, finding.step)

    def on_signal_panel_view_changed(self, event: SignalPanel.ViewChanged) -> None:
        self.metrics.refetch(event.signal)  # `m`: the heatmap's buckets, at its own step

    def on_signal_panel_jump_to_time(self, event: SignalPanel.JumpToTime) -> None:
        # "Near" is within one chart step (or a minute): the chart cannot tell closer.
        steps = [p.result.window.step for p in self.dashboard.signal_panels() if p.result]
        self.logs.jump_to(event.timestamp, max(steps, default=0.0))

    def on_log_panel_host_search_requested(self, event: LogPanel.HostSearchRequested) -> None:
        self.host_search.open(event.term)

    # ----------------------------------------------------------------- share

    def view_command(self) -> str:
        """The view on screen as a command line that starts pulse-tui on it."""
        query = self.dashboard.log_panel.query_state.state
        return command_line(current_view(self.view.state, query), self._origin)

    def action_copy_view(self) -> None:
        """`y`: the view as a command line, to the terminal's clipboard and on screen."""
        line = self.view_command()
        self.copy_to_clipboard(line)
        left = not_carried(self.view.state, self.dashboard.log_panel.query_state.state)
        title = "Copied the view as a command line"
        note = f" · not in it: {', '.join(left)}" if left else ""
        toast(self, line + note, title=title, timeout=10)

    def action_export(self) -> None:
        """`E`: the screen and the view's summary, written off the event loop."""
        command = self.view_command()
        self.run_worker(self.exporter.export(command), group="export", name="export")

    # ----------------------------------------------------------------- alerts

    def on_alerts_pane_silence_requested(self, event: AlertsPane.SilenceRequested) -> None:
        self.alerts.silence(event.key, event.name)

    def on_error_groups_pane_group_chosen(self, event: ErrorGroupsPane.GroupChosen) -> None:
        """Filter the log pane to the group's lines and show it; the group is seen now."""
        self.alerts.acknowledge_group(event.fingerprint)
        self.dashboard.log_panel.filter_to(pattern_query(event.fingerprint))
        self.dashboard.show_tab("logs")

    # ----------------------------------------------------------------- help, quit

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            # Installed once and reused: composing the table is the slow part.
            if not self.is_screen_installed("help"):
                # The dialogs' own keys: their modules are imported when first shown.
                from pulse_tui.ui.screens.host_search import HostSearchScreen, MatchList
                from pulse_tui.ui.screens.picker import PickerScreen
                from pulse_tui.ui.screens.silence import SilenceScreen
                from pulse_tui.ui.screens.time_range import TimeRangeScreen
                from pulse_tui.ui.widgets.dashboards.panel_view import RowHeader
                from pulse_tui.ui.widgets.dashboards.query_prompt import QueryPrompt
                from pulse_tui.ui.widgets.dashboards.query_screen import QueryScreen
                from pulse_tui.ui.widgets.dashboards.screen import GrafanaScreen

                dialogs = (
                    PickerScreen,
                    TimeRangeScreen,
                    SilenceScreen,
                    HostSearchScreen,
                    MatchList,
                    GrafanaScreen,
                    RowHeader,
                    QueryScreen,
                    QueryPrompt,
                    HelpScreen,
                )
                described = {**self.ACTION_HELP, **self.KEY_HELP}
                sections = help_sections(self, dialogs, described)
                self.install_screen(HelpScreen(sections), "help")
            self.push_screen("help")

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from palette_commands(self, self.dashboard, self.ACTION_HELP)

    async def action_quit(self) -> None:
        await self.alerts.stop()
        await self.logs.stop()
        await self.metrics.close()
        self.exit(0)


def build_app(
    config: Config,
    *,
    start: StartView | None = None,
    origin: Sequence[str] | None = None,
    summary_json: SummaryJson | None = None,
) -> PulseApp:
    """The one app factory: the CLI and the tests run the same wiring."""
    config = with_demo_alerts(config)
    return PulseApp(
        config,
        metrics_source(config),
        log_sources(config),
        start=start,
        origin=origin,
        summary_json=summary_json,
    )


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
