"""Lines column-wise, as sources deliver them and the reorder window merges them.

A `LineBatch` is one source's lines read together (one host, source, service and kind); a
`MergedBatch` is several sources' lines in one merged order, each line with its own
origin, and a `DenseBatch` the same as arrays (merged dense histories). All are
`Sequence[LogLine]` for whoever wants lines one by one, and `LogBuffer` copies their
columns in bulk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

import numpy as np
import numpy.typing as npt

from pulse_tui.model.logs.dense import DenseLines
from pulse_tui.model.logs.line import Level, LineKind, LogLine

#: A dense batch's columns: its lines, their times, their `int(level)`s.
Dense = tuple[DenseLines, npt.NDArray[np.float64], npt.NDArray[np.uint8]]
_LEVELS = {int(level): level for level in Level}
_KINDS = {int(kind): kind for kind in LineKind}


class LineBatch(Sequence[LogLine]):
    """Lines from one source read together: one host/source/service/kind, column-wise.

    What sources hand to `LogSink.on_lines`: it is a Sequence[LogLine] like any other,
    but `LogBuffer.append_many` copies its columns in bulk instead of line by line.

    Made from lists (`texts`, `timestamps`, `levels`), or dense (`LineBatch.of_dense`:
    one text with the lines' starts, times in float64, levels as `int(level)` in uint8,
    as the reader and `parse_dense` make them for a history): then the lists are built
    only for a consumer that asks for them, and the bulk consumers (the buffer, error
    groups, log rules) read `dense` instead.
    """

    __slots__ = (
        "_dense",
        "_levels",
        "_texts",
        "_timestamps",
        "host",
        "kind",
        "received",
        "service",
        "source",
    )

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
        self._texts: list[str] | None = texts
        self._timestamps: list[float] | None = timestamps
        self._levels: list[Level] | None = levels
        self._dense: Dense | None = None
        self.received = received
        self.host = host
        self.source = source
        self.service = service
        self.kind = kind

    @classmethod
    def of_dense(
        cls,
        lines: DenseLines,
        times: npt.NDArray[np.float64],
        level_values: npt.NDArray[np.uint8],
        received: float,
        host: str,
        source: str,
        service: str,
        kind: LineKind = LineKind.LINE,
    ) -> LineBatch:
        """A batch of `lines` with their times and `int(level)`s (see the class)."""
        batch = cls.__new__(cls)
        batch._texts = batch._timestamps = batch._levels = None
        lines.drop_data()  # parsed: the batch keeps only the text
        batch._dense = (lines, times, level_values)
        batch.received, batch.host, batch.source = received, host, source
        batch.service, batch.kind = service, kind
        return batch

    @property
    def dense(self) -> Dense | None:
        """(lines, times, level values) when the batch was made dense, else None."""
        return self._dense

    @property
    def texts(self) -> list[str]:
        """Each line's text (built on first use for a dense batch)."""
        if self._texts is None:
            assert self._dense is not None
            self._texts = self._dense[0].lines()
        return self._texts

    @property
    def timestamps(self) -> list[float]:
        """Each line's time (built on first use for a dense batch)."""
        if self._timestamps is None:
            assert self._dense is not None
            self._timestamps = self._dense[1].tolist()
        return self._timestamps

    @property
    def levels(self) -> list[Level]:
        """Each line's level (built on first use for a dense batch)."""
        if self._levels is None:
            assert self._dense is not None
            self._levels = [_LEVELS[value] for value in self._dense[2].tolist()]
        return self._levels

    def __len__(self) -> int:
        if self._dense is not None:
            return len(self._dense[1])
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> LogLine: ...
    @overload
    def __getitem__(self, index: slice) -> LineBatch: ...
    def __getitem__(self, index: int | slice) -> LogLine | LineBatch:
        dense = self._dense
        if isinstance(index, slice):
            # Still a batch, so a slice (e.g. a sink trimming a flood) keeps the bulk path.
            if dense is not None:
                lo, hi, step = index.indices(len(self))
                if step == 1:
                    lines, times, values = dense
                    return LineBatch.of_dense(
                        lines[lo:hi],
                        times[lo:hi],
                        values[lo:hi],
                        self.received,
                        self.host,
                        self.source,
                        self.service,
                        self.kind,
                    )
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
        if dense is not None and self._texts is None:
            lines, times, values = dense
            if index < 0:
                index += len(times)
            return LogLine(
                self.received,
                float(times[index]),
                self.host,
                self.source,
                self.service,
                _LEVELS[int(values[index])],
                lines.line(index),
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


class DenseBatch(Sequence[LogLine]):
    """Lines of several sources merged into one order, as arrays: what merging dense
    histories makes (`logs.dense_merge`), so that neither the merge nor
    `LogBuffer.append_many` handles a Python object per line.

    `lines` holds the texts (one text and the lines' starts); `times` and `received` are
    float64, `meta` is `int(level) | int(kind) << 6` in uint8 (as the buffer stores it),
    and `origin_ids[i]` indexes `origins`, the (host, source, service) table.
    """

    __slots__ = ("lines", "meta", "origin_ids", "origins", "received", "times")

    def __init__(
        self,
        lines: DenseLines,
        times: npt.NDArray[np.float64],
        meta: npt.NDArray[np.uint8],
        received: npt.NDArray[np.float64],
        origin_ids: npt.NDArray[np.intp],
        origins: Sequence[tuple[str, str, str]],
    ) -> None:
        self.lines = lines
        self.times = times
        self.meta = meta
        self.received = received
        self.origin_ids = origin_ids
        self.origins = origins

    def __len__(self) -> int:
        return len(self.times)

    @overload
    def __getitem__(self, index: int) -> LogLine: ...
    @overload
    def __getitem__(self, index: slice) -> DenseBatch: ...
    def __getitem__(self, index: int | slice) -> LogLine | DenseBatch:
        if isinstance(index, slice):
            lo, hi, step = index.indices(len(self))
            assert step == 1
            hi = max(lo, hi)
            return DenseBatch(
                self.lines[lo:hi],
                self.times[lo:hi],
                self.meta[lo:hi],
                self.received[lo:hi],
                self.origin_ids[lo:hi],
                self.origins,
            )
        if index < 0:
            index += len(self)
        host, source, service = self.origins[int(self.origin_ids[index])]
        meta = int(self.meta[index])
        return LogLine(
            float(self.received[index]),
            float(self.times[index]),
            host,
            source,
            service,
            _LEVELS[meta & 63],
            self.lines.line(index),
            _KINDS[meta >> 6],
        )
