"""Noise control: silence windows from the config and silences set from the pane (`x`).

A silenced alert is still listed (marked silenced, with the reason) but sends nothing:
`AlertBook.apply` consults `SilenceBook.silenced` before an event reaches the notifier.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from pulse_tui.model.alerting.alerts import Alert
from pulse_tui.model.alerting.definitions import Silence


def _minutes(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def in_daily_window(start: int, end: int, now: float) -> bool:
    """Whether local time at `now` is in [start, end) minutes after midnight.

    `start > end` wraps past midnight (22:00-02:00); `start == end` is an empty window
    (a whole-day silence is better written as an absolute one, with an end).
    """
    local = time.localtime(now)
    minute = local.tm_hour * 60 + local.tm_min
    if start <= end:
        return start <= minute < end
    return minute >= start or minute < end


class SilenceBook:
    """The configured silence windows plus manual silences by alert key."""

    def __init__(self, silences: Sequence[Silence] = ()) -> None:
        self.windows = tuple(silences)
        #: Manual silences: alert key -> Unix time they end.
        self.manual: dict[str, float] = {}

    def silence(self, alert_key: str, until: float) -> None:
        """Silence one alert (by `Alert.key`) until `until` (Unix seconds)."""
        self.manual[alert_key] = until

    def unsilence(self, alert_key: str) -> None:
        self.manual.pop(alert_key, None)

    def silenced(self, alert: Alert, now: float) -> str | None:
        """Why `alert` is silenced at `now`, or None when it is not."""
        until = self.manual.get(alert.key)
        if until is not None:
            if now < until:
                clock = time.strftime("%H:%M", time.localtime(until))
                return f"silenced until {clock}"
            del self.manual[alert.key]  # expired: forget it
        for window in self.windows:
            if window.rules and alert.name not in window.rules:
                continue
            if window.daily_start is not None and window.daily_end is not None:
                if in_daily_window(window.daily_start, window.daily_end, now):
                    span = f"{_minutes(window.daily_start)}-{_minutes(window.daily_end)}"
                    return f"silence {window.name} ({span})"
            elif (
                window.start is not None
                and window.end is not None
                and (window.start <= now < window.end)
            ):
                return f"silence {window.name}"
        return None
