"""A stat's value in digits three rows high, from half blocks (any font with box drawing
has them); the unit follows in normal text on the middle row."""

from __future__ import annotations

import re

from rich.text import Text

_FONT = {
    "0": ("█▀█", "█ █", "▀▀▀"),
    "1": ("▀█ ", " █ ", "▀▀▀"),
    "2": ("▀▀█", "█▀▀", "▀▀▀"),
    "3": ("▀▀█", " ▀█", "▀▀▀"),
    "4": ("█ █", "▀▀█", "  ▀"),
    "5": ("█▀▀", "▀▀█", "▀▀▀"),
    "6": ("█▀▀", "█▀█", "▀▀▀"),
    "7": ("▀▀█", "  █", "  ▀"),
    "8": ("█▀█", "█▀█", "▀▀▀"),
    "9": ("█▀█", "▀▀█", "▀▀▀"),
    ".": (" ", " ", "▀"),
    "-": ("   ", "▀▀▀", "   "),
}
_NUMBER = re.compile(r"^-?[0-9][0-9.]*")
ROWS = 3


def big_value(shown: str, style: str, width: int) -> list[Text] | None:
    """`shown` ("12.5 req/s") as three centred rows, or None when it has no leading number
    or does not fit `width` (the caller writes it on one line instead)."""
    match = _NUMBER.match(shown)
    if match is None:
        return None
    number, unit = match.group(0), shown[match.end() :]
    glyphs = [_FONT[c] for c in number]
    big_width = sum(len(g[0]) + 1 for g in glyphs) - 1
    total = big_width + len(unit)
    if total > width:
        return None
    pad = " " * ((width - total) // 2)
    rows = []
    for row in range(ROWS):
        text = Text(pad, no_wrap=True)
        text.append(" ".join(g[row] for g in glyphs), style=style)
        if row == 1 and unit:
            text.append(unit, style=style)
        rows.append(text)
    return rows
