"""What the user is looking at: time range, live or a past window, service filter, pause."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from pulse_tui.model.core import clock, time_range
from pulse_tui.model.core.durations import format_duration


@dataclass(frozen=True, slots=True)
class ViewState:
    """Immutable: every keystroke makes a new one, so widgets compare old and new."""

    range_seconds: float = 3600.0
    #: None while live (the range ends now); otherwise the Unix time the range ends at.
    end: float | None = None
    services: frozenset[str] = frozenset()
    paused: bool = False
    #: Seconds back for the dimmed compare overlay (a day, a week), or None.
    compare_offset: float | None = None

    @property
    def live(self) -> bool:
        return self.end is None and not self.paused

    def window_end(self, now: float | None = None) -> float:
        return self.end if self.end is not None else (now if now is not None else clock.now())

    def describe_range(self) -> str:
        text = f"last {format_duration(self.range_seconds)}"
        if self.end is not None:
            until = time.strftime("%m-%d %H:%M", time.localtime(self.end))
            text = f"{format_duration(self.range_seconds)} to {until}"
        return text

    def describe_services(self) -> str:
        return ", ".join(sorted(self.services)) if self.services else "all services"

    def with_range(self, range_seconds: float, end: float | None) -> ViewState:
        return replace(self, range_seconds=range_seconds, end=end)

    def go_live(self) -> ViewState:
        return replace(self, end=None, paused=False)

    def pan(self, direction: int, now: float | None = None) -> ViewState:
        """Move by half a range; panning forward into the future returns to live."""
        current = now if now is not None else clock.now()
        return replace(self, end=time_range.pan(self.range_seconds, self.end, current, direction))

    def cycle_compare(self) -> ViewState:
        """Off → a day earlier → a week earlier → off."""
        order: list[float | None] = [None, 86400.0, 604800.0]
        index = order.index(self.compare_offset) if self.compare_offset in order else 0
        return replace(self, compare_offset=order[(index + 1) % len(order)])

    def describe_compare(self) -> str:
        if self.compare_offset is None:
            return ""
        return f"vs {format_duration(self.compare_offset)} earlier"

    def with_services(self, services: frozenset[str]) -> ViewState:
        return replace(self, services=services)

    def toggle_pause(self) -> ViewState:
        return replace(self, paused=not self.paused)

    def zoom(self, direction: int, now: float | None = None) -> ViewState:
        """One preset range longer (+1) or shorter (-1), keeping the centre of a past range."""
        current = now if now is not None else clock.now()
        range_seconds, end = time_range.zoom(self.range_seconds, self.end, current, direction)
        return replace(self, range_seconds=range_seconds, end=end)
