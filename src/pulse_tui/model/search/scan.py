"""Bulk matching over a `LogBuffer`, one block-sized chunk at a time.

Each chunk's lines are searched packed (joined with "\\n", with each line's start, see
`logs.packed` and `search.text`) by one compiled `regex` pattern; Python only runs once
per *matching* line, never per line scanned (and for a literal matching many lines, not
even that: see `search.dense`). Full blocks are stored packed by the buffer
itself, so a search, even the first, has nothing to build for them; only the open block
(the newest lines, fewer than one block) is packed per search.

All patterns, literals included, are searched in the third-party `regex` module with
`concurrent=True` (the GIL is released while matching, so the UI keeps running). User
regexes also get a `timeout` per chunk (a catastrophic pattern ends the search with
`SearchError`, it never runs on unbounded); literals cannot backtrack and go without
one (a timed call costs ~4 us). The standard `re` can do neither. For a literal it is
also the faster search: `str.find` is ~2x slower on log text. The exception: once a
literal proves dense in a block, the rest of the block is split on it with `str.split`
(`search.dense`), holding the GIL for well under 1 ms at a time.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import regex

from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.packed import LineSlice
from pulse_tui.model.search.dense import Literal
from pulse_tui.model.search.needle import FieldNeedle
from pulse_tui.model.search.text import TooSlow, hits

#: Seconds the regex work on one chunk may take before the search stops with an error.
CHUNK_TIMEOUT = 1.0
TOO_SLOW = "regex too slow, search stopped; simplify it (nested repeats like (a+)+ ?)"


class SearchError(ValueError):
    """A query that cannot be used; the message is one line, fit for a status bar."""


@dataclass(slots=True, eq=False)
class Chunk:
    """Lines `index`..`index + len(texts)` of a buffer with their columns (see
    `LogBuffer.column_chunks`), and the deadline for the regex work on them."""

    buffer: LogBuffer
    index: int
    texts: LineSlice
    meta: bytes
    origins: array[int]
    origin_table: list[tuple[str, str, str]]
    deadline: float

    def hits(
        self,
        pattern: regex.Pattern[str],
        verify: Callable[[str], bool],
        *,
        bounded: bool = True,
        literal: Literal | None = None,
        needle: FieldNeedle | None = None,
    ) -> list[int]:
        """Absolute indices of the lines holding a match of `pattern` (`verify(line)`
        decides for a match running past its line's end); `SearchError` when the regex
        work runs past `deadline`. `bounded=False` for a literal: it cannot backtrack, and
        `regex` calls with a timeout cost more. `literal`: the query as plain text, when
        it is one (`search.dense` counts its lines when they are many); `needle`: the
        pattern as `search.needle` finds it, when it is a field term's needle."""
        lines, lo, hi = self.texts.packed()
        deadline = self.deadline if bounded else None
        try:
            found = hits(lines, lo, hi, pattern, deadline, verify, literal, self.index, needle)
        except TooSlow:
            raise SearchError(TOO_SLOW) from None
        return clip(found, self)


class ChunkMatcher(Protocol):
    """What a `SearchJob` runs: a `SearchQuery` or a `LineFilter`."""

    def scan_chunk(self, chunk: Chunk) -> list[int]: ...


def chunks(
    buffer: LogBuffer, start: int, stop: int, timeout: float = CHUNK_TIMEOUT
) -> Iterator[Chunk]:
    """The buffer's lines `start`..`stop` (absolute, clipped) as `Chunk`s."""
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


def chunk_per_line(chunk: Chunk, test: Callable[[str], bool]) -> list[int]:
    """`per_line` over a chunk, clipped to the lines the buffer still holds."""
    return clip(per_line(chunk.texts, chunk.index, test), chunk)
