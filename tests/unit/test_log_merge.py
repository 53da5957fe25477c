"""The reorder window merges hosts by time, keeps each stream's order, and never waits long."""

from __future__ import annotations

from collections.abc import Sequence

from pulse_tui.model.logs.batch import LineBatch, MergedBatch
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.line import Level, LineKind, LogLine
from pulse_tui.model.logs.merge import ReorderWindow


def line(text: str, ts: float, host: str = "a", received: float = 10.0) -> LogLine:
    return LogLine(received, ts, host, "/f", "svc", Level.INFO, text)


def batch(host: str, received: float, *lines: tuple[str, float]) -> LineBatch:
    texts = [text for text, _ in lines]
    stamps = [ts for _, ts in lines]
    return LineBatch(texts, stamps, [Level.WARN] * len(lines), received, host, "/f", "svc")


def texts(parts: Sequence[Sequence[LogLine]]) -> list[str]:
    return [x.text for part in parts for x in part]


class Monotonic:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_hosts_are_merged_by_time_once_their_wait_is_over() -> None:
    window = ReorderWindow(0.5)
    window.push([line("a1", 10.0, received=10.01), line("a2", 10.2, received=10.21)])
    # b's first line was written before a2 but arrives later: it still goes before a2.
    window.push([line("b1", 10.1, "b", received=10.3), line("b2", 10.4, "b", received=10.4)])
    assert texts(window.release(10.45)) == []
    assert texts(window.release(10.5)) == ["a1"]
    assert texts(window.release(10.7)) == ["b1", "a2"]
    assert len(window) == 1
    assert texts(window.flush()) == ["b2"] and len(window) == 0


def test_a_stream_keeps_its_own_order_when_its_times_do_not() -> None:
    window = ReorderWindow(0.5)
    # A continuation line stamped later than the line after it (it got the receive time).
    window.push([line("boom", 1.0), line("  at x", 1.05), line("next", 1.01)])
    window.push([line("other", 1.02, "b")])
    assert texts(window.flush()) == ["boom", "other", "  at x", "next"]


def test_a_clock_running_ahead_or_an_old_backlog_holds_nothing_back() -> None:
    clock = Monotonic()
    window = ReorderWindow(0.5, monotonic=clock)
    window.push(batch("a", 10.0, ("from the future", 500.0), ("after it", 10.0)))
    window.push([line("backlog", 2.0, "b", received=10.0)])
    assert texts(window.release(10.0)) == ["backlog"]
    clock.now += 0.4
    assert texts(window.release(10.4)) == []
    clock.now += 0.1  # arrived 0.5 s ago: out, whatever its time says
    assert texts(window.release(10.5)) == ["from the future", "after it"]


def test_a_wall_clock_step_back_holds_nothing_longer_than_the_window() -> None:
    clock = Monotonic()
    window = ReorderWindow(0.5, monotonic=clock)
    window.push(batch("a", 10.0, ("a1", 10.0)))
    window.push(batch("b", 10.0, ("b1", 10.1)))
    clock.now += 0.5
    # The wall clock went back an hour (NTP, a resumed VM): arrival still lets them go.
    assert texts(window.release(10.0 - 3600)) == ["a1", "b1"]
    assert len(window) == 0


def test_one_host_s_batches_come_out_as_they_went_in() -> None:
    window = ReorderWindow(1.0)
    first, second = batch("a", 9.0, ("x", 5.0), ("y", 6.0)), batch("a", 9.0, ("z", 5.5))
    window.push(first)
    window.push(second)
    assert window.release(7.0) == [first, second]  # the same objects: appended in bulk


