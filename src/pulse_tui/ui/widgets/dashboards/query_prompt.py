"""The ad-hoc PromQL input and its candidates: what the cursor completes, looked up as
typed, Tab/↑/↓ to pick.

Completion never waits on the network on a key: a look-up starts a moment after typing
stops, a newer one cancels the older (whose answer is still cached, see
sources/completion.py), and an answer for text since changed is dropped. A Tab pressed
before the candidates for the text are in waits for them, and what is typed after it
waits too (a shell's typeahead), so "http_req<Tab>{jo<Tab>" typed in one go completes
the name, then the label.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from pulse_tui.model.metrics.promql_complete import Completing, apply, context_at
from pulse_tui.model.metrics.promql_words import Candidate, rank
from pulse_tui.sources.completion import CompletionCatalog, Offer
from pulse_tui.sources.dashboards import Span
from pulse_tui.ui.widgets.safe_text import safe_text

#: Seconds of quiet typing before a completion look-up starts.
DEBOUNCE = 0.15
#: How long a Tab holds the keys typed after it, waiting for its candidates.
HOLD_SECONDS = 2.0
PLACEHOLDER = "PromQL, e.g. sum by (job) (rate(http_requests_total[5m]))"


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
        return self.type_keys(kept)

    def type_keys(self, keys: list[str]) -> list[str]:
        """Type `keys` up to their first Tab; the rest, from it."""
        cut = keys.index(TAB) if TAB in keys else len(keys)
        if cut:
            self.insert_text_at_cursor("".join(keys[:cut]))
        return keys[cut:]

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


class QueryPrompt(Vertical):
    """The input and the candidates under it; owns what is being completed."""

    DEFAULT_CSS = """
    QueryPrompt { height: auto; }
    QueryPrompt Input { height: 3; }
    QueryPrompt OptionList { height: auto; max-height: 8; border: none; display: none; }
    QueryPrompt OptionList.-shown { display: block; }
    """

    BINDINGS = [
        Binding("down", "move(1)", "Next candidate", show=False),
        Binding("up", "move(-1)", "Previous candidate", show=False),
        # Tab reaches `tab` through the screen (the app's Tab binding hands it there);
        # bound here too so the key bar and the help say what it does.
        Binding("tab", "complete", "Complete"),
        Binding("escape", "hide", "Hide candidates", show=False),
    ]

    def __init__(
        self,
        catalog: CompletionCatalog,
        span: Callable[[], Span],
        on_note: Callable[[str | None], None],
        text: str = "",
    ) -> None:
        super().__init__()
        self._catalog = catalog
        self._span = span
        self._on_note = on_note
        self._initial = text
        #: What the candidates complete and the candidates themselves (empty: none shown).
        self.completing: Completing | None = None
        self.candidates: tuple[Candidate, ...] = ()
        #: The text and cursor the candidates are for (a Tab on other text looks again).
        self._offered_for: tuple[str, int] | None = None
        #: The text and cursor a Tab was pressed on before their candidates were in.
        self._accept_first: tuple[str, int] | None = None
        self._hold_timer: Timer | None = None
        self._debounce: Timer | None = None
        #: Completion look-ups started, for tests.
        self.lookups = 0

    def compose(self) -> ComposeResult:
        yield PromptInput(self._initial, PLACEHOLDER, id="q-input", on_tab=self._tab)
        options = OptionList(id="q-candidates")
        options.can_focus = False
        yield options

    def on_mount(self) -> None:
        self.watch(self.input, "cursor_position", self.complete_soon, init=False)
        self.complete_soon()

    @property
    def input(self) -> PromptInput:
        return self.query_one(PromptInput)

    @property
    def answered(self) -> bool:
        """Whether the candidates shown (or their absence) are for the text as it is now."""
        prompt = self.input
        return self._offered_for == (prompt.value, prompt.cursor_position)

    @property
    def _options(self) -> OptionList:
        return self.query_one(OptionList)

    # ----------------------------------------------------------------- look-ups

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.complete_soon()

    def complete_soon(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE, self._complete_now)

    def _complete_now(self) -> None:
        prompt = self.input
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
        prompt = self.input
        if prompt.value != text or prompt.cursor_position != cursor:
            return  # typed on meanwhile: its own look-up follows
        self._offered_for = (text, cursor)
        if self._accept_first == (text, cursor) and prompt.typeahead is not None:
            self._tab_answered(at, offer)  # a Tab was pressed before the list was in
            return
        self._show(at, offer)

    def _show(self, at: Completing, offer: Offer) -> None:
        self.completing = at
        # An exact match alone is no news: nothing to pick.
        exact = len(offer.candidates) == 1 and offer.candidates[0].text == at.prefix
        self.candidates = () if exact else offer.candidates
        options = self._options
        options.clear_options()
        for candidate in self.candidates:
            label = safe_text(candidate.text)
            label.no_wrap, label.overflow = True, "ellipsis"
            label.append(f"  {candidate.kind}", style="dim")
            options.add_option(Option(label))
        options.set_class(bool(self.candidates) and self.input.has_focus, "-shown")
        if self.candidates:
            options.highlighted = 0
        self._on_note(offer.note)

    def hide(self) -> None:
        self.candidates = ()
        self._options.set_class(False, "-shown")

    def on_descendant_blur(self) -> None:
        self.hide()

    # ----------------------------------------------------------------- keys

    def tab(self) -> None:
        """Tab: done in the input's turn. The app sees Tab before the input has handled
        the keys typed just before it; queued behind them, it completes what they typed."""
        self.input.post_message(PromptInput.TabPressed())

    def action_complete(self) -> None:
        self.tab()

    def action_move(self, delta: int) -> None:
        if self.candidates:
            current = self._options.highlighted or 0
            last = len(self.candidates) - 1
            self._options.highlighted = max(0, min(last, current + delta))

    def action_hide(self) -> None:
        if not self.candidates:
            raise SkipAction()  # nothing shown: Escape is the screen's (back)
        self.hide()

    def _tab(self) -> None:
        """Accept the highlighted candidate; typed faster than the list followed, the
        candidates still matching what is typed now, else the first of its look-up."""
        prompt = self.input
        if self._offered_for == (prompt.value, prompt.cursor_position):
            if self.candidates and self.completing is not None:
                index = self._options.highlighted or 0
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
            self._show(at, offer)
        prompt = self.input
        rest = prompt.release()
        while rest:  # rest[0] is a Tab typed after this one
            self._tab()
            if prompt.typeahead is not None:  # that one waits in turn
                prompt.typeahead.extend(rest[1:])
                return
            rest = prompt.type_keys(rest[1:])

    def _give_up_tab(self) -> None:
        if self._accept_first is not None:
            self._accept_first = None
            self.input.release_all()

    def _accept(self, at: Completing, candidate: str) -> None:
        text, cursor = apply(self.input.value, at, candidate)
        self.hide()
        self.input.value = text
        self.input.cursor_position = cursor
