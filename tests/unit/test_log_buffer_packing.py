"""Full blocks are packed into one string each: reading, dropping, counting bytes and
searching work across packed blocks exactly as over separate lines, even while a search
runs in a thread as the event loop appends."""

from __future__ import annotations

import random
import sys
import threading
from collections import deque

import pytest

from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.line import Level, LineKind, LogLine
from pulse_tui.model.logs.packed import LineSlice, PackedLines, pack
from pulse_tui.model.search.query import SearchJob, SearchQuery, count_matches, find_matches

BLOCK = 4096
# ASCII, Latin-1 (1 byte a character), UCS-2 (a control picture), UCS-4, empty, and
# line separators other than "\n" that must stay inside their line.
ODD = ["", "café", "␛[31mred", "🙂 wide", "a\rb", "tab\tv\x0bf\x0c", "x\x1cy\x1dz\x1e", "n\x85"]
ODD += ["ls\u2028ps\u2029", "nl\ninside"]


def batch(texts: list[str]) -> LineBatch:
    n = len(texts)
    return LineBatch(texts, [0.0] * n, [Level.INFO] * n, 0.0, "h", "/f", "svc")


def text_of(i: int) -> str:
    odd = ODD[i % len(ODD)] if i % 5 == 0 else ""
    return f"line {i}{' match' if i % 7 == 0 else ''} {odd}"


def fill(buffer: LogBuffer, start: int, count: int, step: int = 1000) -> None:
    for lo in range(start, start + count, step):
        buffer.append_many(batch([text_of(i) for i in range(lo, min(lo + step, start + count))]))


def packed_blocks(buffer: LogBuffer) -> list[bool]:
    return [isinstance(c[1].lines, PackedLines) for c in buffer.column_chunks(0, 10**12)]


def test_lines_read_back_across_packed_block_edges() -> None:
    buffer = LogBuffer(max_lines=10**6, max_bytes=10**9)
    fill(buffer, 0, 3 * BLOCK + 5, step=777)
    assert packed_blocks(buffer) == [True, True, True, False]
    expected = [text_of(i) for i in range(3 * BLOCK + 5)]
    assert [line.text for line in buffer] == expected
    for i in [0, BLOCK - 1, BLOCK, 2 * BLOCK - 1, 2 * BLOCK, 3 * BLOCK + 4]:
        assert buffer[i].text == expected[i] and buffer.get_absolute(i).text == expected[i]  # type: ignore[union-attr]
    assert buffer[-1].text == expected[-1] and buffer[-BLOCK - 6].text == expected[-BLOCK - 6]
    assert [x.text for x in buffer[BLOCK - 2 : BLOCK + 2]] == expected[BLOCK - 2 : BLOCK + 2]
    texts = [t for _, chunk, *_ in buffer.column_chunks(BLOCK - 3, 2 * BLOCK + 3) for t in chunk]
    assert texts == expected[BLOCK - 3 : 2 * BLOCK + 3]
    assert buffer.total_bytes == sum(map(len, expected))


def test_columns_and_fields_survive_packing() -> None:
    buffer = LogBuffer(max_lines=10**6, max_bytes=10**9)
    journal = LogLine(2.0, 3.0, "j", "journal", "unit", Level.ERROR, "m", fields={"_PID": "1"})
    gap = LogLine(1.0, 1.0, "g", "", "", Level.UNKNOWN, "gap", LineKind.GAP)
    buffer.append_many([gap, journal])
    fill(buffer, 0, BLOCK)
    assert packed_blocks(buffer)[0]
    assert buffer[0].kind is LineKind.GAP and buffer[0].text == "gap"
    got = buffer[1]
    assert (got.host, got.service, got.level, got.timestamp, got.received) == (
        "j",
        "unit",
        Level.ERROR,
        3.0,
        2.0,
    )
    assert got.fields == {"_PID": "1"} and buffer[2].text == text_of(0)


