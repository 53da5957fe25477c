"""One log line as a row: time, host tag, level and the (sanitised) text, styled.

`format_line` gives a `Text` (wrapping, search highlights); `plain_row_segments` builds the
same row's segments directly for the common plain line, at a tenth of the cost.
"""

from __future__ import annotations

import time

from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from pulse_tui.model.core.sanitize import ESCAPE
from pulse_tui.model.logs.line import LineKind, LogLine
from pulse_tui.ui.widgets.palette import ESCAPE_STYLE, LOG_LEVEL_STYLES, host_colour


def format_line(line: LogLine, *, host_width: int = 0) -> Text:
    """A log line as styled Text: time, host tag, level, then the (sanitised) text."""
    if line.kind is LineKind.GAP:
        return Text(f"──── {line.host}: {line.text} ────", style="bold #ffaf00")
    if line.kind is LineKind.NOTICE:
        out = Text()
        out.append(f"{line.host}: ", style=f"bold {host_colour(line.host)}")
        for piece, style in _text_pieces(line.text):  # remote stderr is untrusted text too
            out.append(piece, style=f"italic #ff8787 {style or ''}")
        return out
    out = Text()
    for piece, style in _row_pieces(line, host_width):
        out.append(piece, style)
    return out


def _row_pieces(line: LogLine, host_width: int) -> list[tuple[str, str | None]]:
    """A plain line's row as (text, style) pieces: time, host tag, level, the text."""
    host = line.host
    pieces: list[tuple[str, str | None]] = [
        (time.strftime("%H:%M:%S", time.localtime(line.timestamp)), "dim"),
        (" ", None),
        (host.ljust(host_width), host_colour(host)),
        (" ", None),
    ]
    label = line.level.label
    if label:
        # Whole, never cut to four ("DEBU", "ERRO" read as typos): five columns fit all.
        pieces.append((f"{label:<5}", LOG_LEVEL_STYLES[line.level]))
        pieces.append((" ", None))
    pieces += _text_pieces(line.text)
    return pieces


def _text_pieces(text: str) -> list[tuple[str, str | None]]:
    """A line's text as pieces, with the escapes the sanitiser wrote (`\\x1b`) set apart."""
    if "\\" not in text:
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


#: Parsed once: a log row names the same few styles over and over.
_STYLES: dict[str, Style] = {}


def _style(name: str | None) -> Style | None:
    if name is None:
        return None
    style = _STYLES.get(name)
    if style is None:
        style = _STYLES[name] = Style.parse(name)
    return style


def plain_row_segments(line: LogLine, host_width: int) -> list[Segment] | None:
    """`format_line`'s row as segments, built directly: the common case of a log line
    with no search highlight or tab (None otherwise), at a tenth of the Text's cost."""
    if line.kind is not LineKind.LINE or "\t" in line.text:
        return None
    return [Segment(text, _style(style)) for text, style in _row_pieces(line, host_width)]
