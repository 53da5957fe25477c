"""A literal on many lines is counted by splitting the text (`search.dense`), and finds
exactly the lines a line-by-line search finds: across block edges, with wide lines kept
apart, several hits on one line, case folding, part of a block."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.line import Level
from pulse_tui.model.logs.packed import pack
from pulse_tui.model.search import text as search_text
from pulse_tui.model.search.dense import Literal, latin1, literal_lines
from pulse_tui.model.search.query import SearchJob, SearchQuery, count_matches, find_matches

BLOCK = 4096


@pytest.fixture
def dense_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times a search took the dense path (one entry per block)."""
    calls: list[int] = []
    real = search_text.literal_lines

    def counted(*args: object) -> list[int]:
        calls.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(search_text, "literal_lines", counted)
    return calls


def buffer_of(texts: list[str]) -> LogBuffer:
    buffer = LogBuffer(max_lines=len(texts) + 1, max_bytes=10**9)
    for start in range(0, len(texts), 1000):
        chunk = texts[start : start + 1000]
        stamps = [0.0] * len(chunk)
        buffer.append_many(LineBatch(chunk, stamps, [Level.INFO] * len(chunk), 0, "h", "/f", "a"))
    return buffer


def naive(
    buffer: LogBuffer, query: SearchQuery, start: int = 0, stop: int | None = None
) -> list[int]:
    lines = list(buffer)[start:stop]
    return [start + i for i, line in enumerate(lines) if query.matches(line.text)]


def found(
    buffer: LogBuffer, query: SearchQuery, start: int = 0, stop: int | None = None
) -> list[int]:
    chunks = find_matches(buffer, query, start, stop, chunk_lines=3000)
    return [i for hits in chunks for i in hits]


def dense_lines(count: int, seed: int = 5) -> list[str]:
    """A quarter of the lines or more hold each of "request handled" (some twice, in
    another case, at a line's start or end), "Request Handled", "ÉTÉ" and "??"; every
    9th line is wide, some of those hold them too."""
    rnd = random.Random(seed)
    out = []
    for i in range(count):
        r = rnd.random()
        if r < 0.25:
            text = f"INFO api: request handled n={i}"
        elif r < 0.5:
            text = f"request handled twice: Request Handled n={i} ÉTÉ"
        elif r < 0.55:
            text = f"REQUEST HANDLED n={i}"
        elif r < 0.6:
            text = "request handled"
        elif r < 0.65:
            text = f"n={i} request handled"
        elif r < 0.7:
            text = f"été requête handled? n={i} ÉTÉ"
        elif r < 0.75:
            text = ""
        else:
            text = f"ts={i} msg=other ?? x"
        if i % 9 == 0:
            text = rnd.choice(["␛[31m ", "🙂 ", "→"]) + text
        out.append(text)
    return out


QUERIES = [
    "request handled",  # smart case: ignore case, folded in the lowered text
    "Request Handled",  # case-sensitive: split as it is
    "REQUEST",
    "handled",
    "été",  # ignore case, Latin-1: finds ÉTÉ too
    "ÉTÉ",
    "??",  # the "?"s standing for wide lines in a block's main text never count
    "?",
    "n=1",
    "🙂 request",  # beyond Latin-1: wide lines only
    "→",
    "→request handled",
]


@pytest.mark.parametrize("text", QUERIES)
def test_dense_literals_find_what_a_line_by_line_search_finds(
    text: str, dense_calls: list[int]
) -> None:
    buffer = buffer_of(dense_lines(3 * BLOCK + 321))
    query = SearchQuery.parse(text)
    expected = naive(buffer, query)
    assert found(buffer, query) == expected
    assert count_matches(buffer, query) == len(expected)
    if len(expected) > len(buffer) // 4:
        assert dense_calls


