"""One log line as a row, styled: the line's own text once, with its time and level
coloured where they are written, after the host tag (`inline_pieces`); or, switched by
the pane, in columns: time · host · level · message (`column_pieces`).

`format_row` gives a `Text` (wrapping, search highlights) and where the line's text
begins in it; `plain_row_segments` builds the same row's segments directly for the
common plain line, at a tenth of the cost.
"""

from __future__ import annotations

import time
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from pulse_tui.model.core import clock
from pulse_tui.model.logs.line import LineKind, LogLine
from pulse_tui.model.logs.parse.spans import Span, level_span, stamp_span
from pulse_tui.ui.widgets.palette import LOG_LEVEL_STYLES, host_colour
from pulse_tui.ui.widgets.safe_text import escape_pieces

Piece = tuple[str, str | None]
#: A local date as (year, month, day): which lines are "today".
Day = tuple[int, int, int]

#: The line's own timestamp, where it is written.
STAMP_STYLE = "#afafd7"
#: A time the line does not carry: when it arrived (or its predecessor's, for a stack
#: trace's continuation). Marked by `ARRIVAL_MARK` as well as by style.
ARRIVAL_STYLE = "dim italic"
ARRIVAL_MARK = "~"


class Row(NamedTuple):
    """A row's pieces; `text[cut:]` of the line is shown from `text_start` (a character
    offset into the joined pieces) to the end."""

    pieces: list[Piece]
    text_start: int
    cut: int


def today() -> Day:
    """Today's local date, by the app's clock (frozen in tests and screenshots)."""
    now = time.localtime(clock.now())
    return now.tm_year, now.tm_mon, now.tm_mday


def clock_text(timestamp: float, day: Day) -> str:
    """`03:29:06`; with the date when that is not `day` (`Dec 01 03:29:06`), and the year
    when that is not `day`'s either."""
    local = time.localtime(timestamp)
    if (local.tm_year, local.tm_mon, local.tm_mday) == day:
        return time.strftime("%H:%M:%S", local)
    if local.tm_year == day[0]:
        return time.strftime("%b %d %H:%M:%S", local)
    return time.strftime("%Y-%m-%d %H:%M:%S", local)


def format_line(line: LogLine, *, host_width: int = 0, columns: bool = False) -> Text:
    """A log line as styled Text (see `format_row`)."""
    return format_row(line, host_width=host_width, columns=columns)[0]


def format_row(
    line: LogLine, *, host_width: int = 0, columns: bool = False, day: Day | None = None
) -> tuple[Text, int, int]:
    """The row as Text, the offset in it where the line's text is shown from, and how
    many of the text's characters the row leaves out before that (columns: the time and
    level, shown in their columns). GAP and NOTICE rows: (text, 0, 0)."""
    if line.kind is LineKind.GAP:
        return Text(f"──── {line.host}: {line.text} ────", style="bold #ffaf00"), 0, 0
    if line.kind is LineKind.NOTICE:
        out = Text()
        out.append(f"{line.host}: ", style=f"bold {host_colour(line.host)}")
        for piece, style in escape_pieces(line.text):  # remote stderr is untrusted text too
            out.append(piece, style=f"italic #ff8787 {style or ''}")
        return out, 0, 0
    row = row_pieces(line, host_width, columns=columns, day=day)
    out = Text()
    for piece, style in row.pieces:
        out.append(piece, style)
    return out, row.text_start, row.cut


def row_pieces(
    line: LogLine, host_width: int, *, columns: bool = False, day: Day | None = None
) -> Row:
    """A plain line's row as (text, style) pieces, inline or in columns."""
    day = day or today()
    stamp = stamp_span(line.text)
    level = level_span(line.text, line.level)
    if columns:
        return column_pieces(line, host_width, stamp, level, day)
    return inline_pieces(line, host_width, stamp, level, day)


