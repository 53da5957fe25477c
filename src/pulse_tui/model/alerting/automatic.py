"""The automatic alert rules: what pulse-tui alerts on when nobody wrote a rule.

They are ordinary change rules (`AlertRule.change`), run by the same `RuleEvaluator` as
the user's: a crit finding of what-changed (`model/metrics/changes.py`, judged against
the config's warn/crit thresholds) that holds for `for_seconds` fires; it resolves when
the finding recovers or is no longer found. `pulse-tui init` writes these same rules into
the file it generates, so loading that file gives the same alerts.
"""

from __future__ import annotations

from collections.abc import Sequence

from pulse_tui.model.alerting.definitions import AlertRule
from pulse_tui.model.metrics.signals import Signal

#: One rule per signal what-changed judges. Two minutes beyond the points a change needs
#: to be found at all, so one bad minute does not page; saturation and queues warn.
AUTOMATIC_RULES: tuple[AlertRule, ...] = (
    AlertRule("Error ratio jumped", "page", ">", 0.0, 120.0, Signal.ERRORS, change="crit"),
    AlertRule("p99 latency jumped", "page", ">", 0.0, 120.0, Signal.LATENCY, change="crit"),
    AlertRule("Traffic fell away", "page", ">", 0.0, 120.0, Signal.TRAFFIC, change="crit"),
    AlertRule("Queue p99 jumped", "warn", ">", 0.0, 120.0, Signal.QUEUE, change="crit"),
    AlertRule("Saturation high", "warn", ">", 0.0, 300.0, Signal.SATURATION, change="crit"),
)


def rules_in_force(configured: Sequence[AlertRule], automatic: bool) -> tuple[AlertRule, ...]:
    """The user's rules when there are any; else the automatic ones, unless turned off."""
    if configured:
        return tuple(configured)
    return AUTOMATIC_RULES if automatic else ()