def test_a_wide_line_keeps_the_rest_of_its_block_one_byte_a_character() -> None:
    texts = [text_of(i) for i in range(BLOCK)]
    texts[100] = "🙂" * 10
    packed = pack(texts)
    assert packed.wide is not None and list(packed.wide_offsets or ()) != []
    assert sys.getsizeof(packed.main.joined) - len(packed.main.joined) < 100  # 1 byte/char
    assert list(packed) == texts and [packed[i] for i in range(BLOCK)] == texts
    assert packed.chars(0, BLOCK) == sum(map(len, texts))
    assert packed.chars(99, 102) == sum(map(len, texts[99:102]))
    empty = pack([""] * BLOCK)
    assert list(empty) == [""] * BLOCK and empty.chars(0, BLOCK) == 0


@pytest.mark.parametrize("wide_share", [0.0, 0.01, 0.3, 0.9])
def test_packing_whole_or_grouped_reads_back_the_same_lines(wide_share: float) -> None:
    rnd = random.Random(4)
    texts = [
        rnd.choice(ODD[1:4]) * rnd.randint(0, 3) if rnd.random() < wide_share else text_of(i)
        for i in range(BLOCK - 7)  # not a multiple of the groups either
    ]
    whole, grouped = pack(texts), pack(texts, grouped=True)
    assert list(whole) == list(grouped) == texts
    assert whole.chars(5, 3000) == grouped.chars(5, 3000) == sum(map(len, texts[5:3000]))
    assert whole.has_wide == grouped.has_wide == any(ord(max(t, default="a")) > 255 for t in texts)
    if whole.wide is not None:  # split: the main part holds every line 1 byte a character
        assert sys.getsizeof(whole.main.joined) - len(whole.main.joined) < 100


@pytest.mark.parametrize("step", [1, 333, 5000])
def test_drops_across_packed_blocks_match_a_plain_deque(step: int) -> None:
    rnd = random.Random(step)
    max_lines = 2 * BLOCK + 123
    buffer = LogBuffer(max_lines=max_lines, max_bytes=10**9)
    model: deque[str] = deque(maxlen=max_lines)
    appended = model_bytes = 0
    while appended < 6 * BLOCK:
        count = rnd.randint(1, step)
        texts = [text_of(i) for i in range(appended, appended + count)]
        if count == 1:
            buffer.append(LogLine(0.0, 0.0, "h", "/f", "s", Level.INFO, texts[0]))
        else:
            buffer.append_many(batch(texts))
        dropped = max(len(model) + count - max_lines, 0)
        model_bytes += sum(map(len, texts)) - sum(len(model[i]) for i in range(dropped))
        model.extend(texts)
        appended += count
        assert len(buffer) == len(model) and buffer.first_index == appended - len(model)
        assert buffer.total_bytes == model_bytes
    assert [line.text for line in buffer] == list(model)
    query = SearchQuery.parse("match")
    assert count_matches(buffer, query) == sum("match" in t for t in model)


def test_bytes_bound_drops_line_by_line_inside_packed_blocks() -> None:
    rnd = random.Random(1)
    buffer = LogBuffer(max_lines=10**6, max_bytes=300_000)
    texts = [text_of(i) + "x" * rnd.randint(0, 80) for i in range(5 * BLOCK)]
    for lo in range(0, len(texts), 1500):
        buffer.append_many(batch(texts[lo : lo + 1500]))
        kept = texts[buffer.first_index : lo + 1500]
        assert buffer.total_bytes == sum(map(len, kept)) <= 300_000
        # Dropping one line fewer would not have been enough: the head is not over-dropped.
        if buffer.first_index:
            assert buffer.total_bytes + len(texts[buffer.first_index - 1]) > 300_000
    assert buffer.first_index % BLOCK and packed_blocks(buffer)[0]  # a packed head, part gone
    assert [line.text for line in buffer] == texts[buffer.first_index :]


