"""`x` on an alert: silence it for a chosen time (or lift a silence)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from pulse_tui.model.core.sanitize import sanitize

CHOICES = (("15 minutes", 900.0), ("1 hour", 3600.0), ("4 hours", 14400.0), ("24 hours", 86400.0))


class SilenceScreen(ModalScreen[float | None]):
    """Returns seconds to silence for, 0 to lift a silence, or None when cancelled."""

    DEFAULT_CSS = """
    /* Opaque: a see-through modal re-renders the whole dashboard under it, ~50 ms a frame. */
    SilenceScreen { align: center middle; background: $background; }
    SilenceScreen > Vertical {
        width: 50; height: auto; border: round $accent; background: $surface; padding: 0 1;
    }
    SilenceScreen OptionList { height: auto; border: none; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, alert_name: str) -> None:
        super().__init__()
        self.alert_name = alert_name

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text(f"Silence {sanitize(self.alert_name)}")
            options = [Option(label, id=str(seconds)) for label, seconds in CHOICES]
            options.append(Option("lift its silence", id="0"))
            yield OptionList(*options)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(float(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)
