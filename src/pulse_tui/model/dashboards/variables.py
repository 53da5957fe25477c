"""Dashboard variables: what `templating.list` declares, and Grafana's interpolation.

Pure: a query variable's options come from `VariableQuery` run by the caller (the UI
asks Prometheus); here are only the parse, the dependency order (a cycle is an error),
the `regex` filter and the substitution of `$var`, `${var}`, `${var:format}` and
`[[var]]` into PromQL, as Grafana's Prometheus datasource does it:

- one value: inserted with `\\` and `"` escaped for the PromQL string;
- several values (multi, or All): each regex-escaped for a PromQL string (`a\\\\.b`), joined
  with `|` and wrapped in parentheses when more than one, so `job=~"$job"` matches them;
- All with a custom `allValue`: that value as written (it is usually a regex like `.*`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

#: Grafana's marker for "All" in a variable's current value.
ALL = "$__all"
#: The variable kinds handled; the others ("adhoc", "textbox") keep their current value.
KINDS = frozenset({"query", "custom", "constant", "interval", "datasource", "textbox"})

_REFERENCE = re.compile(
    r"\$(?P<plain>\w+)|\$\{(?P<braced>\w+)(?::(?P<format>[\w-]+))?\}|\[\[(?P<old>\w+)(?::(?P<oldformat>[\w-]+))?\]\]"
)
#: Characters Grafana escapes in a multi-value regex (prometheusSpecialRegexEscape).
_REGEX_SPECIAL = re.compile(r"[$^*{}\[\]'+?.()|]")
#: What `${var:regex}` escapes (Grafana's kbn.regexEscape): one backslash each.
_JS_REGEX_SPECIAL = re.compile(r"[\\^$*+?.()|\[\]{}/]")


class VariableError(ValueError):
    """A variable definition or reference that cannot be resolved."""


@dataclass(frozen=True, slots=True)
class VariableQuery:
    """What a query variable asks Prometheus."""

    #: "label_values", "label_names", "metrics" or "query_result".
    kind: str
    #: label_values: the metric selector ("" for every series); query_result: the expr;
    #: metrics: the name regex.
    expr: str = ""
    label: str = ""


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    kind: str
    #: The query text (query), the comma-separated values (custom, interval), the value
    #: (constant).
    query: str = ""
    regex: str = ""
    multi: bool = False
    include_all: bool = False
    #: The value All stands for when set (used as written); None: every option.
    all_value: str | None = None
    #: Grafana's saved selection ("current"): values, maybe [ALL].
    current: tuple[str, ...] = ()
    #: Options written in the file (custom, interval, or a query's saved options).
    options: tuple[str, ...] = ()
    label: str = ""

    @property
    def parsed_query(self) -> VariableQuery | None:
        return parse_query(self.query) if self.kind == "query" else None

    def references(self) -> set[str]:
        """Names of the other variables its query or regex uses."""
        return {
            name for name in referenced(self.query) | referenced(self.regex) if name != self.name
        }


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


# ----------------------------------------------------------------- parse


def parse_variables(items: Sequence[object]) -> tuple[Variable, ...]:
    """`templating.list` -> variables; raises VariableError (a ValueError) for a cycle."""
    variables = tuple(
        _variable(item) for item in items if isinstance(item, dict) and item.get("name")
    )
    resolution_order(variables)  # a cycle is the file's error, found at load
    return variables


def _variable(raw: Mapping[str, object]) -> Variable:
    kind = str(raw.get("type") or "query")
    query = raw.get("query") or raw.get("definition") or ""
    if isinstance(query, dict):  # Grafana 10+: {"query": "...", "qryType": 1, "refId": ...}
        query = query.get("query") or ""
    current = raw.get("current")
    chosen: list[str] = []
    if isinstance(current, dict):
        value = current.get("value")
        chosen = (
            [str(v) for v in value]
            if isinstance(value, list)
            else [str(value)]
            if value is not None
            else []
        )
    raw_options = raw.get("options")
    options = [
        str(o.get("value"))
        for o in (raw_options if isinstance(raw_options, list) else [])
        if isinstance(o, dict) and o.get("value") is not None and o.get("value") != ALL
    ]
    if kind in ("custom", "interval") and not options:
        options = [part.strip() for part in _split_custom(str(query)) if part.strip()]
    if kind == "constant":
        options = [str(query)]
    all_value = raw.get("allValue")
    return Variable(
        name=str(raw["name"]),
        kind=kind,
        query=str(query),
        regex=str(raw.get("regex") or ""),
        multi=bool(raw.get("multi")),
        include_all=bool(raw.get("includeAll")),
        all_value=str(all_value) if all_value not in (None, "") else None,
        current=tuple(chosen),
        options=tuple(options),
        label=str(raw.get("label") or ""),
    )


def _split_custom(text: str) -> list[str]:
    """Grafana's custom values: comma separated, `\\,` for a comma inside a value; "key : value"
    pairs give the value."""
    parts = re.split(r"(?<!\\),", text)
    values = []
    for part in parts:
        part = part.replace("\\,", ",")
        if " : " in part:
            part = part.split(" : ", 1)[1]
        values.append(part)
    return values


_QUERY_FUNCTION = re.compile(
    r"^\s*(label_values|label_names|metrics|query_result)\s*\((.*)\)\s*$", re.S
)


def parse_query(text: str) -> VariableQuery | None:
    """The Prometheus variable functions; None for anything else (not supported)."""
    match = _QUERY_FUNCTION.match(text)
    if match is None:
        return None
    function, inside = match.group(1), match.group(2).strip()
    if function == "label_values":
        # The label is after the last top-level comma; a selector may hold commas in {}.
        depth, split = 0, -1
        for index, char in enumerate(inside):
            if char in "({[":
                depth += 1
            elif char in ")}]":
                depth -= 1
            elif char == "," and depth == 0:
                split = index
        if split < 0:
            return VariableQuery("label_values", "", inside) if inside else None
        return VariableQuery("label_values", inside[:split].strip(), inside[split + 1 :].strip())
    if function == "label_names":
        return VariableQuery("label_names", inside)
    if function == "metrics":
        return VariableQuery("metrics", inside)
    return VariableQuery("query_result", inside)


def referenced(text: str) -> set[str]:
    """Variable names a text refers to (built-ins `$__...` excluded)."""
    names = set()
    for match in _REFERENCE.finditer(text):
        name = match.group("plain") or match.group("braced") or match.group("old")
        if name and not name.startswith("__"):
            names.add(name)
    return names


def resolution_order(variables: Sequence[Variable]) -> list[Variable]:
    """Variables ordered so each comes after those it uses; raises VariableError on a cycle."""
    by_name = {v.name: v for v in variables}
    done: dict[str, Variable] = {}
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            cycle = [*visiting[visiting.index(name) :], name]
            raise VariableError("variable cycle: " + " → ".join(f"${n}" for n in cycle))
        visiting.append(name)
        for used in sorted(by_name[name].references()):
            if used in by_name:
                visit(used)
        visiting.pop()
        done[name] = by_name[name]

    for variable in variables:
        visit(variable.name)
    return list(done.values())


# ----------------------------------------------------------------- options and choice


def filter_options(values: Iterable[str], regex: str) -> list[str]:
    """Grafana's `regex` field: `/pattern/flags`; keeps the values that match, and with a
    capture group (or a group named `value`) keeps what it captured. Sorted, unique."""
    pattern = _compile(regex) if regex else None
    kept: dict[str, None] = {}
    for value in values:
        if pattern is None:
            kept[value] = None
            continue
        match = pattern.search(value)
        if match is None:
            continue
        groups = match.groupdict()
        if groups.get("value") is not None:
            kept[groups["value"]] = None
        elif match.groups() and match.group(1) is not None:
            kept[match.group(1)] = None
        else:
            kept[value] = None
    return sorted(kept)


def _compile(regex: str) -> re.Pattern[str]:
    body, flags = regex, 0
    if regex.startswith("/") and regex.rfind("/") > 0:
        end = regex.rfind("/")
        body, letters = regex[1:end], regex[end + 1 :]
        flags = re.I if "i" in letters else 0
    body = re.sub(r"\(\?<(\w+)>", r"(?P<\1>", body)  # JavaScript's named groups
    try:
        return re.compile(body, flags)
    except re.error as exc:
        raise VariableError(f"regex {regex!r} is not valid: {exc}") from None


def choose(variable: Variable, options: Sequence[str]) -> Selection:
    """The selection a variable starts with: its saved `current` where still offered
    (All if saved and allowed), else the first option, as Grafana does on load."""
    multi = variable.multi or variable.include_all
    if variable.include_all and (ALL in variable.current or (not options and not variable.current)):
        return Selection(tuple(options), is_all=True, all_value=variable.all_value, multi=multi)
    kept = tuple(v for v in variable.current if v in options) if options else variable.current
    if not kept:
        kept = tuple(options[:1])
    if not variable.multi:
        kept = kept[:1]
    return Selection(kept, multi=multi)


# ----------------------------------------------------------------- interpolation


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


@dataclass(slots=True)
class VariableState:
    """The selections of one dashboard's variables, filled in resolution order."""

    selections: dict[str, Selection] = field(default_factory=dict)
    #: Variable name -> the values it offers (what a picker lists).
    options: dict[str, list[str]] = field(default_factory=dict)
    #: Variable name -> why its options could not be had (its saved value is used).
    problems: dict[str, str] = field(default_factory=dict)


def keep_choice(chosen: Selection, variable: Variable, options: Sequence[str]) -> Selection | None:
    """A value the user picked, still valid for the options offered now (a chained
    variable's options change with what it uses); None: no longer, choose again."""
    if chosen.is_all:
        return Selection(tuple(options), True, variable.all_value, chosen.multi)
    if options and not all(value in options for value in chosen.values):
        return None
    return chosen
