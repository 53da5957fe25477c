"""`pulse-tui init`: the starter file, data by tomli_w and comments around it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulse_tui.config.model import (
    DEFAULT_PROMETHEUS_URL,
    LogsConfig,
)
from pulse_tui.model.alerting.automatic import AUTOMATIC_RULES
from pulse_tui.model.alerting.definitions import AlertRule
from pulse_tui.model.core.durations import format_duration


def rule_table(rule: AlertRule) -> dict[str, Any]:
    """A change rule as `[[alerts.rules]]` holds it (what the config loader reads back)."""
    table: dict[str, Any] = {"name": rule.name}
    if rule.signal is not None:
        table["signal"] = rule.signal.value
    table["change"] = rule.change
    table["severity"] = rule.severity
    table["for"] = format_duration(rule.for_seconds)
    if rule.services:
        table["services"] = list(rule.services)
    return table


def starter_config() -> dict[str, Any]:
    """The data of `pulse-tui init`: every section, with the defaults spelled out."""
    return {
        "prometheus": {
            "url": DEFAULT_PROMETHEUS_URL,
            "service_label": "job",
            "timeout": "10s",
            "scrape_interval": "15s",
        },
        "dashboard": {"refresh": "5s", "range": "1h", "glyphs": "braille"},
        "logs": {"max_lines": LogsConfig().max_lines, "max_bytes": "256MiB", "hosts": []},
        # The automatic rules, written out to edit: with these in the file they are the
        # user's rules (the same alerts as with no rules at all).
        "alerts": {"automatic": True, "rules": [rule_table(r) for r in AUTOMATIC_RULES]},
    }


def render_starter(dump: Callable[[dict[str, Any]], str]) -> str:
    """The starter file: tomli_w writes the data, and we add the comments around it."""
    header = (
        "# pulse-tui configuration. Every key is documented in config.example.toml\n"
        "# and in the README's config reference.\n"
        "#\n"
        "# Secrets: never write tokens here; use token_env, token_file or token_command.\n"
        "#   [prometheus]\n"
        '#   token_env = "PROMETHEUS_TOKEN"\n'
        "#\n"
        "# Tail logs over SSH (host names go through ~/.ssh/config):\n"
        "#   [[logs.hosts]]\n"
        '#   host = "web-1"\n'
        '#   service = "api"\n'
        '#   files = ["/var/log/app/*.log"]\n'
        '#   journal = ["nginx.service"]\n'
        "#\n"
        "# Alerts: the [[alerts.rules]] below are the rules pulse-tui runs when a config has\n"
        '# none. Each fires on a change "What changed" finds (change = "crit": the\n'
        '# signal\'s value after the change is past its crit threshold; "warn" for warn),\n'
        "# held for `for`. Edit or delete them; with no rules left and automatic = false,\n"
        "# nothing alerts. Threshold rules: signal, op, threshold, for (see the README).\n\n"
    )
    return header + dump(starter_config())
