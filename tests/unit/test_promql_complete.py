"""What the cursor completes in PromQL being typed (pure logic: the tokeniser, the
bracket tracking, the `match[]` it narrows look-ups with, and accepting a candidate)."""

from __future__ import annotations

import pytest

from pulse_tui.model.metrics.promql_complete import Kind, apply, context_at, metrics_in
from pulse_tui.model.metrics.promql_lex import lex, quote_value
from pulse_tui.model.metrics.promql_words import Candidate, rank, word_candidates


def at_end(text: str):  # type: ignore[no-untyped-def]
    return context_at(text, len(text))


def at_bar(text: str):  # type: ignore[no-untyped-def]
    """The context where `|` stands (the bar removed)."""
    cursor = text.index("|")
    return text.replace("|", ""), context_at(text.replace("|", ""), cursor)


# ----------------------------------------------------------------- the tokeniser


def test_lex_splits_identifiers_numbers_strings_and_operators() -> None:
    tokens = lex('sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) > 0.5 # note')
    assert [t.text for t in tokens] == [
        "sum", "by", "(", "job", ")", "(", "rate", "(", "http_requests_total", "{",
        "code", "=~", '"5.."', "}", "[", "5m", "]", ")", ")", ">", "0.5",
    ]  # fmt: skip
    assert [t.kind for t in tokens][:4] == ["ident", "ident", "punct", "ident"]


def test_lex_keeps_escaped_quotes_inside_a_string_and_marks_an_unclosed_one() -> None:
    closed, unclosed = lex(r'"a\"b" ' + "'x")
    assert closed.text == r'"a\"b"' and closed.closed
    assert unclosed.text == "'x" and not unclosed.closed


def test_lex_backticks_are_raw() -> None:
    (token,) = lex(r"`a\`")
    assert token.text == r"`a\`" and token.closed


def test_lex_metric_names_may_hold_colons() -> None:
    assert [t.text for t in lex("job:requests:rate5m")] == ["job:requests:rate5m"]


# ----------------------------------------------------------------- contexts


def test_an_empty_prompt_completes_a_metric() -> None:
    at = at_end("")
    assert at.kind is Kind.METRIC and at.prefix == "" and (at.start, at.end) == (0, 0)


def test_a_word_at_top_level_is_a_metric_or_function() -> None:
    at = at_end("http_req")
    assert at.kind is Kind.METRIC and at.prefix == "http_req" and (at.start, at.end) == (0, 8)


def test_a_word_inside_a_function_call_is_a_metric() -> None:
    at = at_end("histogram_quantile(0.99, rate(http_request_dur")
    assert at.kind is Kind.METRIC and at.prefix == "http_request_dur"


def test_the_whole_word_under_the_cursor_is_replaced() -> None:
    text, at = at_bar("rate(http_re|quests_total[5m])")
    assert at.prefix == "http_re"
    assert text[at.start : at.end] == "http_requests_total"


def test_after_an_operator_a_metric_may_start() -> None:
    assert at_end("up + ").kind is Kind.METRIC
    assert at_end("a and ").kind is Kind.METRIC


def test_after_a_finished_word_and_a_space_nothing_is_offered() -> None:
    assert at_end("up ").kind is Kind.NONE
    assert at_end("rate(x[5m]) ").kind is Kind.NONE


def test_a_label_name_inside_braces_knows_its_metric() -> None:
    at = at_end("http_requests_total{co")
    assert at.kind is Kind.LABEL_NAME and at.prefix == "co"
    assert at.match == ("http_requests_total",) and not at.grouping


def test_right_after_a_brace_or_comma_a_label_name_is_next() -> None:
    assert at_end("up{").kind is Kind.LABEL_NAME
    at = at_end('up{job="api", ')
    assert at.kind is Kind.LABEL_NAME and at.match == ('up{job="api"}',)


def test_a_label_value_inside_quotes_knows_its_label_metric_and_the_other_matchers() -> None:
    at = at_end('http_requests_total{job="api",code="5')
    assert at.kind is Kind.LABEL_VALUE
    assert at.label == "code" and at.prefix == "5" and at.quote == '"'
    assert at.match == ('http_requests_total{job="api"}',)


def test_a_label_value_after_each_matcher_operator() -> None:
    for op in ("=", "!=", "=~", "!~"):
        at = at_end(f'up{{job{op}"a')
        assert at.kind is Kind.LABEL_VALUE and at.label == "job", op


def test_a_value_prefix_has_its_escapes_undone() -> None:
    at = at_end(r'up{job="we\"ird\\')
    assert at.prefix == 'we"ird\\'


def test_a_value_in_the_middle_of_a_closed_string_replaces_up_to_the_quote() -> None:
    text, at = at_bar('up{job="ap|i", code="200"}')
    assert at.kind is Kind.LABEL_VALUE and at.prefix == "ap"
    assert text[at.start : at.end] == "api"


def test_an_operator_without_a_quote_yet_completes_the_value_with_quotes() -> None:
    at = at_end("up{job=")
    assert at.kind is Kind.LABEL_VALUE and at.quote == "" and at.label == "job"


def test_a_selector_without_a_metric_uses_its_name_matcher() -> None:
    at = at_end('{__name__="up", job="')
    assert at.kind is Kind.LABEL_VALUE and at.match == ('up{__name__="up"}',)


