"""Field terms in a search: `key=value`, `key~regex`, with text terms, and text that only
looks like one (`"a=b"`, `\\a=b`)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.line import Level
from pulse_tui.model.logs.parse.fields import parse_fields
from pulse_tui.model.search.fields import fields_accept, line_fields, split_terms
from pulse_tui.model.search.query import LineFilter, SearchError, SearchQuery, count_matches

LINES = [
    '{"ts":"2026-12-02T03:29:06Z","level":"info","queue":"emails","msg":"sent"}',
    '{"ts":"2026-12-02T03:29:07Z","level":"error","queue":"Emails","msg":"upstream timeout"}',
    'ts=2026-12-02T03:29:08Z level=warn queue=emails msg="upstream timeout after 3s"',
    "ts=2026-12-02T03:29:09Z level=info queue=sms msg=sent",
    "login ok user=alice",  # prose with one pair: still a field for the search
    "the literal text queue=emails in prose about emails",
    '{"ts":"2026-12-02T03:29:10Z","queue":"emails-bulk","n":12}',
    '{"status":500,"path":"/v1/orders"}',
    '{"queue" : "emails" , "n":2}',  # spaced JSON: the bulk narrowing must not miss it
    'queue="emails" n=3',
]


def buffer_of(texts: list[str], copies: int = 1) -> LogBuffer:
    buffer = LogBuffer(max_lines=1_000_000, max_bytes=1 << 30)
    all_texts = texts * copies
    for start in range(0, len(all_texts), 5000):
        chunk = all_texts[start : start + 5000]
        batch = LineBatch(chunk, [0.0] * len(chunk), [Level.INFO] * len(chunk), 0.0, "h", "/f", "s")
        buffer.append_many(batch)
    return buffer


def matching(text: str) -> list[int]:
    query = SearchQuery.parse(text, fields=True)
    return [i for i, line in enumerate(LINES) if query.matches(line)]


def test_exact_field_value_with_smart_case() -> None:
    # JSON and logfmt alike; "emails-bulk" is another value; prose with one pair counts.
    assert matching("queue=emails") == [0, 1, 2, 5, 8, 9]
    assert matching("queue=Emails") == [1]  # an uppercase letter: case-sensitive
    assert matching("user=alice") == [4]
    assert matching("status=500") == [7]  # a JSON number, as its text


def test_regex_field_term_and_text_terms_combine() -> None:
    assert matching("queue~^em") == [0, 1, 2, 5, 6, 8, 9]
    assert matching("queue~bulk$") == [6]
    assert matching("queue=emails timeout") == [1, 2]
    assert matching("level=error queue=emails") == [1]
    assert matching("queue=emails re:after \\d+s") == [2]
    with pytest.raises(SearchError, match="invalid regex in queue~"):
        SearchQuery.parse("queue~(unclosed", fields=True)


def test_text_that_only_looks_like_a_field_term_is_searched_as_text() -> None:
    assert split_terms('"queue=emails"') == ("queue=emails", ())
    assert matching('"queue=emails"') == [2, 5]  # the text, wherever it is written
    assert matching("\\queue=emails") == [2, 5]
    assert matching("re:queue=e") == [2, 5]
    # No field term: the text comes back as typed (spaces and quotes kept).
    assert split_terms('upstream  timeout "x"') == ('upstream  timeout "x"', ())
    assert matching('"queue":"emails"') == [0, 1]  # smart case, as text always was
    # Without `fields` (log rules, config patterns) nothing changes.
    assert SearchQuery.parse("queue=emails").pattern == "queue=emails"


def test_bulk_search_filter_and_exclude_agree_with_matches() -> None:
    buffer = buffer_of(LINES, copies=3000)  # several packed blocks
    for text in ("queue=emails", "queue~^em", "queue=emails timeout", "n=12", "user=alice"):
        query = SearchQuery.parse(text, fields=True)
        expected = sum(query.matches(line) for line in LINES) * 3000
        assert count_matches(buffer, query) == expected, text
        shown = LineFilter().with_pattern(text, fields=True)
        assert sum(len(h) for h in shown.find(buffer)) == expected, text
        hidden = LineFilter().with_pattern("!" + text, fields=True)
        assert sum(len(h) for h in hidden.find(buffer)) == len(LINES) * 3000 - expected


def test_highlights_show_the_field_only_on_lines_that_match() -> None:
    query = SearchQuery.parse("queue=emails timeout", fields=True)
    line = LINES[2]
    spans = [line[a:b] for a, b in query.spans(line)]
    assert spans == ["queue=emails", "timeout"]
    assert query.spans(LINES[0]) == []  # has the field, not the text: no hit, no highlight
    assert query.describe() == "timeout queue=emails"


# The pairs as they were read before the quoted run was unrolled, and `line_fields` as
# it was before it parsed a non-JSON line once.
_OLD_PAIR = re.compile(r'([\w.\-/@]+)=("(?:[^"\\]|\\.)*"|[^\s"]*)')


def _old_unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def _old_parse_fields(text: str) -> dict[str, str] | None:
    if text[:1] == "{":
        return parse_fields(text)  # JSON: not changed
    pairs = _OLD_PAIR.findall(text)
    return {k: _old_unquote(v) for k, v in pairs} if len(pairs) >= 2 else None


def _old_line_fields(text: str) -> dict[str, str]:
    fields = _old_parse_fields(text)
    if fields is not None:
        return fields
    if "=" not in text:
        return {}
    return {k: _old_unquote(v) for k, v in _OLD_PAIR.findall(text)}


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ['"', "\\", "=", " ", "\t", "a", "k.b", "-", "é", "→", "{", "}", ":", "x=", '="', '\\"']
        ),
        max_size=30,
    ).map("".join)
)
def test_pairs_are_read_as_before(text: str) -> None:
    assert parse_fields(text) == _old_parse_fields(text)
    fields = line_fields(text)
    assert fields == _old_line_fields(text)
    # A search unquotes only the values its terms read: the same answer.
    for typed in ("a=x", "k.b=", "a~^x", 'a="x \\" y"', "a=\\", "a=x k.b~a"):
        terms = split_terms(typed)[1]
        assert fields_accept(text, terms) == all(t.accepts(fields) for t in terms), typed


def test_pairs_of_quoted_values_with_escapes() -> None:
    text = 'a="x \\" y \\"" b="\\\\" c="open d=1 e=\\'
    assert (
        line_fields(text)
        == _old_line_fields(text)
        == {"a": 'x " y "', "b": "\\", "c": "", "d": "1", "e": "\\"}
    )
