"""What the `[alerts]` and `[[probes]]` sections hold."""

from __future__ import annotations

from dataclasses import dataclass, field

from pulse_tui.config.secrets import SecretRef
from pulse_tui.model.logline import Level
from pulse_tui.model.signals import Signal

SEVERITIES = ("info", "warn", "page")
COMPARISONS = (">", ">=", "<", "<=")
QUANTILES = ("p50", "p90", "p99")


@dataclass(frozen=True, slots=True)
class AlertRule:
    """Fires when a signal (or a query) compares true for `for_seconds` on a service."""

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


@dataclass(frozen=True, slots=True)
class Webhook:
    """Slack-compatible incoming webhook for one severity; the URL is a secret."""

    severity: str
    url: SecretRef


@dataclass(frozen=True, slots=True)
class Probe:
    """An HTTP(S) endpoint checked from where pulse-tui runs."""

    name: str
    url: str
    interval: float = 30.0
    timeout: float = 5.0
    expect_status: int = 200
    #: Consecutive failed checks before the probe alerts.
    down_after: int = 3
    severity: str = "page"


@dataclass(frozen=True, slots=True)
class AlertsConfig:
    rules: tuple[AlertRule, ...] = ()
    log_rules: tuple[LogRule, ...] = ()
    silences: tuple[Silence, ...] = ()
    webhooks: tuple[Webhook, ...] = ()
    alertmanager_url: str | None = None
    #: Also show alerts already firing in Prometheus (/api/v1/alerts).
    prometheus_alerts: bool = True
    #: Whether a new NEW error group raises an alert (severity "info").
    new_error_groups: bool = False
    #: Most error groups kept (least seen evicted first, and counted).
    max_error_groups: int = 500
    probes: tuple[Probe, ...] = field(default_factory=tuple)
