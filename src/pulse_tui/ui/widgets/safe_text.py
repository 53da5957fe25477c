"""Untrusted text (label values, service and host names, server messages) as `Text`,
shown the same way everywhere: as data, never markup, sanitised (`model.core.sanitize`),
and with the escapes the sanitiser wrote for control characters (`\\x1b`, `\\u202e`) set
apart in `ESCAPE_STYLE`, as the log pane shows them. So `a\\x1b[31mb` reads the same in
the services table, a chart legend and a log line: the escape stands out, the rest is
the text it is.
"""

from __future__ import annotations

from rich.text import Text

from pulse_tui.model.core.sanitize import ESCAPE, sanitize
from pulse_tui.ui.widgets.palette import ESCAPE_STYLE

__all__ = ["append_safe", "escape_pieces", "safe_text"]


def escape_pieces(text: str) -> list[tuple[str, str | None]]:
    """Already sanitised `text` as pieces, the escapes the sanitiser wrote in
    `ESCAPE_STYLE` and the rest unstyled (None)."""
    if "\\" not in text:  # the common case: no escape can be in it
        return [(text, None)]
    pieces: list[tuple[str, str | None]] = []
    done = 0
    for match in ESCAPE.finditer(text):
        start, end = match.span()
        if start > done:
            pieces.append((text[done:start], None))
        pieces.append((text[start:end], ESCAPE_STYLE))
        done = end
    if done < len(text) or not pieces:
        pieces.append((text[done:], None))
    return pieces


def append_safe(text: Text, raw: str, style: str = "") -> Text:
    """Append untrusted `raw` to `text` in `style`, sanitised, escapes marked; returns
    `text`. Safe on text already sanitised: sanitising twice changes nothing."""
    for piece, marked in escape_pieces(sanitize(raw)):
        text.append(piece, style=f"{style} {marked}".strip() if marked else style)
    return text


def safe_text(raw: str, style: str = "") -> Text:
    """Untrusted `raw` as a `Text` of its own in `style` (see `append_safe`)."""
    return append_safe(Text(), raw, style)
