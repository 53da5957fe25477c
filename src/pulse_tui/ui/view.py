"""What the user looks at: time range, service filter, pause, compare, and their pickers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App

from pulse_tui.model.core.view_state import ViewState
from pulse_tui.ui.dashboard import Dashboard
from pulse_tui.ui.toast import toast


class ViewController:
    """The one owner of the `ViewState`: the feeds read `state`, and only `set` changes it.

    A change is shown in the header, narrows the log pane to the chosen services, and
    (unless it is the pause itself) asks every panel for data again through `refetch`.
    """

    def __init__(
        self,
        app: App[Any],
        dashboard: Dashboard,
        state: ViewState,
        *,
        refetch: Callable[[], None],
    ) -> None:
        self._app = app
        self._dashboard = dashboard
        self._state = state
        #: Every panel fetched again now, backoff waits forgotten (the metrics feed).
        self._refetch = refetch
        #: Told of every change of the range shown (the log feed fetches what it lacks).
        self._range_listeners: list[Callable[[ViewState], None]] = []

    @property
    def state(self) -> ViewState:
        """The current view (immutable: a change makes a new one)."""
        return self._state

    def on_range_change(self, listener: Callable[[ViewState], None]) -> None:
        """Call `listener` with the new state whenever the range or its end changes."""
        self._range_listeners.append(listener)

    def set(self, state: ViewState, *, refetch: bool = True) -> None:
        """Make `state` the view (before the app runs: the view it starts with)."""
        old, self._state = self._state, state
        if not self._app.is_running:
            return  # no widgets yet: the dashboard is composed and mounted from `state`
        self._dashboard.header.show(state)
        if state.services != old.services:
            self._dashboard.log_panel.set_services(state.services)
        if (state.range_seconds, state.end) != (old.range_seconds, old.end):
            for listener in self._range_listeners:
                listener(state)
        if refetch:
            self._refetch()

    # ----------------------------------------------------------------- user actions

    def toggle_pause(self) -> None:
        state = self._state.toggle_pause()
        self.set(state, refetch=not state.paused)
        self._app.notify(
            "Paused: live updates stop until you press p"
            if state.paused
            else "Live updates resumed",
            timeout=2,
        )

    def zoom(self, direction: int) -> None:
        self.set(self._state.zoom(direction))

    def pan(self, direction: int) -> None:
        self.set(self._state.pan(direction))

    def go_live(self) -> None:
        self.set(self._state.go_live())

    def cycle_compare(self) -> None:
        state = self._state.cycle_compare()
        self.set(state)
        self._app.notify(
            f"Comparing {state.describe_compare()}" if state.compare_offset else "Compare off",
            timeout=2,
        )

    def focus_service(self, service: str) -> None:
        """Every panel and the logs narrowed to one service (Enter on the table)."""
        self.set(self._state.with_services(frozenset({service})))
        toast(self._app, f"Focused on {service} · Esc shows all services", timeout=3)

    def clear_services(self) -> None:
        """All services again (nothing if no filter is set)."""
        if self._state.services:
            self.set(self._state.with_services(frozenset()))

    def pick_services(self, names: list[str]) -> None:
        """The fuzzy multi-select picker over `names`; the choice becomes the filter."""
        from pulse_tui.ui.screens.picker import PickerScreen

        def chosen(selection: frozenset[str] | None) -> None:
            if selection is not None:
                self.set(self._state.with_services(selection))

        self._app.push_screen(PickerScreen("Services", names, self._state.services), chosen)

    def pick_range(self) -> None:
        """The time-range picker (presets or custom); the choice becomes the range."""
        from pulse_tui.ui.screens.time_range import TimeRangeScreen

        def chosen(choice: tuple[float, float | None] | None) -> None:
            if choice is not None:
                self.set(self._state.with_range(*choice))

        self._app.push_screen(TimeRangeScreen(), chosen)
