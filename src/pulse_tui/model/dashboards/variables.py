"""Dashboard variables: what `templating.list` declares, in which order they resolve
(a cycle is an error), the `regex` filter on their options and the value each starts with.

Pure: a query variable's options come from `VariableQuery`, run by the caller
(`sources/dashboards.py`); the substitution into PromQL is `interpolate.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pulse_tui.model.core.durations import DurationError, parse_duration
from pulse_tui.model.dashboards.interpolate import (
    Selection,
    VariableError,
    duration,
    referenced,
)
from pulse_tui.model.dashboards.lenient import as_int

#: Grafana's marker for "All" in a variable's current value.
ALL = "$__all"
#: An interval variable's automatic option (see `auto_interval`).
AUTO = "auto"
#: The variable kinds handled; the others ("adhoc", "textbox") keep their current value.
KINDS = frozenset({"query", "custom", "constant", "interval", "datasource", "textbox"})


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
    #: Grafana's `refresh` of a query variable: 1 on dashboard load, 2 on every time range
    #: change as well (0, never, is read as 1: its saved options may be long gone).
    refresh: int = 1
    #: An interval variable's `auto` option: the range / `auto_count`, rounded as Grafana
    #: rounds it, never under `auto_min` (seconds).
    auto: bool = False
    auto_count: int = 30
    auto_min: float = 10.0

    @property
    def follows_range(self) -> bool:
        """Whether it is resolved again when the time range changes."""
        return (self.kind == "query" and self.refresh == 2) or self.auto

    @property
    def parsed_query(self) -> VariableQuery | None:
        return parse_query(self.query) if self.kind == "query" else None

    def references(self) -> set[str]:
        """Names of the other variables its query or regex uses."""
        return {
            name for name in referenced(self.query) | referenced(self.regex) if name != self.name
        }


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
    auto = kind == "interval" and bool(raw.get("auto"))
    if auto:
        # Grafana saves the auto option as "$__auto_interval_<name>"; it is "auto" here.
        marker = f"$__auto_interval_{raw['name']}"
        options = [AUTO, *(o for o in options if o not in (AUTO, marker))]
        chosen = [AUTO if value == marker else value for value in chosen]
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
        refresh=_refresh(raw.get("refresh")),
        auto=auto,
        auto_count=max(1, as_int(raw.get("auto_count"), 30)),
        auto_min=_seconds(raw.get("auto_min"), 10.0),
    )


def _seconds(raw: object, default: float) -> float:
    try:
        return parse_duration(str(raw)) if raw not in (None, "") else default
    except DurationError:
        return default


#: Grafana's kbn.roundInterval: an interval (s) is rounded to the nice one of its band.
_NICE_INTERVALS = (
    (1.5, 1), (3.5, 2), (7.5, 5), (12.5, 10), (17.5, 15), (25, 20), (45, 30), (90, 60),
    (210, 120), (450, 300), (750, 600), (1050, 900), (1500, 1200), (2700, 1800),
    (5400, 3600), (9000, 7200), (16200, 10800), (32400, 21600), (86400, 43200),
    (604800, 86400), (1814400, 604800), (3628800, 1209600),
)  # fmt: skip


def auto_interval(variable: Variable, range_seconds: float) -> str:
    """The `auto` option's value for a range: range / auto_count, rounded, >= auto_min."""
    raw = range_seconds / variable.auto_count
    rounded = next((nice for below, nice in _NICE_INTERVALS if raw < below), 31536000)
    return duration(max(rounded, variable.auto_min))


def _refresh(raw: object) -> int:
    """Grafana's `refresh`: 2 or "onTimeRangeChanged" re-asks on a new range, else 1."""
    return 2 if raw in (2, "2", "onTimeRangeChanged") else 1


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
