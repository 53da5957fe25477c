"""A panel's series as a table: one row per series, its labels and its value at the end
of the window (an instant query's one value), right-aligned in one column. Labels are the
server's text, appended as plain text.

The caller (render.py) makes the rows of the panel's fields: overrides, mappings and
decimals applied."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text


def table_rows(
    rows: Sequence[tuple[str, str]], value_header: str, width: int, height: int
) -> list[Text]:
    """(name, value shown) rows under a "series | `value_header`" header, as many as fit."""
    values = [value for _, value in rows]
    value_width = max([len(value_header), *map(len, values)])
    name_width = max(1, width - value_width - 1)
    out = [_row("series", value_header, name_width, value_width, "bold")]
    room = max(0, height - 1)
    shown = rows if len(rows) <= room else rows[: max(0, room - 1)]
    for name, value in shown:
        out.append(_row(name or "(no labels)", value, name_width, value_width, ""))
    if len(shown) < len(rows) and room:
        more = len(rows) - len(shown)
        out.append(Text(f"… {more:,} more row{'s' if more != 1 else ''}", style="dim"))
    return out


def _row(name: str, value: str, name_width: int, value_width: int, style: str) -> Text:
    shown = name if len(name) <= name_width else name[: max(0, name_width - 1)] + "…"
    text = Text(no_wrap=True, overflow="crop", style=style)
    text.append(shown.ljust(name_width))
    text.append(" ")
    text.append(value.rjust(value_width), style="bold" if not style else "")
    return text
