"""The ad-hoc PromQL prompt (`:`): type an expression with completion of metric names,
label names and label values from the server, Enter runs it over the view's range as a
chart (or, `g`, as a table of values at the range's end), `k` keeps it as a panel of the
Ad-hoc dashboard.

Completion never waits on the network on a key: a look-up starts a moment after typing
stops, a newer one cancels the older (whose answer is still cached, see
sources/completion.py), and an answer for text since changed is dropped. The query is
sent by the same code as an imported dashboard's panel (`fetch_panel`): same client,
window, step and series cap. A rejected query's message is shown under the input as
Prometheus words it, and the input keeps the text and the keys.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.dashboards.definition import GridPos, Panel, Target
from pulse_tui.model.dashboards.panels import MAX_SERIES
from pulse_tui.model.metrics.promql_complete import Completing, apply, context_at
from pulse_tui.model.metrics.promql_words import Candidate, rank
from pulse_tui.sources.base import MetricsSource
from pulse_tui.sources.completion import CompletionCatalog, Offer
from pulse_tui.sources.dashboards import PanelResult, Span, fetch_panel
from pulse_tui.ui.charts.line_chart import plot_points
from pulse_tui.ui.widgets.dashboards.panel_view import GrafanaPanel
from pulse_tui.ui.widgets.key_bar import KeyBar

#: Seconds of quiet typing before a completion look-up starts.
DEBOUNCE = 0.15
#: How long a Tab holds the characters typed after it, waiting for its candidates.
HOLD_SECONDS = 2.0
#: The one target's id: its errors come back as "A: …".
REF = "A"
ERROR_STYLE = "#ff5f5f"
NOTE_STYLE = "#ffd75f"


def query_panel(expr: str, table: bool) -> Panel:
    """The panel an ad-hoc query is drawn as: one target, a chart or a table (instant)."""
    return Panel(
        id=0,
        type="table" if table else "timeseries",
        title="",
        grid=GridPos(0, 0, 12, 9),
        targets=(Target(REF, expr, instant=table),),
    )


#: A Tab kept in the typeahead: done when the characters before it are in.
TAB = "\t"


class PromptInput(Input):
    """The PromQL input. While a Tab waits for its candidates (`hold`), the keys typed
    after it (characters and further Tabs) are kept and replayed after the completion,
    as a shell does: "http_req<Tab>{jo<Tab>" completes the name, then the label."""

    class TabPressed(Message, bubble=False):
        """Tab, queued behind the keys typed before it (the app reads Tab first)."""

    def __init__(self, value: str, placeholder: str, id: str, on_tab: Callable[[], None]) -> None:
        super().__init__(value=value, placeholder=placeholder, id=id)
        self._on_tab = on_tab
        #: Characters (and TABs) typed while held; None: not held.
        self.typeahead: list[str] | None = None

    def on_prompt_input_tab_pressed(self, message: TabPressed) -> None:
        if self.typeahead is not None:
            self.typeahead.append(TAB)  # after the Tab that waits
        else:
            self._on_tab()

    def hold(self) -> None:
        if self.typeahead is None:
            self.typeahead = []

    def release(self) -> list[str]:
        """Type what was kept up to its first Tab; the rest, from that Tab, is returned."""
        kept, self.typeahead = self.typeahead or [], None
        cut = kept.index(TAB) if TAB in kept else len(kept)
        if cut:
            self.insert_text_at_cursor("".join(kept[:cut]))
        return kept[cut:]

    def release_all(self) -> None:
        """Type every character kept; the Tabs kept are dropped (their wait gave up)."""
        kept, self.typeahead = self.typeahead or [], None
        if any(ch != TAB for ch in kept):
            self.insert_text_at_cursor("".join(ch for ch in kept if ch != TAB))

    async def _on_key(self, event: events.Key) -> None:
        if self.typeahead is not None:
            if event.is_printable and event.character is not None:
                self.typeahead.append(event.character)
                event.stop()
                event.prevent_default()
                return
            self.release_all()  # any other key (Backspace, Enter, arrows) acts on all typed
        await super()._on_key(event)


class QueryResult(GrafanaPanel, can_focus=True):
    """The result of the last query run, drawn as a dashboard panel is."""

    DEFAULT_CSS = """
    QueryResult { position: relative; height: 1fr; }
    QueryResult:focus { border: round $accent; }
    """

    def show_query(self, panel: Panel, result: PanelResult) -> None:
        self.panel = panel
        expr = panel.targets[0].expr if panel.targets else ""
        self.border_title = Text(sanitize(" ".join(expr.split())))  # the user's text
        self.show(result)


class QueryScreen(Screen[None]):
    """The prompt, its candidates, its message line and the result panel."""

    DEFAULT_CSS = """
    QueryScreen #q-header { height: 1; background: $panel; padding: 0 1; }
    QueryScreen Input { height: 3; }
    QueryScreen #q-candidates { height: auto; max-height: 8; border: none; display: none; }
    QueryScreen #q-candidates.-shown { display: block; }
    QueryScreen #q-message { height: auto; max-height: 5; padding: 0 1; }
    """

    #: The key bar's word for Enter in the prompt.
    ENTER_HINT = "Run"

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("down", "move(1)", "Next candidate", show=False),
        Binding("up", "move(-1)", "Previous candidate", show=False),
        # Tab reaches on_tab (the app's Tab binding hands it to the screen); bound here
        # too so the key bar and the help say what it does.
        Binding("tab", "complete", "Complete"),
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
        #: What the candidates complete and the candidates themselves (empty: none shown).
        self.completing: Completing | None = None
        self.candidates: tuple[Candidate, ...] = ()
        #: The panel on screen and when it was fetched (None: nothing shown).
        self.shown: Panel | None = None
        self.shown_at = 0.0
        #: The error of the last run, as Prometheus words it (None: it ran).
        self.error: str | None = None
        self._running = False
        self._debounce: Timer | None = None
        #: The text and cursor the candidates are for (a Tab on other text looks again).
        self._offered_for: tuple[str, int] | None = None
        #: The text and cursor Tab was pressed on before their candidates were in.
        self._accept_first: tuple[str, int] | None = None
        self._hold_timer: Timer | None = None
        #: Completion look-ups started, for tests.
        self.lookups = 0

    def compose(self) -> ComposeResult:
        yield Static(id="q-header")
        yield PromptInput(
            self._initial,
            "PromQL, e.g. sum by (job) (rate(http_requests_total[5m]))",
            id="q-input",
            on_tab=self._tab,
        )
        candidates = OptionList(id="q-candidates")
        candidates.can_focus = False
        yield candidates
        yield Static(id="q-message")
        result = QueryResult(query_panel("", self.table), self._glyphs)
        result.display = False
        yield result
        yield KeyBar()

    def on_mount(self) -> None:
        prompt = self.query_one(Input)
        prompt.focus()
        self.watch(prompt, "cursor_position", self._cursor_moved, init=False)
        self._show_header()
        self._complete_soon()
        self.set_interval(self._refresh_every, self._refresh)

    @property
    def prompt(self) -> PromptInput:
        return self.query_one(PromptInput)

    @property
    def result(self) -> QueryResult:
        return self.query_one(QueryResult)

    # ----------------------------------------------------------------- completion

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._complete_soon()

    def _cursor_moved(self) -> None:
        self._complete_soon()

    def _complete_soon(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE, self._complete_now)

    def _complete_now(self) -> None:
        prompt = self.prompt
        at = context_at(prompt.value, prompt.cursor_position)
        self.lookups += 1
        self.run_worker(
            self._complete(prompt.value, prompt.cursor_position, at),
            group="complete",
            exclusive=True,  # a newer look-up cancels the older (its answer is cached)
            exit_on_error=False,
        )

    async def _complete(self, text: str, cursor: int, at: Completing) -> None:
        span = self._span()
        offer = await self._catalog.offer(at, span.end - span.range_seconds, span.end)
        prompt = self.prompt
        if prompt.value != text or prompt.cursor_position != cursor:
            return  # typed on meanwhile: its own look-up follows
        self._offered_for = (text, cursor)
        if self._accept_first == (text, cursor) and prompt.typeahead is not None:
            self._tab_answered(at, offer)  # Tab was pressed before the list was in
            return
        self._show_offer(at, offer)

    def _show_offer(self, at: Completing, offer: Offer) -> None:
        self.completing = at
        # An exact match alone is no news: nothing to pick.
        exact = len(offer.candidates) == 1 and offer.candidates[0].text == at.prefix
        self.candidates = () if exact else offer.candidates
        options = self.query_one("#q-candidates", OptionList)
        options.clear_options()
        for candidate in self.candidates:
            label = Text(sanitize(candidate.text), no_wrap=True, overflow="ellipsis")
            label.append(f"  {candidate.kind}", style="dim")
            options.add_option(Option(label))
        options.set_class(bool(self.candidates) and self.prompt.has_focus, "-shown")
        if self.candidates:
            options.highlighted = 0
        if self.error is None:
            self._show_message(offer.note, NOTE_STYLE)

    def _hide_candidates(self) -> None:
        self.candidates = ()
        self.query_one("#q-candidates", OptionList).set_class(False, "-shown")

    def on_tab(self, delta: int) -> None:
        """Tab accepts the highlighted candidate (shift+Tab moves up). Typed faster than
        the list followed: the candidates still matching what is typed now, else the
        first of the look-up for it, as soon as it is in (keys typed meanwhile wait)."""
        if self.focused is not self.prompt:
            self.action_edit()
            return
        if delta < 0:
            self.action_move(-1)
            return
        # The app saw Tab before the input saw the keys typed just before it: it is done
        # in the input's turn, after them.
        self.prompt.post_message(PromptInput.TabPressed())

    def _tab(self) -> None:
        prompt = self.prompt
        if self._offered_for == (prompt.value, prompt.cursor_position):
            if self.candidates and self.completing is not None:
                index = self.query_one("#q-candidates", OptionList).highlighted or 0
                self._accept(self.completing, self.candidates[index].text)
            return
        at = context_at(prompt.value, prompt.cursor_position)
        old = self.completing
        if old is not None and (old.kind, old.start) == (at.kind, at.start):
            still = rank(at.prefix, [c.text for c in self.candidates], 1)
            if still:
                self._accept(at, still[0])
                return
        self._accept_first = (prompt.value, prompt.cursor_position)
        prompt.hold()
        if self._hold_timer is not None:
            self._hold_timer.stop()
        # A server too slow for a Tab: what was typed after it is let through.
        self._hold_timer = self.set_timer(HOLD_SECONDS, self._give_up_tab)
        self._complete_now()

    def _tab_answered(self, at: Completing, offer: Offer) -> None:
        self._accept_first = None
        if self._hold_timer is not None:
            self._hold_timer.stop()
        if offer.candidates:
            self._accept(at, offer.candidates[0].text)
        else:
            self._show_offer(at, offer)
        rest = self.prompt.release()
        while rest:  # rest[0] is a Tab typed after this one
            self._tab()
            if self.prompt.typeahead is not None:  # that one waits in turn
                self.prompt.typeahead.extend(rest[1:])
                return
            rest = self.prompt_type(rest[1:])

    def prompt_type(self, keys: list[str]) -> list[str]:
        """Type `keys` up to their first Tab; the rest, from it."""
        cut = keys.index(TAB) if TAB in keys else len(keys)
        if cut:
            self.prompt.insert_text_at_cursor("".join(keys[:cut]))
        return keys[cut:]

    def _give_up_tab(self) -> None:
        if self._accept_first is not None:
            self._accept_first = None
            self.prompt.release_all()

    def _accept(self, at: Completing, candidate: str) -> None:
        text, cursor = apply(self.prompt.value, at, candidate)
        self._hide_candidates()
        self.prompt.value = text
        self.prompt.cursor_position = cursor

    def action_complete(self) -> None:
        self.on_tab(1)

    def action_move(self, delta: int) -> None:
        options = self.query_one("#q-candidates", OptionList)
        if self.candidates:
            current = options.highlighted or 0
            options.highlighted = max(0, min(len(self.candidates) - 1, current + delta))

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
        self._hide_candidates()
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
        self._complete_soon()

    def action_back(self) -> None:
        if self.candidates and self.prompt.has_focus:
            self._hide_candidates()
            return
        self.app.pop_screen()

    def on_descendant_blur(self) -> None:
        if not self.prompt.has_focus:
            self._hide_candidates()

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
