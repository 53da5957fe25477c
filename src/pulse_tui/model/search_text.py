"""Bulk search over packed lines (`packed_lines`), and the mapping of hits back to lines.

One regex search runs over a block's joined text at C speed and each hit is mapped to
its line by a binary search over the block's line starts: Python only runs once per
*matching* line, never per line scanned, and never counts newlines (`str.count("\\n")`
is a plain byte loop, slower than the search itself). A range of a block is searched in
place (`pos`/`endpos`): every line is preceded by "\\n" or the text's start, so `^` and
`\\b` see the range's first line as they would see it alone.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from time import monotonic

import regex

from pulse_tui.model.packed_lines import PackedLines, PackedPart


class TooSlow(Exception):
    """The regex work on a block ran past its deadline."""


def part_hits(
    part: PackedPart,
    first: int,
    stop: int,
    pattern: regex.Pattern[str],
    deadline: float | None,
    verify: Callable[[str], bool],
) -> list[int]:
    """Which of lines `first`..`stop` of `part` hold a match of `pattern`, ascending."""
    out: list[int] = []
    if stop <= first:
        return out
    joined, starts, finditer = part.joined, part.starts, pattern.finditer
    size = starts[stop] - 1  # the end of the last line: the search's `endpos`
    pos = starts[first]  # where the lines not looked at yet start
    line = first
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
    return out


def hits(
    lines: PackedLines,
    lo: int,
    hi: int,
    pattern: regex.Pattern[str],
    deadline: float | None,
    verify: Callable[[str], bool],
) -> list[int]:
    """Offsets from `lo` (ascending) of lines `lo`..`hi` holding a match of `pattern`
    (`verify(line)` decides for a match running past its line's end); `TooSlow` once the
    regex work runs past `deadline` (`time.monotonic()`; None: no bound, for literals,
    whose search cannot backtrack)."""
    found = part_hits(lines.main, lo, hi, pattern, deadline, verify)
    first, stop = lines.wide_range(lo, hi)
    if stop > first and lines.wide is not None and lines.wide_offsets is not None:
        # Wide lines are "?"s in `main`: what matched there does not count.
        offsets = lines.wide_offsets
        placeholders = set(offsets[first:stop])
        found = [i for i in found if i not in placeholders]
        wide = part_hits(lines.wide, first, stop, pattern, deadline, verify)
        found.extend(offsets[j] for j in wide)
        found.sort()
    return [i - lo for i in found] if lo else found
