"""Where a secret comes from (env, file, command, or inline), resolved only when used.

Resolving registers the value with `model.core.redact.SECRETS`, so from then on it is masked
in every message shown or logged.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from pulse_tui.config.errors import ConfigError
from pulse_tui.model.core.redact import SECRETS


@dataclass(frozen=True, slots=True)
class SecretRef:
    """Where a secret comes from. Only `inline` holds the value itself, and never prints."""

    env: str | None = None
    file: str | None = None
    command: str | None = None
    inline: str | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return bool(self.given())

    def given(self) -> list[str]:
        """The names of the sources set ("env", "file", "command", "inline"), in that order."""
        sources = (("env", self.env), ("file", self.file), ("command", self.command))
        return [name for name, value in (*sources, ("inline", self.inline)) if value]

    def resolve(self) -> str:
        """The secret's value, registered for scrubbing; raises ConfigError naming the
        source (never the value)."""
        value = self._read()
        SECRETS.add(value)
        return value

    def _read(self) -> str:
        if self.inline is not None:
            return self.inline
        if self.env:
            value = os.environ.get(self.env)
            if value is None:
                raise ConfigError("environment", self.env, "variable is not set")
            return value.strip()
        if self.file:
            try:
                return Path(self.file).expanduser().read_text().strip()
            except OSError as exc:
                raise ConfigError(self.file, "", f"cannot read secret: {exc.strerror}") from exc
        if self.command:
            try:
                done = subprocess.run(
                    shlex.split(self.command), capture_output=True, text=True, timeout=15
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise ConfigError("command", self.command, f"failed: {exc}") from exc
            if done.returncode != 0:
                raise ConfigError("command", self.command, f"exited with status {done.returncode}")
            return done.stdout.strip()
        return ""
