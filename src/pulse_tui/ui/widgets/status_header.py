"""The top line: what is watched, the range, the filter, live or paused, and the clock."""

from __future__ import annotations

import time

from rich.text import Text
from textual.widget import Widget

from pulse_tui.model.core.clock import now
from pulse_tui.model.core.durations import format_duration
from pulse_tui.model.core.view_state import ViewState

#: Seconds between the backend's clock and ours past which the header says so.
CLOCK_SKEW_LIMIT = 30.0


class StatusHeader(Widget):
    """Re-rendered every second and whenever the view changes.

    A plain Widget, not a Static: `Static.update` asks for a layout of the whole screen,
    and a one-line header whose size never changes needs only a repaint.
    """

    DEFAULT_CSS = """
    StatusHeader { height: 1; background: $primary-background; color: $text; padding: 0 1; }
    """

    def __init__(
        self,
        backend: str,
        view: ViewState,
        *,
        defaulted: bool = False,
        insecure: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.backend = backend
        self.defaulted = defaulted
        #: tls_insecure is on: said on screen at all times, not just once in a log.
        self.insecure = insecure
        self.view_state = view
        #: The server's clock minus ours past `CLOCK_SKEW_LIMIT` (None: within it).
        self.clock_skew: float | None = None
        self._text = Text()

    def on_mount(self) -> None:
        self.set_interval(1.0, self.redraw)
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def show_clock_skew(self, skew: float | None) -> None:
        """The backend's clock minus ours, as its last answer said (None: unknown)."""
        self.clock_skew = skew if skew is not None and abs(skew) > CLOCK_SKEW_LIMIT else None
        self.redraw()

    def show(self, state: ViewState) -> None:
        self.view_state = state
        self.redraw()

    def redraw(self) -> None:
        width = self.size.width - 2 if self.size.width else 0
        text = self._line(width, short_skew=False)
        if self.clock_skew is not None and width and text.cell_len > width:
            # At 80 columns the long warning would push the range and LIVE/PAUSED off:
            # first its short form, then the URL cut (its host stays, at the left).
            text = self._line(width, short_skew=True)
            if text.cell_len > width:
                room = max(12, len(self.backend) - (text.cell_len - width))
                text = self._line(width, short_skew=True, backend_cells=room)
        if text != self._text:
            self._text = text
            self.refresh()

    def _line(self, width: int, *, short_skew: bool, backend_cells: int | None = None) -> Text:
        state = self.view_state
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("pulse-tui ", style="bold")
        if self.backend == "DEMO":
            text.append(" DEMO ", style="bold black on #ffaf00")
        else:
            backend = self.backend
            if backend_cells is not None and len(backend) > backend_cells:
                backend = backend[: backend_cells - 1] + "…"
            text.append(backend, style="bold #5fafff")
            if self.defaulted:
                text.append(" (default; set --prometheus)", style="dim")
            if self.insecure:
                text.append(" ⚠ TLS NOT VERIFIED", style="bold #ff5f5f")
            if self.clock_skew is not None:
                # Ranges are relative to our clock, the data's times to the server's.
                side = "ahead" if self.clock_skew > 0 else "behind"
                off = format_duration(abs(self.clock_skew))
                words = (
                    f" ⚠ CLOCK {'+' if self.clock_skew > 0 else '-'}{off}"
                    if short_skew
                    else f" ⚠ SERVER CLOCK {off} {side}: ranges off"
                )
                text.append(words, style="bold #ff5f5f")
        text.append("  │ ", style="dim")
        text.append(state.describe_range())
        if state.compare_offset:
            text.append(f" ({state.describe_compare()})", style="dim italic")
        text.append("  │ ", style="dim")
        text.append(state.describe_services(), style="bold" if state.services else "")
        text.append("  │ ", style="dim")
        if state.paused:
            text.append("❚❚ PAUSED", style="bold #ffd75f")
        elif state.end is not None:
            text.append("◷ PAST RANGE (0 = live)", style="bold #ffd75f")
        else:
            text.append("● LIVE", style="bold #87d787")
        clock = time.strftime("%H:%M:%S", time.localtime(now()))
        if width and text.cell_len + len(clock) + 3 <= width:
            text.append(" " * (width - text.cell_len - len(clock)))
            text.append(clock, style="dim")
        return text

    def render(self) -> Text:
        return self._text
