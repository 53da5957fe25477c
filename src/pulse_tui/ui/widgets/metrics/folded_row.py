"""The top row of a signal panel too short for its own legend and status rows (80×24,
under the services table): the headline, the legend beside it, the status at the right.

Folding those rows in gives the chart the rows it needs to show a shape: under three
rows of braille it would be a "…".
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.metrics.signals import Series
from pulse_tui.ui.widgets.palette import series_colour
from pulse_tui.ui.widgets.safe_text import append_safe

#: Cells between the pieces of the row.
GAP = 2
#: A legend narrower than this names nothing ("━ a…"): it is left out.
MIN_LEGEND = 8


def compact_names(series: Sequence[Series]) -> list[str]:
    """The legend's names without a first or last word every one of them shares ("api
    p99", "checkout p99" → "api", "checkout"; "api p50", "api p99" → "p50", "p99"): the
    headline says it once ("p99 checkout", "p99 api")."""
    names = [sanitize(s.name) or "value" for s in series]
    if len(names) < 2 or not all(" " in name for name in names):
        return names
    if len({name.rpartition(" ")[2] for name in names}) == 1:
        return [name.rpartition(" ")[0] for name in names]
    if len({name.partition(" ")[0] for name in names}) == 1:
        return [name.partition(" ")[2] for name in names]
    return names


def short_legend(series: Sequence[Series]) -> Text:
    """One "━ name" per drawn line, in its chart colour."""
    legend = Text(no_wrap=True, overflow="ellipsis")
    for index, name in enumerate(compact_names(series)):
        if index:
            legend.append("  ")
        legend.append("━ ", style=series_colour(index))
        append_safe(legend, name, "dim")  # sanitised already: the escapes are marked
    return legend


def folded_row(headline: Text, legend: Text | None, status: Text | None, width: int) -> Text:
    """`headline` first, `status` (if any) against the right edge, `legend` (if any) in
    the room between them, cut with "…" where it does not fit. What gives way first:
    the legend, then the status, never the headline's number."""
    row = headline.copy()
    row.no_wrap, row.overflow = True, "ellipsis"
    row.truncate(width, overflow="ellipsis")
    right = Text("")
    if status is not None and status.cell_len:
        right = status.copy()
        right.truncate(max(0, width - row.cell_len - GAP), overflow="ellipsis")
    room = width - row.cell_len - (right.cell_len + GAP if right.cell_len else 0) - GAP
    if legend is not None and legend.cell_len and room >= MIN_LEGEND:
        shown = legend.copy()
        shown.truncate(room, overflow="ellipsis")
        row.append(" " * GAP)
        row.append_text(shown)
    if right.cell_len and row.cell_len + GAP + right.cell_len <= width:
        row.append(" " * (width - row.cell_len - right.cell_len))
        row.append_text(right)
    return row
