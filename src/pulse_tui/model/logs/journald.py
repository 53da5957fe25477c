"""journald entries (`journalctl -o json`) -> LogLine.

journald already knows each entry's time and priority, so those win over anything parsed
from the message text; the text itself is sanitised like every other line.
"""

from __future__ import annotations

import contextlib
from typing import cast

from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.logs.line import Level, LineKind, LogLine
from pulse_tui.model.logs.parse import timestamp_and_level

#: journald / syslog PRIORITY 0..7.
SYSLOG_PRIORITY = (
    Level.FATAL,
    Level.FATAL,
    Level.FATAL,
    Level.ERROR,
    Level.WARN,
    Level.INFO,
    Level.INFO,
    Level.DEBUG,
)


def journal_message(message: object) -> str:
    """journald MESSAGE as text: a string, a byte array (non-UTF-8), null, or a list."""
    if message is None:
        return ""
    if isinstance(message, str):
        return message
    if isinstance(message, list):
        if all(isinstance(b, int) for b in message):
            try:
                return bytes(message).decode("utf-8", errors="replace")
            except ValueError:  # ints out of byte range
                return " ".join(map(str, message))
        # A field set more than once: every value, in order.
        return "\n".join(journal_message(part) for part in message)
    return str(message)


def journal_line(
    entry: dict[str, object], received: float, host: str, source: str, service: str
) -> LogLine:
    """One `journalctl -o json` entry -> LogLine: MESSAGE sanitised, PRIORITY as level,
    __REALTIME_TIMESTAMP as time, a few identifying fields kept."""
    text = sanitize(journal_message(entry.get("MESSAGE")))
    ts: float | None = None
    level: Level | None = None
    # JSON values, strings when well-formed; anything else raises (a hostile remote's).
    with contextlib.suppress(TypeError, ValueError, OverflowError):
        ts = int(cast("str | float", entry.get("__REALTIME_TIMESTAMP"))) / 1e6
    with contextlib.suppress(TypeError, ValueError, IndexError):
        level = SYSLOG_PRIORITY[int(cast("str | float", entry.get("PRIORITY")))]
    if ts is None or level is None:
        # Only then is the text read for them: the general parser is most of a line's cost.
        text_ts, text_level = timestamp_and_level(text)
        ts = text_ts if ts is None else ts
        level = text_level if level is None else level
    fields = {
        key: sanitize(str(entry[name]))
        for key, name in (
            ("unit", "_SYSTEMD_UNIT"),
            ("identifier", "SYSLOG_IDENTIFIER"),
            ("pid", "_PID"),
            ("priority", "PRIORITY"),
        )
        if entry.get(name) is not None
    }
    service = service or fields.get("unit", "")
    return LogLine(
        received,
        received if ts is None else ts,
        host,
        source,
        service,
        level,
        text,
        LineKind.LINE,
        fields,
    )
