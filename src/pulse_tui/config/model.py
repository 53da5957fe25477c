"""What a loaded config holds: frozen dataclasses, with the defaults spelled out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pulse_tui.config.alert_model import AlertsConfig
from pulse_tui.config.secrets import SecretRef
from pulse_tui.model.metrics.signals import DEFAULT_UNITS, Signal, Thresholds

DEFAULT_PROMETHEUS_URL = "http://localhost:9090"
GLYPH_SETS = ("braille", "block", "ascii")


@dataclass(frozen=True, slots=True)
class PrometheusConfig:
    url: str = DEFAULT_PROMETHEUS_URL
    service_label: str = "job"
    status_label: str = "code"
    timeout: float = 10.0
    scrape_interval: float = 15.0
    token: SecretRef = field(default_factory=SecretRef)
    username: str | None = None
    password: SecretRef = field(default_factory=SecretRef)
    #: Extra headers. A str value is not a secret (a tenant id); a SecretRef is, resolved
    #: when a client is built (see config/headers.py).
    headers: Mapping[str, str | SecretRef] = field(default_factory=dict)
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    tls_insecure: bool = False
    #: Lines a panel draws at most: the top ones by their value now (the rest are counted).
    max_series: int = 20
    #: The largest answer read from the server; a bigger one is cut off and reported.
    max_body_bytes: int = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SignalConfig:
    """A panel's query template (None = built-in default), unit and thresholds."""

    query: str | None = None
    unit: str = ""
    thresholds: Thresholds = field(default_factory=Thresholds)
    #: Saturation only: a query whose value is 100 %, to show usage as a percentage.
    limit_query: str | None = None


@dataclass(frozen=True, slots=True)
class LogFile:
    path: str
    service: str = ""


@dataclass(frozen=True, slots=True)
class JournalUnit:
    unit: str
    service: str = ""


@dataclass(frozen=True, slots=True)
class LogHost:
    """One remote host and what to tail on it. `host` goes through ~/.ssh/config."""

    host: str
    port: int | None = None
    user: str | None = None
    jump: str | None = None
    service: str = ""
    files: tuple[LogFile, ...] = ()
    journal: tuple[JournalUnit, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.user}@{self.host}" if self.user else self.host


#: Longest `logs.reorder_window` accepted: past this, held lines would look like a stall.
MAX_REORDER_WINDOW = 10.0


@dataclass(frozen=True, slots=True)
class LogsConfig:
    max_lines: int = 200_000
    #: Text bytes of the hot lines plus compressed bytes of the cold ones (`logs.cold`).
    max_bytes: int = 256 * 1024 * 1024
    #: The newest lines kept uncompressed (whole blocks of 4,096); older ones compressed.
    hot_lines: int = 32_768
    max_line_bytes: int = 64 * 1024
    #: A file's first look loads its lines back to the start of the dashboard's range, but
    #: at most this many bytes before its end; 0: no history, live lines only.
    history_bytes: int = 64 * 1024 * 1024
    connect_timeout: float = 10.0
    keepalive_interval: float = 5.0
    reorder_window: float = 0.5
    #: A search on the hosts (`H`) keeps at most this many matches, and stops after this
    #: many bytes of matching lines.
    remote_search_max_matches: int = 10_000
    remote_search_max_bytes: int = 16 * 1024 * 1024
    known_hosts: str | None = None
    hosts: tuple[LogHost, ...] = ()


@dataclass(frozen=True, slots=True)
class DashboardConfig:
    refresh: float = 5.0
    range: float = 3600.0
    glyphs: str = "braille"
    bell: bool = True
    #: Where the export key writes its directories ("" = the working directory).
    export_dir: str = ""
    #: Series kept per panel of an imported Grafana dashboard (past it: cut, and said so).
    max_series: int = 200


DEFAULT_SIGNALS: dict[Signal, SignalConfig] = {
    Signal.LATENCY: SignalConfig(unit="s", thresholds=Thresholds(warn=0.5, crit=1.0)),
    Signal.TRAFFIC: SignalConfig(unit="req/s"),
    Signal.ERRORS: SignalConfig(unit="ratio", thresholds=Thresholds(warn=0.01, crit=0.05)),
    Signal.SATURATION: SignalConfig(unit="cores", thresholds=Thresholds(warn=0.7, crit=0.9)),
    Signal.QUEUE: SignalConfig(unit="s", thresholds=Thresholds(warn=2.0, crit=5.0)),
}


@dataclass(frozen=True, slots=True)
class SavedQuery:
    """A `[[queries]]` entry: an ad-hoc PromQL panel kept across runs."""

    expr: str
    #: The panel's title ("" : the expression).
    title: str = ""
    #: A table of values at the range's end (an instant query) instead of a chart.
    table: bool = False


@dataclass(frozen=True, slots=True)
class Config:
    """Everything pulse-tui runs with. `path` is None when no file was found."""

    path: Path | None = None
    prometheus: PrometheusConfig = PrometheusConfig()
    dashboard: DashboardConfig = DashboardConfig()
    signals: Mapping[Signal, SignalConfig] = field(default_factory=lambda: dict(DEFAULT_SIGNALS))
    #: Per-service threshold overrides: service -> signal -> thresholds.
    service_thresholds: Mapping[str, Mapping[Signal, Thresholds]] = field(default_factory=dict)
    logs: LogsConfig = LogsConfig()
    #: Action name -> key(s), overriding the default bindings.
    keys: Mapping[str, str] = field(default_factory=dict)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    demo: bool = False
    #: True when the Prometheus URL is the built-in default (the header says so).
    prometheus_defaulted: bool = True
    #: True when the file has a `[prometheus]` table (even one without `url`) or a flag
    #: set a Prometheus setting (`--service-label`): Prometheus was asked for.
    prometheus_asked: bool = False
    #: Grafana dashboard files to import (`[[dashboards]]`, `--dashboard`), each a screen.
    dashboards: tuple[Path, ...] = ()
    #: Ad-hoc PromQL panels the Ad-hoc dashboard starts with (`[[queries]]`).
    queries: tuple[SavedQuery, ...] = ()

    def thresholds(self, signal: Signal, service: str | None = None) -> Thresholds:
        if service is not None:
            override = self.service_thresholds.get(service, {}).get(signal)
            if override is not None:
                return override
        return self.signals[signal].thresholds

    @property
    def metrics_wanted(self) -> bool:
        """Whether the user asked for metrics: the demo, a Prometheus URL or table, a
        PromQL alert rule, or no log hosts at all (then the default URL is all there is).
        `--logs` alone is not asking for the default URL: the logs take the screen."""
        return (
            self.demo
            or not self.prometheus_defaulted
            or self.prometheus_asked
            or bool(self.alerts.rules)
            or not self.logs.hosts
        )

    def unit(self, signal: Signal) -> str:
        return self.signals[signal].unit or DEFAULT_UNITS[signal]
