"""Read back what `ui/widgets/dashboards/big_digits.py` draws, so a test can assert on the
value a stat shows on screen ("1%") whichever size it is drawn at."""

from __future__ import annotations

from pulse_tui.ui.widgets.dashboards.big_digits import _FONT

_GLYPHS = {rows: char for char, rows in _FONT.items()}
_INK = set("█▀▄")


def read_big(text: str) -> str:
    """`text` (lines of a panel) with every three-row big number replaced by one line of
    plain text: the digits, then the unit written after them on the middle row."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        window = lines[i : i + 3]
        if len(window) == 3 and all(_INK & set(line) for line in (window[0], window[2])):
            out.append(_decode(window))
            i += 3
        else:
            out.append(lines[i])
            i += 1
    return "\n".join(out)


def _decode(rows: list[str]) -> str:
    width = max(map(len, rows))
    top, middle, bottom = (row.ljust(width) for row in rows)
    chars, start, end = [], None, 0
    for col in range(width + 1):
        blank = col == width or all(r[col] == " " for r in (top, middle, bottom))
        unit_starts = col < width and middle[col] not in _INK | {" "}
        if start is None and not blank and not unit_starts:
            start = col
        elif start is not None and (blank or unit_starts):
            glyph = (top[start:col], middle[start:col], bottom[start:col])
            chars.append(_GLYPHS.get(glyph, "?"))
            start, end = None, col
        if unit_starts:
            return "".join(chars) + middle[end:].rstrip()
    return "".join(chars)
