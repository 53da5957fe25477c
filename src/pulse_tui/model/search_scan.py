"""Bulk matching over a `LogBuffer`, one block-sized chunk at a time.

A chunk's texts become one `BlockText` (joined with "\\n", with each line's start, see
`search_text`) searched by one compiled `regex` pattern; Python only runs once per
*matching* line, never per line scanned.

Block text cache: building it is most of a first search's cost and a full block (4096
lines) never changes once written (lines are only appended, then dropped from the head),
so the `BlockText` of each full block is kept per buffer, built lazily by the first search
that reads it and forgotten once the buffer drops the block. Extra memory: about one copy
of the text of the buffer's full blocks plus 4 bytes a line, never more than
`JOIN_CACHE_MAX_CHARS` characters per buffer; past that, blocks are built per search as
before. Partial blocks (the tail, a range's edges, a head with dropped lines) are built
per search and never cached.

All patterns, literals included, run in the third-party `regex` module with
`concurrent=True` (the GIL is released while matching, so the UI keeps running) and a
`timeout` per chunk (a catastrophic pattern ends the search with `SearchError`, it never
runs on unbounded); the standard `re` can do neither. For a literal it is also the faster
search: `str.find` is ~2x slower on log text.
"""

from __future__ import annotations

import threading
import time
import weakref
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import regex

from pulse_tui.model.log_buffer import _BLOCK, LogBuffer
from pulse_tui.model.search_text import BlockText, TooSlow

#: Seconds the regex work on one chunk may take before the search stops with an error.
CHUNK_TIMEOUT = 1.0
#: Per buffer, most characters of joined block text kept between searches.
JOIN_CACHE_MAX_CHARS = 256 * 2**20
TOO_SLOW = "regex too slow, search stopped; simplify it (nested repeats like (a+)+ ?)"


class SearchError(ValueError):
    """A query that cannot be used; the message is one line, fit for a status bar."""


@dataclass(slots=True, eq=False)
class Chunk:
    """Lines `index`..`index + len(texts)` of a buffer with their columns (see
    `LogBuffer.column_chunks`), and the deadline for the regex work on them."""

    buffer: LogBuffer
    index: int
    texts: list[str | None]
    meta: bytes
    origins: array[int]
    origin_table: list[tuple[str, str, str]]
    deadline: float
    _text: BlockText | None = field(default=None, repr=False)

    def text(self) -> BlockText:
        """The texts ready for bulk search (dropped lines as ""), cached for full blocks."""
        if self._text is None:
            self._text = _JOINS.text(self)
        return self._text

    def hits(
        self, pattern: regex.Pattern[str], verify: Callable[[str], bool], *, bounded: bool = True
    ) -> list[int]:
        """Absolute indices of the lines holding a match of `pattern` (`verify(line)`
        decides for a match running past its line's end); `SearchError` when the regex
        work runs past `deadline`. `bounded=False` for a literal: it cannot backtrack, and
        `regex` calls with a timeout cost more."""
        try:
            offsets = self.text().hits(pattern, self.deadline if bounded else None, verify)
        except TooSlow:
            raise SearchError(TOO_SLOW) from None
        base = self.index
        return clip([base + i for i in offsets], self)


class ChunkMatcher(Protocol):
    """What a `SearchJob` runs: a `SearchQuery` or a `LineFilter`."""

    def scan_chunk(self, chunk: Chunk) -> list[int]: ...


class _Joined:
    __slots__ = ("chars", "texts")

    def __init__(self) -> None:
        self.texts: dict[int, BlockText] = {}  # block's first absolute index -> its text
        self.chars = 0


