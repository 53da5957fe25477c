"""Bulk search over packed lines (`logs.packed`), and the mapping of hits back to lines.

One regex search runs over a block's joined text at C speed and each hit is mapped to
its line by a binary search over the block's line starts: Python only runs once per
*matching* line, never per line scanned, and never counts newlines (`str.count("\\n")`
is a plain byte loop, slower than the search itself). A range of a block is searched in
place (`pos`/`endpos`): every line is preceded by "\\n" or the text's start, so `^` and
`\\b` see the range's first line as they would see it alone.

A case-folded literal in Latin-1 text (nearly every block) over `BULK_LINES` lines or
more goes to `search.dense` straight away: there no Python step runs per hit, and its
numpy search beats the regex's IGNORECASE one even with no hit (~0.5x on the rare
literal of `bench_search`). So does a case-sensitive one: it holds an upper-case letter
(smart case), rare in a log's bytes, so numpy's one compare with its rarest byte leaves
few candidates (~170 us a block on `bench_search`'s exact literal, where the regex took
~265 us and `str.find` ~270 us). In wider text or a short range, a case-sensitive literal
is found by `str.find`; any other query by the regex, which switches to `search.dense`
after the block's first `_PROBE_HITS` hits if they came within `_PROBE_LINES` lines:
there, no Python step runs per hit.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable
from itertools import filterfalse
from time import monotonic

import regex

from pulse_tui.model.logs.packed import PackedLines, PackedPart
from pulse_tui.model.search.dense import BULK_LINES, Literal, latin1, literal_lines
from pulse_tui.model.search.needle import FieldNeedle

# Dense: at least 1 hit in 5 lines. A hit costs ~1 us here; `search.dense` then costs
# ~35-60 ns a line whatever the density (numpy, Latin-1 text), or, in wider text, splits
# it (a str per hit) and counts every newline: measured, that gains nothing at ~1 line
# in 6 and takes 0.5-0.6x the time at 2 in 5. The probe's 32 hits cost ~30 us a block.
_PROBE_HITS = 32
_PROBE_LINES = 5 * _PROBE_HITS


class TooSlow(Exception):
    """The regex work on a block ran past its deadline."""


def part_hits(
    part: PackedPart,
    first: int,
    stop: int,
    pattern: regex.Pattern[str],
    deadline: float | None,
    verify: Callable[[str], bool],
    literal: Literal | None = None,
    shift: int = 0,
    needle: FieldNeedle | None = None,
) -> list[int]:
    """`shift` + each of lines `first`..`stop` of `part` holding a match of `pattern`,
    ascending (`literal`: the same query as plain text, for the dense path; `needle`:
    the same as a field term's needle, found by numpy in Latin-1 text)."""
    out: list[int] = []
    if stop <= first:
        return out
    joined, starts, finditer = part.joined, part.starts, pattern.finditer
    if needle is not None and stop - first >= BULK_LINES and latin1(joined):
        return needle.lines(joined, starts, first, stop, shift, verify)
    size = starts[stop] - 1  # the end of the last line: the search's `endpos`
    pos = starts[first]  # where the lines not looked at yet start
    line = first
    dense = literal if literal is not None and literal.takes(joined) else None
    bulk = dense is not None and stop - first >= BULK_LINES and dense.bulk(joined)
    if bulk and dense:
        # Numpy over the block's bytes, dense or not: a rare case-sensitive literal is
        # found by one compare with its rarest byte (measured on `bench_search`'s exact
        # literal over 1M lines: 41 ms, where the regex took 65 ms and `str.find` 66 ms;
        # `grep -c` 44 ms), a folded one by its first and last bytes.
        return literal_lines(joined, starts, first, stop, dense, shift)
    if dense is not None and not dense.fold:
        return _exact_lines(joined, starts, first, stop, dense, shift)
    probe = _PROBE_HITS if dense is not None else 0  # 0: `len(out)` never is
    try:
        # One `finditer` per block, not one `search` per hit: a call with a timeout costs
        # ~4 us before matching anything. It restarts only after a second match on a
        # line already counted, or one running into the next line.
        while pos <= size:
            # `regex` wants a positive timeout; past the deadline it gets a token one.
            timeout = None if deadline is None else max(deadline - monotonic(), 0.001)
            for match in finditer(joined, pos, size, concurrent=True, timeout=timeout):
                start, end = match.span()
                if start < pos:
                    break
                line = bisect_right(starts, start, line, stop) - 1
                pos = starts[line + 1]
                if end < pos:
                    out.append(line + shift)
                    if len(out) == probe and dense and line - first < _PROBE_LINES:
                        out += literal_lines(joined, starts, line + 1, stop, dense, shift)
                        return out
                    continue
                # Past its line's "\n" (`\s`, `[^x]` can match it): that line alone
                # decides, and the next line is searched afresh.
                if verify(joined[starts[line] : pos - 1]):
                    out.append(line + shift)
                break
            else:
                break
    except TimeoutError:
        raise TooSlow from None
    return out


def _exact_lines(
    joined: str, starts: array[int], first: int, stop: int, literal: Literal, shift: int
) -> list[int]:
    """`part_hits` for a case-sensitive literal in a part numpy does not take (wide text,
    or too few lines for its fixed cost): `str.find`, in C, a call per hit instead of the
    regex engine's per-character steps; a literal holds no "\n", so a hit never runs
    into the next line. Dense (the first `_PROBE_HITS` hits within `_PROBE_LINES`
    lines), the rest goes to `search.dense`, as the regex path's does."""
    out: list[int] = []
    text, size = literal.text, starts[stop] - 1
    line = first
    at = joined.find(text, starts[first], size)
    while at >= 0:
        line = bisect_right(starts, at, line, stop) - 1
        out.append(line + shift)
        if len(out) == _PROBE_HITS and line - first < _PROBE_LINES:
            out += literal_lines(joined, starts, line + 1, stop, literal, shift)
            return out
        at = joined.find(text, starts[line + 1], size)
    return out


def hits(
    lines: PackedLines,
    lo: int,
    hi: int,
    pattern: regex.Pattern[str],
    deadline: float | None,
    verify: Callable[[str], bool],
    literal: Literal | None = None,
    base: int = 0,
    needle: FieldNeedle | None = None,
) -> list[int]:
    """`base` + offset from `lo` (ascending) of each of lines `lo`..`hi` holding a match
    of `pattern` (`verify(line)` decides for a match running past its line's end);
    `TooSlow` once the regex work runs past `deadline` (`time.monotonic()`; None: no
    bound, for literals, whose search cannot backtrack). `literal`: the query as plain
    text, when it is one (see `search.dense`); `needle`: `pattern` as `search.needle`
    finds it, when it is a field term's needle."""
    shift = base - lo
    found = part_hits(lines.main, lo, hi, pattern, deadline, verify, literal, shift, needle)
    first, stop = lines.wide_range(lo, hi)
    if stop > first and lines.wide is not None and lines.wide_offsets is not None:
        # Wide lines are "?"s in `main`: what matched there does not count.
        offsets = lines.wide_offsets
        placeholders = {i + shift for i in offsets[first:stop]}
        found = list(filterfalse(placeholders.__contains__, found))
        wide = part_hits(lines.wide, first, stop, pattern, deadline, verify, literal, 0, needle)
        found.extend(offsets[j] + shift for j in wide)
        found.sort()
    return found
