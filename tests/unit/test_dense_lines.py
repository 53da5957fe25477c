"""The dense path (one text plus line starts, no str per line) gives the same lines, times
and levels as the line-at-a-time path: the reader's `feed_dense` against `feed`, and
`parse_dense` against `parse_texts`, on the benchmark corpora and on hostile input."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_logparse_batch import _hostile_line
from test_logparse_columns import _bench_lines, _line

import pulse_tui.model.logs.parse.batch as batch
from pulse_tui.model.logs.dense import PAD, DenseLines
from pulse_tui.model.logs.parse import parse_texts
from pulse_tui.model.logs.parse.batch import parse_dense
from pulse_tui.sources.ssh.line_reader import LineReader


def _assert_parsed_alike(texts: list[str], *, previous: float | None = None) -> None:
    lines = DenseLines.of(texts)
    assert lines.lines() == texts
    want_stamps, want_levels = parse_texts(texts, -1.0, inherit=True, previous=previous)
    stamps, levels = parse_dense(lines, -1.0, inherit=True, previous=previous)
    assert stamps.tolist() == want_stamps
    assert levels.tolist() == [int(level) for level in want_levels]


@pytest.mark.parametrize("fast_from", [1, batch.FAST_MIN_LINES])
def test_benchmark_corpora_parse_alike(monkeypatch: pytest.MonkeyPatch, fast_from: int) -> None:
    monkeypatch.setattr(batch, "FAST_MIN_LINES", fast_from)
    texts = _bench_lines()
    for start in range(0, len(texts), 2500):
        _assert_parsed_alike(texts[start : start + 2500], previous=5.0)


def test_hostile_lines_parse_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "FAST_MIN_LINES", 1)
    rnd = random.Random(16)
    lines = [_hostile_line(rnd) for _ in range(4000)]
    for start in range(0, len(lines), 500):
        _assert_parsed_alike(lines[start : start + 500])


@settings(max_examples=200, deadline=None)
@given(st.lists(_line() | st.text(max_size=40), min_size=1, max_size=40))
def test_generated_lines_parse_alike(texts: list[str]) -> None:
    batch.FAST_MIN_LINES, saved = 1, batch.FAST_MIN_LINES
    try:
        _assert_parsed_alike([text.replace("\n", " ") for text in texts])
    finally:
        batch.FAST_MIN_LINES = saved


def _chunks(data: bytes, rnd: random.Random) -> list[bytes]:
    out, at = [], 0
    while at < len(data):
        size = rnd.choice([1, 5, 100, 4096, 70_000])
        out.append(data[at : at + size])
        at += size
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_reader_hands_out_the_same_lines_dense(seed: int) -> None:
    rnd = random.Random(seed)
    texts = _bench_lines()[:3000] + [_hostile_line(rnd) for _ in range(500)]
    texts += ["x" * 300, "tab\there", "crlf\r", "bad \xff utf8".encode("latin-1").decode("latin-1")]
    rnd.shuffle(texts)
    data = "\n".join(texts).encode("utf-8", "surrogatepass") + b"\n\xc3\x28 invalid\r\n"
    listed, dense = LineReader(200), LineReader(200)
    for chunk in _chunks(data, rnd):
        want = listed.feed(chunk)
        got = dense.feed_dense(chunk)
        assert (got.lines() if got is not None else []) == want
        if got is not None:
            # What the column parser reads: the UTF-8 of the text, "\n", the padding.
            assert got.data == (got.text + "\n").encode("utf-8", "surrogatepass") + PAD
            again = DenseLines.of(want)
            assert got.starts.tolist() == again.starts.tolist()
            assert got.byte_starts.tolist() == again.byte_starts.tolist()
    assert listed.truncated == dense.truncated
    assert listed.flush() == dense.flush()


def test_a_slice_of_dense_lines_is_those_lines() -> None:
    texts = ["a", "", "héllo", "🙂 wide", "last"]
    lines = DenseLines.of(texts)
    for lo in range(len(texts) + 1):
        for hi in range(lo, len(texts) + 1):
            part = lines[lo:hi]
            assert part.lines() == texts[lo:hi]
            assert len(part) == hi - lo
            assert [part.line(i) for i in range(len(part))] == texts[lo:hi]
            assert part.chars() == sum(map(len, texts[lo:hi]))
    assert lines.lines_at([4, 0, 3]) == ["last", "a", "🙂 wide"]


def _same_buffers(max_lines: int, max_bytes: int, sizes: list[int]) -> None:
    from pulse_tui.model.logs.batch import LineBatch
    from pulse_tui.model.logs.buffer import LogBuffer
    from pulse_tui.model.logs.line import LineKind

    rnd = random.Random(max_lines)
    texts = _bench_lines()[:6000] + ["", "wide → line", "🙂"] * 50
    rnd.shuffle(texts)
    listed = LogBuffer(max_lines, max_bytes, hot_lines=4096, background=False)
    dense = LogBuffer(max_lines, max_bytes, hot_lines=4096, background=False)
    at = 0
    for n, size in enumerate(sizes * 40):
        part = texts[at : at + size]
        at = (at + size) % len(texts)
        if not part:
            continue
        kind = LineKind.NOTICE if n % 7 == 3 else LineKind.LINE
        stamps, levels = parse_texts(part, 1.0)
        listed.append_many(LineBatch(part, stamps, levels, 2.0, "h", "/f", "svc", kind))
        times, values = parse_dense(DenseLines.of(part), 1.0)
        batch = LineBatch.of_dense(DenseLines.of(part), times, values, 2.0, "h", "/f", "svc", kind)
        dense.append_many(batch[: size // 2])
        dense.append_many(batch[size // 2 :])
        assert len(listed) == len(dense) and listed.total_bytes == dense.total_bytes
        assert listed.first_index == dense.first_index
        for i in {0, len(listed) // 2, len(listed) - 1}:
            a, b = listed[i], dense[i]
            assert (a.text, a.timestamp, a.level, a.kind) == (b.text, b.timestamp, b.level, b.kind)
    stop = listed.next_index
    chunks = zip(listed.column_chunks(0, stop), dense.column_chunks(0, stop), strict=True)
    for (i, texts_a, meta_a, *_), (j, texts_b, meta_b, *_) in chunks:
        assert (i, list(texts_a), meta_a) == (j, list(texts_b), meta_b)


@pytest.mark.parametrize(
    ("max_lines", "max_bytes", "sizes"),
    [(10**6, 1 << 30, [1, 3000, 7, 5000]), (300, 1 << 30, [1, 250, 40]), (50_000, 20_000, [900])],
)
def test_a_buffer_fed_dense_batches_holds_what_list_batches_give(
    max_lines: int, max_bytes: int, sizes: list[int]
) -> None:
    _same_buffers(max_lines, max_bytes, sizes)
