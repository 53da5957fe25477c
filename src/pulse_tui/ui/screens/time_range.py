"""The `t` screen: preset ranges, or a custom one typed as relative or absolute times."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pulse_tui.model.core import clock
from pulse_tui.model.core.time_range import PRESETS, TimeRangeError, parse_time_range
from pulse_tui.ui.widgets.key_bar import KeyBar

#: (range seconds, end or None for live)
RangeChoice = tuple[float, float | None]


class TimeRangeScreen(ModalScreen[RangeChoice | None]):
    """Enter on a preset applies it; typing a custom range and Enter applies that."""

    DEFAULT_CSS = """
    /* Opaque: a see-through modal re-renders the whole dashboard under it, ~50 ms a frame. */
    TimeRangeScreen { align: center middle; background: $background; }
    TimeRangeScreen > Vertical {
        width: 70; max-width: 95%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    TimeRangeScreen Input, TimeRangeScreen Input:focus { border: none; height: 1; padding: 0; }
    TimeRangeScreen OptionList { height: auto; border: none; }
    TimeRangeScreen #range-error { color: $error; height: auto; }
    TimeRangeScreen #range-help { color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Down", show=False),
        Binding("up", "move(-1)", "Up", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Time range"
            yield Input(placeholder="custom: -90m, now-2h..now-30m, 2026-11-21T10:00..11:30")
            yield Static("", id="range-error")
            yield OptionList(*(Option(f"last {p}", id=p) for p in PRESETS), id="range-presets")
            yield Static(
                "↑↓ presets · Enter apply · relative (now-2h..now-30m, -90m) or ISO 8601 "
                "(local, or Z / +02:00) · Esc cancel",
                id="range-help",
            )
        # The footer: while the input has the keys, what they do (Enter, Esc, ↑↓).
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.query_one(OptionList).highlighted = None

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        current = options.highlighted
        start = -1 if current is None else current
        options.highlighted = max(0, min(options.option_count - 1, start + delta))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_one("#range-error", Static).update("")
        if event.value:
            self.query_one(OptionList).highlighted = None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        text = event.value.strip()
        if not text and options.highlighted is not None:
            text = PRESETS[options.highlighted]
        try:
            choice = parse_time_range(text, clock.now())
        except TimeRangeError as exc:
            # The error shows inline; the current range is kept until a valid one.
            self.query_one("#range-error", Static).update(Text(str(exc)))
            return
        self.dismiss(choice)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(parse_time_range(str(event.option.id), clock.now()))

    def action_cancel(self) -> None:
        self.dismiss(None)