def test_interleaved_batches_are_merged_column_wise_and_split_where_the_wait_goes_on() -> None:
    window = ReorderWindow(1.0)
    window.push(batch("a", 9.5, ("a1", 5.0), ("a2", 6.0), ("a3", 8.9)))
    window.push(batch("b", 9.5, ("b1", 5.5), ("b2", 5.2), ("b3", 7.0)))
    released = window.release(8.0)  # cutoff 7.0: a3 waits, with nothing after it
    assert len(released) == 1 and isinstance(released[0], MergedBatch)
    # b2 is older than b1 but stays after it: each stream keeps its order.
    assert texts(released) == ["a1", "b1", "b2", "a2", "b3"]
    assert [x.host for x in released[0]] == ["a", "b", "b", "a", "b"]
    assert texts(window.flush()) == ["a3"]

    buffer = LogBuffer(max_lines=100, max_bytes=10_000)
    buffer.append_many(released[0])
    kept = [buffer[i] for i in range(len(buffer))]
    assert [(x.text, x.host, x.level, x.kind) for x in kept][:2] == [
        ("a1", "a", Level.WARN, LineKind.LINE),
        ("b1", "b", Level.WARN, LineKind.LINE),
    ]
    assert [x.timestamp for x in kept] == [5.0, 5.5, 5.2, 6.0, 7.0]
    assert {x.received for x in kept} == {9.5}


def test_batches_and_single_lines_merge_together() -> None:
    window = ReorderWindow(0.5)
    window.push(batch("a", 10.0, ("a1", 1.0), ("a2", 3.0)))
    window.push([line("journal", 2.0, "b")])
    assert texts(window.flush()) == ["a1", "journal", "a2"]


def test_a_merged_flood_fills_buffer_blocks_with_each_line_s_own_columns() -> None:
    window = ReorderWindow(0.5)
    count = 3000  # two hosts: 6000 merged lines, across the buffer's 4096-line blocks
    for host, offset, received in (("a", 0.0, 1.0), ("b", 0.5, 2.0)):
        lines = [(f"{host}{i}", i + offset) for i in range(count)]
        window.push(batch(host, received, *lines))
    merged = window.flush()
    buffer = LogBuffer(max_lines=10_000, max_bytes=10**9)
    for part in merged:
        buffer.append_many(part)
    assert len(buffer) == 2 * count
    for i in (0, 1, 4095, 4096, 4097, 2 * count - 1):
        host = "ab"[i % 2]
        got = buffer[i]
        assert (got.text, got.host, got.received) == (f"{host}{i // 2}", host, 1.0 + i % 2)
        assert got.timestamp == i // 2 + 0.5 * (i % 2)


def test_journal_lines_notices_and_gaps_merge_with_batches_and_keep_their_fields() -> None:
    window = ReorderWindow(0.5)
    journal = line("journal", 2.0, "b")
    journal.fields = {"unit": "api.service"}
    gap = LogLine(2.5, 2.5, "c", "/f", "svc", Level.UNKNOWN, "connection lost", LineKind.GAP)
    window.push(batch("a", 10.0, ("a1", 1.0), ("a2", 3.0)))
    window.push([journal, gap])
    assert len(window) == 4
    released = window.flush()
    assert texts(released) == ["a1", "journal", "connection lost", "a2"]
    buffer = LogBuffer(max_lines=100, max_bytes=10_000)
    for part in released:
        buffer.append_many(part)
    kept = [buffer[i] for i in range(len(buffer))]
    assert kept[1].fields == {"unit": "api.service"} and kept[1].host == "b"
    assert kept[2].kind is LineKind.GAP and kept[3].kind is LineKind.LINE


def test_empty_pushes_one_line_releases_and_nan_times_are_harmless() -> None:
    window = ReorderWindow(0.5)
    window.push(batch("a", 10.0))
    window.push([])
    window.push(batch("b", 10.0, ("only", 1.0)))
    assert texts(window.flush()) == ["only"]
    nan = float("nan")
    window.push(batch("a", 10.0, ("a1", 1.0), ("a2", nan), ("a3", 0.5)))
    window.push(batch("b", 10.0, ("b1", 0.7)))
    merged = texts(window.flush())
    assert [x for x in merged if x.startswith("a")] == ["a1", "a2", "a3"]
    assert sorted(merged) == ["a1", "a2", "a3", "b1"]
