"""One log line as the model keeps it: already sanitised, parsed once on entry."""

from __future__ import annotations

from enum import IntEnum
from typing import Any


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


#: `fields` not computed yet: parsed from `text` on first access (most are never read).
_LAZY: Any = object()


class LogLine:
    """A sanitised log line with the facts the pane filters and colours by.

    `text` is safe to display: control characters were made visible on entry, so it
    never reaches the terminal as anything but characters.

    `fields` (parsed JSON or logfmt fields, or None) is parsed from `text` the first time
    it is read unless given to the constructor, so lines nobody inspects cost no dicts.
    """

    __slots__ = (
        "_fields",
        "host",
        "kind",
        "level",
        "received",
        "service",
        "source",
        "text",
        "timestamp",
    )

    def __init__(
        self,
        received: float,
        timestamp: float,
        host: str,
        source: str,
        service: str,
        level: Level,
        text: str,
        kind: LineKind = LineKind.LINE,
        fields: dict[str, str] | None = _LAZY,
    ) -> None:
        self.received = received
        self.timestamp = timestamp
        self.host = host
        self.source = source
        self.service = service
        self.level = level
        self.text = text
        self.kind = kind
        self._fields = fields

    @property
    def fields(self) -> dict[str, str] | None:
        """Parsed JSON or logfmt fields, when the line had any."""
        if self._fields is _LAZY:
            if self.kind == LineKind.LINE:
                from pulse_tui.model.logs.parse import parse_fields  # here: parse imports us

                self._fields = parse_fields(self.text)
            else:
                self._fields = None
        return self._fields

    @fields.setter
    def fields(self, value: dict[str, str] | None) -> None:
        self._fields = value

    @property
    def explicit_fields(self) -> dict[str, str] | None:
        """Fields given at construction (not parsed from text), else None; no parsing."""
        return None if self._fields is _LAZY else self._fields

    @property
    def size(self) -> int:
        """Approximate bytes of payload, for the buffer's byte bound."""
        return len(self.text)

    def _key(self) -> tuple[object, ...]:
        return (
            self.received,
            self.timestamp,
            self.host,
            self.source,
            self.service,
            self.level,
            self.text,
            self.kind,
            self.fields,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LogLine):
            return NotImplemented
        return self._key() == other._key()

    # Unhashable: mutable, like the dataclass it replaced. The data model allows None
    # here; typeshed declares `object.__hash__` a method, so a checker says otherwise.
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"LogLine(host={self.host!r}, source={self.source!r}, level={self.level.name}, "
            f"kind={self.kind.name}, timestamp={self.timestamp!r}, text={self.text!r})"
        )
