"""Bulk search over packed blocks finds exactly the lines a line-by-line search finds:
non-ASCII lines, block edges, dropped lines, many matches on one line."""

from __future__ import annotations

import random
import sys

import pytest

from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.line import Level
from pulse_tui.model.logs.packed import PackedLines, pack
from pulse_tui.model.search import scan as search_scan
from pulse_tui.model.search.query import SearchJob, SearchQuery, count_matches, find_matches

BLOCK = 4096
# ESC as the sanitiser shows it (U+241B: 2 bytes a character), an emoji (4), Latin-1 (1).
WORDS = ["timeout", "Timeout", "TIMEOUT", "ok", "␛[31m", "🙂", "été", "ÉTÉ", "Straße", ""]


def buffer_of(texts: list[str], max_lines: int | None = None) -> LogBuffer:
    buffer = LogBuffer(max_lines=max_lines or len(texts) + 1, max_bytes=10**9)
    for start in range(0, len(texts), 1000):
        chunk = texts[start : start + 1000]
        stamps = [0.0] * len(chunk)
        buffer.append_many(LineBatch(chunk, stamps, [Level.INFO] * len(chunk), 0, "h", "/f", "a"))
    return buffer


def naive(buffer: LogBuffer, query: SearchQuery) -> list[int]:
    return [buffer.first_index + i for i, line in enumerate(buffer) if query.matches(line.text)]


def found(buffer: LogBuffer, query: SearchQuery) -> list[int]:
    return [i for hits in find_matches(buffer, query, chunk_lines=3000) for i in hits]


def mixed_lines(count: int, wide_every: int, seed: int = 3) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for i in range(count):
        words = [rnd.choice(WORDS[:4]) for _ in range(rnd.randint(0, 4))]
        if i % wide_every == 0:
            words.insert(rnd.randint(0, len(words)), rnd.choice(WORDS[4:]))
        out.append(" ".join(words) + f" n={i}")
    return out


QUERIES = [
    "timeout",  # smart case: ignore case
    "Timeout",  # case-sensitive
    "été",  # ignore case, non-ASCII: finds ÉTÉ too
    "ÉTÉ",
    "straße",
    "␛[31m",
    "🙂 n=",
    "n=4095",
    r"re:^timeout",
    r"re:\d$",
    r"re:^$",
    r"re:ok\s+n",  # \s may run into the next line: checked per line
    r"re:\d\s",  # ... and end right after the "\n"
    r"re:\d\s+n=",
    r"re:[^t]*🙂",
    r"re:x*",  # empty matches: every line
    r"re:(?i)É",
]


@pytest.mark.parametrize("wide_every", [1, 7, 500, 10**9])
@pytest.mark.parametrize("text", QUERIES)
def test_blocks_with_wide_lines_find_what_a_line_by_line_search_finds(
    text: str, wide_every: int
) -> None:
    buffer = buffer_of(mixed_lines(3 * BLOCK + 123, wide_every))
    query = SearchQuery.parse(text)
    expected = naive(buffer, query)
    assert found(buffer, query) == expected
    assert found(buffer, query) == expected  # again: nothing kept from the first
    assert count_matches(buffer, query) == len(expected)


def test_wide_lines_are_packed_apart_latin1_ones_are_not() -> None:
    ascii_ = ["plain"] * 10
    assert pack(ascii_).wide is None
    assert pack([*ascii_, "café"]).wide is None  # still 1 byte a character
    split = pack(["␛[31mred", *ascii_, "café", "🙂"])
    assert split.wide is not None and list(split.wide_offsets or ()) == [0, 12]
    assert sys.getsizeof(split.main.joined) == sys.getsizeof("é" * len(split.main.joined))
    assert list(split) == ["␛[31mred", *ascii_, "café", "🙂"]
    assert pack(["␛", "🙂"]).wide is None  # nothing narrow to keep apart


def test_smart_case_folds_non_ascii_letters_in_bulk_as_per_line() -> None:
    buffer = buffer_of(["ÉTÉ chaud", "été chaud", "Été", "ete", "␛ été"] * 2000)
    lower = SearchQuery.parse("été")
    assert lower.ignore_case and count_matches(buffer, lower) == 4 * 2000
    upper = SearchQuery.parse("Été")
    assert not upper.ignore_case and count_matches(buffer, upper) == 2000


