"""What the lab writes for the app and the user: ROOT/pulse.toml and ROOT/env.sh."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import tomli_w


@dataclass(frozen=True)
class LabHost:
    """One host alias of the lab's sshd and its files, as (path, service) pairs."""

    alias: str
    files: Sequence[tuple[Path, str]]


def write_config(
    root: Path, prometheus_url: str, known_hosts: Path, hosts: Sequence[LabHost]
) -> Path:
    """ROOT/pulse.toml: the lab's prometheus (scraped every 5 s, which the app must know
    for its rate windows), the hosts and their files with the service each belongs to."""
    document = {
        "prometheus": {"url": prometheus_url, "scrape_interval": "5s"},
        "dashboard": {"range": "1h", "refresh": "5s"},
        "logs": {
            "known_hosts": str(known_hosts),
            "hosts": [
                {
                    "host": host.alias,
                    "files": [
                        {"path": str(path), "service": service} for path, service in host.files
                    ],
                }
                for host in hosts
            ],
        },
    }
    path = root / "pulse.toml"
    path.write_text(
        "# Written by tools/incident_lab.py for its servers; gone with them.\n"
        + tomli_w.dumps(document)
    )
    return path


def app_command(repo: Path) -> str:
    """The command that runs the app of this checkout (its src, this interpreter)."""
    return f"PYTHONPATH={shlex.quote(str(repo / 'src'))} {shlex.quote(sys.executable)} -m pulse_tui"


def write_env(root: Path, config: Path, home: Path, repo: Path) -> Path:
    """ROOT/env.sh: source it in the shell that runs the app. HOME holds the ssh config
    (the aliases, the identity, known_hosts); PULSE_TUI_CONFIG is what the app reads."""
    command = app_command(repo)
    path = root / "env.sh"
    path.write_text(
        f"""\
# Written by tools/incident_lab.py: `. {shlex.quote(str(path))}`, then run the command it prints.
export PULSE_TUI_CONFIG={shlex.quote(str(config))}
export PULSE_CFG="$PULSE_TUI_CONFIG"
# ~/.ssh/config there maps web-1 and web-2 to the lab's sshd, with its throw-away key.
export HOME={shlex.quote(str(home))}
# The lab's key only: an agent of yours would offer its keys first.
unset SSH_AUTH_SOCK
echo "pulse-tui against the incident lab: {command}"
echo "(ssh by hand: ssh -F \\"\\$HOME/.ssh/config\\" web-1)"
"""
    )
    return path
