"""One time order for history: the cost of merging histories into the buffer.

Figures (reference: none):
* history_settle_ms_200k — merging 200,000 held history lines (4 hosts x 2 files, each
  file's hour as blocks of 4,096 lines) into one order and appending them: what the feed
  pays once when the sources are past their history (in a thread, `LogFeed._start_settle`).
* history_rebuild_ms_200k — a late host's 20,000 lines merged with a buffer of 200,000
  (`LogBuffer.columns`, `merge_with`, `rebuilt`): the work done in a thread, once per
  late source; `adopt` (on the event loop) is timed apart.
* history_adopt_us — swapping the rebuilt buffer in.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from run import figure

from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.line import Level
from pulse_tui.model.logs.order import HistoryOrder, merge_with

T0 = 1_767_225_600.0


def _file(host: str, path: str, count: int, offset: float) -> list[LineBatch]:
    step = 3600 / count
    stamps = [T0 + offset + i * step for i in range(count)]
    texts = [f"2026-01-01T00:00:00.000Z INFO GET /api/v1/items/{i} 200 12ms" for i in range(count)]
    return [
        LineBatch(
            texts[i : i + 4096],
            stamps[i : i + 4096],
            [Level.INFO] * len(texts[i : i + 4096]),
            T0,
            host,
            path,
            "api",
        )
        for i in range(0, count, 4096)
    ]


def _best(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run() -> Iterator[dict[str, object]]:
    hosts = [f"web-{h}" for h in range(4)]
    batches = [
        b
        for h, host in enumerate(hosts)
        for f, path in enumerate(("/a.log", "/b.log"))
        for b in _file(host, path, 25_000, h * 0.01 + f * 0.005)
    ]

    def settle() -> LogBuffer:
        order = HistoryOrder(hosts)
        for b in batches:
            order.push(b)
        for host in hosts:
            order.history_done(host)
        buffer = LogBuffer(1_000_000, 10**10)
        for part in order.settle() or []:
            buffer.append_many(part)
        return buffer

    yield figure("history_settle_ms_200k", _best(settle) * 1000, "ms")
    buffer = settle()
    late = _file("db-1", "/late.log", 20_000, 0.003)
    rebuilt: list[LogBuffer] = []

    def rebuild() -> None:
        rebuilt.append(buffer.rebuilt(merge_with(buffer.columns(), late)))

    yield figure("history_rebuild_ms_200k", _best(rebuild) * 1000, "ms")
    new = rebuilt[-1]
    start = time.perf_counter()
    buffer.adopt(new)
    yield figure("history_adopt_us", (time.perf_counter() - start) * 1e6, "us")
    assert len(buffer) == 220_000
