"""Search: press `/`, type a query, see the matching lines, step through them."""

from __future__ import annotations

import random
import threading

import pytest

from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.line import Level, LineKind, LogLine
from pulse_tui.model.search.query import (
    LineFilter,
    SearchError,
    SearchHistory,
    SearchJob,
    SearchQuery,
    count_matches,
    find_matches,
    iter_text_chunks,
    match_counter,
    next_match,
)

WORDS = ["GET", "post", "Timeout", "timeout", "error", "a b", "x\ty", "ünïcode", "İstanbul"]


def generated_buffer(total: int = 20_000, keep: int = 13_000, seed: int = 5) -> LogBuffer:
    """Lines from two hosts and services, with ring-wrapped (dropped) lines at the front."""
    rnd = random.Random(seed)
    buffer = LogBuffer(max_lines=keep, max_bytes=10**9)
    levels = list(Level)
    for start in range(0, total, 997):  # batch sizes that do not align with 4096 blocks
        count = min(997, total - start)
        texts = [
            " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(0, 6))) + f" n={start + i}"
            for i in range(count)
        ]
        host = "web-1" if start % 2 else "web-2"
        batch = LineBatch(
            texts,
            [float(start + i) for i in range(count)],
            [rnd.choice(levels) for _ in range(count)],
            0.0,
            host,
            "/var/log/app.log",
            "api" if start % 3 else "db",
        )
        buffer.append_many(batch)
    return buffer


def naive(buffer: LogBuffer, accepts) -> list[int]:  # type: ignore[no-untyped-def]
    return [buffer.first_index + i for i, line in enumerate(buffer) if accepts(line)]


def found(buffer: LogBuffer, query: SearchQuery, **kw: int) -> list[int]:
    return [i for hits in find_matches(buffer, query, **kw) for i in hits]


# ------------------------------------------------------------------ queries


def test_plain_text_is_literal_and_smart_case() -> None:
    query = SearchQuery.parse("a.b")
    assert not query.regex and query.ignore_case
    assert query.matches("x A.B y") and not query.matches("axb")
    upper = SearchQuery.parse("Timeout")
    assert not upper.ignore_case
    assert upper.matches("upstream Timeout") and not upper.matches("upstream timeout")


def test_re_prefix_and_regex_flag_make_a_regex() -> None:
    assert SearchQuery.parse(r"re:time\w+ after \d+ms").matches("TIMEOUT after 1500ms")
    assert SearchQuery.parse(r"\d+ms", regex=True).matches("12ms")
    # Escapes do not count as uppercase for smart case.
    assert SearchQuery.parse(r"re:\Serror").ignore_case
    assert not SearchQuery.parse("re:[A-Z]rror").ignore_case
    # A leading backslash searches for the prefix literally.
    literal = SearchQuery.parse("\\re:x")
    assert not literal.regex and literal.matches("see re:x here")


def test_invalid_regex_says_where_and_why_in_one_line() -> None:
    with pytest.raises(SearchError) as info:
        SearchQuery.parse("re:timeout (after")
    message = str(info.value)
    assert message == "invalid regex at position 9: missing ), unterminated subpattern"
    assert "\n" not in message
    assert isinstance(info.value, ValueError)


def test_nested_repeats_are_accepted_and_a_line_too_slow_to_match_is_an_error() -> None:
    # No more guessing from the pattern's shape: the `regex` module's timeout bounds it.
    query = SearchQuery.parse("re:(a+)+$")
    assert query.matches("aaa") and not query.matches("b")
    with pytest.raises(SearchError, match="too slow"):
        query.matches("a" * 5000 + "b")
    assert query.spans("a" * 5000 + "b") == []  # highlighting gives up quietly


def test_spans_for_highlighting_are_bounded() -> None:
    query = SearchQuery.parse("ab")
    assert query.spans("xABab") == [(1, 3), (3, 5)]
    assert len(SearchQuery.parse("re:.").spans("x" * 500)) == 64
    assert SearchQuery.parse("re:x*").spans("ab") == []  # empty matches highlight nothing


# ------------------------------------------------------------------ bulk search


