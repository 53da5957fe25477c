"""Lines from several hosts into one timestamp order, waiting a short window for stragglers.

Each stream (a host's file or journal) keeps its own order: a line never moves ahead of an
earlier line of its stream, so a stack trace stays in one piece even where its lines' times
are not in order. Streams are merged by sorting on each line's running maximum time within
its stream: non-decreasing per stream, so a stable sort interleaves the streams and never
reorders one.

A line is held until `seconds` after its timestamp: another host's line that arrives up to
that late still goes before it. But it is never held longer than `seconds` after it
arrived, so a host whose clock runs ahead cannot hold its lines back, and lines written long
ago (a backlog) go at once.

Lines stay in the column-wise batches the sources made (`LineBatch`), and interleaved hosts
come out as one `MergedBatch`, so a flood from many hosts is copied column by column, never
turned into a Python object per line. Other sequences (journald's LogLines, notices) are
merged line by line.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from itertools import accumulate, islice
from operator import itemgetter, le

from pulse_tui.model.log_buffer import LineBatch, MergedBatch
from pulse_tui.model.logline import Level, LineKind, LogLine

_Chunk = Sequence[LogLine]


class ReorderWindow:
    """`push` lines as they arrive; `release(now)` gives those whose wait is over."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        # Per stream, the chunks still held, oldest first.
        self._held: dict[tuple[str, str], deque[_Chunk]] = {}

    def __len__(self) -> int:
        return sum(len(chunk) for chunks in self._held.values() for chunk in chunks)

    def push(self, lines: _Chunk) -> None:
        """Hold `lines`, in the order their stream produced them."""
        if isinstance(lines, LineBatch):  # one stream
            self._held.setdefault((lines.host, lines.source), deque()).append(lines)
            return
        for line in lines:
            self._held.setdefault((line.host, line.source), deque()).append([line])

    def release(self, now: float) -> list[_Chunk]:
        """The lines whose wait is over, merged: sequences to append in this order."""
        cutoff = now - self.seconds
        streams: list[list[_Chunk]] = []
        for key, held in list(self._held.items()):
            ready = _take_ready(held, cutoff)
            if ready:
                streams.append(ready)
            if not held:
                del self._held[key]
        if len(streams) <= 1:
            return streams[0] if streams else []
        if all(isinstance(chunk, LineBatch) for chunks in streams for chunk in chunks):
            return [_merge_batches(streams)]  # type: ignore[arg-type] - checked just above
        return [_merge_lines(streams)]

    def flush(self) -> list[_Chunk]:
        """Everything held, merged (on stop)."""
        return self.release(float("inf"))


def _take_ready(held: deque[_Chunk], cutoff: float) -> list[_Chunk]:
    """Pops, from the front of one stream's chunks, the lines whose wait is over: each
    line is ready once its time or its arrival is at or before `cutoff`; the first line
    that is not ready holds back the rest of its stream."""
    ready: list[_Chunk] = []
    while held:
        chunk = held[0]
        if isinstance(chunk, LineBatch):
            if chunk.received <= cutoff:
                count = len(chunk)
            else:
                count = next((i for i, ts in enumerate(chunk.timestamps) if ts > cutoff), -1)
                count = len(chunk) if count < 0 else count
        else:
            count = 0
            for line in chunk:
                if line.timestamp > cutoff and line.received > cutoff:
                    break
                count += 1
        if count == len(chunk):
            ready.append(held.popleft())
            continue
        if count:
            ready.append(chunk[:count])
            held[0] = chunk[count:]
        break
    return ready


def _order(stream_times: list[list[float]]) -> list[int]:
    """Positions (in the streams laid end to end) in merged order."""
    keys: list[float] = []
    for times in stream_times:
        # Most streams are in time order already; the running maximum costs a call a line.
        in_order = all(map(le, times, islice(times, 1, None)))
        keys += times if in_order else accumulate(times, max)
    return sorted(range(len(keys)), key=keys.__getitem__)


def _merge_batches(streams: list[list[LineBatch]]) -> MergedBatch:
    texts: list[str] = []
    stamps: list[float] = []
    levels: list[Level] = []
    kinds: list[LineKind] = []
    received: list[float] = []
    origins: list[tuple[str, str, str]] = []
    stream_times: list[list[float]] = []
    for chunks in streams:
        first = len(stamps)
        for chunk in chunks:
            count = len(chunk.texts)
            texts += chunk.texts
            stamps += chunk.timestamps
            levels += chunk.levels
            kinds += [chunk.kind] * count
            received += [chunk.received] * count
            origins += [(chunk.host, chunk.source, chunk.service)] * count
        stream_times.append(stamps[first:])
    # One C call a column (at least two lines here, so the getter returns a tuple).
    pick = itemgetter(*_order(stream_times))
    return MergedBatch(
        list(pick(texts)),
        list(pick(stamps)),
        list(pick(levels)),
        list(pick(kinds)),
        list(pick(received)),
        list(pick(origins)),
    )


def _merge_lines(streams: list[list[_Chunk]]) -> list[LogLine]:
    lines_by_stream = [[line for chunk in chunks for line in chunk] for chunks in streams]
    lines = [line for stream in lines_by_stream for line in stream]
    order = _order([[line.timestamp for line in stream] for stream in lines_by_stream])
    return [lines[i] for i in order]
