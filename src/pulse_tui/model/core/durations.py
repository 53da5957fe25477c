"""Durations as users type them ("90s", "5m", "1h30m", "2d") and as we print them."""

from __future__ import annotations

import re

_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)")


class DurationError(ValueError):
    """A duration string that cannot be parsed; the message says what is accepted."""


def parse_duration(text: str) -> float:
    """Seconds in a Prometheus-style duration such as "5m", "1h30m" or "250ms"."""
    cleaned = text.strip().lower()
    if not cleaned:
        raise DurationError("empty duration; use e.g. 30s, 5m, 1h, 2d")
    pos = 0
    total = 0.0
    for match in _PART.finditer(cleaned):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if pos != len(cleaned) or pos == 0:
        raise DurationError(f"invalid duration {text!r}; use e.g. 30s, 5m, 1h, 2d")
    if total <= 0:
        raise DurationError(f"duration {text!r} must be greater than zero")
    return total


def format_duration(seconds: float) -> str:
    """The shortest exact form: 3600 -> "1h", 5400 -> "1h30m", 0.25 -> "250ms"."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    remaining = round(seconds)
    parts: list[str] = []
    for unit in ("w", "d", "h", "m", "s"):
        size = int(_UNIT_SECONDS[unit])
        if remaining >= size:
            count, remaining = divmod(remaining, size)
            parts.append(f"{count}{unit}")
    if parts and parts[0].endswith("w") and len(parts) > 1:
        # "1w2d" reads worse than "9d" in a header.
        days = round(seconds) // 86400
        rest = round(seconds) % 86400
        parts = [f"{days}d"] + ([format_duration(rest)] if rest else [])
    return "".join(parts) or "0s"


def promql_duration(seconds: float) -> str:
    """A duration PromQL accepts (whole milliseconds when below a second)."""
    if seconds < 1 or seconds != int(seconds):
        return f"{max(1, round(seconds * 1000))}ms"
    return f"{int(seconds)}s"
