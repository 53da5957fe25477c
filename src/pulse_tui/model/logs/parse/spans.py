"""Where in a line its timestamp and its level are written: (start, end) offsets.

The parsers answer *what* a line's time and level are, column-wise and fast, for every
line that arrives (`batch.parse_texts`); they keep no offsets, since nearly no line is
ever looked at. The log pane asks *where* only for the few rows on screen, so these
functions scan one line each, with the same patterns and the same order of preference
as the parsers, and cost nothing at ingest.
"""

from __future__ import annotations

from pulse_tui.model.logs.line import Level
from pulse_tui.model.logs.parse.levels import (
    _ANY_LEVEL,
    _KV_LEVEL,
    _UPPER_LEVEL,
    HEAD,
    LEVEL_NAMES,
    level_from_name,
)
from pulse_tui.model.logs.parse.line import _JSON_LEVEL
from pulse_tui.model.logs.parse.stamps import (
    _ISO,
    _JSON_TIME,
    _LOGFMT_TS,
    _SYSLOG,
    CLF,
    GLOG,
    MONTHS,
)

Span = tuple[int, int]


def stamp_span(text: str) -> Span | None:
    """Where the line's own timestamp is written (without brackets or quotes), or None
    when it has none that the parsers would read."""
    if text.startswith("{"):
        match = _JSON_TIME.search(text)
        if match is None:
            return None
        start, end = match.span(1)
        return (start + 1, end - 1) if text[start] == '"' else (start, end)
    match = _ISO.match(text)
    if match:
        start, end = match.span()
        if text[start] == "[":
            start += 1
        while end > start and text[end - 1] == " ":
            end -= 1  # the pattern takes the space before a zone that is not there
        return start, end
    match = _SYSLOG.match(text)
    if match and match.group(1) in MONTHS:
        return match.span()
    match = GLOG.match(text)
    if match:
        return match.span()
    if "[" in text:
        match = CLF.search(text, 0, HEAD)
        if match and match.group(2) in MONTHS:
            return match.start() + 1, match.end() - 1
    if "=" in text:
        match = _LOGFMT_TS.search(text, 0, HEAD)
        if match:
            return match.span(1)
    return None


def level_span(text: str, level: Level) -> Span | None:
    """Where the word naming `level` is written in the line's head, or None when the
    word found there names another level (or none): the parsers then decided otherwise
    (a JSON number, journald's priority), and the caller shows the level itself."""
    if level is Level.UNKNOWN:
        return None
    if text.startswith("{"):
        match = _JSON_LEVEL.search(text)
        span = match.span(1) if match else None
    else:
        span = _head_level_span(text)
    if span is None:
        match = GLOG.match(text)
        if match and LEVEL_NAMES[match.group(1).lower()] is level:
            return 0, 1
        return None
    start, end = span
    return span if level_from_name(text[start:end]) is level else None


def _head_level_span(text: str) -> Span | None:
    """The span of the word `levels.head_level` reads, by its rules: an upper-case WORD
    first, then the first `level=x`, then `[x]` / `<x>`."""
    match = _ANY_LEVEL.search(text, 0, HEAD)
    if match is None:
        return None
    kind = match.lastindex
    if kind is None:
        return match.span()
    word = _UPPER_LEVEL.search(text, match.start(), HEAD)
    if word:
        return word.span()
    if kind == 1:
        return match.span(1)
    pair = _KV_LEVEL.search(text, match.start(), HEAD)
    if pair:
        return pair.span(1)
    return match.span(2)
