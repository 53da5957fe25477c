"""A block of log lines stored as one string: how the buffer keeps full blocks.

`pack(texts)` joins the lines with "\\n" and records where each starts (`starts`, one
entry more than lines). Reading line i slices it out again; searching runs one regex over
the joined text and maps each hit to its line by a binary search over `starts` (see
`search.text`). Per line that costs the text, its "\\n" and 4 bytes, instead of a str
object (~49 bytes of header) and its list slot (8): the buffer keeps ~35 fewer bytes a
line, and a search has nothing left to join.

Wide characters: CPython stores a str 1, 2 or 4 bytes per character, by its widest
character, so one line with, say, an arrow `→` or a replaced invalid byte would store its
whole block 2 bytes per character. So the block is packed 1 byte per character
(`main`), with each wide line (one beyond Latin-1) replaced by as many "?" (its place
and length kept, so the line starts are the same); the wide lines are packed apart
(`wide`), with their offsets in the block (`wide_offsets`). Reads and searches take a
wide line from `wide`, never from `main`. A block of mostly wide lines is packed as it
is instead, wide.

Finding the wide lines takes no Python step per line: a block is joined whole first,
which is all an all-narrow block needs; one that comes out wide is joined again in
groups of `_GROUP` lines, and only the lines of groups that came out wide are looked at
(with `grouped`, when the previous block had wide lines, the whole join is skipped).
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from itertools import accumulate, repeat
from operator import add
from typing import cast, overload

_ONES = repeat(1)  # `map(add, lengths, _ONES)`: each line's length and its "\n"
_GROUP = 32  # lines joined at once to find wide ones (see the module)
# `sys.getsizeof` of a non-ASCII str stored 1 byte per character, minus its length; one
# stored 2 or 4 bytes per character has a larger header and more bytes per character.
_LATIN1_OVERHEAD = sys.getsizeof("é") - 1


def _narrow(text: str) -> bool:
    """Whether `text` is stored 1 byte per character."""
    return text.isascii() or sys.getsizeof(text) - len(text) == _LATIN1_OVERHEAD


def line_starts(texts: Sequence[str], first: int = 0) -> array[int]:
    """Where each of `texts` starts once joined with "\\n" (starting at `first`), and one
    more entry: where a next line would start."""
    return extend_starts(array("I", [first]), texts)


def extend_starts(starts: array[int], texts: Sequence[str]) -> array[int]:
    """`starts` (from `line_starts`) extended by `texts`, in place; a new array if the
    positions outgrew 4 bytes. Built in C (`accumulate`), no Python per line."""
    last = starts.pop()  # `accumulate` yields it again first
    kept = len(starts)
    try:
        starts.extend(accumulate(map(add, map(len, texts), _ONES), initial=last))
    except OverflowError:  # 4 GiB of text in one block: only unbounded sources get there
        del starts[kept:]
        starts = array("Q", starts)
        starts.extend(accumulate(map(add, map(len, texts), _ONES), initial=last))
    return starts


class PackedPart:
    """Lines joined with "\\n", and where each starts."""

    __slots__ = ("joined", "starts")

    def __init__(self, joined: str, starts: array[int]) -> None:
        #: The lines joined with "\n" (no "\n" after the last).
        self.joined = joined
        #: `starts[i]`: where line i starts in `joined`; one more entry, `len(joined) + 1`.
        self.starts = starts

    def __len__(self) -> int:
        return len(self.starts) - 1

    def line(self, i: int) -> str:
        starts = self.starts
        return self.joined[starts[i] : starts[i + 1] - 1]

    def chars(self, first: int, stop: int) -> int:
        """Characters of lines `first`..`stop` (their "\\n" not counted)."""
        if stop <= first:
            return 0
        return self.starts[stop] - self.starts[first] - (stop - first)


class PackedLines(Sequence[str]):
    """Lines as one `PackedPart`, or two with the wide lines apart (see the module);
    never changes once built."""

    __slots__ = ("main", "wide", "wide_offsets")

    def __init__(
        self,
        main: PackedPart,
        wide: PackedPart | None = None,
        wide_offsets: array[int] | None = None,
    ) -> None:
        #: Every line; with `wide`, the wide ones as "?"s (same length, same starts).
        self.main = main
        #: The wide lines when kept apart, else None.
        self.wide = wide
        #: Ascending offsets of the lines in `wide`, else None.
        self.wide_offsets = wide_offsets

    def __len__(self) -> int:
        return len(self.main)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        offsets = self.wide_offsets
        if offsets is not None and self.wide is not None:
            j = bisect_left(offsets, index)
            if j < len(offsets) and offsets[j] == index:
                return self.wide.line(j)
        return self.main.line(index)

    def __iter__(self) -> Iterator[str]:
        return iter(self.texts(0, len(self)))

    def texts(self, lo: int, hi: int) -> list[str]:
        """Lines `lo`..`hi` as separate strings."""
        if self.wide is None:
            joined, starts = self.main.joined, self.main.starts
            return [joined[starts[i] : starts[i + 1] - 1] for i in range(lo, hi)]
        return [self[i] for i in range(lo, hi)]

    def wide_range(self, lo: int, hi: int) -> tuple[int, int]:
        """Which lines of `wide` lie in lines `lo`..`hi` (`first`, `stop`)."""
        offsets = self.wide_offsets
        if offsets is None:
            return 0, 0
        return bisect_left(offsets, lo), bisect_left(offsets, hi)

    def chars(self, lo: int, hi: int) -> int:
        """Characters of lines `lo`..`hi` (what the buffer counts as their bytes)."""
        return self.main.chars(lo, hi)

    @property
    def has_wide(self) -> bool:
        """Whether any line is wide (beyond Latin-1)."""
        return self.wide is not None or not _narrow(self.main.joined)


def pack(
    texts: Sequence[str | None], starts: array[int] | None = None, *, grouped: bool = False
) -> PackedLines:
    """`texts` packed (None, a dropped line, as ""); `starts`, if given, must be
    `line_starts(texts)` (the buffer builds it as lines arrive, while they are in cache).

    `grouped`: join in groups straight away, expecting wide lines (the buffer passes
    whether the previous block had some); else join the whole block first, which is all
    an all-narrow block needs, and group only if it comes out wide."""
    try:
        # Taken as all str: `join` raises TypeError at a None, and then it is replaced.
        return _pack(cast("Sequence[str]", texts), starts, grouped)
    except TypeError:  # a None: cheaper to catch than to look for (rare: small buffers)
        return _pack([t or "" for t in texts], None, grouped)


def pack_joined(joined: str, starts: array[int]) -> PackedLines:
    """`pack` of the lines already joined by "\\n" into `joined`, `starts` theirs (the
    open block's, `logs.open_block`): a narrow block is packed as it is, with no join."""
    if _narrow(joined):
        return PackedLines(PackedPart(joined, starts))
    return _pack(joined.split("\n"), starts, True)


def _pack(lines: Sequence[str], starts: array[int] | None, grouped: bool) -> PackedLines:
    count, join = len(lines), "\n".join
    if starts is None:
        starts = line_starts(lines)
    if not grouped:
        joined = join(lines)
        if _narrow(joined):
            return PackedLines(PackedPart(joined, starts))
        del joined  # wide: 2-4 bytes a character, joined again below
    groups = [join(lines[g : g + _GROUP]) for g in range(0, count, _GROUP)]
    wide: list[int] = []
    found: list[tuple[int, list[str], list[int]]] = []  # (group, its lines, wide ones)
    for k, joined in enumerate(groups):
        if joined.isascii() or _narrow(joined):
            continue
        first = k * _GROUP
        group = list(lines[first : first + _GROUP])
        mine = [i for i, t in enumerate(group, first) if not t.isascii() and not _narrow(t)]
        wide += mine
        found.append((k, group, mine))
    if not wide or 2 * len(wide) > count:  # mostly wide: "?"s and two parts cost more
        return PackedLines(PackedPart(join(groups), starts))
    for k, group, mine in found:
        first = k * _GROUP
        for i in mine:
            group[i - first] = "?" * len(group[i - first])
        groups[k] = join(group)
    wide_lines = [lines[i] for i in wide]
    return PackedLines(
        PackedPart(join(groups), starts),
        PackedPart(join(wide_lines), line_starts(wide_lines)),
        array("H" if count <= 2**16 else "I", wide),
    )


class LineSlice(Sequence[str]):
    """Lines `lo`..`hi` of one buffer block as read at one moment (what
    `LogBuffer.column_chunks` yields): a packed block itself, or a copy of an open
    block's texts (None, a line dropped meanwhile, reads as "")."""

    __slots__ = ("_packed", "hi", "lines", "lo")

    def __init__(self, lines: PackedLines | list[str | None], lo: int, hi: int) -> None:
        self.lines = lines
        self.lo, self.hi = lo, hi
        self._packed: PackedLines | None = None

    def __len__(self) -> int:
        return self.hi - self.lo

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < self.hi - self.lo:
            raise IndexError("line slice index out of range")
        return self.lines[self.lo + index] or ""

    def __iter__(self) -> Iterator[str]:
        lines = self.lines
        if isinstance(lines, PackedLines):
            return iter(lines.texts(self.lo, self.hi))
        return (t or "" for t in lines[self.lo : self.hi])

    def packed(self) -> tuple[PackedLines, int, int]:
        """`(packed, lo, hi)`: these lines are lines `lo`..`hi` of `packed` (an open
        block's copy is packed on the first call, for bulk search)."""
        if isinstance(self.lines, PackedLines):
            return self.lines, self.lo, self.hi
        if self._packed is None:  # a filter's queries share it
            self._packed = pack(self.lines[self.lo : self.hi])
        return self._packed, 0, self.hi - self.lo