@pytest.mark.parametrize("text", ["request handled", "Request Handled", "??"])
def test_dense_search_of_part_of_a_block(text: str) -> None:
    buffer = buffer_of(dense_lines(3 * BLOCK))
    query = SearchQuery.parse(text)
    for start, stop in [(17, BLOCK - 3), (BLOCK - 50, BLOCK + 70), (BLOCK + 1, 3 * BLOCK - 1)]:
        assert found(buffer, query, start, stop) == naive(buffer, query, start, stop)


def test_dense_hits_on_the_first_and_last_lines_of_blocks() -> None:
    texts = ["timeout x", "y"] * (3 * BLOCK // 2) + ["timeout"]
    for i in [BLOCK - 1, BLOCK, 2 * BLOCK - 1, 2 * BLOCK]:
        texts[i] = "edge timeout" if i % 2 else "timeout edge timeout"
    texts[BLOCK - 2] = "🙂 timeout"  # a wide line next to the edge
    buffer = buffer_of(texts)
    for text in ["timeout", "edge", "Timeout", "t"]:
        query = SearchQuery.parse(text)
        assert found(buffer, query) == naive(buffer, query)


def test_dense_wide_lines_kept_apart(dense_calls: list[int]) -> None:
    # Half the lines are wide (packed apart), two thirds of those hold the term; the
    # case-sensitive ones take the dense path there too.
    texts = ["→ Hit", "plain Hit", "plain", "→ Hit again", "x", "→ miss"] * 2000
    buffer = buffer_of(texts)
    for text in ["Hit", "→ Hit", "→ hit", "plain", "→"]:
        query = SearchQuery.parse(text)
        assert found(buffer, query) == naive(buffer, query)
    assert dense_calls


def test_sparse_then_dense_and_dense_then_sparse_blocks() -> None:
    # The switch to the dense path happens once per block, after its first hits.
    sparse = ["nothing here"] * 2000
    dense = ["a hit here"] * 2000
    buffer = buffer_of(sparse + dense + dense + sparse + sparse[:1000] + dense[:500])
    query = SearchQuery.parse("hit")
    assert found(buffer, query) == naive(buffer, query)
    job = SearchJob(buffer, query, chunk_lines=BLOCK).start()
    assert job.wait(60) and job.error is None
    assert job.result_indices == naive(buffer, query)


def test_loose_texts_with_dropped_lines() -> None:
    texts: list[str | None] = ["hit"] * 100 + [None] * 10 + ["hit", "miss", "Hit"] * 50
    assert SearchQuery.parse("hit").scan(texts, 7) == [
        7 + i for i, t in enumerate(texts) if t is not None and "hit" in t.lower()
    ]


def test_literal_lines_numbers_lines_from_first_with_shift() -> None:
    texts = ["ab", "", "xab ab", "b", "ab", "a b", "ab"]
    packed = pack(texts)
    part = packed.main
    literal = Literal("ab", fold=False)
    for first in range(len(texts) + 1):
        for stop in range(first, len(texts) + 1):
            expected = [100 + i for i in range(first, stop) if "ab" in texts[i]]
            got = literal_lines(part.joined, part.starts, first, stop, literal, 100)
            assert got == expected, (first, stop)


def test_literal_lines_across_the_spans_split_at_once() -> None:
    rnd = random.Random(9)
    texts = [rnd.choice(["ab", "x", "", "ab ab", "b a", "xab"]) for _ in range(3000)]
    part = pack(texts).main
    literal = Literal("ab", fold=False)
    for first, stop in [(0, 3000), (1, 2999), (511, 513), (300, 1700), (2047, 2049)]:
        expected = [i for i in range(first, stop) if "ab" in texts[i]]
        assert literal_lines(part.joined, part.starts, first, stop, literal, 0) == expected


def test_latin1_lowering_agrees_with_the_regex_case_folding() -> None:
    # Folding by `str.lower` must find what `regex` IGNORECASE finds, for every Latin-1
    # literal and text character (the dense path takes only Latin-1 both sides).
    chars = [chr(c) for c in range(1, 256) if chr(c) != "\n"]
    assert all(len(c.lower()) == 1 and latin1(c.lower()) for c in chars)
    texts = [f"<{c}>" for c in chars]
    part = pack(texts).main
    for c in chars:
        query = SearchQuery.parse(f"<{c}>")
        if not query.ignore_case:
            continue
        literal = Literal.of(query.pattern, ignore_case=True)
        assert literal is not None and literal.takes(part.joined)
        expected = [i for i, t in enumerate(texts) if query.matches(t)]
        assert literal_lines(part.joined, part.starts, 0, len(texts), literal, 0) == expected


def test_what_the_dense_path_leaves_to_the_regex_search() -> None:
    assert Literal.of("", ignore_case=True) is None
    assert Literal.of("a\nb", ignore_case=False) is None
    assert Literal.of("→", ignore_case=True) is None  # folding beyond Latin-1
    assert Literal.of("→", ignore_case=False) == Literal("→", fold=False)
    assert Literal.of("été", ignore_case=True) == Literal("été", fold=True)
    folded = Literal("x", fold=True)
    assert folded.takes("café") and not folded.takes("x → y")
    assert Literal("x", fold=False).takes("x → y")


@settings(max_examples=60, deadline=None)
@given(
    density=st.floats(0.0, 1.0),
    seed=st.integers(0, 10**6),
    first=st.integers(0, 700),
    fold=st.booleans(),
)
def test_literal_lines_by_search_or_by_newlines_agree_with_each_line(
    density: float, seed: int, first: int, fold: bool
) -> None:
    # Sparse spans find each occurrence's line by a binary search, dense ones by counting
    # newlines: any mix of densities, twice on a line, at a line's edges, gives each once.
    rnd = random.Random(seed)
    pieces = ["Key", "key", "xKeyKey", "", "ké", "KEY "]
    texts = [
        "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 3)))
        if rnd.random() < density
        else f"line {i}"
        for i in range(1100)
    ]
    part = pack(texts).main
    literal = Literal.of("key" if fold else "Key", ignore_case=fold)
    assert literal is not None
    stop = len(texts)
    expected = [
        i + 5
        for i in range(first, stop)
        if (literal.text in texts[i].lower() if fold else "Key" in texts[i])
    ]
    assert literal_lines(part.joined, part.starts, first, stop, literal, 5) == expected


@settings(max_examples=60, deadline=None)
@given(
    density=st.floats(0.0, 1.0),
    seed=st.integers(0, 10**6),
    lines=st.integers(1, 1100),
    wide=st.booleans(),
)
def test_a_case_sensitive_literal_finds_each_line_holding_it_in_any_part(
    density: float, seed: int, lines: int, wide: bool
) -> None:
    """Latin-1 parts of `BULK_LINES` or more go to numpy, wide or shorter ones to
    `str.find`: either way, each line holding "Key" (twice, at its edges, overlapping
    "KeyKey", beside "key" and "KEY") once, and none else."""
    rnd = random.Random(seed)
    pieces = ["Key", "key", "KeyKey", "", "ké", "KEY ", "Ke", "y"] + (
        ["→Key", "ключ"] if wide else []
    )
    texts = [
        "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 4)))
        if rnd.random() < density
        else f"line {i}"
        for i in range(lines)
    ]
    buffer = buffer_of(texts)
    found = [i for hits in find_matches(buffer, SearchQuery.parse("Key")) for i in hits]
    assert found == [i for i, text in enumerate(texts) if "Key" in text]
    # Short ranges inside a block go to `str.find` even in Latin-1 text.
    for lo in range(0, lines, 97):
        hi = min(lines, lo + 40)
        part = [i for h in find_matches(buffer, SearchQuery.parse("Key"), lo, hi) for i in h]
        assert part == [i for i in range(lo, hi) if "Key" in texts[i]]
