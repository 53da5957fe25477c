"""The reorder window merges hosts by time, keeps each stream's order, and never waits long."""

from __future__ import annotations

from collections.abc import Sequence

from pulse_tui.model.log_buffer import LineBatch, LogBuffer, MergedBatch
from pulse_tui.model.log_merge import ReorderWindow
from pulse_tui.model.logline import Level, LineKind, LogLine


def line(text: str, ts: float, host: str = "a", received: float = 10.0) -> LogLine:
    return LogLine(received, ts, host, "/f", "svc", Level.INFO, text)


def batch(host: str, received: float, *lines: tuple[str, float]) -> LineBatch:
    texts = [text for text, _ in lines]
    stamps = [ts for _, ts in lines]
    return LineBatch(texts, stamps, [Level.WARN] * len(lines), received, host, "/f", "svc")


def texts(parts: Sequence[Sequence[LogLine]]) -> list[str]:
    return [x.text for part in parts for x in part]


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
    window = ReorderWindow(0.5)
    window.push([line("from the future", 500.0, received=10.0)])
    window.push([line("backlog", 2.0, "b", received=10.0)])
    assert texts(window.release(10.0)) == ["backlog"]
    assert texts(window.release(10.5)) == ["from the future"]


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
