"""Lines column-wise, as sources deliver them and the reorder window merges them.

A `LineBatch` is one source's lines read together (one host, source, service and kind); a
`MergedBatch` is several sources' lines in one merged order, each line with its own
origin. Both are `Sequence[LogLine]` for whoever wants lines one by one, and `LogBuffer`
copies their columns in bulk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from pulse_tui.model.logs.line import Level, LineKind, LogLine


class LineBatch(Sequence[LogLine]):
    """Lines from one source read together: one host/source/service/kind, column-wise.

    What sources hand to `LogSink.on_lines`: it is a Sequence[LogLine] like any other,
    but `LogBuffer.append_many` copies its columns in bulk instead of line by line.
    """

    __slots__ = ("host", "kind", "levels", "received", "service", "source", "texts", "timestamps")

    def __init__(
        self,
        texts: list[str],
        timestamps: list[float],
        levels: list[Level],
        received: float,
        host: str,
        source: str,
        service: str,
        kind: LineKind = LineKind.LINE,
    ) -> None:
        self.texts = texts
        self.timestamps = timestamps
        self.levels = levels
        self.received = received
        self.host = host
        self.source = source
        self.service = service
        self.kind = kind

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> LogLine: ...
    @overload
    def __getitem__(self, index: slice) -> LineBatch: ...
    def __getitem__(self, index: int | slice) -> LogLine | LineBatch:
        if isinstance(index, slice):
            # Still a batch, so a slice (e.g. a sink trimming a flood) keeps the bulk path.
            return LineBatch(
                self.texts[index],
                self.timestamps[index],
                self.levels[index],
                self.received,
                self.host,
                self.source,
                self.service,
                self.kind,
            )
        return LogLine(
            self.received,
            self.timestamps[index],
            self.host,
            self.source,
            self.service,
            self.levels[index],
            self.texts[index],
            self.kind,
        )


class MergedBatch(Sequence[LogLine]):
    """Lines of several sources merged into one order, column-wise, with each line's own
    receive time, origin and kind: what `ReorderWindow` (`logs.merge`) releases when hosts
    interleave, so that `LogBuffer.append_many` still copies columns in bulk."""

    __slots__ = ("fields", "kinds", "levels", "origins", "received", "texts", "timestamps")

    def __init__(
        self,
        texts: list[str],
        timestamps: list[float],
        levels: list[Level],
        kinds: list[LineKind],
        received: list[float],
        origins: list[tuple[str, str, str]],
        fields: list[dict[str, str] | None] | None = None,
    ) -> None:
        self.texts = texts
        self.timestamps = timestamps
        self.levels = levels
        self.kinds = kinds
        self.received = received
        #: (host, source, service) of each line.
        self.origins = origins
        #: Fields given with the lines (journald's), or None when no line has any.
        self.fields = fields

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> LogLine: ...
    @overload
    def __getitem__(self, index: slice) -> list[LogLine]: ...
    def __getitem__(self, index: int | slice) -> LogLine | list[LogLine]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        host, source, service = self.origins[index]
        line = LogLine(
            self.received[index],
            self.timestamps[index],
            host,
            source,
            service,
            self.levels[index],
            self.texts[index],
            self.kinds[index],
        )
        if self.fields is not None and self.fields[index] is not None:
            line.fields = self.fields[index]
        return line