@pytest.mark.parametrize(
    "text",
    [
        "timeout",
        "Timeout",
        "a b",
        "n=1",
        "ünï",
        "i̇stanbul",
        "",
        r"re:\d{4}$",
        r"re:^GET",
        r"re:error\s+n",  # \s can cross the joined newline: verified per line
        r"re:[^x]*y",
        r"re:(?<!\S)post",  # lookbehind: matched line by line
        r"re:x*",
        r"re:n=\d+(?!\d)",
    ],
)
def test_counts_equal_a_naive_per_line_loop(text: str) -> None:
    buffer = generated_buffer()
    assert buffer.first_index > 4096 and buffer.first_index % 4096  # dropped, mid-block
    query = SearchQuery.parse(text)
    expected = naive(buffer, lambda line: query.matches(line.text))
    assert found(buffer, query, chunk_lines=5000) == expected
    assert count_matches(buffer, query) == len(expected)


def test_ranges_are_clipped_and_chunked() -> None:
    buffer = generated_buffer()
    query = SearchQuery.parse("n=")
    start, stop = buffer.first_index - 100, buffer.first_index + 9000
    chunks = list(find_matches(buffer, query, start, stop, chunk_lines=4000))
    assert [i for c in chunks for i in c] == list(range(buffer.first_index, stop))
    assert len(chunks) >= 2
    texts = [t for _, chunk in iter_text_chunks(buffer, 0, 10**9) for t in chunk]
    assert texts == [line.text for line in buffer]


# ------------------------------------------------------------------ filter mode


def line(text: str, level: Level = Level.INFO, host: str = "h", service: str = "api") -> LogLine:
    return LogLine(0, 0, host, "/f", service, level, text)


def test_filter_includes_excludes_levels_hosts_services() -> None:
    f = LineFilter().with_pattern("timeout").with_pattern("!healthz")
    assert f.accepts(line("upstream timeout"))
    assert not f.accepts(line("healthz timeout")) and not f.accepts(line("ok"))
    warn = LineFilter().with_min_level(Level.WARN)
    assert warn.accepts(line("x", Level.ERROR)) and not warn.accepts(line("x", Level.INFO))
    hosts = LineFilter().with_hosts(frozenset({"a"})).with_services(frozenset({"db"}))
    assert hosts.accepts(line("x", host="a", service="db"))
    assert not hosts.accepts(line("x", host="b", service="db"))
    assert not hosts.accepts(line("x", host="a", service="api"))
    assert not LineFilter().active and f.active


def test_unknown_level_counts_as_info_and_markers_ignore_level() -> None:
    plain = line("plain output", Level.UNKNOWN)
    assert LineFilter().with_min_level(Level.INFO).accepts(plain)
    assert not LineFilter().with_min_level(Level.WARN).accepts(plain)
    gap = LogLine(0, 0, "h", "", "api", Level.UNKNOWN, "gap", LineKind.GAP)
    assert LineFilter().with_min_level(Level.FATAL).accepts(gap)


@pytest.mark.parametrize(
    "make",
    [
        lambda f: f.with_pattern("timeout"),
        lambda f: f.with_pattern("!error").with_min_level(Level.WARN),
        lambda f: f.with_pattern("re:^get").with_pattern("!a b").with_hosts(frozenset({"web-1"})),
        lambda f: f.with_services(frozenset({"db"})).with_min_level(Level.INFO),
        lambda f: f.with_pattern("post").with_pattern("n=1"),
        lambda f: f,
    ],
)
def test_filter_fast_path_equals_accepts(make) -> None:  # type: ignore[no-untyped-def]
    buffer = generated_buffer()
    f = make(LineFilter())
    got = [i for hits in f.find(buffer, chunk_lines=3000) for i in hits]
    assert got == naive(buffer, f.accepts)


# ------------------------------------------------------------------ jobs


def test_job_finds_what_find_matches_finds() -> None:
    buffer = generated_buffer()
    query = SearchQuery.parse("timeout")
    seen: list[float] = []
    job = SearchJob(buffer, query, chunk_lines=2000, on_progress=lambda j: seen.append(j.progress))
    assert job.start().wait(30)
    assert job.done and not job.cancelled and job.error is None
    assert job.result_indices == found(buffer, query)
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_cancel_stops_a_slow_job_between_chunks() -> None:
    # Overlapping alternation: slowish per line, a stand-in for a costly regex.
    buffer = LogBuffer(max_lines=10**6, max_bytes=10**9)
    buffer.append_many([line("a" * 6 + "b") for _ in range(4096 * 20)])
    query = SearchQuery.parse("re:(a|aa)+$")
    first_chunk = threading.Event()
    job = SearchJob(buffer, query, chunk_lines=1, on_progress=lambda j: first_chunk.set())
    job.start()
    assert first_chunk.wait(60)
    job.cancel()  # the caller returns at once: cancel only sets a flag
    assert job.cancelled
    assert job.wait(60)
    assert job.progress < 1.0 and job.result_indices == []


