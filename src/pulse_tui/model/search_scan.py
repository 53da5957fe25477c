"""Bulk matching over a `LogBuffer`, one block-sized chunk at a time.

A chunk's texts are joined with "\\n" into one string and searched once (`str.find` for a
case-sensitive literal, the compiled `regex` pattern otherwise); a hit is mapped to its
line by counting newlines since the previous hit, so Python only runs once per
*matching* line, never per line scanned.

Joined text cache: joining is a third of a search's cost and a full block (4096 lines)
never changes once written (lines are only appended, then dropped from the head), so
the joined text of each full block is kept per buffer, built lazily by the first search
that reads it and forgotten once the buffer drops the block. Extra memory: at most one
copy of the text of the buffer's full blocks (~ `LogBuffer.total_bytes` characters) and
never more than `JOIN_CACHE_MAX_CHARS` per buffer; past that, blocks are joined per search
as before. Partial blocks (the tail, a range's edges, a head with dropped lines) are
joined per search and never cached.

User regexes run in the third-party `regex` module with `concurrent=True` (the GIL is
released while matching, so the UI keeps running) and a `timeout` per chunk (a
catastrophic pattern ends the search with `SearchError`, it never runs on unbounded);
the standard `re` can do neither.
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
    _joined: str | None = field(default=None, repr=False)

    def joined(self) -> str:
        """The texts joined with "\\n" (dropped lines as ""), cached for full blocks."""
        if self._joined is None:
            self._joined = _JOINS.join(self)
        return self._joined


class ChunkMatcher(Protocol):
    """What a `SearchJob` runs: a `SearchQuery` or a `LineFilter`."""

    def scan_chunk(self, chunk: Chunk) -> list[int]: ...


class _Joined:
    __slots__ = ("chars", "texts")

    def __init__(self) -> None:
        self.texts: dict[int, str] = {}  # block's first absolute index -> joined text
        self.chars = 0


class _JoinCache:
    """Joined text of full blocks, per buffer (weakly: a dropped buffer frees its cache)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # jobs in threads and the event loop share it
        self._buffers: weakref.WeakKeyDictionary[LogBuffer, _Joined] = weakref.WeakKeyDictionary()

    def join(self, chunk: Chunk) -> str:
        texts = chunk.texts
        full = len(texts) == _BLOCK  # then `chunk.index` is a block boundary
        entry = self._buffers.get(chunk.buffer) if full else None
        if entry is not None and (hit := entry.texts.get(chunk.index)) is not None:
            return hit
        try:
            joined = "\n".join(texts)  # type: ignore[arg-type] - None raises, handled below
        except TypeError:
            # Lines dropped under us: blank them; results below `first_index` are clipped.
            return "\n".join([t or "" for t in texts])
        if full:
            with self._lock:
                entry = self._buffers.setdefault(chunk.buffer, _Joined())
                if entry.chars + len(joined) <= JOIN_CACHE_MAX_CHARS:
                    if chunk.index not in entry.texts:
                        entry.chars += len(joined)
                    entry.texts[chunk.index] = joined
        return joined

    def prune(self, buffer: LogBuffer) -> None:
        """Forget blocks the buffer no longer holds in full (called once per scan)."""
        entry = self._buffers.get(buffer)
        if entry is None:
            return
        first = buffer.first_index
        with self._lock:
            for index in [i for i in entry.texts if i < first]:
                entry.chars -= len(entry.texts.pop(index))

    def cached_chars(self, buffer: LogBuffer) -> int:
        """Characters of joined text kept for `buffer` (benchmarks, tests)."""
        entry = self._buffers.get(buffer)
        return 0 if entry is None else entry.chars

    def forget(self, buffer: LogBuffer) -> None:
        """Drop everything kept for `buffer`."""
        with self._lock:
            self._buffers.pop(buffer, None)


_JOINS = _JoinCache()
cached_chars = _JOINS.cached_chars
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


def literal_hits(haystack: str, needle: str, base: int) -> list[int]:
    """`base` + line number of each line of `haystack` containing `needle` (no "\\n")."""
    out: list[int] = []
    find, count = haystack.find, haystack.count
    pos = find(needle)
    line = last = 0  # `last`: where line number `line` starts
    while pos >= 0:
        line += count("\n", last, pos)
        out.append(base + line)
        newline = find("\n", pos + len(needle))
        if newline < 0:
            break
        last, line = newline + 1, line + 1
        pos = find(needle, last)
    return out


def time_left(deadline: float) -> float:
    """Seconds left before `deadline` (a small positive floor: `regex` wants > 0)."""
    return max(deadline - time.monotonic(), 0.001)


def regex_hits(
    haystack: str,
    pattern: regex.Pattern[str],
    base: int,
    deadline: float,
    verify: Callable[[str], bool],
) -> list[int]:
    """Like `literal_hits` for a compiled pattern; a hit running past its line's end
    (`\\s`, `[^x]` can match "\\n") is checked with `verify(line text)`. `SearchError`
    when the matching runs past `deadline` (`time.monotonic()`)."""
    out: list[int] = []
    find, rfind, count, search = haystack.find, haystack.rfind, haystack.count, pattern.search
    pos = line = 0  # `pos`: where line number `line` starts
    size = len(haystack)
    try:
        while pos <= size:
            match = search(haystack, pos, concurrent=True, timeout=time_left(deadline))
            if match is None:
                break
            start, end = match.span()
            line += count("\n", pos, start)
            newline = find("\n", start)
            line_end = size if newline < 0 else newline
            if end <= line_end or verify(haystack[rfind("\n", 0, start) + 1 : line_end]):
                out.append(base + line)
            if newline < 0:
                break
            pos, line = newline + 1, line + 1
    except TimeoutError:
        raise SearchError(TOO_SLOW) from None
    return out


def clip(hits: list[int], chunk: Chunk) -> list[int]:
    """Drop hits on lines dropped while the chunk was read (they were blanked)."""
    first = chunk.buffer.first_index
    if hits and hits[0] < first:
        return [i for i in hits if i >= first]
    return hits


def per_line(texts: Sequence[str | None], base: int, test: Callable[[str], bool]) -> list[int]:
    """`base` + offset of each text passing `test` (None: a dropped line, skipped)."""
    return [base + i for i, t in enumerate(texts) if t is not None and test(t)]
