"""The log pane's memory: a ring buffer bounded by lines and bytes.

Lines are stored column-wise, not as LogLine objects: times in `array('d')`, level/kind
in a bytearray, (host, source, service) as a 2-byte index into an interned table, and
the texts of each full block packed into one string (`logs.packed`). That keeps the
cost per line beyond its text at about 30 bytes (a LogLine object alone is ~100 bytes
plus two floats, a str ~49 bytes of header); `buffer[i]` builds a LogLine on demand,
which is cheap for the few dozen lines a pane shows.

Storage is a deque of fixed-size blocks, so dropping the oldest lines never shifts
anything and the absolute sequence number `first_index + i` maps to a block by division.
The newest block is open: each batch's lines appended as one run of joined text, with
each line's start (`logs.open_block`; a dense batch brings its text already joined, so no
str is made per line). Once full it never changes again (lines are only appended, then
dropped from the head), so it is packed: its runs joined into one string (a narrow block
read from one chunk is one run already). A search then runs over the block as it is
stored, with nothing to join first.

Full blocks beyond the newest `hot_lines` are compressed (cold, `logs.cold`), in a
thread (`logs.freezer`), and swapped in by the buffer itself on its next append. Reads
thaw a cold block: the view's through a small LRU (`_THAWED` blocks, so scrolling
through old lines decompresses each block once), a search's or a rebuild's without
keeping it. `max_bytes` counts a cold block by its compressed size.
"""

from __future__ import annotations

import struct
from array import array
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from typing import overload

import numpy as np
import numpy.typing as npt

from pulse_tui.model.logs.batch import DenseBatch, LineBatch, MergedBatch
from pulse_tui.model.logs.cold import ColdColumns
from pulse_tui.model.logs.dense import DenseLines
from pulse_tui.model.logs.freezer import Freezer
from pulse_tui.model.logs.line import Level, LineKind, LogLine
from pulse_tui.model.logs.open_block import OpenLines
from pulse_tui.model.logs.packed import LineSlice, PackedLines
from pulse_tui.model.logs.thaw import ThawCache

_BLOCK = 4096
#: Full blocks kept hot (packed, not compressed) by default: 32,768 lines, ~4.5 MB of
#: typical text; the newest lines, where a live view and most searches look.
DEFAULT_HOT_LINES = 8 * _BLOCK
# Cold blocks kept thawed for reads by index (the view): ~0.6 MB each.
_THAWED = 4
_LEVELS = {int(level): level for level in Level}
_KINDS = {int(kind): kind for kind in LineKind}


def _pack_doubles(count: int, values: list[float]) -> bytes:
    return struct.pack(f"{count}d", *values)


class _Block:
    __slots__ = (
        "fields",
        "first",
        "lines",
        "meta",
        "nbytes",
        "origins",
        "received",
        "timestamps",
    )

    def __init__(self, first: int) -> None:
        #: Absolute sequence number of the block's first line.
        self.first = first
        #: Open: runs of joined text and the lines' starts (`logs.open_block`). Full:
        #: packed, swapped in by one attribute store, so a reader in another thread gets
        #: the whole open block or the whole pack.
        self.lines: OpenLines | PackedLines = OpenLines()
        self.timestamps = array("d")
        self.received = array("d")
        self.origins = array("H")
        # level | kind << 6: levels are < 64, kinds < 4.
        self.meta = bytearray()
        self.nbytes = 0
        #: Only lines that arrived with explicit fields (journald): offset -> fields.
        self.fields: dict[int, dict[str, str] | None] = {}

    def add_texts(self, texts: Sequence[str] | DenseLines) -> int:
        """Append `texts` (the block is open); returns their characters."""
        lines = self.lines
        assert isinstance(lines, OpenLines)
        if isinstance(texts, DenseLines):
            return lines.add_dense(texts)
        return lines.add_texts(texts)

    def chars(self, lo: int, hi: int) -> int:
        """Characters of lines `lo`..`hi`."""
        return self.lines.chars(lo, hi)

    def line(self, offset: int) -> str | None:
        """Line `offset` (None: dropped)."""
        lines = self.lines
        return lines[offset] if isinstance(lines, PackedLines) else lines.line(offset)


