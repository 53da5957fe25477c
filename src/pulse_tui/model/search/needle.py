"""The lines of a packed Latin-1 block where a field term's needle matches, in numpy.

A field term (`shard=1`, `ms=42`) first narrows the lines by its needle (see
`FieldTerm.needle`): the key, an optional `"`, spaces, `=` or `:`, spaces, an optional
`"`, then, for `key=value`, the value and where it ends (a space, `"`, `,`, `}`, `]`, or the
line's end). The `regex` module searching that over a block measured 85-98% of a field
search, and several times `grep -E` on the same bytes.

`FieldNeedle.lines` answers the same question without the regex. It finds one of the two
literals, the key or the value (whichever is rarer in the block's first bytes), with
`search.occurrences`, then follows the needle from each occurrence one character class
at a time over all occurrences at once: forward from the key, or backward from the value
to the key and forward to its end. No step is ambiguous, so no backtracking is needed:
`"` can only be the optional quote, a space only the spaces, and `=`/`:` only the
separator (a key holds none of them, and a value that would make the forward walk
ambiguous, one starting with a space, is found from the value). The character classes are
taken from the `regex` engine itself (`\\s` over the 256 Latin-1 characters), so they are
the needle's exactly.

The answer is the regex's line by line (`search.text`: a match never spans lines, so
"\n" is a line's end here): the tests compare both on hostile lines. Each occurrence is
followed by one position, which never leaves its line; runs of spaces are followed
`_STEPS` characters at a time, and an occurrence still in spaces after that leaves its
line to the regex (`verify`), as do the few too near the text's edges for the walk to
stay inside it unchecked: a line of 10,000 spaces costs one regex call, not 10,000 numpy
steps, and no step checks for the edges.

Measured on the 1M-line bench corpus: `ms=42` 288 -> ~85 ms, `shard=1`'s needle 139 ->
~80 ms (its fields, parsed on the 17.6k lines it leaves, are the rest).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import regex

from pulse_tui.model.search.occurrences import occurrences

Positions = npt.NDArray[np.intp]

_NL = ord("\n")
_QUOTE = ord('"')
_LATIN1 = [chr(c) for c in range(256)]
# The needle's classes over Latin-1, from the engine that runs the needle. "\n" is no
# space here: it ends the line, and so it ends a value as `$` does.
_SPACE = np.array([regex.match(r"\s", c) is not None and c != "\n" for c in _LATIN1])
_END = np.array([regex.match(r'[\s",}\]]', c) is not None for c in _LATIN1])
_SEPARATOR = np.array([c in "=:" for c in _LATIN1])
_LOWER = np.frombuffer("".join(_LATIN1).lower().encode("latin-1"), np.uint8)
#: Characters of a run of spaces followed in bulk before the regex decides the line.
_STEPS = 8
#: Characters of a block counted to choose which literal to find.
_SAMPLE = 4096
#: `occurrences`' `rare` for a key or value: a byte compared alone must be rarer than
#: for text (keys and values are short and common: `4` of `42`, once in ~110 bytes of
#: the bench corpus, left 5,000 candidates a block to find, where comparing both bytes
#: left 528: 108 us a block against 149; `shard` 138 against 210).
_RARE = 1024


@dataclass(frozen=True, slots=True)
class FieldNeedle:
    """A field term's needle as `lines` finds it (see `FieldTerm.needle`, the same needle
    as a regex)."""

    #: The key, case-sensitive (`_VERBATIM` characters: ASCII, no `"`, `\\` or `/`).
    key: str
    #: The value, for `key=value` (lowered with `fold`), else None: the key alone.
    value: str | None
    #: The value is matched case-insensitively.
    fold: bool

    def lines(
        self,
        joined: str,
        starts: array[int],
        first: int,
        stop: int,
        shift: int,
        verify: Callable[[str], bool],
    ) -> list[int]:
        """`shift` + each of lines `first`..`stop` of a packed Latin-1 part (`joined`,
        `starts`, see `logs.packed`) where the needle matches, ascending; `verify(line)`:
        the regex on one line, for the few lines not decided in bulk."""
        if stop <= first:
            return []
        lo, hi = starts[first], starts[stop] - 1
        whole = 2 * (hi - lo) > len(joined)  # as `search.dense`: one copy, not two
        data = joined.encode("latin-1") if whole else joined[lo:hi].encode("latin-1")
        text = np.frombuffer(data, np.uint8)
        if whole:
            text = text[lo:hi]
        walk = _Walk(text)
        if self.value is not None and self._from_value(joined, lo, hi):
            self._back_from_value(walk)
        else:
            self._forward_from_key(walk)
        line_starts = np.frombuffer(starts, np.dtype(starts.typecode))[first : stop + 1]
        relative = line_starts.astype(np.intp) - lo
        lines = _line_numbers(relative, walk.pos)
        if walk.undecided:
            undecided = np.concatenate(walk.undecided)
            decided = set(lines.tolist())
            for k in set(_line_numbers(relative, undecided).tolist()) - decided:
                line = joined[starts[first + k] : starts[first + k + 1] - 1]
                if verify(line):
                    decided.add(k)
            lines = np.array(sorted(decided), np.intp)
        lines += first + shift
        result: list[int] = lines.tolist()
        return result

    def _from_value(self, joined: str, lo: int, hi: int) -> bool:
        """Whether to find the value first: rarer than the key in the block's first
        `_SAMPLE` characters, or starting with a space (see the module)."""
        assert self.value is not None
        if _SPACE[ord(self.value[0])]:
            return True
        sample = joined[lo : min(hi, lo + _SAMPLE)]
        if self.fold:
            sample = sample.lower()
        return sample.count(self.value) < sample.count(self.key)

    def _forward_from_key(self, walk: _Walk) -> None:
        key = self.key.encode("latin-1")
        walk.begin(occurrences(walk.text, key, fold=False, rare=_RARE), len(key))
        walk.step(len(key))
        walk.skip_quote(1)
        walk.skip_spaces(1)
        walk.keep(_SEPARATOR)
        walk.step(1)
        if self.value is not None:
            value = self.value.encode("latin-1")
            walk.skip_spaces(1)
            walk.skip_quote(1)
            walk.literal(value, fold=self.fold)
            walk.step(len(value))
            walk.keep(_END)

    def _back_from_value(self, walk: _Walk) -> None:
        assert self.value is not None
        value = self.value.encode("latin-1")
        key = self.key.encode("latin-1")
        found = occurrences(walk.text, value, fold=self.fold, rare=_RARE)
        walk.begin(found, len(key) + len(value))
        walk.step(len(value))
        walk.keep(_END)
        walk.step(-len(value) - 1)
        walk.skip_quote(-1)
        walk.skip_spaces(-1)
        walk.keep(_SEPARATOR)
        walk.step(-1)
        walk.skip_spaces(-1)
        walk.skip_quote(-1)
        walk.step(1 - len(key))
        walk.literal(key, fold=False)


class _Walk:
    """Occurrences followed through a text, each by one position (`pos`, always on the
    occurrence's line), dropping those that fail a step; `undecided` collects positions
    whose lines are left to the regex: in a run of spaces longer than `_STEPS`, or too
    near the text's edges for the walk to stay inside it without a check at each step
    (a line or two a block)."""

    def __init__(self, text: npt.NDArray[np.uint8]) -> None:
        self.text = text
        # Every 8 bytes as a word at every offset (an overlapping view, as
        # `search.occurrences` checks candidates): a literal of up to 8 bytes is one
        # gather and one compare.
        self.words = np.ndarray((max(len(text) - 7, 0),), np.uint64, text, 0, (1,))
        self.pos: Positions = np.empty(0, np.intp)
        self.undecided: list[Positions] = []

    def begin(self, found: Positions, literals: int) -> None:
        """Start from the occurrences `found`; `literals`: the bytes of the key and
        value, how far (with the spaces and the rest) the walk may go either way."""
        margin = literals + 2 * _STEPS + 16
        n = len(self.text)
        inner = (found >= margin) & (found < n - margin)
        if not inner.all():
            self.undecided.append(found[~inner])
            found = found[inner]
        self.pos = found

    def step(self, by: int) -> None:
        self.pos = self.pos + by

    def keep(self, table: npt.NDArray[np.bool_]) -> None:
        """Keep the occurrences whose character at `pos` is in `table`."""
        self.pos = self.pos[table[self.text[self.pos]]]

    def skip_quote(self, direction: int) -> None:
        """Step over a `"` where it is next (the optional quote)."""
        quote = self.text[self.pos] == _QUOTE
        if quote.any():
            self.pos = self.pos + direction * quote

    def skip_spaces(self, direction: int) -> None:
        """Step over a run of spaces; occurrences in one longer than `_STEPS` go to
        `undecided`."""
        for _ in range(_STEPS):
            inside = _SPACE[self.text[self.pos]]
            if not inside.any():
                return
            self.pos = self.pos + direction * inside
        inside = _SPACE[self.text[self.pos]]
        if inside.any():
            self.undecided.append(self.pos[inside])
            self.pos = self.pos[~inside]

    def literal(self, needle: bytes, *, fold: bool) -> None:
        """Keep the occurrences where `needle` (lowered with `fold`) starts at `pos`."""
        for k in range(0, len(needle), 8):
            part = needle[k : k + 8]
            if not len(self.pos):
                return
            got = self.words[self.pos + k]
            if fold:
                got = _LOWER[got.view(np.uint8)].view(np.uint64)
            mask = np.uint64((1 << (8 * len(part))) - 1)
            want = np.uint64(int.from_bytes(part, "little"))
            self.pos = self.pos[(got & mask) == want]


def _line_numbers(relative_starts: Positions, positions: Positions) -> Positions:
    """The line (0 = the part's first searched) of each position, each once (positions
    of one line may come in any order, lines in ascending order)."""
    lines = np.searchsorted(relative_starts, positions, "right") - 1
    if len(lines) > 1:
        keep = np.empty(len(lines), np.bool_)
        keep[0] = True
        np.not_equal(lines[1:], lines[:-1], out=keep[1:])
        lines = lines[keep]
    return lines