def test_matches_on_the_first_and_last_lines_of_blocks_and_of_the_buffer() -> None:
    texts = ["filler"] * (3 * BLOCK + 5)
    edges = [0, BLOCK - 1, BLOCK, 2 * BLOCK - 1, 2 * BLOCK, 3 * BLOCK - 1, 3 * BLOCK + 4]
    for i in edges:
        texts[i] = "edge"
    texts[BLOCK - 1] = "␛ edge"  # a wide last line of a block
    texts[2 * BLOCK] = ""  # and an empty first line
    buffer = buffer_of(texts)
    for text in ["edge", r"re:edge$", r"re:^edge", r"re:e\s*$"]:
        query = SearchQuery.parse(text)
        assert found(buffer, query) == naive(buffer, query)
    assert found(buffer, SearchQuery.parse("re:^$")) == [2 * BLOCK]
    assert found(buffer, SearchQuery.parse("edge")) == [i for i in edges if i != 2 * BLOCK]


def test_dropped_lines_at_the_head_never_match() -> None:
    texts = mixed_lines(3 * BLOCK, wide_every=5)
    buffer = buffer_of(texts, max_lines=2 * BLOCK - 100)  # head block partly dropped
    assert buffer.first_index % BLOCK
    for text in ["timeout", r"re:^$", r"re:x*", "🙂"]:
        query = SearchQuery.parse(text)
        hits = found(buffer, query)
        assert hits == naive(buffer, query)
        assert not hits or hits[0] >= buffer.first_index


def test_lines_dropped_while_a_search_runs_are_not_reported() -> None:
    buffer = buffer_of(["x"] * (2 * BLOCK), max_lines=2 * BLOCK)
    query = SearchQuery.parse("re:x*")
    chunks = search_scan.chunks(buffer, buffer.first_index, buffer.next_index)
    first = next(chunks)  # read before the drop: still holds its texts
    buffer.append_many(LineBatch(["y"] * 10, [0.0] * 10, [Level.INFO] * 10, 0, "h", "/f", "a"))
    assert query.scan_chunk(first) == list(range(10, BLOCK))


def test_many_matches_on_one_line_count_it_once() -> None:
    texts = ["x" * 300, "y", "x y x y x", "🙂" * 50 + "x" * 50] * 3000
    buffer = buffer_of(texts)
    for text in ["x", "re:x", "re:x|y", "re:(?=x)"]:
        query = SearchQuery.parse(text)
        assert found(buffer, query) == naive(buffer, query)


def test_a_search_reads_full_blocks_as_the_buffer_packed_them() -> None:
    buffer = buffer_of(["plain line"] * (3 * BLOCK + 10))
    chunks = list(search_scan.chunks(buffer, buffer.first_index, buffer.next_index))
    assert [len(c.texts) for c in chunks] == [BLOCK] * 3 + [10]
    for chunk in chunks[:3]:  # nothing to join or index at search time
        lines, lo, hi = chunk.texts.packed()
        assert isinstance(chunk.texts.lines, PackedLines) and lines is chunk.texts.lines
        assert (lo, hi) == (0, BLOCK)
    assert not isinstance(chunks[3].texts.lines, PackedLines)  # the open block: a copy
    assert count_matches(buffer, SearchQuery.parse("plain")) == 3 * BLOCK + 10


def test_scan_of_loose_texts_skips_none() -> None:
    query = SearchQuery.parse("re:^")
    assert query.scan(["a", None, "🙂", "", None], 10) == [10, 12, 13]
    assert SearchQuery.parse("é").scan(["É", "e", "␛ é"], 0) == [0, 2]


def test_jobs_sharing_packed_blocks_agree() -> None:
    # A new keystroke starts a job while the previous one still runs: both read the same
    # packed blocks at once.
    buffer = buffer_of(mixed_lines(6 * BLOCK, wide_every=9))
    query = SearchQuery.parse("timeout")
    expected = naive(buffer, query)
    for _ in range(3):
        jobs = [SearchJob(buffer, query, chunk_lines=BLOCK).start() for _ in range(4)]
        assert all(job.wait(60) for job in jobs)
        assert [job.error for job in jobs] == [None] * 4
        assert all(job.result_indices == expected for job in jobs)
