"""Histories merge as arrays (`logs.dense_merge`) into the same order, with the same
columns, as the list merge (`logs.merge._merge`), and fill the buffer block by block."""

from __future__ import annotations

import math
import random

import numpy as np

from pulse_tui.model.logs.batch import DenseBatch, LineBatch
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.dense import DenseLines
from pulse_tui.model.logs.dense_merge import PIECE, merge_dense
from pulse_tui.model.logs.line import Level, LineKind, LogLine
from pulse_tui.model.logs.merge import _merge, merge_streams

T0 = 1_767_225_600.0


def dense(host: str, source: str, texts: list[str], stamps: list[float]) -> LineBatch:
    levels = np.array([int(Level.ERROR if "err" in t else Level.INFO) for t in texts], np.uint8)
    return LineBatch.of_dense(
        DenseLines.of(texts), np.array(stamps), levels, T0, host, source, "api"
    )


def listed(host: str, source: str, texts: list[str], stamps: list[float]) -> LineBatch:
    return LineBatch(texts, stamps, [Level.WARN] * len(texts), T0 + 1, host, source, "db")


def rows(lines: object) -> list[tuple[object, ...]]:
    """Every column of every line, NaN made comparable."""
    out = []
    for line in lines:  # type: ignore[attr-defined]
        stamp = "nan" if math.isnan(line.timestamp) else line.timestamp
        out.append((line.text, stamp, line.level, line.kind, line.received, line.host, line.source))
    return out


def random_streams(seed: int) -> list[list[LineBatch]]:
    """Four files on three hosts: times mostly rising, with ties, steps back (a stack
    trace's lines timed before their head), a NaN, dense and list batches."""
    rng = random.Random(seed)
    streams = []
    for s in range(4):
        host, source = f"web-{s % 3}", f"/f{s}.log"
        t = T0 + rng.random()
        chunks = []
        for c in range(rng.randint(1, 4)):
            count = rng.randint(0, 700)
            stamps, texts = [], []
            for i in range(count):
                t += rng.choice((0.0, 0.01, 0.3, -0.5))
                stamps.append(math.nan if rng.random() < 0.002 else t)
                texts.append(f"{host}{source} {c}.{i} {'err' if i % 7 == 0 else 'ok'}")
            make = dense if rng.random() < 0.7 else listed
            chunks.append(make(host, source, texts, stamps))
        streams.append(chunks)
    return streams


def test_dense_merge_gives_the_list_merge_s_order_and_columns() -> None:
    for seed in range(20):
        streams = random_streams(seed)
        pieces = merge_dense(streams)
        assert pieces is not None
        merged = list(pieces)
        assert all(isinstance(piece, DenseBatch) for piece in merged)
        assert all(len(piece) == PIECE for piece in merged[:-1])
        got = [line for piece in merged for line in piece]
        assert rows(got) == rows(_merge(streams)), seed


def test_interleaved_histories_fill_the_buffer_as_the_list_merge_does() -> None:
    count = 3 * PIECE  # lines per host, interleaved one by one (the same times)
    stamps = [T0 + i * 0.01 for i in range(count)]
    batches = [
        dense(host, "/var/log/app.log", [f"{host} line {i}" for i in range(count)], stamps)
        for host in ("a", "b", "c", "d")
    ]
    parts = merge_streams(batches)
    assert all(isinstance(part, DenseBatch) for part in parts)
    buffer = LogBuffer(max_lines=100_000, max_bytes=10**9)
    for part in parts:
        buffer.append_many(part)
    expected = LogBuffer(max_lines=100_000, max_bytes=10**9)
    expected.append_many(_merge([[b] for b in batches]))
    assert len(buffer) == 4 * count
    assert rows(buffer) == rows(expected)
    assert [buffer[i].text for i in range(6)] == [
        "a line 0",
        "b line 0",
        "c line 0",
        "d line 0",
        "a line 1",
        "b line 1",
    ]


def test_notices_go_dense_and_lines_with_fields_take_the_list_merge() -> None:
    history = dense("a", "/f", ["a1", "a2"], [T0 + 1, T0 + 3])
    notice = LogLine(T0, T0 + 2, "b", "/g", "api", Level.UNKNOWN, "history cut", LineKind.NOTICE)
    merged = merge_streams([history, [notice]])
    assert [type(part) for part in merged] == [DenseBatch]
    assert [(x.text, x.kind, x.host) for x in merged[0]] == [
        ("a1", LineKind.LINE, "a"),
        ("history cut", LineKind.NOTICE, "b"),
        ("a2", LineKind.LINE, "a"),
    ]
    journal = LogLine(T0, T0 + 2, "b", "journal", "api", Level.INFO, "started", LineKind.LINE)
    journal.fields = {"unit": "api.service"}
    assert merge_dense([[history], [[journal]]]) is None
    (kept,) = merge_streams([history, [journal]])
    assert [x.text for x in kept] == ["a1", "started", "a2"]
    assert kept[1].fields == {"unit": "api.service"}


def test_a_dense_batch_cut_by_a_slice_keeps_its_lines() -> None:
    a = dense("a", "/f", ["a1", "a3"], [T0 + 1, T0 + 3])
    b = dense("b", "/g", ["b2"], [T0 + 2])
    (piece,) = merge_dense([[a], [b]]) or ()
    assert [x.text for x in piece[1:]] == ["b2", "a3"]
    assert (piece[-1].host, piece[-1].level, piece[-1].received) == ("a", Level.INFO, T0)