class _JoinCache:
    """Joined text of full blocks, per buffer (weakly: a dropped buffer frees its cache)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # jobs in threads and the event loop share it
        self._buffers: weakref.WeakKeyDictionary[LogBuffer, _Joined] = weakref.WeakKeyDictionary()

    def text(self, chunk: Chunk) -> BlockText:
        texts = chunk.texts
        full = len(texts) == _BLOCK  # then `chunk.index` is a block boundary
        entry = self._buffers.get(chunk.buffer) if full else None
        if entry is not None and (hit := entry.texts.get(chunk.index)) is not None:
            return hit
        text = BlockText.build(texts)
        # Lines dropped under us (None, searched as "") make it no block text to keep.
        if full and texts[0] is not None:
            chars = text.chars
            with self._lock:
                entry = self._buffers.setdefault(chunk.buffer, _Joined())
                if entry.chars + chars <= JOIN_CACHE_MAX_CHARS:
                    if chunk.index not in entry.texts:
                        entry.chars += chars
                    entry.texts[chunk.index] = text
        return text

    def prune(self, buffer: LogBuffer) -> None:
        """Forget blocks the buffer no longer holds in full (called once per scan)."""
        entry = self._buffers.get(buffer)
        if entry is None:
            return
        first = buffer.first_index
        with self._lock:
            for index in [i for i in entry.texts if i < first]:
                entry.chars -= entry.texts.pop(index).chars

    def cached_chars(self, buffer: LogBuffer) -> int:
        """Characters of joined text kept for `buffer` (benchmarks, tests)."""
        entry = self._buffers.get(buffer)
        return 0 if entry is None else entry.chars

    def cached_bytes(self, buffer: LogBuffer) -> int:
        """Memory the texts kept for `buffer` hold, in bytes (benchmarks, tests)."""
        entry = self._buffers.get(buffer)
        return 0 if entry is None else sum(text.nbytes for text in list(entry.texts.values()))

    def forget(self, buffer: LogBuffer) -> None:
        """Drop everything kept for `buffer`."""
        with self._lock:
            self._buffers.pop(buffer, None)


_JOINS = _JoinCache()
cached_chars = _JOINS.cached_chars
cached_bytes = _JOINS.cached_bytes
forget_joined = _JOINS.forget


def chunks(
    buffer: LogBuffer, start: int, stop: int, timeout: float = CHUNK_TIMEOUT
) -> Iterator[Chunk]:
    """The buffer's lines `start`..`stop` (absolute, clipped) as `Chunk`s."""
    _JOINS.prune(buffer)
    for index, texts, meta, origins, table in buffer.column_chunks(start, stop):
        yield Chunk(buffer, index, texts, meta, origins, table, time.monotonic() + timeout)


def scan(
    buffer: LogBuffer,
    test: Callable[[Chunk], list[int]],
    start: int,
    stop: int,
    chunk_lines: int,
    timeout: float = CHUNK_TIMEOUT,
) -> Iterator[tuple[int, list[int]]]:
    """(absolute index scanned up to, hits) every ~`chunk_lines` lines."""
    hits: list[int] = []
    pending = 0
    end = start
    for chunk in chunks(buffer, start, stop, timeout):
        hits.extend(test(chunk))
        pending += len(chunk.texts)
        end = chunk.index + len(chunk.texts)
        if pending >= chunk_lines:
            yield end, hits
            hits, pending = [], 0
    if pending or hits:
        yield end, hits


def time_left(deadline: float) -> float:
    """Seconds left before `deadline` (a small positive floor: `regex` wants > 0)."""
    return max(deadline - time.monotonic(), 0.001)


def clip(hits: list[int], chunk: Chunk) -> list[int]:
    """Drop hits on lines dropped while the chunk was read (they were blanked)."""
    first = chunk.buffer.first_index
    if hits and hits[0] < first:
        return [i for i in hits if i >= first]
    return hits


def per_line(texts: Sequence[str | None], base: int, test: Callable[[str], bool]) -> list[int]:
    """`base` + offset of each text passing `test` (None: a dropped line, skipped)."""
    return [base + i for i, t in enumerate(texts) if t is not None and test(t)]
