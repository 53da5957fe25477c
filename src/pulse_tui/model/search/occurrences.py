"""Where a literal occurs in Latin-1 text, found in bulk with numpy: no Python per hit.

The text's bytes (a Latin-1 str encodes to them with one copy) are compared whole
against the literal's rarest byte, or its first and last (see `_anchors`), SIMD-style: one or two
vectorised compares leave the candidates, a small fraction of the text, and each is then
checked 8 bytes at a time through an overlapping 8-byte view of the text (one gather and
compare per 8 bytes of the literal, over the candidates only). No str is made per hit,
unlike `str.split`, and no newline is counted: the caller maps the positions to lines
with a binary search over the line starts, in numpy too.

Case folding (`fold`) is Latin-1's `str.lower`, as `search.dense` uses it: the compare
that finds candidates ORs 0x20 into both sides, which keeps every character whose lower case is
the literal's (an upper-case Latin-1 letter is its lower case minus 0x20, and the OR
only adds characters), and the check then lowers the candidates' bytes by a 256-entry
table taken from `str.lower` itself, so the answer is the lowered text's, exactly.

Each numpy call works on one block (~550 kB) at most, well under a millisecond; the
compares over the whole block release the GIL. The block-sized intermediates go into
buffers kept per thread (`_Scratch`: ~1.7 MB for each thread that searched, freed with
it; a `SearchJob` runs in a thread of its own). Allocated anew for each block, glibc
handed the memory back and faulted it in again every time, which measured 4-5x the
compares themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Positions = npt.NDArray[np.intp]

# Latin-1 `str.lower`, byte for byte (each Latin-1 character lowers to one Latin-1
# character: `encode` would fail here otherwise).
_LOWER = np.frombuffer(bytes(range(256)).decode("latin-1").lower().encode("latin-1"), np.uint8)
_WORD = 8  # bytes compared at once in the check of candidates
_EMPTY: Positions = np.empty(0, np.intp)
_SAMPLE = 4096  # bytes of the text counted to choose the bytes compared first
_RARE = 64  # a byte at most once in this many is compared alone


class _Scratch(threading.local):
    """Block-sized buffers for `occurrences`, one set per thread, grown as needed (three
    bytes per byte of the largest block searched: ~1.7 MB for a 4,096-line block)."""

    def __init__(self) -> None:
        self.size = 0
        self.folded = np.empty(0, np.uint8)
        self.first = np.empty(0, np.bool_)
        self.last = np.empty(0, np.bool_)

    def fit(self, size: int) -> None:
        if size > self.size:
            self.size = size + size // 4  # blocks vary in size: room to spare
            self.folded = np.empty(self.size, np.uint8)
            self.first = np.empty(self.size, np.bool_)
            self.last = np.empty(self.size, np.bool_)


_scratch = _Scratch()


def occurrences(
    text: npt.NDArray[np.uint8], needle: bytes, *, fold: bool, rare: int = _RARE
) -> Positions:
    """Ascending start of every occurrence of `needle` in `text` (overlapping ones
    too), `fold`: in `text` lowered (`needle` must be lowered already); `rare`: a byte
    at most once in this many is compared alone (see `_anchors`)."""
    n, m = len(text), len(needle)
    if m == 0 or n < m:
        return _EMPTY
    scratch = _scratch
    scratch.fit(n)
    hay, keys = text, needle
    if fold:
        hay = np.bitwise_or(text, np.uint8(0x20), out=scratch.folded[:n])
        keys = bytes(c | 0x20 for c in needle)
    span = n - m + 1  # where an occurrence can start
    # Folded, every candidate costs a lowering too: the first and last bytes.
    anchors = _anchors(hay, keys, alone=not fold, rare=rare)
    k = anchors[0]
    hit = np.equal(hay[k : k + span], np.uint8(keys[k]), out=scratch.first[:span])
    for k in anchors[1:]:
        also = np.equal(hay[k : k + span], np.uint8(keys[k]), out=scratch.last[:span])
        np.logical_and(hit, also, out=hit)
    return _check(text, needle, _true_positions(hit), () if fold else anchors)


def _anchors(hay: npt.NDArray[np.uint8], keys: bytes, *, alone: bool, rare: int) -> list[int]:
    """Offsets in `keys` of the bytes whose compare with the whole text leaves the
    candidates: with `alone`, the one rarest in the text's first `_SAMPLE` bytes when it
    is rare (an `I` or a `q` in a log, not an `e` or a space): one pass over the text
    and few candidates to check. Else the first and the last: two bytes that far apart
    match together by chance less often than two rare ones (measured: `timeout` leaves
    440 candidates a block that way, 1,600 by its rarest two)."""
    if alone:
        counts: list[int] = np.bincount(hay[:_SAMPLE], minlength=256).tolist()
        rarest = min(range(len(keys)), key=lambda k: counts[keys[k]])
        if counts[keys[rarest]] * rare <= min(len(hay), _SAMPLE):
            return [rarest]
    return [0, len(keys) - 1] if len(keys) > 1 else [0]


def _true_positions(flags: npt.NDArray[np.bool_]) -> Positions:
    """`np.flatnonzero(flags)`, faster for sparse flags (~40% less on a block): the flags
    are read 8 at a time as words, and only the nonzero words are looked into."""
    whole = len(flags) - len(flags) % _WORD
    words = flags[:whole].view(np.uint64)
    nonzero = np.flatnonzero(words != 0)
    inside = np.flatnonzero(words[nonzero].view(np.bool_))  # word k's flags: 8k..8k+7
    found = nonzero[inside >> 3] * _WORD + (inside & (_WORD - 1))
    if whole < len(flags):
        found = np.concatenate((found, np.flatnonzero(flags[whole:]) + whole))
    return found


def _check(
    text: npt.NDArray[np.uint8], needle: bytes, found: Positions, checked: Sequence[int]
) -> Positions:
    """The candidates `found` where `needle` really starts (`checked`: offsets compared
    already, exactly; none when folding, where the compare was a superset)."""
    m = len(needle)
    if not len(found):
        return found
    fold = not checked
    if m < _WORD:
        # Byte by byte: under 8 columns.
        for k in range(m):
            if k in checked:
                continue
            got = text[found + k]
            if fold:
                got = _LOWER[got]
            found = found[got == needle[k]]
        return found
    # Every 8 bytes of the text as a word, at every offset (an overlapping, unaligned view).
    words = np.ndarray((len(text) - _WORD + 1,), np.uint64, text, 0, (1,))
    for k in [*range(0, m - _WORD, _WORD), m - _WORD]:
        want = np.frombuffer(needle, np.uint64, 1, k)[0]
        got = words[found + k]
        if fold:
            got = _LOWER[got.view(np.uint8)].view(np.uint64)
        found = found[got == want]
        if not len(found):
            break
    return found
