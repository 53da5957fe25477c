"""The Alerts tab: firing and pending alerts from every source, then the session's history."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from pulse_tui.model.alerting.alerts import Alert
from pulse_tui.model.core import clock
from pulse_tui.ui.widgets.safe_text import append_safe, safe_text

SEVERITY_STYLES = {"page": "bold white on #af0000", "warn": "bold #ffd75f", "info": "#5fafff"}
STATE_STYLES = {"firing": "bold #ff5f5f", "pending": "#ffd75f", "resolved": "#87d787"}


#: Lower than this the pane shows the current alerts only: split with the history, each
#: table would get a header and a scrollbar and no row (80x24 gives the pane 4 rows).
SHORT_HEIGHT = 10


def _clock(timestamp: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(timestamp))


def newest_first(history: Sequence[tuple[float, str, Alert]], limit: int) -> list[int]:
    """Indices into the history by time, newest first (of one moment, the last recorded
    first). Recorded order is not time order: on a first look, rules judge the data of
    the past hour, and an external alert's events carry the time they were seen."""
    order = sorted(range(len(history)), key=lambda i: (history[i][0], i), reverse=True)
    return order[:limit]


def fired_summaries(history: Sequence[tuple[float, str, Alert]]) -> dict[int, str]:
    """For each resolved event (by index): the summary its alert fired with, from the
    firing event before it. A resolved alert's own summary has its value at resolution
    with the rule's condition ("queue p99 2.68s > 4s"), which reads as if it held."""
    fired: dict[str, str] = {}
    out: dict[int, str] = {}
    for index, (_, kind, alert) in enumerate(history):
        if kind == "firing":
            fired[alert.key] = alert.summary
        elif kind == "resolved" and alert.key in fired:
            out[index] = fired.pop(alert.key)
    return out


def resolved_wording(alert: Alert, fired_summary: str | None) -> str:
    """ "resolved 03:12:40 · was error ratio 7.2% > 5% for 2m": over, and what held."""
    when = f"resolved {_clock(alert.resolved_at)}" if alert.resolved_at else "resolved"
    return f"{when} · was {fired_summary or alert.summary}"


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
    AlertsPane.-short > #alert-history { display: none; }
    AlertsPane.-short > DataTable { height: 1fr; scrollbar-size-horizontal: 0; }
    /* Short and nothing current: the history rather than an empty table. */
    AlertsPane.-short.-quiet > #alert-table { display: none; }
    AlertsPane.-short.-quiet > #alert-history { display: block; }
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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: The status line as the last `show_alerts` made it, and the history's length:
        #: a resize that hides or shows the history rewrites the line without them.
        self._status = Text()
        self._history_count = 0

    def on_resize(self, event: events.Resize) -> None:
        short = event.size.height < SHORT_HEIGHT
        if short != self.has_class("-short"):
            self.set_class(short, "-short")
            self._show_status()

    def _show_status(self) -> None:
        status = self._status.copy()
        if self._history_count and self.has_class("-short") and not self.has_class("-quiet"):
            status.append(f" · {self._history_count} in history (z shows it)", style="dim")
        with contextlib.suppress(Exception):  # before compose
            self.query_one("#alert-status", Static).update(status)

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
        resolved_from = fired_summaries(history)
        last_fired = {history[i][2].key: text for i, text in resolved_from.items()}
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
            summary = alert.summary
            if alert.state == "resolved":
                summary = resolved_wording(alert, last_fired.get(alert.key))
            value = safe_text(summary)
            if alert.source in ("prometheus", "alertmanager") and alert.labels:
                # External alerts are known by their labels: show them all, as data.
                shown = ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items()))
                append_safe(value.append("  {", style="dim"), shown, "dim").append("}", style="dim")
            table.add_row(
                severity,
                state,
                safe_text(alert.name),
                safe_text(alert.service or ""),
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
        for index in newest_first(history, 200):
            when, kind, alert = history[index]
            summary = alert.summary
            if kind == "resolved":
                summary = f"was {resolved_from.get(index, alert.summary)}"
            past.add_row(
                Text(_clock(when)),
                Text(kind, style=STATE_STYLES.get(kind, "")),
                safe_text(alert.name),
                safe_text(alert.service or ""),
                safe_text(summary),
            )
        status = Text()
        firing = sum(1 for a in alerts if a.state == "firing" and not a.silenced)
        status.append(f"{firing} firing", style="bold #ff5f5f" if firing else "dim")
        status.append(" · x silences the selected alert", style="dim")
        for error in errors:
            status.append(" · ")
            append_safe(status, error, "#ff8787")
        self._status, self._history_count = status, len(history)
        self.set_class(not alerts, "-quiet")
        self._show_status()

    def action_silence(self) -> None:
        table = self.table
        if not table.row_count:
            self.app.bell()
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        name = table.get_row(key)[2].plain if key is not None else ""
        if key is not None:
            self.post_message(self.SilenceRequested(key, name))
