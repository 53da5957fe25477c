"""Lines from several hosts into one timestamp order, waiting a short window for stragglers.

Each stream (a host's file or journal) keeps its own order: a line never moves ahead of an
earlier line of its stream, so a stack trace stays in one piece even where its lines' times
are not in order. Streams are merged by sorting on each line's running maximum time within
its stream: non-decreasing per stream, so a stable sort interleaves the streams and never
reorders one.

A line is held until `seconds` after its timestamp: another host's line that arrives up to
that late still goes before it. But it is never held longer than `seconds` after it
arrived, so a host whose clock runs ahead cannot hold its lines back, and lines written long
ago (a backlog) go at once. Arrival is measured on the monotonic clock, so a step of the
wall clock (NTP, a resumed VM) cannot hold lines back either.

Lines stay in the column-wise batches the sources made (`LineBatch`), and interleaved hosts
come out as one `MergedBatch`, so a flood from many hosts is copied column by column, never
handled one Python object per line.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from itertools import accumulate, islice
from operator import itemgetter, le
from typing import TypeVar

from pulse_tui.model.logs.batch import LineBatch, MergedBatch
from pulse_tui.model.logs.dense_merge import PIECE, merge_dense
from pulse_tui.model.logs.line import Level, LineKind, LogLine

_Chunk = Sequence[LogLine]
_T = TypeVar("_T")


class ReorderWindow:
    """`push` lines as they arrive; `release(now)` gives those whose wait is over."""

    def __init__(self, seconds: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._monotonic = monotonic
        # Per stream, the chunks still held with when each arrived, oldest first.
        self._held: dict[tuple[str, str], deque[tuple[float, _Chunk]]] = {}
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def push(self, lines: _Chunk) -> None:
        """Hold `lines`, in the order their streams produced them."""
        if not lines:
            return
        arrived = self._monotonic()
        self._count += len(lines)
        if isinstance(lines, LineBatch):  # one stream
            self._held.setdefault((lines.host, lines.source), deque()).append((arrived, lines))
            return
        # Each run of one stream's lines is one chunk.
        run: list[LogLine] = []
        key = (lines[0].host, lines[0].source)
        for line in lines:
            if (line.host, line.source) != key:
                self._held.setdefault(key, deque()).append((arrived, run))
                run, key = [], (line.host, line.source)
            run.append(line)
        self._held.setdefault(key, deque()).append((arrived, run))

    def release(self, now: float) -> list[_Chunk]:
        """The lines whose wait is over (`now`: the wall clock), merged: sequences to
        append in this order."""
        return self._release(now - self.seconds, self._monotonic() - self.seconds)

    def flush(self) -> list[_Chunk]:
        """Everything held, merged, without waiting."""
        return self._release(math.inf, math.inf)

    def _release(self, cutoff: float, arrived_by: float) -> list[_Chunk]:
        streams: list[list[_Chunk]] = []
        for key, held in list(self._held.items()):
            ready = _take_ready(held, cutoff, arrived_by)
            if ready:
                streams.append(ready)
                self._count -= sum(map(len, ready))
            if not held:
                del self._held[key]
        if len(streams) <= 1:
            return streams[0] if streams else []
        return [_merge(streams)]


def _take_ready(
    held: deque[tuple[float, _Chunk]], cutoff: float, arrived_by: float
) -> list[_Chunk]:
    """Pops, from the front of one stream's chunks, the lines whose wait is over: a whole
    chunk once it arrived `seconds` ago, else its lines timed at or before `cutoff`; the
    first line that is not ready holds back the rest of its stream."""
    ready: list[_Chunk] = []
    while held:
        arrived, chunk = held[0]
        if arrived <= arrived_by:
            ready.append(held.popleft()[1])
            continue
        times = chunk.timestamps if isinstance(chunk, LineBatch) else [x.timestamp for x in chunk]
        count = next((i for i, ts in enumerate(times) if not ts <= cutoff), len(times))
        if count == len(chunk):
            ready.append(held.popleft()[1])
            continue
        if count:
            ready.append(chunk[:count])
            held[0] = (arrived, chunk[count:])
        break
    return ready


def merge_streams(chunks: Sequence[_Chunk], *, first_is_stream: bool = False) -> list[_Chunk]:
    """`chunks` (of any streams, each stream's in its order) merged into one time order:
    sequences to append in this order. `first_is_stream`: `chunks[0]` is one stream of
    its own whatever its lines' origins (the buffer's lines, already merged)."""
    return list(merged_parts(chunks, first_is_stream=first_is_stream))


def merged_parts(
    chunks: Sequence[_Chunk], *, first_is_stream: bool = False, lead: int = PIECE
) -> Iterator[_Chunk]:
    """`merge_streams`, its parts made as they are taken: a history merged as arrays is
    cut piece by piece (`logs.dense_merge`; the first piece of `lead` lines, what fills
    the buffer's open block), so a buffer appending (and compressing) each before the
    next never holds the history twice."""
    streams = _streams(chunks, first_is_stream)
    if len(streams) <= 1:
        return iter(streams[0] if streams else [])
    # A history's batches merge as arrays (`logs.dense_merge`); lines with fields take
    # the lists, and so do the buffer's own (`first_is_stream`): `merge_streams` hands
    # them back as one list of every line (`merged_with_head` makes parts of them).
    dense = None if first_is_stream else merge_dense(streams, lead)
    return dense if dense is not None else iter([_merge(streams)])


def merged_with_head(head: MergedBatch, chunks: Sequence[_Chunk]) -> Iterator[_Chunk]:
    """`merge_streams([head, *chunks], first_is_stream=True)` in parts, as arrays when no
    line has fields (the buffer's lines, `head`, made columns of arrays too): for a
    rebuild that takes parts (`LogBuffer.rebuilt`), not one list of every line."""
    streams = _streams([head, *chunks], first_is_stream=True)
    if len(streams) <= 1:
        return iter(streams[0])
    dense = merge_dense(streams)
    return dense if dense is not None else iter([_merge(streams)])


def _streams(chunks: Sequence[_Chunk], first_is_stream: bool) -> list[list[_Chunk]]:
    """`chunks` as streams (each one file's or unit's, in its order), in the order they
    first appear; `first_is_stream`: `chunks[0]` is one stream of its own."""
    window = ReorderWindow(0.0)
    head: list[list[_Chunk]] = []
    rest = chunks
    if first_is_stream and chunks:
        head, rest = [[chunks[0]]], chunks[1:]
    for chunk in rest:
        window.push(chunk)
    return head + [[chunk for _, chunk in held] for held in window._held.values()]


def _order(stream_times: list[list[float]]) -> list[int]:
    """Positions (in the streams laid end to end) in merged order."""
    keys: list[float] = []
    for times in stream_times:
        total = sum(times)
        if total != total:  # a NaN (or inf - inf) would leave the sort without an order
            times = [ts if ts == ts else -math.inf for ts in times]
        # Most streams are in time order already; the running maximum costs a call a line.
        in_order = all(map(le, times, islice(times, 1, None)))
        keys += times if in_order else accumulate(times, max)
    return sorted(range(len(keys)), key=keys.__getitem__)


def _merge(streams: list[list[_Chunk]]) -> MergedBatch:
    texts: list[str] = []
    stamps: list[float] = []
    levels: list[Level] = []
    kinds: list[LineKind] = []
    received: list[float] = []
    origins: list[tuple[str, str, str]] = []
    fields: list[dict[str, str] | None] = []
    stream_times: list[list[float]] = []
    for chunks in streams:
        first = len(stamps)
        for chunk in chunks:
            if isinstance(chunk, MergedBatch):  # the buffer's own lines (`logs.order`)
                texts += chunk.texts
                stamps += chunk.timestamps
                levels += chunk.levels
                kinds += chunk.kinds
                received += chunk.received
                origins += chunk.origins
                fields += chunk.fields if chunk.fields is not None else [None] * len(chunk)
                continue
            if isinstance(chunk, LineBatch):
                count = len(chunk.texts)
                texts += chunk.texts
                stamps += chunk.timestamps
                levels += chunk.levels
                kinds += [chunk.kind] * count
                received += [chunk.received] * count
                origins += [(chunk.host, chunk.source, chunk.service)] * count
                fields += [None] * count
                continue
            for line in chunk:  # journald lines, notices, markers: few
                texts.append(line.text)
                stamps.append(line.timestamp)
                levels.append(line.level)
                kinds.append(line.kind)
                received.append(line.received)
                origins.append((line.host, line.source, line.service))
                fields.append(line.explicit_fields)
        stream_times.append(stamps[first:])
    order = _order(stream_times)
    return MergedBatch(
        _pick(order, texts),
        _pick(order, stamps),
        _pick(order, levels),
        _pick(order, kinds),
        _pick(order, received),
        _pick(order, origins),
        _pick(order, fields) if any(fields) else None,
    )


def _pick(order: list[int], column: list[_T]) -> list[_T]:
    """`column` in `order`: one C call (`itemgetter`) for the many lines of a flood."""
    if len(order) < 2:  # itemgetter of one index returns the item, not a tuple
        return [column[i] for i in order]
    return list(itemgetter(*order)(column))
