"""Under the log view: the lines hosts have begun and not finished (no newline yet).

They are not in the buffer (see `sources.ssh.partial_tail`): each is shown here, marked
as partial, until its newline comes and the completed line enters the view above.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from pulse_tui.ui.widgets.palette import host_colour
from pulse_tui.ui.widgets.safe_text import append_safe

#: Rows at most; more partial lines are counted on the last one.
MAX_ROWS = 3
#: What marks a line as not finished.
PARTIAL_MARK = "⋯ partial, no newline yet:"


class PartialTail(Widget):
    """One row per unfinished line: host, file, the marker and the text so far."""

    DEFAULT_CSS = """
    PartialTail { height: auto; max-height: 3; display: none; }
    PartialTail.-shown { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: (host, source) -> the line so far, in arrival order.
        self.lines: dict[tuple[str, str], str] = {}

    def set_line(self, host: str, source: str, text: str | None) -> None:
        """`text` so far of `host`'s `source` (None: finished, or gone)."""
        key = (host, source)
        if text is None:
            self.lines.pop(key, None)
        else:
            self.lines[key] = text
        self.set_class(bool(self.lines), "-shown")
        self.refresh(layout=True)

    def render(self) -> Text:
        rows = list(self.lines.items())
        shown = rows if len(rows) <= MAX_ROWS else rows[: MAX_ROWS - 1]
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, ((host, source), line) in enumerate(shown):
            if i:
                text.append("\n")
            append_safe(text, host, host_colour(host))
            if source:
                append_safe(text.append(" ", style="dim"), source, "dim")
            text.append(f" {PARTIAL_MARK} ", style="italic #ffaf00")
            append_safe(text, line)
        if len(shown) < len(rows):
            text.append(f"\n+{len(rows) - len(shown)} more partial lines", style="italic dim")
        return text
