"""One log line as the model keeps it: already sanitised, parsed once on entry."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Level(IntEnum):
    """Severity, ordered so that "at least WARN" is a comparison."""

    UNKNOWN = 0
    DEBUG = 10
    INFO = 20
    WARN = 30
    ERROR = 40
    FATAL = 50

    @property
    def label(self) -> str:
        return "" if self is Level.UNKNOWN else self.name


class LineKind(IntEnum):
    """Ordinary lines, and the markers the pane shows between them."""

    LINE = 0
    #: The stream dropped; lines may be missing until the reconnect resumes it.
    GAP = 1
    #: Text from the remote's stderr or about the source itself.
    NOTICE = 2


@dataclass(slots=True)
class LogLine:
    """A sanitised log line with the facts the pane filters and colours by.

    `text` is safe to display: control characters were made visible on entry, so it
    never reaches the terminal as anything but characters.
    """

    received: float
    timestamp: float
    host: str
    source: str
    service: str
    level: Level
    text: str
    kind: LineKind = LineKind.LINE
    #: Parsed JSON or logfmt fields, when the line had any.
    fields: dict[str, str] | None = None

    @property
    def size(self) -> int:
        """Approximate bytes of payload, for the buffer's byte bound."""
        return len(self.text)
