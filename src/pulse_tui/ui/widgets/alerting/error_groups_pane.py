"""The error-groups tab (labelled "Errors" on screen): warn-or-worse log lines grouped by
fingerprint, counted for the range on screen by each line's own time, new ones marked."""

from __future__ import annotations

import math
import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from pulse_tui.model.alerting.error_groups import ErrorGroup, ErrorGroups
from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.ui.charts import sparkline
from pulse_tui.ui.widgets.safe_text import safe_text

#: Characters of a pattern, and of an example message, shown in the table (the rest: `…`).
PATTERN_CHARS = 72
EXAMPLE_CHARS = 48
#: Points of each group's trend sparkline over the range.
TREND_POINTS = 10


def _clock(t: float, with_date: bool) -> str:
    return time.strftime("%m-%d %H:%M:%S" if with_date else "%H:%M:%S", time.localtime(t))


def _cut(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


class ErrorGroupsPane(Vertical):
    """One row per error group (`model.alerting.error_groups.ErrorGroup`) in the range."""

    DEFAULT_CSS = """
    ErrorGroupsPane { height: 1fr; }
    ErrorGroupsPane > DataTable { height: 1fr; }
    ErrorGroupsPane > .pane-status { height: 1; background: $panel; color: $text-muted; }
    """

    class GroupChosen(Message):
        """Enter on a group: filter the log pane to its lines."""

        def __init__(self, fingerprint: str) -> None:
            super().__init__()
            self.fingerprint = fingerprint

    def compose(self) -> ComposeResult:
        table: DataTable[Text] = DataTable(id="error-group-table", cursor_type="row")
        table.add_columns(
            # The example before hosts and services: on a narrow screen it is what shows.
            "",
            "Count",
            "Pattern",
            "First",
            "Last",
            "Trend",
            "Example",
            "Hosts",
            "Services",
        )
        yield table
        yield Static("", id="error-group-status", classes="pane-status")

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#error-group-table", DataTable)

    def show_groups(self, groups: ErrorGroups, since: float, until: float, end: float) -> None:
        """The groups with lines in `[since, until)` (the range on screen; `end` is where
        it ends now, for the trend), counted in whole minutes there (`count_window`, the
        window the status line names); the status line says what is loaded too."""
        table = self.table
        table.clear()
        loaded_from = groups.loaded_from
        start, stop = groups.count_window(since, until)
        with_date = end - since > 86_400 or time.localtime(since)[:3] != time.localtime(end)[:3]
        began_before = False
        for group in groups.groups(start, stop):
            count = group.count_between(start, stop)
            early = groups.since_logs_start(group)
            began_before |= early
            # At the start of a host's logs its first line there may not be the first: "≤".
            first = ("≤ " if early else "") + _clock(group.first_seen, with_date)
            # A slot without a line is blank, not "▁": the lowest bar would read as "a few".
            trend = [float(n) if n else math.nan for n in group.trend(since, end, TREND_POINTS)]
            table.add_row(
                Text("NEW", style="bold black on #ffd75f") if group.new and not early else Text(""),
                Text(f"{count:,}", style="bold"),
                safe_text(_cut(sanitize(group.fingerprint), PATTERN_CHARS)),
                Text(first, style="dim"),
                Text(self._last_seen(group, stop, with_date)),
                Text(sparkline(trend, TREND_POINTS), style="#ff8787"),
                safe_text(_cut(sanitize(group.message), EXAMPLE_CHARS), "italic dim"),
                safe_text(", ".join(sorted(group.hosts)), "dim"),
                safe_text(", ".join(sorted(group.services)), "dim"),
                key=group.fingerprint,
            )
        status = Text(f"{table.row_count} groups", style="dim")
        to = "now" if math.isinf(stop) else _clock(stop, with_date)[:-3]
        status.append(f" · counts {_clock(start, with_date)[:-3]}–{to}", style="dim")
        if loaded_from is not None and loaded_from > since:
            # The range reaches further back than the logs: counts cannot.
            status.append(f" · logs from {_clock(loaded_from, with_date)[:-3]}", style="#ffaf00")
        elif loaded_from is not None:
            status.append(f" · logs from {_clock(loaded_from, with_date)[:-3]}", style="dim")
        if began_before:
            began = " · ≤ first seen at the start of a host's logs: may be older"
            status.append(began, style="dim")
        if groups.evicted:
            status.append(f" · {groups.evicted:,} evicted (bound reached)", style="#ffaf00")
        status.append(" · Enter filters the logs to a group", style="dim")
        self.query_one("#error-group-status", Static).update(status)

    @staticmethod
    def _last_seen(group: ErrorGroup, stop: float, with_date: bool) -> str:
        """When the group was last seen in the window counted: its last line, or for a
        past range that it outlived, the minute of its last line there ("09:16", to the
        minute: only the minute's count is kept), not a time after the range."""
        if group.last_seen < stop:
            return _clock(group.last_seen, with_date)
        minute = group.buckets.last_before(stop)
        if minute is None:
            return _clock(group.last_seen, with_date)
        return _clock(minute, with_date)[:-3]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.GroupChosen(event.row_key.value))