def inline_pieces(
    line: LogLine, host_width: int, stamp: Span | None, level: Span | None, day: Day
) -> Row:
    """Host tag, then the line as written, its time and level coloured in place. A time
    is added before the text only where the text has none a person can read: none at all
    (the arrival time, marked `~`) or epoch digits (the line's own time, read out)."""
    text = line.text
    pieces: list[Piece] = [(host_tag(line.host, host_width), host_colour(line.host)), (" ", None)]
    if stamp is None:
        pieces += [(ARRIVAL_MARK + clock_text(line.timestamp, day), ARRIVAL_STYLE), (" ", None)]
    elif ":" not in text[stamp[0] : stamp[1]]:
        pieces += [(clock_text(line.timestamp, day), "dim"), (" ", None)]
    label = line.level.label
    if label and (level is None or text[level[0] : level[1]].isdigit()):
        # The text does not spell its level (pino's 30, journald's priority): say it,
        # whole ("DEBU" and "ERRO" read as typos).
        pieces += [(f"{label:<5}", LOG_LEVEL_STYLES[line.level]), (" ", None)]
    start = sum(len(piece) for piece, _ in pieces)
    pieces += _painted(text, 0, _marks(line, stamp, level))
    return Row(pieces, start, 0)


def column_pieces(
    line: LogLine, host_width: int, stamp: Span | None, level: Span | None, day: Day
) -> Row:
    """Time · host · level · message: the time and level the line starts with are shown
    in their columns and left out of the message, so nothing is said twice."""
    text = line.text
    pieces: list[Piece] = [
        (clock_text(line.timestamp, day), "dim" if stamp is not None else ARRIVAL_STYLE),
        (" ", None),
        (host_tag(line.host, host_width), host_colour(line.host)),
        (" ", None),
        (f"{line.level.label:<5}", LOG_LEVEL_STYLES[line.level]),
        (" ", None),
    ]
    cut = _leading_cut(text, stamp, level)
    start = sum(len(piece) for piece, _ in pieces)
    pieces += _painted(text, cut, _marks(line, stamp, level))
    return Row(pieces, start, cut)


def host_tag(host: str, width: int) -> str:
    return host.ljust(width)


def _marks(line: LogLine, stamp: Span | None, level: Span | None) -> list[tuple[int, int, str]]:
    """The styled spans of the text, in order, not overlapping (glog's level letter is
    the first character of its stamp)."""
    marks: list[tuple[int, int, str]] = []
    level_style = LOG_LEVEL_STYLES[line.level]
    if stamp is not None and level is not None and stamp[0] <= level[0] < stamp[1]:
        if level[1] <= stamp[1]:
            marks.append((stamp[0], level[0], STAMP_STYLE))
            marks.append((level[0], level[1], level_style))
            marks.append((level[1], stamp[1], STAMP_STYLE))
        else:
            marks.append((stamp[0], stamp[1], STAMP_STYLE))
        return [mark for mark in marks if mark[0] < mark[1]]
    if stamp is not None:
        marks.append((stamp[0], stamp[1], STAMP_STYLE))
    if level is not None:
        marks.append((level[0], level[1], level_style))
    marks.sort()
    return marks


def _leading_cut(text: str, stamp: Span | None, level: Span | None) -> int:
    """How much of the text's head the columns say already: a leading time (with its
    brackets), then a level right after it (bracketed or followed by `:`), and spaces."""
    if stamp is None or stamp[0] > 1:
        return 0
    cut = _skip(text, stamp[1], "]")
    if level is not None and 0 <= level[0] - cut <= 1 and (level[0] == cut or text[cut] in "[<"):
        cut = _skip(text, level[1], "]>:")
    return cut


def _skip(text: str, at: int, closers: str) -> int:
    """`at` moved past one closing bracket (or `:`) and the spaces after it."""
    if at < len(text) and text[at] in closers:
        at += 1
    while at < len(text) and text[at] == " ":
        at += 1
    return at


def _painted(text: str, cut: int, marks: list[tuple[int, int, str]]) -> list[Piece]:
    """`text[cut:]` as pieces: `marks` styled, the sanitiser's escapes set apart."""
    pieces: list[Piece] = []
    done = cut
    for start, end, style in marks:
        start = max(start, done)  # never a character twice, whatever the marks overlap
        if end <= start:
            continue
        if start > done:
            pieces += escape_pieces(text[done:start])
        pieces.append((text[start:end], style))  # digits, letters, `:`: never an escape
        done = end
    if done < len(text) or not pieces:
        pieces += escape_pieces(text[done:])
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


def plain_row_segments(
    line: LogLine, host_width: int, *, columns: bool = False, day: Day | None = None
) -> list[Segment] | None:
    """`format_row`'s row as segments, built directly: the common case of a log line
    with no search highlight or tab (None otherwise), at a tenth of the Text's cost."""
    if line.kind is not LineKind.LINE or "\t" in line.text:
        return None
    row = row_pieces(line, host_width, columns=columns, day=day)
    return [Segment(text, _style(style)) for text, style in row.pieces]
