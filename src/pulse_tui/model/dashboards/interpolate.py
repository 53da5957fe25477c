"""Grafana's interpolation of variables into PromQL, as its Prometheus datasource does it:
`$var`, `${var}`, `${var:format}`, `[[var]]` and the built-ins (`$__interval`, ...).

- one value: inserted with `\\` and `"` escaped for the PromQL string;
- several values (multi, or All): each regex-escaped for a PromQL string (`a\\\\.b`), joined
  with `|` and wrapped in parentheses when more than one, so `job=~"$job"` matches them;
- All with a custom `allValue`: that value as written (it is usually a regex like `.*`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass


class VariableError(ValueError):
    """A variable definition or reference that cannot be resolved."""


_REFERENCE = re.compile(
    r"\$(?P<plain>\w+)|\$\{(?P<braced>\w+)(?::(?P<format>[\w-]+))?\}|\[\[(?P<old>\w+)(?::(?P<oldformat>[\w-]+))?\]\]"
)
#: Characters Grafana escapes in a multi-value regex (prometheusSpecialRegexEscape).
_REGEX_SPECIAL = re.compile(r"[$^*{}\[\]'+?.()|]")
#: What `${var:regex}` escapes (Grafana's kbn.regexEscape): one backslash each.
_JS_REGEX_SPECIAL = re.compile(r"[\\^$*+?.()|\[\]{}/]")


@dataclass(frozen=True, slots=True)
class Selection:
    """A variable's resolved value: the values chosen, and whether that is All."""

    values: tuple[str, ...]
    is_all: bool = False
    #: All with a custom all value: that value, inserted as written.
    all_value: str | None = None
    multi: bool = False


@dataclass(frozen=True, slots=True)
class Builtins:
    """Grafana's global variables for one query: `$__interval` etc."""

    interval_seconds: float
    rate_interval_seconds: float
    range_seconds: float

    def values(self) -> dict[str, str]:
        return {
            "__interval": duration(self.interval_seconds),
            "__interval_ms": str(round(self.interval_seconds * 1000)),
            "__rate_interval": duration(self.rate_interval_seconds),
            "__range": duration(self.range_seconds),
            "__range_s": str(round(self.range_seconds)),
            "__range_ms": str(round(self.range_seconds * 1000)),
        }


def duration(seconds: float) -> str:
    """PromQL duration for whole seconds: "30s", "5m", "1h" (as Grafana writes them)."""
    whole = max(1, round(seconds))
    for size, suffix in ((86400, "d"), (3600, "h"), (60, "m")):
        if whole % size == 0:
            return f"{whole // size}{suffix}"
    return f"{whole}s"


def referenced(text: str) -> set[str]:
    """Variable names a text refers to (built-ins `$__...` excluded)."""
    names = set()
    for match in _REFERENCE.finditer(text):
        name = match.group("plain") or match.group("braced") or match.group("old")
        if name and not name.startswith("__"):
            names.add(name)
    return names


def escape_value(value: str) -> str:
    """A single value inside a PromQL double-quoted string: `\\` and `"` escaped, so
    `job="$job"` matches the value exactly, whatever it holds. (Grafana escapes `'` instead
    of `"`, which breaks on a value with a double quote; the value is data, so not here.)"""
    return value.replace("\\", "\\\\").replace('"', '\\"')


def escape_regex(value: str) -> str:
    """One of several values in a PromQL regex string (Grafana's
    prometheusSpecialRegexEscape, plus `"` so the string stays closed): each regex
    metacharacter gets a backslash, written doubled for the PromQL string."""
    value = value.replace("\\", "\\\\\\\\")
    value = _REGEX_SPECIAL.sub(lambda m: "\\\\" + m.group(0), value)
    return value.replace('"', '\\"')


def format_selection(selection: Selection, fmt: str | None) -> str:
    """A selection as text for a query; `fmt` is a `${var:fmt}` format or None (Prometheus')."""
    if (
        selection.is_all
        and selection.all_value is not None
        and fmt in (None, "regex", "pipe", "raw")
    ):
        return selection.all_value
    values = list(selection.values)
    match fmt:
        case None:
            if not selection.multi:
                return escape_value(values[0]) if values else ""
            return _alternatives([escape_regex(v) for v in values])
        case "regex":
            return _alternatives([_JS_REGEX_SPECIAL.sub(r"\\\g<0>", v) for v in values])
        case "pipe":
            return "|".join(values)
        case "csv" | "raw" | "text":
            return ",".join(values)
        case "glob":
            return values[0] if len(values) == 1 else "{" + ",".join(values) + "}"
        case "json":
            return json.dumps(values)
        case "doublequote":
            return ",".join('"' + v.replace('"', '\\"') + '"' for v in values)
        case "singlequote":
            return ",".join("'" + v.replace("'", "\\'") + "'" for v in values)
        case _:
            raise VariableError(f"format ':{fmt}' is not supported")


def _alternatives(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + "|".join(parts) + ")"


def interpolate(
    text: str, selections: Mapping[str, Selection], builtins: Builtins | None = None
) -> str:
    """`text` with every known variable replaced; unknown names are left as written
    (Grafana does the same, and Prometheus then says what is wrong)."""
    plain = builtins.values() if builtins is not None else {}

    def replace(match: re.Match[str]) -> str:
        name = match.group("plain") or match.group("braced") or match.group("old") or ""
        fmt = match.group("format") or match.group("oldformat")
        if name in plain:
            return plain[name]
        selection = selections.get(name)
        if selection is None:
            return match.group(0)
        return format_selection(selection, fmt)

    return _REFERENCE.sub(replace, text)
