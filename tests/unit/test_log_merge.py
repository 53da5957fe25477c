"""The reorder window merges hosts by time, keeps each stream's order, and never waits long."""

from __future__ import annotations

from pulse_tui.model.log_buffer import LineBatch
from pulse_tui.model.log_merge import ReorderWindow
from pulse_tui.model.logline import Level, LogLine


def line(text: str, ts: float, host: str = "a", received: float = 10.0) -> LogLine:
    return LogLine(received, ts, host, "/f", "svc", Level.INFO, text)


def texts(lines: list[LogLine]) -> list[str]:
    return [x.text for x in lines]


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


def test_a_batch_is_held_as_one_stream() -> None:
    window = ReorderWindow(1.0)
    batch = LineBatch(["x", "y"], [5.0, 6.0], [Level.WARN] * 2, 9.0, "a", "/f", "svc")
    window.push(batch)
    window.push([line("z", 5.5, "b", received=9.0)])
    released = window.release(7.0)
    assert texts(released) == ["x", "z", "y"]
    assert released[0].level is Level.WARN and released[0].host == "a"
