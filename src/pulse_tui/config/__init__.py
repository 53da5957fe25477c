"""The configuration: TOML in (tomllib), validated into dataclasses, TOML out (tomli_w).

Every error names the file, the key path (`logs.hosts[2].port`) and what is wrong, so a
user fixing a config at 3 a.m. never has to guess. No Textual here: `check` and `summary`
use this package without a UI.

    model.py        the dataclasses              reader.py   typed, path-aware TOML walking
    load.py         sections -> Config           flags.py    command-line overrides
    alert_model.py  the [alerts] dataclasses     alerts.py   [alerts], [[probes]] -> them
    secrets.py      where a secret comes from    errors.py   ConfigError

`pulse-tui init`'s starter file is written by `cli/init.py`.
"""

from pulse_tui.config.alert_model import (
    AlertRule,
    AlertsConfig,
    LogRule,
    Probe,
    Silence,
    Webhook,
)
from pulse_tui.config.errors import ConfigError
from pulse_tui.config.flags import (
    Overrides,
    apply_overrides,
    merge_hosts,
    parse_journal_spec,
    parse_logs_spec,
    parse_range_flag,
    resolve,
    start_view,
)
from pulse_tui.config.load import find_config_path, load_config, parse_config
from pulse_tui.config.model import (
    DEFAULT_PROMETHEUS_URL,
    DEFAULT_SIGNALS,
    GLYPH_SETS,
    Config,
    DashboardConfig,
    JournalUnit,
    LogFile,
    LogHost,
    LogsConfig,
    PrometheusConfig,
    SavedQuery,
    SignalConfig,
)
from pulse_tui.config.reader import check_url, parse_size
from pulse_tui.config.secrets import SecretRef

__all__ = [
    "DEFAULT_PROMETHEUS_URL",
    "DEFAULT_SIGNALS",
    "GLYPH_SETS",
    "AlertRule",
    "AlertsConfig",
    "Config",
    "ConfigError",
    "DashboardConfig",
    "JournalUnit",
    "LogFile",
    "LogHost",
    "LogRule",
    "LogsConfig",
    "Overrides",
    "Probe",
    "PrometheusConfig",
    "SavedQuery",
    "SecretRef",
    "SignalConfig",
    "Silence",
    "Webhook",
    "apply_overrides",
    "check_url",
    "find_config_path",
    "load_config",
    "merge_hosts",
    "parse_config",
    "parse_journal_spec",
    "parse_logs_spec",
    "parse_range_flag",
    "parse_size",
    "resolve",
    "start_view",
]
