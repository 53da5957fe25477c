"""Walking a TOML table with a key path, typed getters and "did you mean" for unknown keys."""

from __future__ import annotations

import difflib
import math
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any, overload
from urllib.parse import urlparse

from pulse_tui.config.errors import ConfigError
from pulse_tui.config.model import (
    SecretRef,
)
from pulse_tui.model.core.durations import DurationError, parse_duration
from pulse_tui.model.core.redact import SECRETS, display_url, split_credentials
from pulse_tui.model.metrics.signals import Thresholds


class _Reader:
    """Walks a TOML table, remembering the key path and reporting unknown keys."""

    def __init__(self, where: str, table: Mapping[str, Any], path: str = "") -> None:
        self.where = where
        self.table = table
        self.path = path
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, problem: str) -> ConfigError:
        return ConfigError(self.where, self.key(name), problem)

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        self.seen.add(name)
        if name not in self.table:
            return default
        value = self.table[name]
        # bool is an int in Python, but `port = true` is a mistake worth naming.
        if isinstance(value, bool) and kind is not bool and bool not in _as_tuple(kind):
            raise self.error(name, f"expected {_kind_name(kind)}, got a boolean")
        if not isinstance(value, kind):
            raise self.error(name, f"expected {_kind_name(kind)}, got {_toml_type(value)}")
        return value

    @overload
    def string(self, name: str, default: str) -> str: ...
    @overload
    def string(self, name: str, default: None = None) -> str | None: ...
    def string(self, name: str, default: str | None = None) -> str | None:
        return self.get(name, str, default)

    def number(self, name: str, default: float | None = None, *, minimum: float = 0) -> Any:
        value = self.get(name, (int, float), default)
        if value is not None and value < minimum:
            raise self.error(name, f"must be at least {minimum}, got {value}")
        return value

    def duration(
        self, name: str, default: float, *, maximum: float = math.inf, zero: bool = False
    ) -> float:
        """A duration ("30s", "5m") or a number of seconds; `zero`: 0 is allowed too."""
        value = self.get(name, (str, int, float), None)
        if value is None:
            return default
        if isinstance(value, (int, float)):
            seconds = float(value)
            if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and not zero):
                least = "zero or more" if zero else "greater than zero"
                raise self.error(name, f"must be a finite number of seconds, {least}")
        elif zero and value.strip() in ("0", "0s"):
            seconds = 0.0
        else:
            try:
                seconds = parse_duration(value)
            except DurationError as exc:
                raise self.error(name, str(exc)) from exc
        if seconds > maximum:
            raise self.error(name, f"must be at most {maximum:g}s, got {value!r}")
        return seconds

    def size(self, name: str, default: int, *, zero: bool = False) -> int:
        """A size ("64KiB", "256MiB") or a number of bytes; `zero`: 0 is allowed too."""
        value = self.get(name, (str, int), None)
        if value is None:
            return default
        if isinstance(value, int):
            if value < 0 or (value == 0 and not zero):
                least = "zero or more" if zero else "greater than zero"
                raise self.error(name, f"must be {least}")
            return value
        if zero and isinstance(value, str) and value.strip() in ("0", "0B", "0b"):
            return 0
        try:
            return parse_size(value)
        except ValueError as exc:
            raise self.error(name, str(exc)) from exc

    def child(self, name: str) -> _Reader | None:
        table = self.get(name, dict)
        return None if table is None else _Reader(self.where, table, self.key(name))

    def items(self, name: str) -> list[Any]:
        return list(self.get(name, list, []))

    def finish(self) -> None:
        """Reject keys nobody asked for, suggesting the closest known one."""
        for name in self.table:
            if name not in self.seen:
                close = difflib.get_close_matches(name, sorted(self.seen), n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                known = ", ".join(sorted(self.seen))
                raise self.error(name, f"unknown key{hint}; known keys here: {known}")


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        dict: "a table",
        list: "an array",
    }
    kinds = _as_tuple(kind)
    if set(kinds) == {int, float}:
        return "a number"
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _toml_type(value: Any) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        dict: "a table",
        list: "an array",
    }.get(type(value), type(value).__name__)


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes in "64KiB", "256MiB", "1GB" or a plain number."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"invalid size {text!r}; use e.g. 65536, 64KiB, 256MiB")
    number = float(match.group(1))
    unit = (match.group(2) or "b").lower().rstrip("b") or "b"
    factor = {"b": 1, "k": 1000, "ki": 1024, "m": 10**6, "mi": 2**20, "g": 10**9, "gi": 2**30}
    value = int(number * factor[unit])
    if value <= 0:
        raise ValueError(f"size {text!r} must be greater than zero")
    return value


def check_url(url: str) -> str:
    """The URL without a trailing slash, or ValueError saying why it is unusable.

    A password in it is registered as a secret first, and the error shows the URL masked.
    """
    SECRETS.add_url(url)
    shown = display_url(url)
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"invalid URL {shown!r}; expected http(s)://host[:port][/path]")
    try:
        parsed.port  # noqa: B018 - raises on a non-numeric port
    except ValueError as exc:
        raise ValueError(f"invalid URL {shown!r}: {exc}") from exc
    return url.rstrip("/")


def _url(
    reader: _Reader,
    name: str,
    file_path: Path | None,
    default: str | None = None,
    *,
    alternative: str = "",
) -> str | None:
    """A checked URL. Credentials in it are an inline secret: refused in a file that group or
    others can read, like an inline token (`alternative` says what else would do)."""
    url = reader.string(name, default)
    if url is None:
        return None
    try:
        url = check_url(url)
    except ValueError as exc:
        raise reader.error(name, str(exc)) from exc
    if split_credentials(url)[1] is not None and _is_exposed(file_path):
        raise reader.error(
            name,
            f"credentials in a URL in a file readable by group/others; "
            f"run `chmod 600 {file_path}`{alternative}",
        )
    return url


def _is_exposed(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRWXG | stat.S_IRWXO))


def _secret(
    reader: _Reader, prefix: str, file_path: Path | None, inline_name: str | None = None
) -> SecretRef:
    """Reads `<prefix>_env`, `<prefix>_file`, `<prefix>_command` and the inline form."""
    inline_name = inline_name or prefix
    ref = SecretRef(
        env=reader.string(f"{prefix}_env"),
        file=reader.string(f"{prefix}_file"),
        command=reader.string(f"{prefix}_command"),
        inline=reader.string(inline_name),
    )
    given = ref.given()
    if len(given) > 1:
        raise reader.error(prefix, "set only one of " + ", ".join(f"{prefix}_{n}" for n in given))
    if ref.inline is not None and _is_exposed(file_path):
        raise reader.error(
            inline_name,
            f"inline secret in a file readable by group/others; run `chmod 600 {file_path}` "
            f"or move it to {prefix}_env / {prefix}_file / {prefix}_command",
        )
    return ref


def _thresholds(reader: _Reader, default: Thresholds) -> Thresholds:
    warn = reader.number("warn", default.warn, minimum=float("-inf"))
    crit = reader.number("crit", default.crit, minimum=float("-inf"))
    if warn is not None and crit is not None and warn > crit:
        raise reader.error("warn", f"warn ({warn}) is above crit ({crit})")
    return Thresholds(warn=warn, crit=crit)
