"""A field term's needle found by numpy (`search.needle`) gives the lines its regex gives,
line by line, on hostile lines: quotes, escapes, runs of spaces, keys that end other
keys (`xms=42`), values that start others (`ms=420`), JSON and logfmt, case, wide lines,
cold (compressed) blocks; and a field search over a buffer gives what it gave before."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.line import Level
from pulse_tui.model.logs.packed import pack
from pulse_tui.model.search import needle as needle_module
from pulse_tui.model.search.dense import BULK_LINES
from pulse_tui.model.search.fields import FieldTerm, split_terms
from pulse_tui.model.search.needle import FieldNeedle
from pulse_tui.model.search.query import LineFilter, SearchQuery, count_matches, find_matches

#: What the user types; each has a needle (a verbatim key).
TERMS = [
    "ms=42",
    "shard=1",
    "MS=42",  # another key: keys are case-sensitive
    "q=Ab",  # an uppercase letter: the value is case-sensitive
    "q=ab",  # smart case: finds AB, aB ...
    'q=" a"',  # a value starting with a space: found from the value
    "q=a b",  # ... with a space inside: typed as two tokens, `q=a` and the text `b`
    'msg="cache miss"',
    "a.b=x:y",
    "k==",  # a value that is the separator
    "ms~^4",  # a regex value: the needle is the key alone
    'q="a\\"b"',  # a quote in the value: not verbatim, the key alone
    "kk=1",  # a key whose first two characters are the same (the text's first edge)
]
#: Pieces of hostile lines (Latin-1 only: see `test_wide_lines...` for the rest).
PIECES = [
    "ms", "xms", "ms2", "MS", "Ms", "shard", "q", "a.b", "msg", "k",
    "=", ":", '"', "\\", "\\\"", " ", "  ", "\t", "\xa0", "\x85", "\x0b", " " * 12,
    "42", "420", "4", "2", "1", "10", "ab", "AB", "aB", "Ab", " a", "a b", "x:y", "cache miss",
    ",", "}", "]", "{", "[", "é", "É", "ÿ", "?", "=42", ":42", '":42', '"=', "\x00",
]  # fmt: skip
LINES = [
    '{"ts":"2026-11-21T10:00:00Z","level":"warn","msg":"slow query","ms":42,"q":"x"}',
    '{"ms" : 42 }',
    '{"ms":"42"}',
    '{"ms":420}',
    '{"xms":42}',
    '{"ms":42.0}',
    '{"m\\u0073":42}',  # an escaped key: the needle does not see it (as before)
    'ts=2026 level=debug msg="cache miss" key=user:1 shard=1 note="shard=1 x"',
    "shard=10 level=info",
    "shard=1",
    'shard="1" x=y',
    "xshard=1 y=2",
    "shard = 1 a=b",
    "shard:1",
    "ms=42ms dur=42ms",
    "q=Ab q=ab",
    'q=" a" r=1',
    "k== z=1",
    "a.b=x:y c=d",
    "ms=" + " " * 40 + "42 long=run",  # a run of spaces longer than the bulk steps
    '{"ms":' + " " * 30 + "42}",
    "plain prose with ms=42 in it",
    '{"a":[{"ms":42}],"b":["ms",42],"shard":[1]}',
    "k=1 kk=1",
    "ms=42] shard=1]",
    'q="AB"',  # only in upper case: `q=ab` finds it folded
    "",
]


def needle_query(term: FieldTerm) -> SearchQuery:
    """The needle as the regex path searches it (its `_bulk` left out)."""
    assert term.needle is not None
    return SearchQuery.parse(term.needle, regex=True)


def term_of(typed: str) -> FieldTerm:
    _, terms = split_terms(typed)
    return terms[0]


@contextmanager
def direction(from_value: bool | None) -> Iterator[None]:
    """Find the value first (True), the key first (False; a value starting with a space
    is still found from the value, see `search.needle`), or as `lines` chooses (None)."""
    if from_value is None:
        yield
        return

    def forced(self: FieldNeedle, joined: str, lo: int, hi: int) -> bool:
        assert self.value is not None
        return from_value or bool(needle_module._SPACE[ord(self.value[0])])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(FieldNeedle, "_from_value", forced)
        yield


def bulk_lines(term: FieldTerm, texts: list[str], first: int, stop: int) -> list[int]:
    bulk = term.bulk_needle
    assert bulk is not None
    part = pack(texts).main
    assert part.joined.isascii() or all(ord(c) < 256 for c in part.joined)
    return bulk.lines(part.joined, part.starts, first, stop, 1000, needle_query(term).matches)


def line_by_line(term: FieldTerm, texts: list[str], first: int, stop: int) -> list[int]:
    query = needle_query(term)
    return [1000 + i for i in range(first, stop) if query.matches(texts[i])]


@pytest.mark.parametrize("from_value", [None, True, False])
@pytest.mark.parametrize("typed", TERMS)
def test_the_needle_finds_the_lines_its_regex_finds(typed: str, from_value: bool | None) -> None:
    term = term_of(typed)
    texts = LINES * 3
    with direction(from_value):
        got = bulk_lines(term, texts, 0, len(texts))
        assert got == line_by_line(term, texts, 0, len(texts)), typed
        # A range inside the part: its edges are lines' edges.
        assert bulk_lines(term, texts, 5, 40) == line_by_line(term, texts, 5, 40), typed


@pytest.mark.parametrize("from_value", [True, False])
def test_a_key_cut_by_the_edge_of_the_text_is_no_key(from_value: bool) -> None:
    # `kk=1` from the value: one step back from "k=1" is before the text, not a "k".
    texts = ["k=1 x", "k=1", "kk=1", "x kk=1]"]
    with direction(from_value):
        for first in range(len(texts)):
            got = bulk_lines(term_of("kk=1"), texts, first, len(texts))
            assert got == [1002, 1003][max(first - 2, 0) :]


def test_the_examples_find_what_a_reader_expects() -> None:
    found = {typed: bulk_lines(term_of(typed), LINES, 0, len(LINES)) for typed in TERMS}
    at = [i - 1000 for i in found["ms=42"]]
    # Not `"ms":420`, `"ms":42.0`, `ms=42ms` or the escaped key; `xms` holds `ms` (the
    # fields decide); the long run of spaces is the regex's to decide.
    assert at == [0, 1, 2, 4, 19, 20, 21, 22, 24]
    shard = [LINES[i - 1000] for i in found["shard=1"]]
    assert "shard=10 level=info" not in shard and "shard = 1 a=b" in shard
    assert "shard:1" in shard


#: Near misses of a needle, piece by piece: key, quote, spaces, separator, spaces, quote,
#: value, end (each maybe wrong), as `near_miss` puts them together.
KEYS = ["ms", "xms", "s", "m", "mms", "MS", "shard", "hard", "q", "a.b", "msg", "k", ""]
QUOTES = ["", '"', '""', "\\", "'"]
SPACES = ["", " ", "\t", "\xa0", "\x85", "\x0b", "\x1c", "  ", " " * 9]
SEPARATORS = ["=", ":", "==", "", ";", "=:"]
VALUES = ["42", "420", "4", "1", "10", "ab", "AB", "Ab", " a", "a", "x:y", "=", "", "cache miss"]
ENDS = ["", " ", ",", "}", "]", ")", '"', "\t", "\xa0", "\x85", "x", "\x1f"]
#: Beyond Latin-1: spaces to `regex` (an em space, a line separator), or none (an arrow).
WIDE = ["\u2003", "\u2028", "→", "🙂", "K"]


@st.composite
def near_miss(draw: st.DrawFn, key: str = "ms", value: str = "42") -> str:
    """Pieces of a needle's match, each right (often) or wrong."""
    keys, values = [*KEYS, *[key] * 8], [*VALUES, *[value] * 8]
    parts = [draw(st.sampled_from(group)) for group in (keys, QUOTES, SPACES, SEPARATORS)]
    parts += [draw(st.sampled_from(group)) for group in (SPACES, QUOTES, values, ENDS)]
    return "".join(parts)