def test_pathological_regex_leaves_other_threads_running_and_stops_on_timeout() -> None:
    # `(a+)+$` on a long line of a's backtracks exponentially. Python's `re` would hold
    # the GIL all along, so the loop below would barely advance until the job ended.
    buffer = LogBuffer(max_lines=100, max_bytes=10**9)
    buffer.append(line("a" * 5000 + "b"))
    job = SearchJob(buffer, SearchQuery.parse("re:(a+)+$"), timeout=0.3).start()
    ticks = 0
    while not job.done:  # the "event loop": pure Python work needing the GIL
        ticks += 1
    assert job.wait(30)
    assert ticks > 10_000  # millions in practice; a handful if the GIL were held
    assert isinstance(job.error, SearchError) and "too slow" in str(job.error)
    assert job.result_indices == []


def test_cancel_ends_a_pathological_job_and_a_new_search_runs_meanwhile() -> None:
    buffer = LogBuffer(max_lines=10**5, max_bytes=10**9)
    buffer.append_many([line("a" * 3000 + "b") for _ in range(3)])
    buffer.append_many([line(f"plain {i}") for i in range(4096 * 3)])
    slow = SearchJob(buffer, SearchQuery.parse("re:(a+)+$"), timeout=3, chunk_lines=1)
    slow.start()
    fast = SearchJob(buffer, SearchQuery.parse("plain 1")).start()  # the next keystroke
    slow.cancel()
    assert fast.wait(30) and fast.error is None
    assert len(fast.result_indices) == count_matches(buffer, SearchQuery.parse("plain 1"))
    assert not slow.done  # still inside its first block: the new search did not wait
    assert slow.wait(30)
    assert slow.cancelled and slow.result_indices == []


def test_count_and_find_raise_search_error_on_a_too_slow_regex() -> None:
    buffer = LogBuffer(max_lines=100, max_bytes=10**9)
    buffer.append(line("x" * 3000 + "y"))
    with pytest.raises(SearchError, match="too slow"):
        count_matches(buffer, SearchQuery.parse("re:(x+x+)+$"))


def test_search_over_packed_blocks_with_a_partly_dropped_head() -> None:
    buffer = LogBuffer(max_lines=4096 * 3, max_bytes=10**9)
    buffer.append_many([line(f"request {i} ok") for i in range(4096 * 3 + 100)])
    query = SearchQuery.parse("request 1")
    expected = naive(buffer, lambda ln: query.matches(ln.text))
    assert found(buffer, query) == expected
    assert found(buffer, query) == expected
    buffer.append_many([line(f"later {i}") for i in range(4096 * 2)])
    assert found(buffer, query) == naive(buffer, lambda ln: query.matches(ln.text))
    assert found(buffer, SearchQuery.parse("later 1")) == naive(
        buffer, lambda ln: "later 1" in ln.text
    )


def test_job_reports_errors_instead_of_dying_silently() -> None:
    buffer = generated_buffer(total=100, keep=100)
    job = SearchJob(buffer, SearchQuery.parse("x"))
    job.matcher = None  # type: ignore[assignment] - force a failure inside the thread
    assert job.start().wait(10)
    assert job.error is not None and job.done


# ------------------------------------------------------------------ navigation and history


def test_next_match_wraps_both_ways() -> None:
    hits = [10, 20, 30]
    assert next_match(hits, 20, +1) == 30
    assert next_match(hits, 30, +1) == 10
    assert next_match(hits, 10, -1) == 30
    assert next_match(hits, 25, -1) == 20
    assert next_match(hits, None, -1) == 30
    assert next_match([], 5, +1) is None


def test_counter_text_uses_thousands_separators() -> None:
    assert match_counter(37, 1204) == "37 of 1,204"
    assert match_counter(None, 1204) == "1,204 matches"
    assert match_counter(None, 1) == "1 match"
    assert match_counter(None, 0) == "no matches"


def test_history_up_and_down_like_a_shell() -> None:
    history = SearchHistory(max=3)
    for text in ["a", "b", "c", "b", "  ", "d"]:
        history.add(text)
    assert history.items == ["c", "b", "d"]
    assert history.next() is None  # not browsing yet
    assert [history.previous(), history.previous(), history.previous(), history.previous()] == [
        "d",
        "b",
        "c",
        "c",
    ]
    assert [history.next(), history.next(), history.next()] == ["b", "d", ""]
    assert SearchHistory().previous() is None
