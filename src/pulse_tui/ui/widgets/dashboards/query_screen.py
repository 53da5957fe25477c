"""The ad-hoc PromQL prompt (`:`): type an expression with completion of metric names,
label names and label values from the server, Enter runs it over the view's range as a
chart (or, `g`, as a table of values at the range's end), `k` keeps it as a panel of the
Ad-hoc dashboard.

Completion is the prompt's (query_prompt.py). The query is sent by the same code as an
imported dashboard's panel (`fetch_panel`): same client, window, step and series cap. A
rejected query's message is shown under the input as Prometheus words it, and the input
keeps the text and the keys.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static

from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.dashboards.definition import Panel
from pulse_tui.model.dashboards.panels import MAX_SERIES
from pulse_tui.sources.base import MetricsSource
from pulse_tui.sources.completion import CompletionCatalog
from pulse_tui.sources.dashboards import Span, fetch_panel
from pulse_tui.ui.charts.line_chart import plot_points
from pulse_tui.ui.widgets.dashboards.query_prompt import PromptInput, QueryPrompt
from pulse_tui.ui.widgets.dashboards.query_widgets import REF, QueryResult, query_panel
from pulse_tui.ui.widgets.key_bar import KeyBar

#: Seconds of quiet typing before a completion look-up starts.
DEBOUNCE = 0.15
#: How long a Tab holds the characters typed after it, waiting for its candidates.
HOLD_SECONDS = 2.0
ERROR_STYLE = "#ff5f5f"
NOTE_STYLE = "#ffd75f"


class QueryScreen(Screen[None]):
    """The prompt, its candidates, its message line and the result panel."""

    DEFAULT_CSS = """
    QueryScreen #q-header { height: 1; background: $panel; padding: 0 1; }
    QueryScreen #q-message { height: auto; max-height: 5; padding: 0 1; }
    """

    #: The key bar's word for Enter in the prompt.
    ENTER_HINT = "Run"

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("k", "keep", "Keep as panel"),
        Binding("g", "toggle_table", "Graph/table"),
        Binding("e", "edit", "Edit"),
    ]

    def __init__(
        self,
        source: MetricsSource,
        catalog: CompletionCatalog,
        span: Callable[[], Span],
        on_keep: Callable[[Panel], None],
        *,
        text: str = "",
        table: bool = False,
        remember: Callable[[str, bool], None] | None = None,
        refresh: float = 5.0,
        glyphs: str = "braille",
        max_series: int = MAX_SERIES,
    ) -> None:
        super().__init__()
        self._source = source
        self._catalog = catalog
        self._span = span
        self._on_keep = on_keep
        self._remember = remember
        self._refresh_every = refresh
        self._glyphs = glyphs
        self._max_series = max_series
        self._initial = text
        #: Whether Enter runs an instant query shown as a table (else a range, a chart).
        self.table = table
        #: The panel on screen and when it was fetched (None: nothing shown).
        self.shown: Panel | None = None
        self.shown_at = 0.0
        #: The error of the last run, as Prometheus words it (None: it ran).
        self.error: str | None = None
        self._running = False

    def compose(self) -> ComposeResult:
        yield Static(id="q-header")
        yield QueryPrompt(self._catalog, self._span, self._show_note, self._initial)
        yield Static(id="q-message")
        result = QueryResult(query_panel("", self.table), self._glyphs)
        result.display = False
        yield result
        yield KeyBar()

    def on_mount(self) -> None:
        self.prompt.focus()
        self._show_header()
        self.set_interval(self._refresh_every, self._refresh)

    @property
    def completion(self) -> QueryPrompt:
        return self.query_one(QueryPrompt)

    @property
    def prompt(self) -> PromptInput:
        return self.completion.input

    @property
    def result(self) -> QueryResult:
        return self.query_one(QueryResult)

    def on_tab(self, delta: int) -> None:
        """Tab (handed here by the app): the prompt completes; shift+Tab moves up."""
        if self.focused is not self.prompt:
            self.action_edit()
        elif delta < 0:
            self.completion.action_move(-1)
        else:
            self.completion.tab()

    def _show_note(self, note: str | None) -> None:
        if self.error is None:  # a query's error stays until the next run
            self._show_message(note, NOTE_STYLE)

    # ----------------------------------------------------------------- running

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_query()

    def run_query(self) -> None:
        expr = self.prompt.value.strip()
        if not expr:
            self.app.bell()
            return
        if self._remember is not None:
            self._remember(self.prompt.value, self.table)
        self.completion.hide()
        self._show_message("running…", "dim")
        self._start(query_panel(expr, self.table), focus_result=True)

    def _start(self, panel: Panel, *, focus_result: bool) -> None:
        self._running = True
        self.run_worker(
            self._run(panel, focus_result), group="run", exclusive=True, exit_on_error=False
        )

    async def _run(self, panel: Panel, focus_result: bool) -> None:
        width = self.result.content_size.width or self.size.width - 4
        try:
            result = await fetch_panel(
                self._source,
                panel,
                self._span(),
                plot_points(max(10, width), self._glyphs),
                {},
                self._max_series,
            )
        finally:
            self._running = False
        if result.errors:
            # The one target's error, without its "A: ": Prometheus' words, as they came.
            self.error = result.errors[0].removeprefix(f"{REF}: ")
            self.shown = None
            self.result.display = False
            self._show_message(self.error, ERROR_STYLE)
            self.prompt.focus()
            return
        self.error = None
        self.shown, self.shown_at = panel, time.time()
        self.result.display = True
        self.result.show_query(panel, result)
        self._show_message(None, "")
        self._show_header()
        if focus_result:
            self.result.focus()

    def _refresh(self) -> None:
        """The dashboard's timer: the query on screen is fetched again (not one failing)."""
        if self.shown is not None and not self._running:
            self._start(self.shown, focus_result=False)

    def rerun(self) -> None:
        """The view changed (range, pan, zoom) or `r`: the query on screen follows."""
        self._show_header()
        if self.shown is not None:
            self._start(self.shown, focus_result=False)

    # ----------------------------------------------------------------- keys

    def action_keep(self) -> None:
        if self.shown is None:
            self.app.bell()
            return
        expr = self.shown.targets[0].expr
        self._on_keep(replace(self.shown, title=" ".join(expr.split())))

    def action_toggle_table(self) -> None:
        self.table = not self.table
        if self._remember is not None:
            self._remember(self.prompt.value, self.table)
        if self.shown is not None:
            expr = self.shown.targets[0].expr
            self._start(query_panel(expr, self.table), focus_result=True)
        self._show_header()

    def action_edit(self) -> None:
        self.prompt.focus()
        self.completion.complete_soon()

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_descendant_focus(self) -> None:
        # The result has no bindings of its own, so the bar hears of no change: tell it.
        self.query_one(KeyBar).refresh()

    # ----------------------------------------------------------------- lines

    def _show_header(self) -> None:
        span = self._span()
        header = Text("Ad-hoc PromQL", style="bold")
        header.append(f"  {span.label}" if span.label else "", style="dim")
        header.append("  table at the range's end" if self.table else "  chart", style="dim")
        if self.shown is not None:
            stamp = time.strftime("%H:%M:%S", time.localtime(self.shown_at))
            header.append(f"  fetched {stamp}", style="dim")
        self.query_one("#q-header", Static).update(header)

    def _show_message(self, message: str | None, style: str) -> None:
        widget = self.query_one("#q-message", Static)
        widget.update(Text(sanitize(message or ""), style=style))
        widget.display = bool(message)
