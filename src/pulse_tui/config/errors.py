"""The one error type of config loading: a one-line message naming file, key, problem."""

from __future__ import annotations


class ConfigError(ValueError):
    """A problem in the config or the flags; the message is one line, ready to print."""

    def __init__(self, where: str, key: str, problem: str) -> None:
        self.where = where
        self.key = key
        self.problem = problem
        location = f"{where}: {key}" if key else where
        super().__init__(f"{location}: {problem}")
