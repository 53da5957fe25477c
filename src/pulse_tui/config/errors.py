"""The one error type of config loading: a one-line message naming file, key, problem."""

from __future__ import annotations

from pulse_tui.model.core.redact import scrub


class ConfigError(ValueError):
    """A problem in the config or the flags; the message is one line, ready to print.

    Every part is scrubbed of known secrets and URL passwords (`pulse_tui.model.core.redact`): a
    message that quotes a flag or a value may quote a credential.
    """

    def __init__(self, where: str, key: str, problem: str) -> None:
        self.where = scrub(where)
        self.key = scrub(key)
        self.problem = scrub(problem)
        location = f"{self.where}: {self.key}" if self.key else self.where
        super().__init__(f"{location}: {self.problem}")
