"""The Probes tab: each HTTP(S) endpoint's state, latency and a history strip."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable

from pulse_tui.model.core.units import format_value
from pulse_tui.ui.widgets.safe_text import safe_text

if TYPE_CHECKING:
    # sources.probes imports httpx, which only a config with probes needs at start-up.
    from pulse_tui.sources.probes import ProbeStatus


class ProbesPane(Vertical):
    """One row per uptime probe: state, latency, status code, recent checks, last error."""

    DEFAULT_CSS = """
    ProbesPane { height: 1fr; }
    ProbesPane > DataTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        table: DataTable[Text] = DataTable(id="probe-table", cursor_type="row")
        table.add_columns("Probe", "State", "Latency", "Status", "History", "Error")
        yield table

    def show_probes(self, statuses: Sequence[ProbeStatus]) -> None:
        """One row per probe, as of its latest check (a hint when none is configured)."""
        table = self.query_one(DataTable)
        table.clear()
        for status in statuses:
            if status.up is None:
                state = Text("checking…", style="dim")
            elif status.down:
                state = Text("DOWN", style="bold white on #af0000")
            elif not status.up:
                state = Text("failing", style="bold #ffaf00")
            else:
                state = Text("up", style="bold #87d787")
            code = status.last_status_code
            table.add_row(
                safe_text(status.name, "bold"),
                state,
                Text(format_value(status.last_latency, "s", compact=True)),
                Text("—" if code is None else str(code)),
                Text(status.history_strip(20)),
                safe_text(status.last_error or "", "#ff8787"),
                key=status.name,
            )
        if not statuses:
            table.add_row(
                Text("no probes configured ([[probes]] in the config)", style="dim"),
                *(Text("") for _ in range(5)),
            )