def lines_for(term: FieldTerm, pieces: list[str], most: int) -> st.SearchStrategy[list[str]]:
    """Lines of pieces and near misses of `term`'s needle."""
    near = near_miss(term.key, term.value or "42")
    line = st.lists(st.one_of(st.sampled_from(pieces), near), max_size=8).map("".join)
    return st.lists(line, min_size=1, max_size=most)


@settings(max_examples=1000, deadline=None)
@given(
    typed=st.sampled_from(TERMS),
    from_value=st.sampled_from([None, True, False]),
    data=st.data(),
)
def test_hostile_lines_give_the_regex_answer(
    typed: str, from_value: bool | None, data: st.DataObject
) -> None:
    term = term_of(typed)
    texts = data.draw(lines_for(term, PIECES, 40))
    first = data.draw(st.integers(0, len(texts) - 1))
    stop = data.draw(st.integers(first, len(texts)))
    with direction(from_value):
        assert bulk_lines(term, texts, first, stop) == line_by_line(term, texts, first, stop)


@settings(max_examples=150, deadline=None)
@given(typed=st.sampled_from(TERMS), data=st.data())
def test_hostile_lines_with_wide_ones_give_what_the_regex_gave(
    typed: str, data: st.DataObject
) -> None:
    texts = data.draw(lines_for(term_of(typed), WIDE + PIECES, 30))
    # Enough lines for the bulk path; wide lines are packed apart (or the whole block
    # wide) and searched by the regex, the rest by numpy.
    texts = (texts * (BULK_LINES // len(texts) + 2))[: 2 * BULK_LINES]
    query = SearchQuery.parse(typed, fields=True)
    needle = query._needles[0]
    assert needle.scan(texts, 7) == replace(needle, _bulk=None).scan(texts, 7)
    assert query.scan(texts, 7) == regex_needles(query).scan(texts, 7)


def test_only_lines_in_a_long_run_of_spaces_go_to_the_regex() -> None:
    term = term_of("ms=42")
    texts = ["ms=" + " " * 30 + "42", "ms= 42", "ms=" + " " * 30 + "43"] * 100
    asked: list[str] = []

    def verify(line: str) -> bool:
        asked.append(line)
        return needle_query(term).matches(line)

    bulk = term.bulk_needle
    assert bulk is not None
    part = pack(texts).main
    with direction(False):
        got = bulk.lines(part.joined, part.starts, 0, len(texts), 0, verify)
    assert got == [i for i in range(len(texts)) if i % 3 != 2]
    assert len(asked) == 200 and " " * 30 in asked[0]  # never the line with a short run


def buffer_of(texts: list[str], *, cold: bool) -> LogBuffer:
    buffer = LogBuffer(max_lines=len(texts) + 1, max_bytes=1 << 30, hot_lines=0 if cold else 10**9)
    for start in range(0, len(texts), 3000):
        chunk = texts[start : start + 3000]
        stamps = [float(start + i) for i in range(len(chunk))]
        buffer.append_many(LineBatch(chunk, stamps, [Level.INFO] * len(chunk), 0, "h", "/f", "s"))
    buffer.settle()
    return buffer


def regex_needles(query: SearchQuery) -> SearchQuery:
    """`query` as it was searched before `search.needle`: its needles by the regex."""
    return replace(query, _needles=tuple(replace(n, _bulk=None) for n in query._needles))


def hostile_block_lines() -> list[str]:
    # Latin-1 lines and, every 7th, a wide one (packed apart: the regex searches those),
    # then a stretch of mostly wide lines (a block packed wide: the regex alone).
    wide = ["→ " + line for line in LINES] + ["ms=42 🙂", '{"ms":42,"w":"→"}', "shard=1 ✓"]
    narrow = [*LINES, "shard=1 K", "ms=42 É"]
    texts = [wide[i % len(wide)] if i % 7 == 0 else narrow[i % len(narrow)] for i in range(9000)]
    texts += [wide[i % len(wide)] if i % 3 else narrow[i % len(narrow)] for i in range(5000)]
    return texts + narrow * 20  # and the open block


@pytest.mark.parametrize("cold", [False, True])
def test_field_search_over_a_buffer_gives_what_it_gave_before(cold: bool) -> None:
    texts = hostile_block_lines()
    assert len(texts) > 3 * BULK_LINES
    buffer = buffer_of(texts, cold=cold)
    typed_all = [*TERMS, "ms=42 shard=1", "ms=42 slow", "shard=1 timeout"]
    for typed in typed_all:
        query = SearchQuery.parse(typed, fields=True)
        before = regex_needles(query)
        expected = [i for hits in find_matches(buffer, before, chunk_lines=3000) for i in hits]
        got = [i for hits in find_matches(buffer, query, chunk_lines=3000) for i in hits]
        assert got == expected, typed
        assert count_matches(buffer, query) == len(expected)
        # `scan` over plain texts (what log rules call) too.
        assert query.scan(texts, 0) == before.scan(texts, 0), typed
        shown = LineFilter().with_pattern(typed, fields=True)
        assert sum(len(h) for h in shown.find(buffer)) == len(expected), typed
        hidden = LineFilter().with_pattern("!" + typed, fields=True)
        assert sum(len(h) for h in hidden.find(buffer)) == len(texts) - len(expected), typed
    assert count_matches(buffer, SearchQuery.parse("ms=42", fields=True)) > 1000


def test_the_bulk_path_is_taken_for_latin1_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = FieldNeedle.lines

    def counted(self: FieldNeedle, *args: object, **kwargs: object) -> list[int]:
        calls.append(1)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(FieldNeedle, "lines", counted)
    buffer = buffer_of(LINES * 400, cold=False)
    query = SearchQuery.parse("ms=42", fields=True)
    assert count_matches(buffer, query) == 5 * 400  # lines 0, 1, 2, 20 and 21
    assert calls
    assert needle_module._STEPS < 30  # the long runs above do reach the regex
