"""Decoded, sanitised text -> LogLine: timestamp, level, and (lazily) fields and message.

Only the timestamp and level are found eagerly, because every line needs them (ordering,
colouring, filtering). Fields and the message are parsed on demand (`LogLine.fields`,
`message_of`), so a buffer of 200k lines holds no dicts nobody looked at. Lines with no
timestamp of their own get the receive time.

This module is the public face of the parser; the work is done in:

* `stamps`  timestamps in text -> Unix time (ISO, syslog, glog, Apache, epochs)
* `levels`  level words -> Level; the level named in a line's head
* `line`    `timestamp_and_level`: the general parser, one line at a time
* `batch`   `parse_texts`: many lines at once, same answers; `parse_dense`: the same
            for lines as one text (`logs.dense`), with no str per line
* `columns` its fast path for long batches: numpy over the batch's bytes (`swar`: 8 at a time;
            `column_levels`: the level after the time, per distinct key)
* `shapes`  what `parse_texts` cuts each line into, and what the pieces mean
* `fields`  JSON / logfmt fields and the human message, on demand
* `spans`   where a line's time and level are written, for the rows on screen only
"""

from __future__ import annotations

from pulse_tui.model.logs.line import Level, LineKind, LogLine
from pulse_tui.model.logs.parse.batch import parse_dense, parse_texts
from pulse_tui.model.logs.parse.fields import message_of, parse_fields
from pulse_tui.model.logs.parse.levels import level_from_name
from pulse_tui.model.logs.parse.line import timestamp_and_level
from pulse_tui.model.logs.parse.stamps import epoch_number, parse_time_text

__all__ = [
    "epoch_number",
    "level_from_name",
    "message_of",
    "notice",
    "parse_dense",
    "parse_fields",
    "parse_line",
    "parse_texts",
    "parse_time_text",
    "timestamp_and_level",
]


def parse_line(text: str, received: float, host: str, source: str, service: str) -> LogLine:
    """One sanitised line -> LogLine; the timestamp falls back to `received`."""
    ts, level = timestamp_and_level(text)
    return LogLine(received, received if ts is None else ts, host, source, service, level, text)


def notice(text: str, received: float, host: str, source: str, service: str) -> LogLine:
    """A NOTICE line (remote stderr, or a message about the source itself)."""
    return LogLine(
        received, received, host, source, service, Level.UNKNOWN, text, LineKind.NOTICE, None
    )
