"""What an alert rule, a log rule and a silence are: the rules the alerting model runs.

They live in the model, not in `config`, because the evaluators need them and the model
imports nothing of config's; `config` builds them from TOML.
"""

from __future__ import annotations

from dataclasses import dataclass

from pulse_tui.model.logs.line import Level
from pulse_tui.model.metrics.signals import Signal

SEVERITIES = ("info", "warn", "page")
COMPARISONS = (">", ">=", "<", "<=")
QUANTILES = ("p50", "p90", "p99")
#: What a change rule fires on: a finding of this severity or worse (`model/metrics/changes.py`).
CHANGE_LEVELS = ("warn", "crit")


@dataclass(frozen=True, slots=True)
class AlertRule:
    """Fires when a signal (or a query) compares true for `for_seconds` on a service.

    A *change rule* (`change` set) compares nothing itself: it fires while what-changed
    has an ongoing finding on its `signal` for the service at `change` severity or worse
    (the severity comes from the signal's warn/crit thresholds), held for `for_seconds`;
    `op`, `threshold` and `quantile` do not apply to it.
    """

    name: str
    severity: str
    op: str
    threshold: float
    for_seconds: float = 0.0
    signal: Signal | None = None
    #: Latency only: which quantile the rule watches.
    quantile: str = "p99"
    #: Any PromQL instead of a signal (one series per service, by the service label).
    query: str | None = None
    #: Empty = every service.
    services: tuple[str, ...] = ()
    #: A change rule: the finding severity it fires on ("crit" or "warn"); None otherwise.
    change: str | None = None

    def compare(self, value: float) -> bool:
        return {
            ">": value > self.threshold,
            ">=": value >= self.threshold,
            "<": value < self.threshold,
            "<=": value <= self.threshold,
        }[self.op]


@dataclass(frozen=True, slots=True)
class LogRule:
    """Fires when more than `count` matching lines arrive within `window_seconds`."""

    name: str
    severity: str
    count: int
    window_seconds: float
    #: What the user wrote: literal, or `re:` for a regex (as in the log search).
    pattern: str = ""
    min_level: Level = Level.UNKNOWN
    services: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Silence:
    """A window in which matching alerts show as silenced and send nothing.

    Either daily (`daily_start`/`daily_end` as minutes after local midnight, may wrap past
    midnight) or absolute (`start`/`end` as Unix times).
    """

    name: str
    rules: tuple[str, ...] = ()
    daily_start: int | None = None
    daily_end: int | None = None
    start: float | None = None
    end: float | None = None
