"""Layout and flow limits shared by the app modules."""

from __future__ import annotations

from pulse_tui.model.metrics.signals import Signal

MAX_BACKOFF = 60.0

PANEL_KEYS = {
    "1": Signal.LATENCY,
    "2": Signal.TRAFFIC,
    "3": Signal.ERRORS,
    "4": Signal.SATURATION,
    "5": Signal.QUEUE,
}
