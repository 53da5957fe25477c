"""A panel's series as a table: one row per series, its labels and its value at the end
of the window (an instant query's one value), right-aligned in one column. Labels are the
server's text, appended as plain text."""

from __future__ import annotations

from rich.text import Text

from pulse_tui.model.dashboards.panels import DisplayUnit
from pulse_tui.sources.dashboards import PanelLine


def table_lines(
    lines: tuple[PanelLine, ...], unit: DisplayUnit, width: int, height: int
) -> list[Text]:
    """A header, then a row per series while they fit; the last row says how many more
    there are when they do not (never a table cut without saying so)."""
    values = [unit.format(line.series.latest()) for line in lines]
    value_width = max([len("value"), *map(len, values)])
    name_width = max(1, width - value_width - 1)
    out = [_row("series", "value", name_width, value_width, "bold")]
    room = max(0, height - 1)
    shown = lines if len(lines) <= room else lines[: max(0, room - 1)]
    for line, value in zip(shown, values, strict=False):
        out.append(_row(line.legend or "(no labels)", value, name_width, value_width, ""))
    if len(shown) < len(lines) and room:
        more = len(lines) - len(shown)
        out.append(Text(f"… {more:,} more row{'s' if more != 1 else ''}", style="dim"))
    return out


def _row(name: str, value: str, name_width: int, value_width: int, style: str) -> Text:
    shown = name if len(name) <= name_width else name[: max(0, name_width - 1)] + "…"
    text = Text(no_wrap=True, overflow="crop", style=style)
    text.append(shown.ljust(name_width))
    text.append(" ")
    text.append(value.rjust(value_width), style="bold" if not style else "")
    return text