class _ColdBlock:
    """A full block compressed (see `logs.cold`); `thaw` reads it back as a `_Block`."""

    __slots__ = ("columns", "fields", "first", "nbytes")

    def __init__(
        self, first: int, columns: ColdColumns, fields: dict[int, dict[str, str] | None]
    ) -> None:
        self.first = first
        self.columns = columns
        self.fields = fields
        #: The part of `columns.size` still counted (`_drop` releases it line by line).
        self.nbytes = columns.size

    def release(self, offset: int, take: int) -> int:
        """Bytes to stop counting when lines `offset`..`offset + take` are dropped: a
        share of the compressed size, the rest with the block's last line."""
        left = _BLOCK - offset
        return self.nbytes if take >= left else self.nbytes * take // left

    def thaw(self) -> _Block:
        block = _Block(self.first)
        block.lines, block.timestamps, block.received, block.origins, meta = self.columns.thaw()
        block.meta = bytearray(meta)
        block.fields = self.fields
        return block


def _freeze(block: _Block) -> ColdColumns:
    """The compressed form of a full packed block (run by the freezer thread)."""
    lines = block.lines
    assert isinstance(lines, PackedLines)
    return ColdColumns(lines, block.timestamps, block.received, block.origins, block.meta)


class LogBuffer:
    """Keeps the newest lines within `max_lines` and `max_bytes`, counting what it drops.

    `hot_lines`: how many of the newest lines stay uncompressed (whole blocks; the
    rest are compressed, see the module); `background`: compress in a thread (False
    compresses during the append: for a buffer built in a thread, `rebuilt`)."""

    def __init__(
        self,
        max_lines: int,
        max_bytes: int,
        *,
        hot_lines: int = DEFAULT_HOT_LINES,
        background: bool = True,
    ) -> None:
        self.max_lines = max_lines
        self.max_bytes = max_bytes
        #: Full blocks kept hot beyond the open one.
        self.hot_blocks = max(0, -(-hot_lines // _BLOCK))
        #: Lines dropped so far (oldest first); also the sequence number of item 0.
        self.dropped = 0
        #: Sum of `len(text)` of the hot lines kept (an approximation of their bytes)
        #: and of the compressed size of the cold ones.
        self.total_bytes = 0
        self._blocks: deque[_Block | _ColdBlock] = deque()
        self._count = 0  # lines ever appended
        self._origin_ids: dict[tuple[str, str, str], int] = {}
        self._origins: list[tuple[str, str, str]] = []
        # Whether the last block packed had wide lines: the next one likely has too.
        self._wide_seen = False
        # Sequence numbers skipped by rebuilds (`adopt`), not lines dropped.
        self._renumbered = 0
        # Blocks before this sequence number are cold or handed to the freezer.
        self._frozen_to = 0
        self._freezer: Freezer[_Block, ColdColumns] | None = (
            Freezer(_freeze) if background else None
        )
        # Cold blocks thawed: the view's kept, a search's next one ahead (`logs.thaw`).
        self._thawed: ThawCache[_ColdBlock, _Block] = ThawCache(_ColdBlock.thaw, _THAWED)

    # ------------------------------------------------------------------ reading

    @property
    def first_index(self) -> int:
        """Absolute sequence number of `self[0]`: a view keeps its place as lines drop."""
        return self.dropped

    @property
    def rotated_out(self) -> int:
        """Lines dropped past the bounds so far (`dropped` also counts the numbers a
        rebuild skipped)."""
        return self.dropped - self._renumbered

    @property
    def next_index(self) -> int:
        """Absolute sequence number the next appended line will get."""
        return self._count

    def __len__(self) -> int:
        return self._count - self.dropped

    def _locate(self, index: int) -> tuple[_Block, int]:
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("log buffer index out of range")
        absolute = self.dropped + index
        block = self._readable(self._block_of(absolute), keep=True)
        return block, absolute - block.first

    def _block_of(self, absolute: int) -> _Block | _ColdBlock:
        """The block holding the line with sequence number `absolute` (still kept)."""
        return self._blocks[absolute // _BLOCK - self._blocks[0].first // _BLOCK]

    def _readable(self, block: _Block | _ColdBlock, *, keep: bool) -> _Block:
        """`block`, thawed if cold (`keep`: for reads by index, see `logs.thaw`)."""
        return block if isinstance(block, _Block) else self._thawed.get(block, keep=keep)

    def _thawed_ahead(
        self, blocks: list[_Block | _ColdBlock], at: int, ahead: Future[_Block] | None
    ) -> tuple[_Block, Future[_Block] | None]:
        """`blocks[at]` readable, from `ahead` (the prefetch of it) when it was cold;
        and the prefetch of `blocks[at + 1]` if that one is cold too."""
        stored = blocks[at]
        if ahead is not None and isinstance(stored, _ColdBlock):
            block = ahead.result()
        else:
            block = self._readable(stored, keep=False)
        after = blocks[at + 1] if at + 1 < len(blocks) else None
        return block, self._thawed.prefetch(after) if isinstance(after, _ColdBlock) else None

    @overload
    def __getitem__(self, index: int) -> LogLine: ...
    @overload
    def __getitem__(self, index: slice) -> list[LogLine]: ...
    def __getitem__(self, index: int | slice) -> LogLine | list[LogLine]:
        """`buffer[0]` is the oldest line kept; negative indexes count from the newest."""
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        block, offset = self._locate(index)
        host, source, service = self._origins[block.origins[offset]]
        meta = block.meta[offset]
        text = block.line(offset)
        assert text is not None
        line = LogLine(
            block.received[offset],
            block.timestamps[offset],
            host,
            source,
            service,
            _LEVELS[meta & 63],
            text,
            _KINDS[meta >> 6],
        )
        if offset in block.fields:
            line.fields = block.fields[offset]
        return line

    def __iter__(self) -> Iterator[LogLine]:
        for i in range(len(self)):
            yield self[i]

    def column_chunks(
        self, start: int, stop: int
    ) -> Iterator[tuple[int, LineSlice, bytes, array[int], list[tuple[str, str, str]]]]:
        """Bulk read for search and filters: lines `start`..`stop` (absolute, clipped to
        what the buffer holds), one block at a time, as
        `(absolute index of the first line, texts, meta, origin ids, origin table)`.

        `meta[i]` is `level | kind << 6`; `origin table[origin ids[i]]` is the line's
        (host, source, service). A chunk never spans two blocks, and a chunk of a full
        block's length starts at a block boundary. `texts` is the block's packed text
        itself for a full block (`LineSlice.packed()`: ready for bulk search), a copy for
        the open one. Safe to run in a thread while the event loop appends: lines
        dropped meanwhile may still be read (as their text, or as "") and callers clip
        results to `first_index`. The origin table is the buffer's own list: read it,
        never change it.
        """
        while True:
            # A consistent snapshot: `dropped` unchanged across the copy; a head block
            # already counted as dropped but not yet popped (mid-`_drop`) is skipped.
            # `_count` first: every line below it is in a block appended before.
            stop_now = min(stop, self._count)
            dropped = self.dropped
            blocks = list(self._blocks)  # one C-level copy: atomic under the GIL
            if self.dropped == dropped:
                break
        if blocks and blocks[0].first + _BLOCK <= dropped:
            blocks.pop(0)
        index = max(start, dropped)
        if index >= stop_now:
            return
        first_block = blocks[0].first // _BLOCK
        ahead: Future[_Block] | None = None  # the next cold block, being thawed
        try:
            while index < stop_now:
                at = index // _BLOCK - first_block
                block, ahead = self._thawed_ahead(blocks, at, ahead)
                if block.first + _BLOCK >= stop_now and ahead is not None:
                    ahead.cancel()  # the range ends in this block
                    ahead = None
                offset = index - block.first
                take = min(_BLOCK - offset, stop_now - index)
                end = offset + take
                lines = block.lines  # read once: packing swaps it for the packed block
                if isinstance(lines, PackedLines):
                    texts = LineSlice(lines, offset, end)
                else:
                    texts = LineSlice(lines.lines(offset, end), 0, take)
                yield (
                    index,
                    texts,
                    bytes(block.meta[offset:end]),
                    block.origins[offset:end],
                    self._origins,
                )
                index += take
        finally:
            if ahead is not None:  # the search stopped early: not needed
                ahead.cancel()

    def get_absolute(self, sequence: int) -> LogLine | None:
        """The line with absolute sequence number `sequence`, or None if dropped/unknown."""
        if not self.dropped <= sequence < self._count:
            return None
        return self[sequence - self.dropped]

    def columns(self) -> MergedBatch:
        """Every line kept, column-wise, in order (for a rebuild: `rebuilt`)."""
        texts: list[str] = []
        stamps: list[float] = []
        levels: list[Level] = []
        kinds: list[LineKind] = []
        received: list[float] = []
        origins: list[tuple[str, str, str]] = []
        fields: list[dict[str, str] | None] = []
        table = self._origins
        for stored in self._blocks:
            block = self._readable(stored, keep=False)
            lo = max(0, self.dropped - block.first)
            hi = min(len(block.timestamps), self._count - block.first)
            if lo >= hi:
                continue
            lines = block.lines
            if isinstance(lines, PackedLines):
                texts += lines.texts(lo, hi)
            else:
                texts += [text or "" for text in lines.lines(lo, hi)]
            stamps += block.timestamps[lo:hi].tolist()
            received += block.received[lo:hi].tolist()
            meta = block.meta[lo:hi]
            levels += map(_LEVELS.__getitem__, (m & 63 for m in meta))
            kinds += map(_KINDS.__getitem__, (m >> 6 for m in meta))
            origins += map(table.__getitem__, block.origins[lo:hi])
            if block.fields:
                fields += [block.fields.get(i) for i in range(lo, hi)]
            else:
                fields += [None] * (hi - lo)
        return MergedBatch(
            texts, stamps, levels, kinds, received, origins, fields if any(fields) else None
        )

    def rebuilt(self, lines: Sequence[LogLine] | Iterator[Sequence[LogLine]]) -> LogBuffer:
        """A new buffer with the same bounds holding `lines` (or each part `lines` gives,
        in this order), numbered on after this one's (from the next block boundary), for
        `adopt`. Safe to build in a thread."""
        # Compressed as it is built: it is built in a thread already.
        hot_lines = self.hot_blocks * _BLOCK
        new = LogBuffer(self.max_lines, self.max_bytes, hot_lines=hot_lines, background=False)
        start = -(-self._count // _BLOCK) * _BLOCK
        new._count = new.dropped = new._frozen_to = start
        # Numbers skipped, not lines lost: `rotated_out` still counts only those.
        new._renumbered = start - self.dropped + self._renumbered
        for part in lines if isinstance(lines, Iterator) else (lines,):
            new.append_many(part)
        return new

    def adopt(self, other: LogBuffer) -> None:
        """Take `other`'s lines in place of ours (see `rebuilt`): every line held so far
        counts as dropped, so a view or search holding old sequence numbers finds none."""
        assert other.dropped >= self._count
        # `dropped` first: a reader in a thread then sees nothing, or `other` whole.
        self.dropped = other.dropped
        self._origin_ids = other._origin_ids
        self._origins = other._origins
        self._blocks = other._blocks
        self.total_bytes = other.total_bytes
        self._wide_seen = other._wide_seen
        self._renumbered = other._renumbered
        self._count = other._count
        # Our freezer's results for the old blocks find them gone (`_swap_in`).
        self._frozen_to = other._frozen_to
        self._thawed.clear()

    # ------------------------------------------------------------------ writing

    def _origin(self, host: str, source: str, service: str) -> int:
        key = (host, source, service)
        found = self._origin_ids.get(key)
        if found is None:
            found = self._origin_ids[key] = len(self._origins)
            self._origins.append(key)
        return found

    def _tail(self) -> _Block:
        if not self._blocks or self._count % _BLOCK == 0:
            self._blocks.append(_Block(self._count))
        tail = self._blocks[-1]
        assert isinstance(tail, _Block)  # the newest blocks are never cold
        return tail

    def append_many(self, lines: Sequence[LogLine]) -> None:
        """Append in order, then drop the oldest until both bounds hold."""
        if isinstance(lines, LineBatch):
            self._append_batch(lines)
        elif isinstance(lines, MergedBatch):
            self._append_merged(lines)
        elif isinstance(lines, DenseBatch):
            self._append_dense(lines)
        else:
            for line in lines:
                self._append_one(line)
        self._enforce()
        self._pack_full()
        self._freeze_old()

    def append(self, line: LogLine) -> None:
        """Append one line (prefer `append_many`)."""
        self._append_one(line)
        self._enforce()
        self._pack_full()
        self._freeze_old()

    def _append_one(self, line: LogLine) -> None:
        block = self._tail()
        offset = self._count - block.first
        size = block.add_texts((line.text,))
        block.timestamps.append(line.timestamp)
        block.received.append(line.received)
        block.origins.append(self._origin(line.host, line.source, line.service))
        block.meta.append(int(line.level) | int(line.kind) << 6)
        # Keep fields that cannot be re-parsed from the text (journald metadata).
        explicit = line.explicit_fields
        if explicit is not None:
            block.fields[offset] = explicit
        block.nbytes += size
        self.total_bytes += size
        self._count += 1

    def _append_batch(self, batch: LineBatch) -> None:
        origin = self._origin(batch.host, batch.source, batch.service)
        kind_bits = int(batch.kind) << 6
        dense = batch.dense
        if dense is not None:  # one text and arrays: no Python object per line
            lines, times, values = dense
            meta_values = values | np.uint8(kind_bits) if kind_bits else values
            self._append_columns(lines, times, meta_values, batch.received, origin)
            return
        meta = [int(level) | kind_bits for level in batch.levels] if kind_bits else batch.levels
        self._append_columns(batch.texts, batch.timestamps, meta, batch.received, origin)

    def _append_merged(self, batch: MergedBatch) -> None:
        ids = {key: self._origin(*key) for key in set(batch.origins)}
        origins = list(map(ids.__getitem__, batch.origins))
        meta: list[int] | list[Level] = batch.levels
        if any(batch.kinds):
            pairs = zip(batch.levels, batch.kinds, strict=True)
            meta = [int(level) | int(kind) << 6 for level, kind in pairs]
        first = self._count
        self._append_columns(batch.texts, batch.timestamps, meta, batch.received, origins)
        if batch.fields is not None:
            # Kept as `_append_one` keeps them: they cannot be parsed again from the text.
            for absolute, fields in enumerate(batch.fields, first):
                if fields is not None:
                    block = self._block_of(absolute)  # a new block: never cold yet
                    block.fields[absolute - block.first] = fields

    def _append_dense(self, batch: DenseBatch) -> None:
        table = [self._origin(*key) for key in batch.origins]
        origins = np.array(table, dtype=np.uint16)[batch.origin_ids]
        self._append_columns(batch.lines, batch.times, batch.meta, batch.received, origins)

    def _append_columns(
        self,
        texts: list[str] | DenseLines,
        timestamps: list[float] | npt.NDArray[np.float64],
        meta: list[int] | list[Level] | npt.NDArray[np.uint8],
        received: float | list[float] | npt.NDArray[np.float64],
        origins: int | list[int] | npt.NDArray[np.uint16],
    ) -> None:
        """Lines given column by column; `received` and `origins` are one value for every
        line, or a list or array with each line's."""
        start, total = 0, len(texts)
        while start < total:
            block = self._tail()
            take = min(_BLOCK - (self._count - block.first), total - start)
            end = start + take
            size = block.add_texts(texts[start:end] if take < total else texts)
            if isinstance(timestamps, list):
                # Packed in one call: `array.extend` converts float by float, ~5x slower.
                block.timestamps.frombytes(_pack_doubles(take, timestamps[start:end]))
            else:
                block.timestamps.frombytes(timestamps[start:end].tobytes())
            if isinstance(received, list):
                block.received.frombytes(_pack_doubles(take, received[start:end]))
            elif isinstance(received, np.ndarray):
                block.received.frombytes(received[start:end].tobytes())
            else:
                block.received.extend(array("d", [received]) * take)
            if isinstance(origins, list):
                block.origins.extend(array("H", origins[start:end]))
            elif isinstance(origins, np.ndarray):
                block.origins.frombytes(origins[start:end].tobytes())
            else:
                block.origins.extend(array("H", [origins]) * take)
            if isinstance(meta, list):
                block.meta.extend(meta[start:end])
            else:
                block.meta += meta[start:end].tobytes()
            block.nbytes += size
            self.total_bytes += size
            self._count += take
            start = end

    def _enforce(self) -> None:
        excess = len(self) - self.max_lines
        if excess > 0:
            self._drop(excess)
        if self.total_bytes > self.max_bytes:
            # Compressed, the old lines may fit: count them so before dropping any.
            self._pack_full()
            self._freeze_old(wait=True)
        while self.total_bytes > self.max_bytes and len(self) > 1:
            # Drop whole blocks while they fit in the surplus, then line by line.
            block = self._blocks[0]
            if self.total_bytes - block.nbytes >= self.max_bytes and len(self._blocks) > 1:
                self._drop(block.first + _BLOCK - self.dropped)
                continue
            self._drop(1)

    def _drop(self, count: int) -> None:
        while count > 0:
            block = self._blocks[0]
            offset = self.dropped - block.first
            if isinstance(block, _ColdBlock):
                take = min(count, _BLOCK - offset)
                size = block.release(offset, take)
            else:
                take = min(count, len(block.lines) - offset)
                size = block.chars(offset, offset + take)
            block.nbytes -= size
            self.total_bytes -= size
            # Counted as dropped first: a search in a thread clips to `dropped` before it
            # could see the blanked lines.
            self.dropped += take
            count -= take
            lines = block.lines if isinstance(block, _Block) else None
            if isinstance(lines, OpenLines):
                lines.drop_to(offset + take)  # free the text now
            # A packed block's text stays until the whole block goes (at most one block).
            if offset + take == _BLOCK:
                self._blocks.popleft()
                if isinstance(block, _ColdBlock):
                    self._thawed.forget(block)

    def _pack_full(self) -> None:
        """Pack the full blocks still open (the newest few: blocks fill in order).

        After `_enforce`, so a block dropped by the same append is never packed."""
        blocks = self._blocks
        for i in range(len(blocks) - 1, -1, -1):
            block = blocks[i]
            if isinstance(block, _ColdBlock):
                break
            lines = block.lines
            if isinstance(lines, PackedLines):
                break
            if len(lines) == _BLOCK:
                packed = lines.pack(grouped=self._wide_seen)
                # One store: a reader in a thread sees the open block or the pack.
                block.lines = packed
                self._wide_seen = packed.has_wide

    def _freeze_old(self, *, wait: bool = False) -> None:
        """Compress the full blocks older than the newest `hot_blocks` full ones: hand
        them to the freezer, and swap in what it finished (`wait`: all of them, now)."""
        blocks = self._blocks
        if blocks:
            tail = blocks[-1]
            full = len(blocks) - (isinstance(tail, _Block) and isinstance(tail.lines, OpenLines))
            head = blocks[0].first // _BLOCK
            for i in range(max(0, self._frozen_to // _BLOCK - head), full - self.hot_blocks):
                block = blocks[i]
                if isinstance(block, _Block) and self._freezer is not None:
                    self._freezer.submit(block)
                elif isinstance(block, _Block):
                    self._swap_in(block, _freeze(block))
                self._frozen_to = block.first + _BLOCK
        if self._freezer is not None:
            if wait:
                self._freezer.wait()
            for block, columns in self._freezer.finished():
                self._swap_in(block, columns)

    def settle(self) -> None:
        """Compress every block due now and swap it in (tests and benchmarks: it waits
        for the freezer thread; appends do this on their own, without waiting)."""
        self._freeze_old(wait=True)

    @property
    def cold_lines(self) -> int:
        """Lines kept in cold (compressed) blocks."""
        cold = [b for b in list(self._blocks) if isinstance(b, _ColdBlock)]
        return max(0, len(cold) * _BLOCK - max(0, self.dropped - cold[0].first)) if cold else 0

    def _swap_in(self, block: _Block, columns: ColdColumns) -> None:
        """Put the compressed `columns` in place of `block`, if it is still kept."""
        blocks = self._blocks
        if not blocks:
            return
        i = block.first // _BLOCK - blocks[0].first // _BLOCK
        if not 0 <= i < len(blocks) or blocks[i] is not block:
            return  # dropped meanwhile, or the buffer was rebuilt (`adopt`)
        cold = _ColdBlock(block.first, columns, block.fields)
        dropped = max(0, self.dropped - block.first)
        if dropped:
            cold.nbytes -= cold.release(0, dropped)
        self.total_bytes += cold.nbytes - block.nbytes
        # One store: a reader in a thread sees the hot block or the cold one, both whole.
        blocks[i] = cold
