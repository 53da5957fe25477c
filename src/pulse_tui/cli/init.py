"""`pulse-tui init`: the starter file, data by tomli_w and comments around it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulse_tui.config.model import (
    DEFAULT_PROMETHEUS_URL,
    LogsConfig,
)


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
        '#   journal = ["nginx.service"]\n\n'
    )
    return header + dump(starter_config())