def test_a_grouping_list_completes_label_names_of_the_expressions_metrics() -> None:
    at = at_end("sum by (jo")
    assert at.kind is Kind.LABEL_NAME and at.grouping and at.match == ()
    text = "sum by (|) (rate(http_requests_total[5m]))"
    _, at = at_bar(text)
    assert at.kind is Kind.LABEL_NAME and at.grouping
    assert at.match == ("http_requests_total",)


def test_grouping_after_the_expression_and_in_on_ignoring() -> None:
    assert at_end("sum(rate(x[5m])) without (in").grouping
    assert at_end("a / on (").kind is Kind.LABEL_NAME
    assert at_end("a * ignoring (code, ").kind is Kind.LABEL_NAME
    assert at_end("a * group_left (").kind is Kind.LABEL_NAME


def test_a_range_completes_a_duration() -> None:
    assert at_end("rate(x[").kind is Kind.DURATION
    at = at_end("rate(x[5")
    assert at.kind is Kind.DURATION and at.prefix == "5"


def test_numbers_offsets_and_strings_outside_selectors_offer_nothing() -> None:
    assert at_end("up > 0.5").kind is Kind.NONE
    assert at_end("up offset ").kind is Kind.NONE
    assert at_end("up offset 5").kind is Kind.NONE
    assert at_end('label_replace(up, "dst').kind is Kind.NONE


def test_a_comment_is_not_code() -> None:
    assert at_end("up # a comment {").kind is Kind.NONE


def test_metrics_in_an_expression_skip_functions_labels_and_keywords() -> None:
    expr = (
        'sum by (job) (rate(http_requests_total{code="500"}[5m])) / '
        "on (job) group_left sum by (job) (rate(http_requests_total[5m])) and up"
    )
    assert metrics_in(expr) == ("http_requests_total", "up")


# ----------------------------------------------------------------- accepting


def test_accepting_a_metric_replaces_the_word() -> None:
    text, at = at_bar("rate(http_re|q[5m])")
    assert apply(text, at, "http_requests_total") == ("rate(http_requests_total[5m])", 24)


def test_accepting_a_function_opens_its_call() -> None:
    text = "hist"
    assert apply(text, at_end(text), "histogram_quantile") == ("histogram_quantile(", 19)
    text, at = at_bar("ra|(x[5m])")
    assert apply(text, at, "rate")[0] == "rate(x[5m])"  # the `(` is there already


def test_accepting_a_label_name_opens_its_value() -> None:
    text = "up{jo"
    assert apply(text, at_end(text), "job") == ('up{job="', 8)
    assert context_at('up{job="', 8).kind is Kind.LABEL_VALUE


def test_accepting_a_label_name_before_an_operator_leaves_it() -> None:
    text, at = at_bar('up{jo|="api"}')
    assert apply(text, at, "job")[0] == 'up{job="api"}'


def test_accepting_a_grouping_label_adds_nothing_after_it() -> None:
    text = "sum by (jo"
    assert apply(text, at_end(text), "job") == ("sum by (job", 11)


def test_accepting_a_value_closes_its_string_and_escapes_it() -> None:
    text = 'up{job="we'
    new, cursor = apply(text, at_end(text), 'we"ird\\svc')
    assert new == r'up{job="we\"ird\\svc"' and cursor == len(new)


def test_accepting_a_value_inside_a_closed_string_keeps_one_closing_quote() -> None:
    text, at = at_bar('up{job="a|pi"}')
    assert apply(text, at, "api") == ('up{job="api"}', 12)


def test_accepting_a_value_after_a_bare_operator_adds_the_quotes() -> None:
    text = "up{job="
    assert apply(text, at_end(text), "api") == ('up{job="api"', 12)


def test_accepting_a_value_in_single_quotes_keeps_them() -> None:
    text = "up{job='a"
    assert apply(text, at_end(text), "it's") == (r"up{job='it\'s'", 14)


@pytest.mark.parametrize(
    ("value", "quote", "written"),
    [
        ("a", '"', '"a"'),
        ('a"b', '"', r'"a\"b"'),
        ("a\\b", "'", r"'a\\b'"),
        ("line\nbreak", '"', r'"line\nbreak"'),
        ("raw\\", "`", "`raw\\`"),
        ("has`tick", "`", '"has`tick"'),
        # Unsafe on a terminal: PromQL's own escapes, which match the same value.
        ("a\x1b[31mb", '"', r'"a\x1b[31mb"'),
        ("rtl\u202eltr", "`", r'"rtl\u202eltr"'),
    ],
)
def test_quote_value(value: str, quote: str, written: str) -> None:
    assert quote_value(value, quote) == written


# ----------------------------------------------------------------- ranking


def test_rank_puts_prefix_matches_first_then_substrings() -> None:
    names = ["node_cpu", "process_cpu_seconds_total", "cpu_limit_cores", "cpu", "up"]
    expected = ["cpu", "cpu_limit_cores", "node_cpu", "process_cpu_seconds_total"]
    assert rank("cpu", names, 10) == expected
    assert rank("CPU", names, 2) == expected[:2]


def test_word_candidates_offer_functions_then_metrics() -> None:
    out = word_candidates("ra", ["rabbitmq_up", "http_requests_total"], 100)
    assert out[:3] == [
        Candidate("rad", "function"),
        Candidate("rate", "function"),
        Candidate("rabbitmq_up", "metric"),
    ]
    assert Candidate("irate", "function") in out


def test_with_nothing_typed_only_metrics_are_offered() -> None:
    expected = [Candidate("a", "metric"), Candidate("up", "metric")]
    assert word_candidates("", ["up", "a"], 10) == expected
