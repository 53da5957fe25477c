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
"\\n" is a line's end here): the tests compare both on hostile lines. Runs of spaces are
followed `_STEPS` characters at a time; an occurrence still in spaces after that leaves
its line to the regex (`verify`), so a line of 10,000 spaces costs one regex call, not
10,000 numpy steps.
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
            found = self._back_from_value(walk)
        else:
            found = self._forward_from_key(walk)
        line_starts = np.frombuffer(starts, np.dtype(starts.typecode))[first : stop + 1]
        relative = line_starts.astype(np.intp) - lo
        lines = _line_numbers(relative, found)
        if len(walk.undecided):
            decided = set(lines.tolist())
            for k in set(_line_numbers(relative, walk.undecided).tolist()) - decided:
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

    def _forward_from_key(self, walk: _Walk) -> Positions:
        key = self.key.encode("latin-1")
        start = occurrences(walk.text, key, fold=False)
        walk.begin(start, start + len(key))
        walk.step_if(_QUOTE, 1)
        walk.spaces(1)
        walk.keep(_SEPARATOR[walk.char(walk.pos)])
        walk.pos += 1
        if self.value is not None:
            value = self.value.encode("latin-1")
            walk.spaces(1)
            walk.step_if(_QUOTE, 1)
            walk.literal(value, fold=self.fold)
            walk.keep(_END[walk.char(walk.pos + len(value))])
        return walk.start

    def _back_from_value(self, walk: _Walk) -> Positions:
        assert self.value is not None
        value = self.value.encode("latin-1")
        start = occurrences(walk.text, value, fold=self.fold)
        walk.begin(start, start + len(value))
        walk.keep(_END[walk.char(walk.pos)])
        walk.pos = walk.start - 1
        walk.step_if(_QUOTE, -1)
        walk.spaces(-1)
        walk.keep(_SEPARATOR[walk.char(walk.pos)])
        walk.pos -= 1
        walk.spaces(-1)
        walk.step_if(_QUOTE, -1)
        key = self.key.encode("latin-1")
        walk.pos -= len(key) - 1
        walk.literal(key, fold=False)
        return walk.start  # the value's start: on the key's line


class _Walk:
    """Occurrences followed through a text: where each started (`start`) and where it is
    now (`pos`), dropping those that fail a step; `undecided` collects the positions
    left to the regex."""

    def __init__(self, text: npt.NDArray[np.uint8]) -> None:
        self.text = text
        self.start: Positions = np.empty(0, np.intp)
        self.pos: Positions = np.empty(0, np.intp)
        self.undecided: Positions = np.empty(0, np.intp)

    def begin(self, start: Positions, pos: Positions) -> None:
        self.start, self.pos = start, pos

    def char(self, pos: Positions) -> npt.NDArray[np.uint8]:
        """The characters at `pos`, "\\n" before the text and past its end (a line's
        edge, as the text's own "\\n"s are)."""
        n = len(self.text)
        chars = self.text.take(pos, mode="clip")
        outside = (pos < 0) | (pos >= n)
        if outside.any():
            chars = np.where(outside, np.uint8(_NL), chars)
        return chars

    def keep(self, mask: npt.NDArray[np.bool_]) -> None:
        self.start, self.pos = self.start[mask], self.pos[mask]

    def step_if(self, byte: int, direction: int) -> None:
        """Step over `byte` where it is next (an optional character)."""
        self.pos = self.pos + direction * (self.char(self.pos) == byte)

    def spaces(self, direction: int) -> None:
        """Step over a run of spaces; occurrences in a run longer than `_STEPS` go to
        `undecided`."""
        for _ in range(_STEPS):
            inside = _SPACE[self.char(self.pos)]
            if not inside.any():
                return
            self.pos = self.pos + direction * inside
        inside = _SPACE[self.char(self.pos)]
        if inside.any():
            self.undecided = np.concatenate((self.undecided, self.start[inside]))
            self.keep(~inside)

    def literal(self, needle: bytes, *, fold: bool) -> None:
        """Keep the occurrences where `needle` (lowered with `fold`) starts at `pos`."""
        for k, byte in enumerate(needle):
            if not len(self.pos):
                return
            chars = self.char(self.pos + k)
            if fold:
                chars = _LOWER[chars]
            self.keep(chars == byte)


def _line_numbers(relative_starts: Positions, positions: Positions) -> Positions:
    """The line (0 = the part's first searched) of each ascending position, each once."""
    lines = np.searchsorted(relative_starts, positions, "right") - 1
    if len(lines) > 1:
        keep = np.empty(len(lines), np.bool_)
        keep[0] = True
        np.not_equal(lines[1:], lines[:-1], out=keep[1:])
        lines = lines[keep]
    return lines
