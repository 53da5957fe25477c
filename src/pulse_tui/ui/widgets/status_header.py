"""The top line: what is watched, the range, the filter, live or paused, and the clock."""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from pulse_tui.model.core.clock import now
from pulse_tui.model.core.durations import format_duration
from pulse_tui.model.core.view_state import ViewState
from pulse_tui.ui.widgets.strips import text_strip

#: Seconds between the backend's clock and ours past which the header says so.
CLOCK_SKEW_LIMIT = 30.0
#: Cells at least between LIVE/PAUSED and the clock.
CLOCK_GAP = 3


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
        #: `_text` as the row painted, by what it was made from (text, width, colours).
        self._strip: tuple[Text, int, Style, Strip] | None = None

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
        # The content's width: `size` is inside the padding already (it once took the
        # padding off again, and lost the clock two cells early).
        width = self.size.width
        text = self._fitted(width)
        if text != self._text:
            self._text = text
            self.refresh()

    def _fitted(self, width: int) -> Text:
        """The line at its fullest that leaves room for the clock: at 80 columns a
        URL and a warning would push LIVE/PAUSED and the clock off the right edge.
        What tells least goes first: the URL's scheme, the long clock warning, the
        app's own name, the hint's advice, the URL's path, spaces and the word RANGE,
        then the host's end."""
        clock = time.strftime("%H:%M:%S", time.localtime(now()))
        room = width - len(clock) - CLOCK_GAP
        fit = _FITS[0]
        text = self._line(fit)
        for fit in _FITS[1:]:
            if not width or text.cell_len <= room:
                break
            text = self._line(fit)
        if width and text.cell_len > room and self.backend != "DEMO":
            shown = short_url(self.backend, drop_scheme=fit.drop_scheme, host=fit.host_only)
            text = self._line(fit, max(12, len(shown) - (text.cell_len - room)))
        if width and text.cell_len <= room:
            text.append(" " * (width - text.cell_len - len(clock)))
            text.append(clock, style="dim")
        return text  # no room for the clock even so: it is left out

    def _line(self, fit: _Fit, backend_cells: int | None = None) -> Text:
        """The line up to LIVE/PAUSED, shortened as `fit` says, the URL cut to
        `backend_cells` (its end "…")."""
        state = self.view_state
        separator = " │ " if fit.tight else "  │ "
        text = Text(no_wrap=True, overflow="ellipsis")
        if not fit.drop_name:
            text.append("pulse-tui ", style="bold")
        if self.backend == "DEMO":
            text.append(" DEMO ", style="bold black on #ffaf00")
        else:
            backend = short_url(self.backend, drop_scheme=fit.drop_scheme, host=fit.host_only)
            if backend_cells is not None:
                backend = cut_host(backend, backend_cells)
            text.append(backend, style="bold #5fafff")
            if self.defaulted:
                hint = " (default)" if fit.short_hint else " (default; set --prometheus)"
                text.append(hint, style="dim")
            if self.insecure:
                text.append(" ⚠ TLS NOT VERIFIED", style="bold #ff5f5f")
            if self.clock_skew is not None:
                # Ranges are relative to our clock, the data's times to the server's.
                side = "ahead" if self.clock_skew > 0 else "behind"
                off = format_duration(abs(self.clock_skew))
                words = (
                    f" ⚠ CLOCK {'+' if self.clock_skew > 0 else '-'}{off}"
                    if fit.short_skew
                    else f" ⚠ SERVER CLOCK {off} {side}: ranges off"
                )
                text.append(words, style="bold #ff5f5f")
        text.append(separator, style="dim")
        text.append(state.describe_range())
        if state.compare_offset:
            text.append(f" ({state.describe_compare()})", style="dim italic")
        text.append(separator, style="dim")
        text.append(state.describe_services(), style="bold" if state.services else "")
        text.append(separator, style="dim")
        if state.paused:
            text.append("❚❚ PAUSED", style="bold #ffd75f")
        elif state.end is not None:
            past = ("◷ PAST RANGE (0 = live)", "◷ PAST (0 = live)", "◷ PAST")[fit.tight]
            text.append(past, style="bold #ffd75f")
        else:
            text.append("● LIVE", style="bold #87d787")
        return text

    def render(self) -> Text:
        return self._text

    def render_line(self, y: int) -> Strip:
        # Our own strip rather than Textual's conversion of `render()`: ~1 ms for this
        # row, paid every second for the clock, also on an idle dashboard.
        width, style = self.size.width, self.visual_style.rich_style
        if y:
            return Strip.blank(width, style)
        cached = self._strip
        if cached is None or cached[0] is not self._text or cached[1:3] != (width, style):
            cached = self._strip = (self._text, width, style, text_strip(self._text, width, style))
        return cached[3]


@dataclass(frozen=True, slots=True)
class _Fit:
    """What the header leaves out or shortens to fit its width."""

    drop_scheme: bool = False
    short_skew: bool = False
    drop_name: bool = False
    short_hint: bool = False
    host_only: bool = False
    #: 1: " │ " between the parts and "◷ PAST (0 = live)" for "◷ PAST RANGE (0 = live)";
    #: 2: "◷ PAST" alone (the help says 0 goes live).
    tight: int = 0


#: Tried in order until the line fits with its clock; each keeps the cuts before it.
#: Past the last, the URL's host is cut (to 12 cells at the least).
_FITS = (
    _Fit(),
    _Fit(drop_scheme=True),
    _Fit(drop_scheme=True, short_skew=True),
    _Fit(drop_scheme=True, short_skew=True, drop_name=True),
    _Fit(drop_scheme=True, short_skew=True, drop_name=True, short_hint=True),
    _Fit(drop_scheme=True, short_skew=True, drop_name=True, short_hint=True, host_only=True),
    _Fit(
        drop_scheme=True,
        short_skew=True,
        drop_name=True,
        short_hint=True,
        host_only=True,
        tight=1,
    ),
    _Fit(
        drop_scheme=True,
        short_skew=True,
        drop_name=True,
        short_hint=True,
        host_only=True,
        tight=2,
    ),
)


def short_url(url: str, *, drop_scheme: bool, host: bool) -> str:
    """`url` (already made safe to show) without its scheme, or as `host:port` alone
    ("…" where a path was cut, so the cut shows). Not a URL: as it is."""
    _, sep, rest = url.partition("://")
    if not sep or not (drop_scheme or host):
        return url
    if not host:
        return rest.rstrip("/") or rest
    authority, slash, path = rest.partition("/")
    authority = authority.rpartition("@")[2]  # the masked user: the host says where
    return authority + ("/…" if slash and path.strip("/") else "")


def cut_host(url: str, cells: int) -> str:
    """`url` (as `short_url` gave it) in `cells`, the host's end cut with "…" and its
    port kept: two servers on one host differ by the port alone."""
    if len(url) <= cells:
        return url
    host, colon, tail = url.rpartition(":")
    if colon and tail.partition("/")[0].isdigit() and cells > len(tail) + 3:
        return host[: cells - len(tail) - 2] + "…:" + tail
    return url[: cells - 1] + "…"
