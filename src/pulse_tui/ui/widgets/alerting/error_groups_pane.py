"""The error-groups tab (labelled "Errors" on screen): warn-or-worse log lines grouped by
fingerprint, newest patterns marked."""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from pulse_tui.model.alerting.error_groups import ErrorGroup
from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.ui.charts import sparkline


class ErrorGroupsPane(Vertical):
    """One row per error group (`model.alerting.error_groups.ErrorGroup`) seen in the range."""

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
            "", "Count", "Pattern", "First", "Last", "Trend", "Hosts", "Services", "Example"
        )
        yield table
        yield Static("", id="error-group-status", classes="pane-status")

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#error-group-table", DataTable)

    def show_groups(self, groups: Sequence[ErrorGroup], since: float, evicted: int) -> None:
        """The groups with lines since `since`; `evicted` says how many the bound dropped."""
        table = self.table
        table.clear()
        for group in groups:
            count = group.count_since(since)
            if not count:
                continue
            table.add_row(
                Text("NEW", style="bold black on #ffd75f") if group.new else Text(""),
                Text(f"{count:,}", style="bold"),
                Text(sanitize(group.fingerprint)),
                Text(time.strftime("%H:%M:%S", time.localtime(group.first_seen)), style="dim"),
                Text(time.strftime("%H:%M:%S", time.localtime(group.last_seen))),
                Text(sparkline([float(n) for n in group.trend(10)], 10), style="#ff8787"),
                Text(sanitize(", ".join(sorted(group.hosts))), style="dim"),
                Text(sanitize(", ".join(sorted(group.services))), style="dim"),
                Text(sanitize(group.example[:80]), style="italic dim"),
                key=group.fingerprint,
            )
        status = Text(f"{table.row_count} groups in range", style="dim")
        if evicted:
            status.append(f" · {evicted:,} evicted (bound reached)", style="#ffaf00")
        status.append(" · Enter filters the logs to a group", style="dim")
        self.query_one("#error-group-status", Static).update(status)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.GroupChosen(event.row_key.value))
