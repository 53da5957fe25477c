"""Cold (compressed) blocks read, search, count and drop exactly as hot ones: the same
buffer filled twice, once all hot and once all cold, must agree on everything."""

from __future__ import annotations

import random
import sys
import threading
import time
from array import array
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulse_tui.model.logs import freezer
from pulse_tui.model.logs.batch import LineBatch, MergedBatch
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.cold import Codec, ColdColumns
from pulse_tui.model.logs.line import Level, LineKind
from pulse_tui.model.logs.packed import pack
from pulse_tui.model.search.query import (
    LineFilter,
    SearchJob,
    SearchQuery,
    count_matches,
    find_matches,
)

BLOCK = 4096
HOT = 10**9  # hot_lines: every block stays hot
# ASCII, Latin-1, UCS-2, UCS-4, a lone surrogate, empty, other line separators.
PIECES = ["request handled", "Timeout", "café", "␛[31m", "🙂", "\ud800", "", "a\rb", "\x85"]
QUERIES = ["timeout", "Timeout", "request handled", "café", "🙂", r"re:^\d+ ", "re:b$", "re:^$"]


def batch(texts: list[str], first: float = 0.0) -> LineBatch:
    n = len(texts)
    stamps = [first + i * 0.001 for i in range(n)]
    levels = [Level.INFO if i % 3 else Level.ERROR for i in range(n)]
    return LineBatch(texts, stamps, levels, first + 0.5, "h", "/f", "svc")


def text_of(i: int, rnd: random.Random) -> str:
    return f"{i} " + " ".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 4)))


def filled(texts: list[str], *, hot_lines: int, background: bool = False, **bounds: int):
    buffer = LogBuffer(
        bounds.get("max_lines", 10**7),
        bounds.get("max_bytes", 10**10),
        hot_lines=hot_lines,
        background=background,
    )
    step = bounds.get("step", 1000)
    for lo in range(0, len(texts), step):
        buffer.append_many(batch(texts[lo : lo + step], float(lo)))
    buffer.settle()
    return buffer


def snapshot(buffer: LogBuffer) -> list[tuple[object, ...]]:
    return [
        (x.text, x.timestamp, x.received, x.host, x.source, x.service, x.level, x.kind, x.fields)
        for x in buffer
    ]


def hits(buffer: LogBuffer, query: SearchQuery) -> list[int]:
    return [i for chunk in find_matches(buffer, query, chunk_lines=BLOCK) for i in chunk]


def columns(buffer: LogBuffer) -> tuple[object, ...]:
    got = buffer.columns()
    return tuple(getattr(got, name) for name in MergedBatch.__slots__)


