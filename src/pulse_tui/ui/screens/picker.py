"""A fuzzy multi-select picker (services, hosts), driven like fzf.

Type to narrow, ↑/↓ to move, Tab to tick several, Enter to apply (the ticked ones, or the
highlighted one), ctrl+a for all, Escape to cancel.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pulse_tui.model.core.fuzzy import fuzzy_filter
from pulse_tui.ui.widgets.key_bar import KeyBar
from pulse_tui.ui.widgets.safe_text import safe_text

ALL = "\x00all"


class PickerScreen(ModalScreen[frozenset[str] | None]):
    """Returns the chosen set (empty = all), or None when cancelled."""

    DEFAULT_CSS = """
    /* Opaque: a see-through modal re-renders the whole dashboard under it, ~50 ms a frame. */
    PickerScreen { align: center middle; background: $background; }
    PickerScreen > Vertical {
        width: 60; max-width: 95%; height: auto; max-height: 80%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    PickerScreen Input, PickerScreen Input:focus { border: none; height: 1; padding: 0; }
    PickerScreen OptionList { height: auto; max-height: 20; border: none; }
    PickerScreen #picker-help { color: $text-muted; height: auto; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Down", show=False),
        Binding("up", "move(-1)", "Up", show=False),
        # Priority: the filter Input has the focus, and takes ctrl+a (to the start) itself.
        Binding("ctrl+a", "all", "All", show=False, priority=True),
    ]

    def __init__(self, title: str, items: list[str], selected: frozenset[str]) -> None:
        super().__init__()
        self.title_text = title
        self.items = sorted(set(items))
        self.ticked: set[str] = set(selected)
        self.shown: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            yield Input(placeholder=f"filter {self.title_text.lower()}…", id="picker-input")
            yield OptionList(id="picker-options")
            yield Static(
                "type to filter · ↑↓ move · Tab tick · Enter apply · ctrl+a all · Esc cancel",
                id="picker-help",
            )
        # The footer: while the input has the keys, what they do (Enter, Esc, ↑↓).
        yield KeyBar()

    def on_mount(self) -> None:
        self._rebuild("")
        self.query_one(Input).focus()

    def _rebuild(self, query: str) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        matches = fuzzy_filter(query, self.items) if query else [(i, []) for i in self.items]
        self.shown = [name for name, _ in matches]
        if not query:
            options.add_option(Option(Text("(all)", style="italic"), id=ALL))
        for name, positions in matches:
            label = Text("☑ " if name in self.ticked else "☐ ")
            shown = safe_text(name)
            if len(shown.plain) == len(name):
                for position in positions:
                    shown.stylize("bold underline #ffaf00", position, position + 1)
            label.append_text(shown)
            options.add_option(Option(label, id=name))
        if options.option_count:
            options.highlighted = min(highlighted or 0, options.option_count - 1)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._rebuild(event.value)
        self.query_one(OptionList).highlighted = 0 if self.shown else None

    def _current(self) -> str | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + delta))

    def tick_current(self) -> None:
        """Tick the highlighted item (or untick it) and move to the next."""
        name = self._current()
        if name is None or name == ALL:
            return
        self.ticked ^= {name}
        self._rebuild(self.query_one(Input).value)
        self.action_move(1)

    def on_tab(self, delta: int) -> None:
        """Tab ticks (the app routes its priority Tab binding here)."""
        self.tick_current()

    def action_all(self) -> None:
        self.dismiss(frozenset())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._apply()

    def _apply(self) -> None:
        if self.ticked:
            self.dismiss(frozenset(self.ticked))
            return
        current = self._current()
        if current is None:
            self.app.bell()
            return
        self.dismiss(frozenset() if current == ALL else frozenset({current}))

    def action_cancel(self) -> None:
        self.dismiss(None)
