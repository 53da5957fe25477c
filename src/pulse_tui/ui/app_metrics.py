"""Metrics side of the app: refresh each panel in its own worker, back off per panel on failure."""

from __future__ import annotations

import asyncio
import random

from textual import work

from pulse_tui.model.core import clock
from pulse_tui.model.metrics.overview import build_overview
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.model.metrics.step import compute_window
from pulse_tui.sources.base import SourceError
from pulse_tui.ui.app_constants import MAX_BACKOFF
from pulse_tui.ui.widgets.service_table import ServiceTable
from pulse_tui.ui.widgets.signal_panel import SignalPanel


class MetricsMixin:
    """Mixed into PulseApp; `self` is the app (attributes are set in PulseApp.__init__)."""

    def refresh_signals(self, force: bool = False) -> None:
        # Paused, or looking at a past range: nothing changes until the user moves.
        if (self.view_state.paused or self.view_state.end is not None) and not force:
            return
        now = clock.now()
        for signal in Signal:
            if signal in self._in_flight:
                continue  # a slow panel skips a beat instead of piling up requests
            if not force and now < self._next_attempt.get(signal, 0):
                continue
            self._in_flight.add(signal)
            self.fetch_signal(signal)

    @work(exit_on_error=False, group="metrics")
    async def fetch_signal(self, signal: Signal) -> None:
        panel = self.panel(signal)
        state = self.view_state
        try:
            window = compute_window(
                state.range_seconds,
                state.window_end(),
                panel.plot_points(),
                self.config.prometheus.scrape_interval,
            )
            result = await self.metrics.query_signal(
                signal, window, sorted(state.services), compare_offset=state.compare_offset
            )
        except SourceError as exc:
            self._failed(signal, str(exc), exc.retryable)
        except Exception as exc:
            self._failed(signal, f"{type(exc).__name__}: {exc}", True)
        else:
            self._failures.pop(signal, None)
            self._next_attempt.pop(signal, None)
            self.results[signal] = result
            # Charts are pure functions of the data: draw off the event loop, show after.
            await asyncio.to_thread(panel.prerender, result, state.services)
            panel.show_result(result, state.services)
            self._update_table()
            # Paint first, judge after: alert rules never delay a panel's repaint.
            self.call_after_refresh(self.alerts.after_result, signal, result)
        finally:
            self._in_flight.discard(signal)

    def _failed(self, signal: Signal, message: str, retryable: bool) -> None:
        count = self._failures.get(signal, 0) + 1
        self._failures[signal] = count
        delay = (
            MAX_BACKOFF
            if not retryable
            else min(MAX_BACKOFF, self.config.dashboard.refresh * 2 ** (count - 1))
        )
        delay *= random.uniform(0.8, 1.2)
        self._next_attempt[signal] = clock.now() + delay
        self.panel(signal).show_error(message, retry_in=delay)

    def _refetch(self, signal: Signal) -> None:
        if signal not in self._in_flight and not self.view_state.paused:
            self._in_flight.add(signal)
            self.fetch_signal(signal)

    @work(exit_on_error=False, group="discovery", exclusive=True)
    async def discover_services(self) -> None:
        try:
            self.known_services = await self.metrics.services()
        except Exception:
            return
        self._update_table()

    def panel_results_count(self) -> int:
        """How many panels hold data (tests and the status line use it)."""
        return len(self.results)

    def _update_table(self) -> None:
        # Five panels' results land together: one table update after them, in the next
        # frame, rather than five (each re-renders every changed cell, ~3 ms).
        if not self._table_update_due:
            self._table_update_due = True
            self.call_after_refresh(self._update_table_now)

    def _update_table_now(self) -> None:
        self._table_update_due = False
        rows = build_overview(self.results, self.known_services)
        self.query_one("#services", ServiceTable).show_rows(rows)

    def _tick(self) -> None:
        # query() rather than query_one(): during shutdown the panels may already be gone.
        for panel in self.query(SignalPanel):
            panel.tick()

    # ----------------------------------------------------------------- logs (LogSink)
