"""The lines of a packed block holding a literal: no Python step per hit.

`search.text` maps each regex hit to its line with a few Python steps, ~1 us a hit on a
slow core: a term on a third of the lines spends 4/5 of its time there, not searching.
For a plain literal in Latin-1 text (nearly every block: see `logs.packed`),
`search.occurrences` finds every occurrence in numpy and a binary search over the line
starts, in numpy too, numbers their lines: ~35-70 ns a line of 137 characters on this
benchmark's corpus whatever the density, against ~60 (rare) to ~200 (39% of lines) by
regex hits or by `str.split`. `search.text` takes this path for every plain literal over
enough lines (`BULK_LINES`).

Text wider than Latin-1 (a block of mostly wide lines, or the wide part of one) keeps
`str.split`: it finds every occurrence at C speed, and the newlines in the pieces
between two occurrences say how many lines apart they lie, so `accumulate` over the
pieces' newline counts numbers the lines, all in C. It costs one more pass over the
text (counting newlines), so it only pays when hits are dense: `search.text` switches
there once a block's first hits show that they are.

Case-insensitive literals search the lowered text. For Latin-1 text and a Latin-1
literal that is exactly what `regex`'s IGNORECASE (simple case folding) matches: every
Latin-1 character lowers to one Latin-1 character, and those folding to the same
character lower to the same one (a test checks all pairs). Wider text or literals keep the
regex path.

These calls hold the GIL (the `regex` search releases it), each over `_SPAN` lines at
most, or one numpy call over a block: well under a millisecond, the UI thread hardly
waits.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate, repeat
from operator import add

import numpy as np

from pulse_tui.model.search.occurrences import occurrences

# `sys.getsizeof` of a non-ASCII str stored 1 byte per character, minus its length.
_LATIN1_OVERHEAD = sys.getsizeof("é") - 1
# Lines split at once (~70 kB of log text): the slice, its lowered copy and the pieces
# stay in the CPU cache. A whole block at once (~550 kB) measured ~1.4x slower folding.
_SPAN = 512
# Fewer occurrences than one line in `_SPARSE`: find each one's line by a binary search
# (~240 ns an occurrence) rather than by counting every newline (~85 ns a line of 137
# characters, at ~1.6 GB/s).
_SPARSE = 3
#: Lines from which a plain literal in Latin-1 text is searched by `occurrences` straight
#: away (fewer: by the regex, whose fixed cost is lower than numpy's ~20 calls).
BULK_LINES = 256


def latin1(text: str) -> bool:
    """Whether every character of `text` is Latin-1 (the str is stored 1 byte each): O(1)."""
    return text.isascii() or sys.getsizeof(text) - len(text) == _LATIN1_OVERHEAD


@dataclass(frozen=True, slots=True)
class Literal:
    """A plain-text query as the dense path searches it."""

    #: The text to find (never empty, no "\n").
    text: str
    #: Case-insensitive: search the lowered text for the lowered literal.
    fold: bool

    @classmethod
    def of(cls, pattern: str, *, ignore_case: bool) -> Literal | None:
        """The literal for a plain-text query, or None when the dense path cannot take it
        (empty: every line matches anyway; a "\\n": matched per line; folding beyond
        Latin-1, see the module)."""
        if not pattern or "\n" in pattern or (ignore_case and not latin1(pattern)):
            return None
        return cls(pattern.lower() if ignore_case else pattern, ignore_case)

    def takes(self, joined: str) -> bool:
        """Whether this literal can be searched in `joined` this way."""
        return not self.fold or latin1(joined)

    def bulk(self, joined: str) -> bool:
        """Whether `joined` is searched by `occurrences` (Latin-1 text)."""
        return latin1(joined)


def literal_lines(
    joined: str, starts: array[int], first: int, stop: int, literal: Literal, shift: int
) -> list[int]:
    """`shift` + the number of each of lines `first`..`stop` of a packed part (`joined`,
    `starts`, see `logs.packed`) holding `literal`, ascending, each once."""
    if stop <= first:
        return []
    if latin1(joined):
        return _by_occurrences(joined, starts, first, stop, literal, shift)
    out: list[int] = []
    table: list[int] | None = None  # `starts` as a list, made once, for `_by_search`
    for a in range(first, stop, _SPAN):
        b = min(a + _SPAN, stop)
        pieces = _pieces(joined, starts, a, b, literal)
        if not pieces:
            continue
        if len(pieces) * _SPARSE < b - a:
            if table is None:
                table = starts.tolist()
            out += _by_search(pieces, table, starts[a], len(literal.text), shift)
        else:
            out += _by_newlines(pieces, a + shift)
    return out


def _by_occurrences(
    joined: str, starts: array[int], first: int, stop: int, literal: Literal, shift: int
) -> list[int]:
    """`literal_lines` for Latin-1 `joined`, by `search.occurrences`."""
    try:
        needle = literal.text.encode("latin-1")
    except UnicodeEncodeError:  # wider than the text: it cannot occur there
        return []
    lo, hi = starts[first], starts[stop] - 1
    # Encoding the whole block is one copy; a slice of it would be two.
    whole = 2 * (hi - lo) > len(joined)
    data = joined.encode("latin-1") if whole else joined[lo:hi].encode("latin-1")
    text = np.frombuffer(data, np.uint8)
    if whole:
        text = text[lo:hi]
    found = occurrences(text, needle, fold=literal.fold)
    if not len(found):
        return []
    # Relative to `lo`: line k (of first..stop) starts at `line_starts[k]`.
    line_starts = np.frombuffer(starts, np.dtype(starts.typecode))[first : stop + 1]
    lines = np.searchsorted(line_starts.astype(np.intp) - lo, found, "right")
    if len(lines) > 1:  # a line holding the literal more than once: keep it once
        keep = np.empty(len(lines), np.bool_)
        keep[0] = True
        np.not_equal(lines[1:], lines[:-1], out=keep[1:])
        lines = lines[keep]
    lines += first + shift - 1
    result: list[int] = lines.tolist()
    return result


def _pieces(joined: str, starts: array[int], first: int, stop: int, literal: Literal) -> list[str]:
    """The text of lines `first`..`stop` split on `literal`, without what follows its
    last occurrence (so one piece per occurrence)."""
    lo, hi = starts[first], starts[stop] - 1
    text = joined if lo == 0 and hi == len(joined) else joined[lo:hi]
    if literal.fold:
        text = text.lower()  # same length: Latin-1 lowers one character to one
    pieces = text.split(literal.text)
    del pieces[-1]  # what follows the last occurrence
    return pieces


def _by_newlines(pieces: list[str], first: int) -> list[int]:
    """The lines of the occurrences, counting the newlines between them (`first`: the
    number of the span's first line)."""
    # Newlines before the first occurrence, then between each and the next.
    gaps = list(map(str.count, pieces, repeat("\n")))
    lines = list(accumulate(gaps, initial=first))
    del lines[0]
    if 0 in gaps[1:]:  # a line holding the literal more than once: keep it once
        lines = list(dict.fromkeys(lines))
    return lines


def _by_search(pieces: list[str], starts: list[int], lo: int, width: int, shift: int) -> list[int]:
    """The lines of the occurrences, by a binary search of each one's end in the line
    `starts` (`lo`: where the pieces' text starts), all in C."""
    # Where each occurrence ends: within its line (no "\n" in a literal), past its start.
    ends = accumulate(map(add, map(len, pieces), repeat(width)), initial=lo)
    next(ends)
    lines = map(bisect_left, repeat(starts), ends)  # each line's number + 1
    return list(dict.fromkeys(map(add, lines, repeat(shift - 1))))
