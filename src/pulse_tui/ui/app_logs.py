"""Log side of the app (it is the sources' LogSink): batch arrivals, repaint at a bounded rate."""

from __future__ import annotations

from collections.abc import Sequence

from pulse_tui.model.core import clock
from pulse_tui.model.logs.line import LogLine
from pulse_tui.sources.base import HostStatus
from pulse_tui.ui.app_constants import MAX_PENDING_LINES
from pulse_tui.ui.widgets.log_panel import LogPanel


class LogSinkMixin:
    """Mixed into PulseApp; `self` is the app (attributes are set in PulseApp.__init__)."""

    def on_lines(self, lines: Sequence[LogLine]) -> None:
        # Lines held for the time merge count too: they are just as far from the screen.
        held = len(self.reorder) if self.reorder is not None else 0
        room = MAX_PENDING_LINES - self._pending_lines - held
        if room < len(lines):
            # The UI is behind: drop (and count) rather than grow without bound.
            self.log_panel.ui_dropped += len(lines) - max(room, 0)
            lines = lines[: max(room, 0)]
        if lines:
            self._pending.append(lines)
            self._pending_lines += len(lines)

    def on_status(self, status: HostStatus) -> None:
        self.log_panel.set_status(status)

    def flush_logs(self) -> None:
        reorder = self.reorder
        if not self._pending and not reorder:
            return
        pending, self._pending = self._pending, []
        self._pending_lines = 0
        if pending:
            # Rules and error groups see lines at once; only the pane waits for the merge.
            self.call_after_refresh(self.alerts.after_lines, pending)
        if reorder is None:
            # One host: its own order is already right, and batches append in bulk.
            for batch in pending:
                self.buffer.append_many(batch)
        else:
            for batch in pending:
                reorder.push(batch)
            merged = reorder.release(clock.now())
            if not merged:
                return
            for part in merged:
                self.buffer.append_many(part)
        if not self.view_state.paused:
            for panel in self.query(LogPanel):  # none during shutdown
                panel.view.lines_arrived()
                panel.update_status()

    # ----------------------------------------------------------------- view state
