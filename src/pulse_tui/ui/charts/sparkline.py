"""One-line sparklines (▁▂▃▄▅▆▇█) for table cells and panel headers."""

from __future__ import annotations

import math
from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"


#: What a series that does not move at all draws with `own_range`: a flat middle line,
#: neither "at its peak" (full bars) nor "nothing" (the lowest).
FLAT = BARS[3]


def sparkline(values: Sequence[float], width: int, *, own_range: bool = False) -> str:
    """`values` as exactly `width` bar characters; a cell with no finite value is a space.

    More values than cells: each cell shows the largest value of its share, so a short
    spike is never averaged away. Fewer: each value is widened over several cells.
    Bars start at zero (or the minimum, if negative): a count reads as how much. With
    `own_range` they span the values' own minimum to maximum, so a row of a table shows
    how its series moved (a steady 29 req/s is not a row of full bars), and a series
    that does not move at all is a flat middle line.
    """
    if width <= 0:
        return ""
    cells = _resample(values, width)
    finite = [v for v in cells if v is not None]
    if not finite:
        return " " * width
    low = min(finite) if own_range else min(0.0, *finite)
    high = max(finite)
    span = high - low
    top = len(BARS) - 1
    if own_range and not span > 1e-9 * max(abs(high), abs(low)):
        return "".join(" " if value is None else FLAT for value in cells)
    chars = []
    for value in cells:
        if value is None:
            chars.append(" ")
        elif not (span > 0 and math.isfinite(span)):
            # All equal (or too far apart to subtract): full bars, or the lowest for zero.
            chars.append(BARS[top] if value > low else BARS[0])
        else:
            chars.append(BARS[round((value - low) / span * top)])
    return "".join(chars)


def _resample(values: Sequence[float], width: int) -> list[float | None]:
    """`width` cells, each the largest finite value of its share of `values` (None if none)."""
    count = len(values)
    if count == 0:
        return [None] * width
    cells: list[float | None] = []
    for cell in range(width):
        first = cell * count // width
        last = max(first + 1, (cell + 1) * count // width)
        share = [v for v in values[first:last] if math.isfinite(v)]
        cells.append(max(share) if share else None)
    return cells