def assert_same(hot: LogBuffer, cold: LogBuffer) -> None:
    assert len(hot) == len(cold) and hot.first_index == cold.first_index
    assert snapshot(hot) == snapshot(cold)
    assert columns(hot) == columns(cold)
    for i in (0, -1, len(hot) // 2):
        if len(hot):
            assert hot[i].text == cold[i].text
    for typed in QUERIES:
        query = SearchQuery.parse(typed)
        assert hits(hot, query) == hits(cold, query), typed
    line_filter = LineFilter().with_pattern("!café").with_min_level(Level.ERROR)
    assert list(line_filter.find(hot)) == list(line_filter.find(cold))


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    count=st.integers(0, 3 * BLOCK + 50),
    step=st.sampled_from([1, 500, 4096, 5000]),
)
def test_cold_blocks_read_and_search_as_hot_ones(seed: int, count: int, step: int) -> None:
    rnd = random.Random(seed)
    texts = [text_of(i, rnd) for i in range(count)]
    hot = filled(texts, hot_lines=HOT, step=step)
    cold = filled(texts, hot_lines=0, step=step)
    assert cold.cold_lines == (count // BLOCK) * BLOCK and hot.cold_lines == 0
    assert_same(hot, cold)


@settings(max_examples=30, deadline=None)
@given(
    texts=st.lists(st.text(max_size=40).map(lambda t: t.replace("\n", " ")), max_size=300),
    codec=st.sampled_from([Codec.zlib(), Codec.best()]),
)
def test_a_block_thaws_bit_for_bit(texts: list[str], codec: Codec) -> None:
    lines = pack(texts)
    n = len(texts)
    times = array("d", [random.random() * 1e9 for _ in range(n)])
    received = array("d", [-1.5] * n)
    origins = array("H", [i % 3 for i in range(n)])
    meta = bytes(i % 256 for i in range(n))
    back, times2, received2, origins2, meta2 = ColdColumns(
        lines, times, received, origins, meta, codec
    ).thaw()
    assert list(back) == texts and [back[i] for i in range(n)] == texts
    assert back.chars(0, n) == lines.chars(0, n)
    assert (times2, received2, origins2, meta2) == (times, received, origins, meta)
    assert (back.wide is None) == (lines.wide is None)


def test_compression_in_the_thread_reaches_the_same_lines() -> None:
    rnd = random.Random(3)
    texts = [text_of(i, rnd) for i in range(5 * BLOCK + 9)]
    background = filled(texts, hot_lines=BLOCK, background=True, step=777)
    assert background.cold_lines == 4 * BLOCK  # 5 full blocks, the newest one hot
    assert_same(filled(texts, hot_lines=HOT, step=777), background)


def test_cold_history_takes_a_fraction_of_the_bytes_bound() -> None:
    rnd = random.Random(5)
    texts = [
        f"{i} INFO api: request handled path=/x user=u{i % 50} " + text_of(i, rnd)
        for i in range(8 * BLOCK)
    ]
    hot = filled(texts, hot_lines=HOT)
    cold = filled(texts, hot_lines=BLOCK)
    assert hot.total_bytes == sum(map(len, texts))
    assert cold.total_bytes < hot.total_bytes / 3  # compressed sizes count
    # A bound the hot text overflows: cold, every line still fits; hot, the oldest go.
    bound = hot.total_bytes // 2
    kept_hot = filled(texts, hot_lines=HOT, max_bytes=bound)
    kept_cold = filled(texts, hot_lines=BLOCK, max_bytes=bound)
    assert kept_hot.first_index > 0 and kept_hot.total_bytes <= bound
    assert kept_cold.first_index == 0 and kept_cold.total_bytes <= bound
    assert [x.text for x in kept_cold] == texts


@pytest.mark.parametrize("background", [False, True])
def test_bounds_drop_line_by_line_from_a_cold_head(background: bool) -> None:
    rnd = random.Random(7)
    texts = [text_of(i, rnd) + "x" * rnd.randint(0, 99) for i in range(10 * BLOCK)]
    cold_size = filled(texts, hot_lines=0).total_bytes
    bound = cold_size // 2 + sum(map(len, texts[-2 * BLOCK :]))  # room for the hot blocks
    buffer = filled(texts, hot_lines=BLOCK, background=background, max_bytes=bound, step=999)
    assert buffer.first_index > 0 and buffer.first_index % BLOCK  # a cold head, part gone
    assert buffer.total_bytes <= bound and buffer.cold_lines > 0
    assert [x.text for x in buffer] == texts[buffer.first_index :]
    assert buffer.total_bytes == sum(b.nbytes for b in buffer._blocks)
    lines = filled(texts, hot_lines=0, max_lines=3 * BLOCK + 5, step=999)
    assert [x.text for x in lines] == texts[-(3 * BLOCK + 5) :]
    assert_same(filled(texts, hot_lines=HOT, max_lines=3 * BLOCK + 5, step=999), lines)


def test_rebuilt_and_adopted_buffers_stay_cold_and_right() -> None:
    rnd = random.Random(11)
    texts = [text_of(i, rnd) for i in range(4 * BLOCK + 3)]
    buffer = filled(texts, hot_lines=BLOCK, background=True)
    old = buffer.columns()
    merged = MergedBatch(
        ["gap", "m", *old.texts],
        [1.0, 9.0, *old.timestamps],
        [Level.UNKNOWN, Level.WARN, *old.levels],
        [LineKind.GAP, LineKind.LINE, *old.kinds],
        [1.0, 9.0, *old.received],
        [("g", "", ""), ("j", "journal", "unit"), *old.origins],
        [None, {"_PID": "1"}, *([None] * len(texts))],
    )
    new = buffer.rebuilt(merged)
    assert new.cold_lines == 3 * BLOCK
    old_end = buffer.next_index
    buffer.adopt(new)
    assert buffer.first_index >= old_end and buffer.cold_lines == 3 * BLOCK
    assert buffer[0].kind is LineKind.GAP and buffer[1].fields == {"_PID": "1"}
    assert [x.text for x in buffer][2:] == texts
    buffer.append_many(batch(["after 1", "after 2"]))
    buffer.settle()
    assert [x.text for x in buffer][-3:] == [texts[-1], "after 1", "after 2"]
    assert count_matches(buffer, SearchQuery.parse("after")) == 2


def test_searches_racing_appends_that_freeze_blocks_see_whole_blocks() -> None:
    # Appends pack, freeze (in the freezer thread), swap in and drop while searches run.
    buffer = LogBuffer(max_lines=6 * BLOCK, max_bytes=10**9, hot_lines=BLOCK)
    appended = 0

    def text(i: int) -> str:
        return f"line {i}{' match' if i % 7 == 0 else ''} café"

    query = SearchQuery.parse("match")
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    stop = threading.Event()
    errors: list[str] = []
    searches = [0]

    def searcher() -> None:
        while not stop.is_set():
            end = buffer.next_index
            start = buffer.first_index
            searches[0] += 1
            job = SearchJob(buffer, query, start=start, stop=end, chunk_lines=BLOCK)
            job._run()
            if job.error is not None:
                errors.append(repr(job.error))
                return
            found, first = job.result_indices, buffer.first_index
            if any(i % 7 or not start <= i < end for i in found):
                errors.append(f"wrong hit in {start}..{end}")
            must = {i for i in range(max(start, first), end) if i % 7 == 0}
            if not must <= set(found):
                errors.append(f"missed {sorted(must - set(found))[:3]} in {start}..{end}")

    thread = threading.Thread(target=searcher)
    try:
        thread.start()
        rnd = random.Random(2)
        while appended < 40 * BLOCK and not errors:
            count = rnd.choice([1, 300, 2500, 5000])
            buffer.append_many(
                LineBatch(
                    [text(i) for i in range(appended, appended + count)],
                    [0.0] * count,
                    [Level.INFO] * count,
                    0.0,
                    "h",
                    "/f",
                    "s",
                )
            )
            appended += count
            if rnd.random() < 0.2:  # the view reads by index meanwhile
                assert buffer[0].text == text(buffer.first_index)
    finally:
        stop.set()
        thread.join(60)
        sys.setswitchinterval(old_interval)
    assert errors == [] and searches[0] > 3
    buffer.settle()
    assert buffer.cold_lines > 0
    assert [x.text for x in buffer] == [text(i) for i in range(buffer.first_index, appended)]


def test_a_search_over_cold_blocks_thaws_the_next_one_ahead_and_can_stop_early() -> None:
    rnd = random.Random(13)
    texts = [text_of(i, rnd) for i in range(6 * BLOCK)]
    cold = filled(texts, hot_lines=0)
    chunks = cold.column_chunks(0, 10**9)
    index, first, *_ = next(chunks)
    assert (index, list(first)) == (0, texts[:BLOCK])
    # The second block is being thawed meanwhile; a search cancelled after one block
    # drops what it prefetched, and the next reads are whole.
    chunks.close()
    got = [t for _, chunk, *_ in cold.column_chunks(BLOCK - 5, 3 * BLOCK + 5) for t in chunk]
    assert got == texts[BLOCK - 5 : 3 * BLOCK + 5]
    query = SearchQuery.parse("café")
    assert hits(cold, query) == [i for i, t in enumerate(texts) if "café" in t]


def test_an_idle_worker_thread_ends_and_the_next_call_starts_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(freezer, "IDLE_SECONDS", 0.05)
    worker = freezer.Worker("test-worker")
    done: list[int] = []
    worker.put(lambda: done.append(1))
    worker.wait()
    deadline = time.monotonic() + 30  # generous: a loaded machine
    while worker._thread is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert worker._thread is None  # ended, idle: an unused buffer leaves no thread
    worker.put(lambda: done.append(2))
    worker.wait()
    assert done == [1, 2]


def test_the_codec_compresses_alike_from_many_threads_at_once() -> None:
    # Each thread keeps its own zstd contexts: blocks frozen in one thread while another
    # thaws come out as a fresh context would make them, and read back whole.
    zstandard = pytest.importorskip("zstandard")
    codec = Codec.best()
    blocks = [bytes(range(256)) * (k + 1) + str(k).encode() * 999 for k in range(8)]
    want = [zstandard.ZstdCompressor(level=1).compress(block) for block in blocks]

    def freeze_and_thaw(k: int) -> bool:
        return all(
            codec.compress(blocks[k]) == want[k] and codec.decompress(want[k]) == blocks[k]
            for _ in range(50)
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(freeze_and_thaw, range(len(blocks))))
