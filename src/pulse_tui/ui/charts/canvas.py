"""A grid of terminal cells, each split into dots, that lines are drawn on.

Three glyph sets trade resolution for terminal support:

* braille: 2×4 dots per cell (U+2800..U+28FF), the sharpest;
* block: 2×2 quadrant blocks (▘▝▖▗▀▄▌▐▚▞▛▜▙▟█), for fonts without braille;
* ascii: 1×3 per cell with `'`, `-`, `.`, `:` and `|`, for anything else.

Dot coordinates have x growing right and y growing *down*, as on screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GLYPH_SETS = ("braille", "block", "ascii")


@dataclass(frozen=True, slots=True)
class GlyphSet:
    """How a cell is split into dots and which character shows each combination."""

    name: str
    #: Dots per cell across and down.
    dots_x: int
    dots_y: int
    #: Character for each bitmask of lit dots; bit `y * dots_x + x` is the dot at (x, y).
    chars: tuple[str, ...]
    #: Axis-drawing characters: vertical line, tick on it, corner, cursor line.
    axis: str
    tick: str
    corner: str
    cursor: str


def _braille_chars() -> tuple[str, ...]:
    # Unicode numbers braille dots column-wise 1-2-3 / 4-5-6 and then 7 / 8 for the
    # bottom row; map our row-major bit order onto that.
    unicode_bit = {(0, 0): 0, (0, 1): 1, (0, 2): 2, (1, 0): 3, (1, 1): 4, (1, 2): 5}
    unicode_bit |= {(0, 3): 6, (1, 3): 7}
    chars = []
    for mask in range(256):
        code = 0
        for y in range(4):
            for x in range(2):
                if mask & (1 << (y * 2 + x)):
                    code |= 1 << unicode_bit[(x, y)]
        chars.append(chr(0x2800 + code))
    # An empty cell is a plain space, not the blank braille pattern: it copies and
    # pastes as whitespace and some fonts draw U+2800 as a faint dotted box.
    chars[0] = " "
    return tuple(chars)


# Bits: 1 = top-left, 2 = top-right, 4 = bottom-left, 8 = bottom-right.
_QUADRANTS = (" ", "▘", "▝", "▀", "▖", "▌", "▞", "▛", "▗", "▚", "▐", "▜", "▄", "▙", "▟", "█")
# Bits: 1 = top, 2 = middle, 4 = bottom of the cell.
_ASCII = (" ", "'", "-", "|", ".", ":", "|", "|")

_SETS = {
    "braille": GlyphSet("braille", 2, 4, _braille_chars(), "│", "┤", "└", "│"),
    "block": GlyphSet("block", 2, 2, _QUADRANTS, "│", "┤", "└", "│"),
    "ascii": GlyphSet("ascii", 1, 3, _ASCII, "|", "+", "+", "|"),
}


def glyph_set(name: str) -> GlyphSet:
    """The glyph set called `name`; raises ValueError naming the choices otherwise."""
    try:
        return _SETS[name]
    except KeyError:
        raise ValueError(
            f"unknown glyph set {name!r}; use one of {', '.join(GLYPH_SETS)}"
        ) from None


class DotCanvas:
    """`cols`×`rows` cells of dots; each cell remembers which layer drew it last.

    A layer is one series. When a later layer draws into a cell, the earlier layer's
    dots there are dropped, so every cell shows one series in one colour rather than a
    blend of two lines that no longer looks like either.
    """

    __slots__ = ("_layer", "cols", "glyphs", "height", "masks", "owners", "rows", "width")

    def __init__(self, cols: int, rows: int, glyphs: GlyphSet) -> None:
        self.cols = cols
        self.rows = rows
        self.glyphs = glyphs
        #: Size in dots.
        self.width = cols * glyphs.dots_x
        self.height = rows * glyphs.dots_y
        self.masks = [0] * (cols * rows)
        #: Layer that owns each cell, -1 for none.
        self.owners = [-1] * (cols * rows)
        self._layer = 0

    def begin_layer(self, layer: int) -> None:
        """Draw what follows as `layer` (a series index)."""
        self._layer = layer

    def set(self, x: int, y: int) -> None:
        """Light the dot at (x, y); dots outside the canvas are ignored."""
        if not (0 <= x < self.width and 0 <= y < self.height):
            return
        dx, dy = self.glyphs.dots_x, self.glyphs.dots_y
        cell = (y // dy) * self.cols + x // dx
        bit = 1 << ((y % dy) * dx + x % dx)
        if self.owners[cell] != self._layer:
            self.owners[cell] = self._layer
            self.masks[cell] = bit
        else:
            self.masks[cell] |= bit

    def line(self, x0: float, y0: float, x1: float, y1: float) -> None:
        """Draw a straight line between two points in dot coordinates.

        The segment is clipped to the canvas first, so a point far outside (a spike
        from another time range, a huge value) costs nothing to draw.
        """
        xmax, ymax = self.width - 1, self.height - 1
        # Nearly every segment lies inside; only the others pay for clipping (and a NaN
        # fails every comparison, so it is sent to `_clip`, which drops it).
        if not (0 <= x0 <= xmax and 0 <= x1 <= xmax and 0 <= y0 <= ymax and 0 <= y1 <= ymax):
            clipped = _clip(x0, y0, x1, y1, xmax, ymax)
            if clipped is None:
                return
            # Clamp too: with huge coordinates the clipped ends can land a rounding error
            # (itself huge) outside the canvas.
            x0, y0, x1, y1 = (
                min(max(clipped[0], 0), xmax),
                min(max(clipped[1], 0), ymax),
                min(max(clipped[2], 0), xmax),
                min(max(clipped[3], 0), ymax),
            )
        ax, ay, bx, by = round(x0), round(y0), round(x1), round(y1)
        # Bresenham: one dot per step along the longer axis, so steep lines stay joined.
        # `set` is inlined: this loop is most of a chart's rendering time.
        cols, dots_x, dots_y = self.cols, self.glyphs.dots_x, self.glyphs.dots_y
        masks, owners, layer = self.masks, self.owners, self._layer
        dx, dy = abs(bx - ax), -abs(by - ay)
        sx = 1 if ax < bx else -1
        sy = 1 if ay < by else -1
        err = dx + dy
        while True:
            row, sub_y = divmod(ay, dots_y)
            col, sub_x = divmod(ax, dots_x)
            cell = row * cols + col
            bit = 1 << (sub_y * dots_x + sub_x)
            if owners[cell] != layer:
                owners[cell] = layer
                masks[cell] = bit
            else:
                masks[cell] |= bit
            if ax == bx and ay == by:
                return
            doubled = 2 * err
            if doubled >= dy:
                err += dy
                ax += sx
            if doubled <= dx:
                err += dx
                ay += sy

    def row_cells(self, row: int) -> list[tuple[str, int]]:
        """(character, owning layer) for each cell of `row`; layer -1 for an empty cell."""
        chars = self.glyphs.chars
        start = row * self.cols
        masks = self.masks[start : start + self.cols]
        owners = self.owners[start : start + self.cols]
        return [(chars[m], o if m else -1) for m, o in zip(masks, owners, strict=True)]


def _clip(
    x0: float, y0: float, x1: float, y1: float, xmax: float, ymax: float
) -> tuple[float, float, float, float] | None:
    """Liang–Barsky: the part of the segment inside [0, xmax]×[0, ymax], or None."""
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        return None
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0), (dx, xmax - x0), (-dy, y0), (dy, ymax - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            if t > t1:
                return None
            t0 = max(t0, t)
        else:
            if t < t0:
                return None
            t1 = min(t1, t)
    clipped = (x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy)
    # Endpoints ~1e308 apart overflow to inf and then NaN; such a segment is skipped.
    return clipped if all(math.isfinite(v) for v in clipped) else None
