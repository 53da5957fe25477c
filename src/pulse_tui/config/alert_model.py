"""What the `[alerts]` and `[[probes]]` sections hold."""

from __future__ import annotations

from dataclasses import dataclass, field

from pulse_tui.config.secrets import SecretRef
from pulse_tui.model.alerting.automatic import rules_in_force
from pulse_tui.model.alerting.definitions import AlertRule, LogRule, Silence


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
    #: Whether, with no `rules` configured, the automatic rules alert on what changed
    #: (`model/alerting/automatic.py`).
    automatic: bool = True

    @property
    def rules_in_force(self) -> tuple[AlertRule, ...]:
        """The rules the session runs: `rules`, or the automatic ones when there are none."""
        return rules_in_force(self.rules, self.automatic)
