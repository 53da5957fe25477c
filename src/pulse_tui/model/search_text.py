"""A block of log lines as text for bulk search, and the mapping of hits back to lines.

`BlockText.build(texts)` joins the lines with "\\n" and records where each line starts,
so one regex search runs over the whole block at C speed and each hit is mapped to its
line by a binary search over the starts: Python only runs once per *matching* line,
never per line scanned, and never counts newlines (`str.count("\\n")` is a plain byte
loop, slower than the search itself).

Wide characters: CPython stores a str 1, 2 or 4 bytes per character, by its widest
character, so one line with, say, the `␛` the sanitiser writes for ESC would store its
whole joined block 2 bytes per character and make joining it ~4x slower. When the joined
text comes out wide, the block is joined again as two parts: the ASCII lines (1 byte per
character) and the other lines, each part mapping its lines back to the block's offsets.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate
from time import monotonic

import regex

_ONE_MORE = (1).__add__  # line length + its "\n"
# `sys.getsizeof` of a str is its header plus its characters; the header is < 100 bytes,
# so anything past that means 2 or 4 bytes per character (see the module doc).
_NARROW_OVERHEAD = 100


class TooSlow(Exception):
    """The regex work on a block ran past its deadline."""


class _Part:
    """Some of a block's lines joined with "\\n", where each starts, and which they are."""

    __slots__ = ("_starts", "_texts", "joined", "offsets")

    def __init__(self, joined: str, texts: Sequence[str], offsets: array[int] | None) -> None:
        #: `texts` joined with "\n".
        self.joined = joined
        #: The block offset of each line, or None when they are all the block's lines.
        self.offsets = offsets
        self._texts: Sequence[str] | None = texts
        self._starts: array[int] | None = None

    @property
    def starts(self) -> array[int]:
        """`starts[i]`: where line i starts in `joined`; one more entry, `len(joined) + 1`.

        Built on the first hit: it costs as much as the join, and a rare word has no hit
        in most blocks."""
        starts, texts = self._starts, self._texts
        if starts is not None:
            return starts
        if texts is None:  # another job (thread) just built it: `_starts` is set first
            assert self._starts is not None
            return self._starts
        typecode = "I" if len(self.joined) < 2**32 - 1 else "Q"
        # Two jobs may both build it: the same array, whichever is kept.
        starts = array(typecode, accumulate(map(_ONE_MORE, map(len, texts)), initial=0))
        self._starts = starts
        self._texts = None
        return starts

    def hits(
        self, pattern: regex.Pattern[str], deadline: float | None, verify: Callable[[str], bool]
    ) -> list[int]:
        """Offsets (in the block) of the lines holding a match of `pattern`."""
        out: list[int] = []
        joined, finditer = self.joined, pattern.finditer
        starts: array[int] | None = None
        size = len(joined)
        pos = line = 0  # `pos`: where the lines not looked at yet start
        try:
            # One `finditer` per block, not one `search` per hit: a call with a timeout
            # costs ~4 us before matching anything. It restarts only after a second match
            # on a line already counted, or one running into the next line.
            while pos <= size:
                # `regex` wants a positive timeout; past the deadline it gets a token one.
                timeout = None if deadline is None else max(deadline - monotonic(), 0.001)
                for match in finditer(joined, pos, concurrent=True, timeout=timeout):
                    start, end = match.span()
                    if start < pos:
                        break
                    if starts is None:
                        starts = self.starts
                    line = bisect_right(starts, start, line) - 1
                    pos = starts[line + 1]
                    if end < pos:
                        out.append(line)
                        continue
                    # Past its line's "\n" (`\s`, `[^x]` can match it): that line alone
                    # decides, and the next line is searched afresh.
                    if verify(joined[starts[line] : pos - 1]):
                        out.append(line)
                    break
                else:
                    break
        except TimeoutError:
            raise TooSlow from None
        if self.offsets is None:
            return out
        offsets = self.offsets
        return [offsets[i] for i in out]

    @property
    def nbytes(self) -> int:
        """Memory held: the joined text, the starts and the offsets."""
        size = sys.getsizeof(self.joined) + 2 * len(self.offsets or ())
        starts, texts = self._starts, self._texts
        if starts is not None:
            return size + starts.itemsize * len(starts)
        return size + (0 if texts is None else sys.getsizeof(texts))


class BlockText:
    """The lines of one chunk, searchable as one or two joined strings (see the module)."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[_Part, ...]) -> None:
        self.parts = parts

    @classmethod
    def build(cls, texts: Sequence[str | None]) -> BlockText:
        """`texts` ready for search; None (a dropped line) is searched as "" (callers
        drop hits below the buffer's `first_index`)."""
        lines: Sequence[str] = texts  # type: ignore[assignment] - checked by the join
        try:
            joined = "\n".join(lines)
        except TypeError:  # cheaper than looking for None first: it is rare
            lines = [t or "" for t in texts]
            joined = "\n".join(lines)
        if joined.isascii() or sys.getsizeof(joined) - len(joined) < _NARROW_OVERHEAD:
            return cls((_Part(joined, lines, None),))
        narrow, wide = array("H"), array("H")
        for i, text in enumerate(lines):
            (narrow if text.isascii() else wide).append(i)
        if not narrow:
            return cls((_Part(joined, lines, None),))
        parts = []
        for offsets in (narrow, wide):
            picked = [lines[i] for i in offsets]
            parts.append(_Part("\n".join(picked), picked, offsets))
        return cls(tuple(parts))

    def hits(
        self, pattern: regex.Pattern[str], deadline: float | None, verify: Callable[[str], bool]
    ) -> list[int]:
        """Offsets (in the chunk, ascending) of the lines holding a match of `pattern`,
        `TooSlow` once the regex work runs past `deadline` (`time.monotonic()`; None:
        no bound, for literals, whose search cannot backtrack)."""
        if len(self.parts) == 1:
            return self.parts[0].hits(pattern, deadline, verify)
        return sorted([i for part in self.parts for i in part.hits(pattern, deadline, verify)])

    @property
    def chars(self) -> int:
        """Characters of joined text (a cache's budget counts these)."""
        return sum(len(part.joined) for part in self.parts)

    @property
    def nbytes(self) -> int:
        """Memory held, in bytes (approximately: object headers aside)."""
        return sum(part.nbytes for part in self.parts)
