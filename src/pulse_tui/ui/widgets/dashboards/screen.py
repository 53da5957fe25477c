"""One imported Grafana dashboard as a screen: its panels on the terminal grid in Grafana's
order and proportions, refreshed on the dashboard's timer over the app's time range.

Each refresh sends one query per shown target (hidden targets and folded rows send none);
a panel still waiting for its last answer is skipped, so a slow Prometheus never piles
requests up. Query variables are resolved once, when the screen is first shown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from pulse_tui.model.core.durations import format_duration
from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.dashboards.definition import Dashboard, Panel
from pulse_tui.model.dashboards.interpolate import Selection, format_selection
from pulse_tui.model.dashboards.layout import layout, total_height
from pulse_tui.model.dashboards.panels import MAX_SERIES
from pulse_tui.model.dashboards.variables import VariableState
from pulse_tui.sources.base import MetricsSource
from pulse_tui.sources.dashboards import PanelResult, Span, fetch_panel, resolve_variables
from pulse_tui.ui.charts.line_chart import plot_points
from pulse_tui.ui.widgets.dashboards.panel_view import GrafanaPanel, RowHeader
from pulse_tui.ui.widgets.dashboards.variable_picker import pick_variable
from pulse_tui.ui.widgets.safe_text import append_safe

#: Panels fetching at once. Each query runs in a thread of its own, and starting one waits
#: for it to take the GIL: 30 started in one go held the loop ~100 ms (keys and repaints
#: waited; benchmarks/bench_grafana.py). Two at a time: the longest stall 12 ms (4: 22 ms),
#: the first frame of 30 panels no slower (0.6 s).
FETCHES_AT_ONCE = 2

HELP = "d next dashboard · Esc back · v variables · Tab rows, Enter folds · r refresh"


class Canvas(Container):
    """The area the panels are placed on; tells the screen when its width changes."""

    def __init__(self, on_width: Callable[[int], None], id: str) -> None:
        super().__init__(id=id)
        self._on_width = on_width

    def on_resize(self, event: events.Resize) -> None:
        self._on_width(event.size.width)


class GrafanaScreen(Screen[None]):
    """A dashboard (or, for a file that could not be imported, the one line why)."""

    DEFAULT_CSS = """
    GrafanaScreen #gd-header { height: 1; background: $panel; padding: 0 1; }
    GrafanaScreen #gd-problems { height: auto; max-height: 4; color: #ffd75f; padding: 0 1; }
    GrafanaScreen #gd-body { height: 1fr; }
    GrafanaScreen #gd-canvas { width: 100%; height: auto; }
    GrafanaScreen #gd-help { height: 1; color: $text-muted; padding: 0 1; }
    """

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("r", "refresh_panels", "Refresh"),
        Binding("v", "pick_variable", "Variables"),
    ]

    def __init__(
        self,
        dashboard: Dashboard | None,
        error: str | None,
        source: MetricsSource,
        span: Callable[[], Span],
        *,
        refresh: float = 5.0,
        glyphs: str = "braille",
        max_series: int = MAX_SERIES,
    ) -> None:
        super().__init__()
        self.dashboard = dashboard
        self.error = error
        self._source = source
        self._span = span
        self._refresh_every = refresh
        self._glyphs = glyphs
        self._max_series = max_series
        #: Row id -> folded, as the user left it (starts as the file says).
        self.folded: dict[int, bool] = {}
        #: Panel id -> its widget (rows' children included, folded or not).
        self.panel_widgets: dict[int, GrafanaPanel] = {}
        self.row_headers: dict[int, RowHeader] = {}
        #: Panels whose query is in flight: the next refresh skips them.
        self._in_flight: set[int] = set()
        self._fetch_slots = asyncio.Semaphore(FETCHES_AT_ONCE)
        self._resolving = False
        #: None until the variables are resolved (the panels wait for them).
        self.variables: VariableState | None = None
        #: What the user picked with `v`, by variable name (kept while still offered).
        self.chosen: dict[str, Selection] = {}
        #: Queries sent by this screen (panels and variables), for tests and benchmarks.
        self.queries_sent = 0
        self._laid_out_width = 0
        #: The time range the variables were resolved for (`_range_key`).
        self._resolved_for: tuple[float, str] | None = None
        #: The header line last put on screen (None: the title alone, from compose).
        self._header_shown: Text | None = None

    # ----------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        title = self.dashboard.title if self.dashboard else "dashboard not imported"
        yield Static(Text(title, style="bold"), id="gd-header")
        problems = Static(Text(sanitize(self.error or "")), id="gd-problems")
        problems.display = bool(self.error)
        yield problems
        with VerticalScroll(id="gd-body"):
            canvas = Canvas(self._canvas_resized, id="gd-canvas")
            with canvas:
                for panel in self._all_panels():
                    if panel.is_row:
                        header = RowHeader(panel, panel.collapsed)
                        self.row_headers[panel.id] = header
                        yield header
                    else:
                        widget = GrafanaPanel(panel, self._glyphs)
                        self.panel_widgets[panel.id] = widget
                        yield widget
        yield Static(Text(HELP), id="gd-help")

    def _all_panels(self) -> list[Panel]:
        if self.dashboard is None:
            return []
        out: list[Panel] = []
        for panel in self.dashboard.panels:
            out.append(panel)
            out.extend(panel.children)
        return out

    def on_mount(self) -> None:
        if self.dashboard is None:
            return
        self.folded = {p.id: p.collapsed for p in self.dashboard.panels if p.is_row}
        self.call_after_refresh(self._first_refresh)
        self.set_interval(self._refresh_every, self.action_refresh_panels)

    def _first_refresh(self) -> None:
        self._relayout()
        self.action_refresh_panels()

    def _canvas_resized(self, width: int) -> None:
        # A resize of the terminal, or the scrollbar coming or going with the height.
        if self.dashboard is not None and width != self._laid_out_width:
            self._relayout()

    def _relayout(self) -> None:
        if self.dashboard is None:
            return
        canvas = self.query_one("#gd-canvas", Widget)
        width = max(24, canvas.size.width or self.size.width - 2)
        self._laid_out_width = canvas.size.width
        placements = layout(self.dashboard.panels, width, self.folded)
        shown = {p.panel.id for p in placements}
        for placement in placements:
            widget: Widget = (
                self.row_headers[placement.panel.id]
                if placement.panel.is_row
                else self.panel_widgets[placement.panel.id]
            )
            widget.styles.offset = (placement.x, placement.y)
            widget.styles.width = placement.width
            widget.styles.height = placement.height
            widget.display = True
        for panel_id, panel_widget in self.panel_widgets.items():
            if panel_id not in shown:
                panel_widget.display = False
        canvas.styles.height = total_height(placements)

    def on_row_header_toggled(self, event: RowHeader.Toggled) -> None:
        folded = not self.folded.get(event.row_id, False)
        self.folded[event.row_id] = folded
        self.row_headers[event.row_id].folded = folded
        self.row_headers[event.row_id].refresh()
        self._relayout()
        self.action_refresh_panels()  # panels just unfolded have nothing yet

    # ----------------------------------------------------------------- refresh

    def shown_panels(self) -> list[GrafanaPanel]:
        return [w for w in self.panel_widgets.values() if w.display]

    def action_refresh_panels(self) -> None:
        if self.dashboard is None:
            return
        if self.variables is None:
            if not self._resolving:
                self._resolving = True
                self.run_worker(self._resolve(), exit_on_error=False)
            return
        if self._range_key() != self._resolved_for and any(
            v.follows_range for v in self.dashboard.variables
        ):
            # A new time range: the `refresh: 2` variables are asked again, then panels.
            if not self._resolving:
                self._resolving = True
                self.run_worker(self._resolve(self.variables), exit_on_error=False)
            return
        self._show_variables()  # the range may have changed since
        for widget in self.shown_panels():
            panel = widget.panel
            if panel.unsupported or not panel.queries or panel.id in self._in_flight:
                continue
            self._in_flight.add(panel.id)
            self.run_worker(self._fetch(widget), exit_on_error=False)

    def _range_key(self) -> tuple[float, str]:
        """What the time range is, not where a live one ends (that moves every refresh):
        its length and how the header names it ("last 1h", "1h to 12-02 10:00")."""
        span = self._span()
        return span.range_seconds, span.label.removesuffix(" · paused")

    async def _resolve(self, range_changed_from: VariableState | None = None) -> None:
        assert self.dashboard is not None
        variables = self.dashboard.variables
        key = self._range_key()
        try:
            state = await resolve_variables(
                self._source,
                variables,
                self._span(),
                self.chosen,
                range_changed_from=range_changed_from,
            )
        finally:
            self._resolving = False
        self.variables = state
        self._resolved_for = key
        before = range_changed_from.options if range_changed_from else {}
        self.queries_sent += sum(
            1
            for v in variables
            if v.kind == "query"
            and (v.name not in before or state.options[v.name] is not before[v.name])
        )
        self._show_variables()
        self.action_refresh_panels()

    async def _fetch(self, widget: GrafanaPanel) -> None:
        panel = widget.panel
        try:
            points = plot_points(max(10, widget.content_size.width), self._glyphs)
            selections = self.variables.selections if self.variables else {}
            async with self._fetch_slots:
                result: PanelResult = await fetch_panel(
                    self._source, panel, self._span(), points, selections, self._max_series
                )
        finally:
            self._in_flight.discard(panel.id)
        self.queries_sent += result.queries
        await widget.show_prepared(result)

    def _show_variables(self) -> None:
        if self.dashboard is None or self.variables is None:
            return
        header = Text(self.dashboard.title, style="bold")
        span = self._span()
        header.append(f"  {span.label or format_duration(span.range_seconds)}", style="dim")
        for name, selection in self.variables.selections.items():
            shown = "All" if selection.is_all else format_selection(selection, "csv")
            header.append(f"  ${name}=", style="dim")
            append_safe(header, shown or "—")  # label values: the server's text
        if header != self._header_shown:
            # Only when it changed: a Static's update lays the whole screen out again,
            # which cost a refresh of 30 panels a full repaint (~100 ms of the loop).
            self._header_shown = header
            self.query_one("#gd-header", Static).update(header)
        problems = [f"${n}: {p}" for n, p in self.variables.problems.items()]
        if problems:
            widget = self.query_one("#gd-problems", Static)
            widget.update(Text("\n".join(problems)))
            widget.display = True

    def action_pick_variable(self) -> None:
        if self.dashboard is not None and self.variables is not None:
            pick_variable(self.app, self.dashboard.variables, self.variables, self._picked)

    def _picked(self, name: str, selection: Selection) -> None:
        """A new value: variables are resolved again (chained ones follow), then panels."""
        self.chosen[name] = selection
        self.variables = None
        self.action_refresh_panels()

    def action_back(self) -> None:
        self.app.pop_screen()
