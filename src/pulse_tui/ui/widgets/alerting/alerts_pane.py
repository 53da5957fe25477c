"""The Alerts tab: firing and pending alerts from every source, then the session's history."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from pulse_tui.model.alerting.alerts import Alert
from pulse_tui.model.core import clock
from pulse_tui.model.core.sanitize import sanitize

SEVERITY_STYLES = {"page": "bold white on #af0000", "warn": "bold #ffd75f", "info": "#5fafff"}
STATE_STYLES = {"firing": "bold #ff5f5f", "pending": "#ffd75f", "resolved": "#87d787"}


def _since(timestamp: float | None) -> str:
    if not timestamp:
        return "—"
    age = max(0, clock.now() - timestamp)
    stamp = time.strftime("%H:%M:%S", time.localtime(timestamp))
    if age < 3600:
        return f"{stamp} ({int(age // 60)}m{int(age % 60):02d}s)"
    return f"{stamp} ({age / 3600:.1f}h)"


class AlertsPane(Vertical):
    """Firing and pending alerts of every source on top, the session's history below."""

    DEFAULT_CSS = """
    AlertsPane { height: 1fr; }
    AlertsPane > DataTable { height: 2fr; }
    AlertsPane > #alert-history { height: 1fr; }
    AlertsPane > .pane-status { height: 1; background: $panel; color: $text-muted; }
    """

    BINDINGS = [Binding("x", "silence", "Silence alert")]

    class SilenceRequested(Message):
        """`x` on an alert: the app asks for how long and silences it."""

        def __init__(self, key: str, name: str) -> None:
            super().__init__()
            self.key = key
            self.name = name

    def compose(self) -> ComposeResult:
        table: DataTable[Text] = DataTable(id="alert-table", cursor_type="row")
        table.add_columns("Severity", "State", "Alert", "Service", "Value", "Since", "Source")
        yield table
        history: DataTable[Text] = DataTable(id="alert-history", cursor_type="none")
        history.add_columns("When", "Event", "Alert", "Service", "Value")
        yield history
        yield Static("", id="alert-status", classes="pane-status")

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#alert-table", DataTable)

    def show_alerts(
        self,
        alerts: Sequence[Alert],
        history: Sequence[tuple[float, str, Alert]],
        errors: Sequence[str],
    ) -> None:
        """The current alerts (the selection kept), the latest history, what failed."""
        table = self.table
        selected = None
        if table.row_count:
            try:
                selected = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            except Exception:
                selected = None
        table.clear()
        order = {"firing": 0, "pending": 1, "resolved": 2}
        severity_order = {"page": 0, "warn": 1, "info": 2}
        for alert in sorted(
            alerts, key=lambda a: (order.get(a.state, 3), severity_order.get(a.severity, 3), a.name)
        ):
            severity = Text(
                f" {alert.severity.upper()} ", style=SEVERITY_STYLES.get(alert.severity, "")
            )
            state = Text(alert.state, style=STATE_STYLES.get(alert.state, ""))
            if alert.silenced:
                state = Text(f"{alert.state} (silenced)", style="dim strike")
            value = Text(sanitize(alert.summary))
            if alert.source in ("prometheus", "alertmanager") and alert.labels:
                # External alerts are known by their labels: show them all, as data.
                shown = ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items()))
                value.append(f"  {{{sanitize(shown)}}}", style="dim")
            table.add_row(
                severity,
                state,
                Text(sanitize(alert.name)),
                Text(sanitize(alert.service or "")),
                value,
                Text(_since(alert.fired_at or alert.started_at)),
                Text(alert.source, style="dim"),
                key=alert.key,
            )
        if selected is not None:
            with contextlib.suppress(Exception):
                table.move_cursor(row=table.get_row_index(selected))
        table.border_title = f"Alerts ({len(alerts)})"
        past = self.query_one("#alert-history", DataTable)
        past.clear()
        for when, kind, alert in list(history)[-200:][::-1]:
            past.add_row(
                Text(time.strftime("%H:%M:%S", time.localtime(when))),
                Text(kind, style=STATE_STYLES.get(kind, "")),
                Text(sanitize(alert.name)),
                Text(sanitize(alert.service or "")),
                Text(sanitize(alert.summary)),
            )
        status = Text()
        firing = sum(1 for a in alerts if a.state == "firing" and not a.silenced)
        status.append(f"{firing} firing", style="bold #ff5f5f" if firing else "dim")
        status.append(" · x silences the selected alert", style="dim")
        for error in errors:
            status.append(" · ")
            status.append(sanitize(error), style="#ff8787")
        self.query_one("#alert-status", Static).update(status)

    def action_silence(self) -> None:
        table = self.table
        if not table.row_count:
            self.app.bell()
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        name = table.get_row(key)[2].plain if key is not None else ""
        if key is not None:
            self.post_message(self.SilenceRequested(key, name))
