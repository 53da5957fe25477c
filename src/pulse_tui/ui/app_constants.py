"""Layout and flow limits shared by the app modules."""

from __future__ import annotations

from pulse_tui.model.metrics.signals import Signal

#: Lines waiting for the next repaint; past this the UI is behind and we drop (counted).
MAX_PENDING_LINES = 200_000
#: Log repaints per second at most, however fast lines arrive.
LOG_FLUSH_INTERVAL = 0.1
MAX_BACKOFF = 60.0

PANEL_KEYS = {
    "1": Signal.LATENCY,
    "2": Signal.TRAFFIC,
    "3": Signal.ERRORS,
    "4": Signal.SATURATION,
    "5": Signal.QUEUE,
}
