"""Grafana variable interpolation as Grafana's Prometheus datasource does it (pure logic)."""

from __future__ import annotations

import re

import pytest

from pulse_tui.model.dashboards.interpolate import (
    Builtins,
    Selection,
    VariableError,
    duration,
    interpolate,
)
from pulse_tui.model.dashboards.variables import (
    ALL,
    Variable,
    choose,
    filter_options,
    parse_query,
    parse_variables,
    resolution_order,
)


def sel(*values: str, multi: bool = False, is_all: bool = False, all_value: str | None = None):
    return Selection(tuple(values), is_all=is_all, all_value=all_value, multi=multi)


def test_single_value_in_every_reference_syntax() -> None:
    selections = {"job": sel("api")}
    text = 'up{job="$job"} + up{job="${job}"} + up{job="[[job]]"}'
    assert interpolate(text, selections) == 'up{job="api"} + up{job="api"} + up{job="api"}'


def test_single_value_escapes_backslash_and_double_quote_for_the_promql_string() -> None:
    text = interpolate('x{a="$v"}', {"v": sel("a\\b\"c'd")})
    assert text == 'x{a="a\\\\b\\"c\'d"}'
    assert text[len('x{a="') : -2].encode().decode("unicode_escape") == "a\\b\"c'd"


def test_multi_values_become_a_regex_alternation() -> None:
    assert interpolate('up{job=~"$job"}', {"job": sel("api", "checkout", multi=True)}) == (
        'up{job=~"(api|checkout)"}'
    )


def test_one_value_of_a_multi_variable_has_no_parentheses() -> None:
    assert interpolate('up{job=~"$job"}', {"job": sel("api", multi=True)}) == 'up{job=~"api"}'


def test_multi_values_with_regex_metacharacters_are_escaped_for_a_promql_string() -> None:
    values = ("a.b", "c|d", "e(f)", "g\\h", "x+y*z?", "[k]", "^$", 'we"ird')
    text = interpolate('m{l=~"$v"}', {"v": sel(*values, multi=True)})
    assert text == (
        'm{l=~"(a\\\\.b|c\\\\|d|e\\\\(f\\\\)|g\\\\\\\\h|x\\\\+y\\\\*z\\\\?|\\\\[k\\\\]|\\\\^\\\\$'
        '|we\\"ird)"}'
    )
    # Read back as PromQL reads its string, the regex matches each value exactly.
    inside = text[len('m{l=~"') : -2].encode().decode("unicode_escape")
    pattern = re.compile(f"^(?:{inside})$")
    assert all(pattern.match(v) for v in values)
    assert not pattern.match("aXb")


def test_all_is_every_option_or_the_custom_all_value_as_written() -> None:
    every = sel("api", "worker", multi=True, is_all=True)
    assert interpolate('up{job=~"$job"}', {"job": every}) == 'up{job=~"(api|worker)"}'
    custom = sel("api", "worker", multi=True, is_all=True, all_value=".*")
    assert interpolate('up{job=~"$job"}', {"job": custom}) == 'up{job=~".*"}'


def test_formats() -> None:
    two = sel("a.b", "c", multi=True)
    assert interpolate("${v:regex}", {"v": two}) == "(a\\.b|c)"
    assert interpolate("${v:pipe}", {"v": two}) == "a.b|c"
    assert interpolate("${v:csv}", {"v": two}) == "a.b,c"
    assert interpolate("${v:raw}", {"v": sel("a.b")}) == "a.b"
    assert interpolate("${v:json}", {"v": two}) == '["a.b", "c"]'
    assert interpolate("${v:glob}", {"v": two}) == "{a.b,c}"
    with pytest.raises(VariableError, match="not supported"):
        interpolate("${v:nonsense}", {"v": two})


def test_unknown_variables_are_left_as_written() -> None:
    assert interpolate('up{job="$nope"}', {}) == 'up{job="$nope"}'


def test_builtins() -> None:
    builtins = Builtins(interval_seconds=60, rate_interval_seconds=75, range_seconds=3600)
    text = "rate(x[$__rate_interval]) [$__interval] [${__range}] $__range_s $__range_ms"
    assert interpolate(text, {}, builtins) == "rate(x[75s]) [1m] [1h] 3600 3600000"
    assert duration(90) == "90s" and duration(86400) == "1d"


def test_parse_query_functions() -> None:
    q = parse_query('label_values(up{job=~"a,b"}, instance)')
    assert (q.kind, q.expr, q.label) == ("label_values", 'up{job=~"a,b"}', "instance")
    q = parse_query("label_values(job)")
    assert (q.kind, q.expr, q.label) == ("label_values", "", "job")
    assert parse_query("label_names()").kind == "label_names"
    assert parse_query("metrics(http_.*)").expr == "http_.*"
    assert parse_query("query_result(sum(up))").expr == "sum(up)"
    assert parse_query("up") is None


def test_regex_filter_keeps_matches_and_captures() -> None:
    values = ["api-1", "api-2", "worker-1", "api-1"]
    assert filter_options(values, "/^api/") == ["api-1", "api-2"]
    assert filter_options(values, "/^(\\w+)-1$/") == ["api", "worker"]
    assert filter_options(values, "/(?<value>\\d)$/") == ["1", "2"]
    assert filter_options(values, "/API/i") == ["api-1", "api-2"]
    with pytest.raises(VariableError, match="not valid"):
        filter_options(values, "/(/")


def variable(name: str, query: str = "", **kw: object) -> Variable:
    return Variable(name=name, kind=str(kw.pop("kind", "query")), query=query, **kw)  # type: ignore[arg-type]


def test_chained_variables_resolve_after_what_they_use() -> None:
    order = resolution_order(
        [
            variable("pod", 'label_values(up{namespace="$namespace", app="$app"}, pod)'),
            variable("app", 'label_values(up{namespace="$namespace"}, app)'),
            variable("namespace", "label_values(up, namespace)"),
        ]
    )
    assert [v.name for v in order] == ["namespace", "app", "pod"]


def test_a_cycle_is_an_error_naming_it() -> None:
    raw = [
        {"name": "a", "type": "query", "query": 'label_values(x{b="$b"}, a)'},
        {"name": "b", "type": "query", "query": 'label_values(x{a="${a}"}, b)'},
    ]
    with pytest.raises(VariableError, match=r"variable cycle: \$a → \$b → \$a"):
        parse_variables(raw)


def test_choose_keeps_the_saved_value_where_offered() -> None:
    v = variable("job", multi=True, include_all=True, current=("api", "gone"))
    assert choose(v, ["api", "worker"]) == sel("api", multi=True)
    everything = variable("job", include_all=True, current=(ALL,), all_value=".+")
    assert choose(everything, ["api", "worker"]) == Selection(
        ("api", "worker"), is_all=True, all_value=".+", multi=True
    )
    # Saved value no longer offered: the first option, as Grafana does.
    assert choose(variable("job", current=("gone",)), ["api", "worker"]) == sel("api")


def test_custom_constant_and_saved_options_parse() -> None:
    custom, constant = parse_variables(
        [
            {"name": "w", "type": "custom", "query": "1m, 5m,a\\,b", "current": {"value": "5m"}},
            {"name": "c", "type": "constant", "query": "prod"},
        ]
    )
    assert custom.options == ("1m", "5m", "a,b") and custom.current == ("5m",)
    assert constant.options == ("prod",)
