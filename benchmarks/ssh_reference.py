"""What the SSH benchmarks time themselves against: plain `ssh HOST COMMAND` to every host
at once, over the same loopback sshd (not a benchmark itself: `run.py` runs `bench_*`)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path


def iso(t: float) -> str:
    """A log line's ISO stamp with milliseconds, UTC."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


def ssh_all(ssh: str, home: Path, commands: dict[str, list[str]]) -> float:
    """Seconds until `commands[host]` has run on every host at once, output discarded;
    a failing command raises (a reference that failed would time nothing)."""
    env = {**os.environ, "HOME": str(home)}
    env.pop("SSH_AUTH_SOCK", None)
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            # ssh finds ~ from the password database, not $HOME: say which files.
            [
                ssh,
                "-F",
                str(home / ".ssh/config"),
                "-o",
                f"UserKnownHostsFile={home / '.ssh/known_hosts'}",
                "-o",
                "BatchMode=yes",
                host,
                *command,
            ],
            stdout=subprocess.DEVNULL,
            env=env,
        )
        for host, command in commands.items()
    ]
    for proc, command in zip(procs, commands.values(), strict=True):
        if proc.wait(120) != 0:
            raise RuntimeError(f"ssh {command[0]} failed with status {proc.returncode}")
    return time.perf_counter() - started
