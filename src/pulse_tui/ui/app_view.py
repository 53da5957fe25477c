"""What the user looks at: time range, service filter, pause, compare, and their pickers."""

from __future__ import annotations

from pulse_tui.model.core.view_state import ViewState
from pulse_tui.ui.widgets.service_table import ServiceTable
from pulse_tui.ui.widgets.signal_panel import SignalPanel
from pulse_tui.ui.widgets.status_header import StatusHeader


class ViewActionsMixin:
    """Mixed into PulseApp; `self` is the app (attributes are set in PulseApp.__init__)."""

    def set_view(self, state: ViewState, *, refetch: bool = True) -> None:
        old = self.view_state
        self.view_state = state
        self.query_one(StatusHeader).show(state)
        if state.services != old.services:
            self.log_panel.set_services(state.services)
        if refetch:
            self._next_attempt.clear()
            self.refresh_signals(force=True)

    def action_toggle_pause(self) -> None:
        state = self.view_state.toggle_pause()
        self.set_view(state, refetch=not state.paused)
        self.notify(
            "Paused: live updates stop until you press p"
            if self.view_state.paused
            else "Live updates resumed",
            timeout=2,
        )

    def action_zoom(self, direction: int) -> None:
        self.set_view(self.view_state.zoom(direction))

    def action_pan(self, direction: int) -> None:
        self.set_view(self.view_state.pan(direction))

    def action_go_live(self) -> None:
        self.set_view(self.view_state.go_live())

    def action_compare(self) -> None:
        state = self.view_state.cycle_compare()
        self.set_view(state)
        self.notify(
            f"Comparing {state.describe_compare()}" if state.compare_offset else "Compare off",
            timeout=2,
        )

    def all_services(self) -> list[str]:
        """Services from the backend, the panels' results and the log sources' mapping."""
        names = set(self.known_services)
        for result in self.results.values():
            names.update(result.services())
        for host in self.config.logs.hosts:
            names.add(host.service)
            names.update(f.service for f in host.files)
            names.update(j.service for j in host.journal)
        for source in self.log_sources:
            service = getattr(source, "service", "")
            if service:
                names.add(service)
        names.discard("")
        return sorted(names)

    def action_pick_services(self) -> None:
        from pulse_tui.ui.screens.picker import PickerScreen

        def chosen(selection: frozenset[str] | None) -> None:
            if selection is not None:
                self.set_view(self.view_state.with_services(selection))

        self.push_screen(
            PickerScreen("Services", self.all_services(), self.view_state.services), chosen
        )

    def action_pick_range(self) -> None:
        from pulse_tui.ui.screens.time_range import TimeRangeScreen

        def chosen(choice: tuple[float, float | None] | None) -> None:
            if choice is not None:
                self.set_view(self.view_state.with_range(*choice))

        self.push_screen(TimeRangeScreen(), chosen)

    def on_signal_panel_jump_to_time(self, event: SignalPanel.JumpToTime) -> None:
        view = self.log_panel.view
        view.scroll_to_time(event.timestamp)
        view.focus()

    def action_refresh_now(self) -> None:
        self._next_attempt.clear()
        self.refresh_signals(force=True)

    def action_escape(self) -> None:
        if self.dashboard.maximized is not None:
            self.dashboard.restore()
        elif self.view_state.services:
            self.set_view(self.view_state.with_services(frozenset()))

    def on_service_table_service_chosen(self, event: ServiceTable.ServiceChosen) -> None:
        self.set_view(self.view_state.with_services(frozenset({event.service})))
        self.toast(f"Focused on {event.service} · Esc shows all services", timeout=3)

    # ----------------------------------------------------------------- panes