def test_a_block_whose_head_dropped_before_it_filled_still_packs() -> None:
    buffer = LogBuffer(max_lines=10, max_bytes=10**9)
    fill(buffer, 0, BLOCK + 20, step=100)
    assert [line.text for line in buffer] == [text_of(i) for i in range(BLOCK + 10, BLOCK + 20)]
    assert buffer.total_bytes == sum(len(text_of(i)) for i in range(BLOCK + 10, BLOCK + 20))
    small = LogBuffer(max_lines=BLOCK - 10, max_bytes=10**9)
    fill(small, 0, BLOCK, step=BLOCK)  # one batch fills the block and drops its head
    assert [line.text for line in small] == [text_of(i) for i in range(10, BLOCK)]
    assert count_matches(small, SearchQuery.parse("re:^line 1\\b")) == 0  # line 1 dropped


def test_search_finds_lines_with_other_separators_and_wide_characters() -> None:
    buffer = LogBuffer(max_lines=10**6, max_bytes=10**9)
    fill(buffer, 0, 2 * BLOCK + 50)
    for text in ["match", "café", "🙂", r"re:^line \d+ match", r"re:\d $", "re:^$", "re:b$"]:
        query = SearchQuery.parse(text)
        expected = [i for i, line in enumerate(buffer) if query.matches(line.text)]
        assert [i for hits in find_matches(buffer, query) for i in hits] == expected, text


def test_a_line_slice_reads_like_the_lines_it_covers() -> None:
    texts = [text_of(i) for i in range(50)]
    part = LineSlice(pack(texts), 10, 20)
    assert list(part) == texts[10:20] and part[-1] == texts[19] and part[2:4] == texts[12:14]
    open_copy = LineSlice([None, "a", "🙂"], 0, 3)
    assert list(open_copy) == ["", "a", "🙂"]
    packed, lo, hi = open_copy.packed()
    assert (list(packed), lo, hi) == (["", "a", "🙂"], 0, 3)


def test_searches_racing_appends_that_pack_blocks_see_whole_blocks() -> None:
    # The event loop appends (and packs, and drops) while searches run in threads: every
    # search must report exactly the matching lines of its range still held at its end.
    buffer = LogBuffer(max_lines=5 * BLOCK, max_bytes=10**9)
    fill(buffer, 0, 3 * BLOCK + 77, step=500)
    appended = 3 * BLOCK + 77
    query = SearchQuery.parse("match")
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    stop = threading.Event()
    errors: list[str] = []

    searches = [0]

    def searcher() -> None:
        while not stop.is_set():
            # Mostly the newest lines, where blocks are being packed; sometimes all.
            end = buffer.next_index
            start = buffer.first_index if searches[0] % 10 == 0 else max(end - BLOCK, 0)
            searches[0] += 1
            job = SearchJob(buffer, query, start=start, stop=end, chunk_lines=BLOCK)
            job._run()  # this thread is the job's thread
            if job.error is not None:
                errors.append(repr(job.error))
                return
            hits, first = job.result_indices, buffer.first_index
            if any(i % 7 or not start <= i < end for i in hits):
                errors.append(f"wrong hit in {start}..{end}")
            must = {i for i in range(max(start, first), end) if i % 7 == 0}
            if not must <= set(hits):
                errors.append(f"missed {sorted(must - set(hits))[:3]} in {start}..{end}")

    threads = [threading.Thread(target=searcher) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        rnd = random.Random(2)
        while appended < 60 * BLOCK and not errors:
            count = rnd.choice([1, 7, 300, 1000, 2500])
            buffer.append_many(batch([text_of(i) for i in range(appended, appended + count)]))
            appended += count
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
        sys.setswitchinterval(old_interval)
    assert errors == [] and searches[0] > 10
    assert [line.text for line in buffer] == [
        text_of(i) for i in range(buffer.first_index, appended)
    ]
