"""PromQL's own words (functions, aggregations, keywords) and how completion candidates are
ranked against what is typed. Pure data and string work: the names from the server come
in from sources/, the ranking runs on whatever list it is given."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: PromQL functions (Prometheus 2.x and the common 3.x ones).
FUNCTIONS = (
    "abs",
    "absent",
    "absent_over_time",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "avg_over_time",
    "ceil",
    "changes",
    "clamp",
    "clamp_max",
    "clamp_min",
    "cos",
    "cosh",
    "count_over_time",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "days_in_month",
    "deg",
    "delta",
    "deriv",
    "exp",
    "floor",
    "histogram_avg",
    "histogram_count",
    "histogram_fraction",
    "histogram_quantile",
    "histogram_stddev",
    "histogram_stdvar",
    "histogram_sum",
    "holt_winters",
    "hour",
    "idelta",
    "increase",
    "irate",
    "label_join",
    "label_replace",
    "last_over_time",
    "ln",
    "log10",
    "log2",
    "mad_over_time",
    "max_over_time",
    "min_over_time",
    "minute",
    "month",
    "pi",
    "predict_linear",
    "present_over_time",
    "quantile_over_time",
    "rad",
    "rate",
    "resets",
    "round",
    "scalar",
    "sgn",
    "sin",
    "sinh",
    "sort",
    "sort_by_label",
    "sort_by_label_desc",
    "sort_desc",
    "sqrt",
    "stddev_over_time",
    "stdvar_over_time",
    "sum_over_time",
    "tan",
    "tanh",
    "time",
    "timestamp",
    "vector",
    "year",
)

AGGREGATIONS = (
    "avg",
    "bottomk",
    "count",
    "count_values",
    "group",
    "limitk",
    "limit_ratio",
    "max",
    "min",
    "quantile",
    "stddev",
    "stdvar",
    "sum",
    "topk",
)

#: Words that take a parenthesised list of label names after them.
GROUPING = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})
#: Words that are never a metric name where they stand (binary operators and modifiers).
KEYWORDS = frozenset({"and", "or", "unless", "offset", "bool", "atan2", *GROUPING})

#: Names written with a `(` after them.
CALLABLE = frozenset(FUNCTIONS) | frozenset(AGGREGATIONS)

#: What a range `[…]` is usually written with.
DURATIONS = ("1m", "5m", "10m", "15m", "30m", "1h", "2h", "6h", "12h", "1d")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One thing completion offers: the text inserted and what it is ("metric",
    "function", "aggregation", "label", "value", "duration")."""

    text: str
    kind: str


def matches(prefix: str, names: Iterable[str]) -> tuple[list[str], list[str]]:
    """(the names that start with `prefix`, those that only contain it), case-insensitive,
    each sorted (an exact match first). Plain string tests: ten thousand metric names take
    about a millisecond, so this can run on every key."""
    needle = prefix.lower()
    starts: list[str] = []
    contains: list[str] = []
    for name in names:
        low = name.lower()
        if low.startswith(needle):
            starts.append(name)
        elif needle in low:
            contains.append(name)
    starts.sort(key=lambda n: (len(n) != len(prefix), n))
    contains.sort()
    return starts, contains


def rank(prefix: str, names: Iterable[str], limit: int) -> list[str]:
    """At most `limit` names: those starting with `prefix`, then those containing it."""
    starts, contains = matches(prefix, names)
    return (starts + contains)[:limit]


_WORD_KINDS = {name: "function" for name in FUNCTIONS} | {a: "aggregation" for a in AGGREGATIONS}


def word_candidates(prefix: str, metric_names: Iterable[str], limit: int) -> list[Candidate]:
    """Where an expression can start: the functions, aggregations and metric names that
    start with the prefix (functions first: there are few), then those containing it.
    With nothing typed yet, only metric names (the functions are not news)."""
    metric_starts, metric_contains = matches(prefix, metric_names)
    if not prefix:
        return [Candidate(n, "metric") for n in metric_starts[:limit]]
    word_starts, word_contains = matches(prefix, _WORD_KINDS)
    out = [Candidate(n, _WORD_KINDS[n]) for n in word_starts]
    out += [Candidate(n, "metric") for n in metric_starts]
    out += [Candidate(n, _WORD_KINDS[n]) for n in word_contains]
    out += [Candidate(n, "metric") for n in metric_contains]
    return out[:limit]
