"""History from many files and hosts enters the buffer in one time order (`logs.order`)."""

from __future__ import annotations

from support.clock import ManualClock

from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.line import Level, LogLine
from pulse_tui.model.logs.order import HistoryOrder, merge_with

T0 = 1_767_225_600.0


def batch(host: str, source: str, stamps: list[float], tag: str = "") -> LineBatch:
    texts = [f"{host}{source} {tag}{i}" for i in range(len(stamps))]
    return LineBatch(
        texts, [T0 + s for s in stamps], [Level.INFO] * len(stamps), T0, host, source, "api"
    )


def flat(parts: list) -> list[LogLine]:
    return [line for part in parts for line in part]


def in_order(lines: list[LogLine]) -> bool:
    """Non-decreasing by each stream's running maximum (a stream's own late lines may
    sit out of order, right after the line they followed)."""
    running: dict[tuple[str, str], float] = {}
    keys = []
    for line in lines:
        key = (line.host, line.source)
        running[key] = max(running.get(key, line.timestamp), line.timestamp)
        keys.append(running[key])
    return keys == sorted(keys)


def streams_kept(lines: list[LogLine], *batches: LineBatch) -> bool:
    """Each stream's lines come out in the order they went in."""
    for b in batches:
        mine = [x.text for x in lines if (x.host, x.source) == (b.host, b.source)]
        theirs = [
            t
            for other in batches
            if (other.host, other.source) == (b.host, b.source)
            for t in other.texts
        ]
        if mine != theirs:
            return False
    return True


def test_histories_sent_file_after_file_and_host_after_host_come_out_interleaved() -> None:
    clock = ManualClock()
    order = HistoryOrder(["web-1", "web-2"], monotonic=clock)
    # Each file's hour as one block: web-1's two files, then web-2's.
    a = batch("web-1", "/a.log", [float(s) for s in range(0, 3600, 2)])
    b = batch("web-1", "/b.log", [float(s) for s in range(1, 3600, 2)])
    c = batch("web-2", "/a.log", [s + 0.5 for s in range(0, 3600, 3)])
    assert order.push(a) and order.push(b)
    assert order.settle() is None  # web-2 has not said it is done
    order.history_done("web-1")
    assert order.push(c)
    assert order.settle() is None
    order.history_done("web-2")
    lines = flat(order.settle() or [])
    assert len(lines) == len(a) + len(b) + len(c)
    stamps = [x.timestamp for x in lines]
    assert stamps == sorted(stamps)
    assert streams_kept(lines, a, b, c)
    assert {x.host for x in lines[:10]} == {"web-1", "web-2"}
    assert len(order) == 0
    # Settled: live lines pass straight on.
    assert not order.push(batch("web-1", "/a.log", [3600.0]))
    assert order.settle() == []


def test_a_stack_trace_stays_with_its_head() -> None:
    clock = ManualClock()
    order = HistoryOrder(["web-1", "web-2"], monotonic=clock)
    # web-1's trace lines got older times than its head (no time of their own, or a
    # thread's late write): they stay right after it, before web-2's line at 10.5.
    web1 = batch("web-1", "/a.log", [10.0, 11.0, 10.2, 10.3, 12.0], tag="w1-")
    web2 = batch("web-2", "/a.log", [10.5, 11.5], tag="w2-")
    order.push(web1)
    order.push(web2)
    order.history_done("web-1")
    order.history_done("web-2")
    lines = flat(order.settle() or [])
    texts = [x.text for x in lines]
    assert texts == [
        "web-1/a.log w1-0",
        "web-2/a.log w2-0",
        "web-1/a.log w1-1",
        "web-1/a.log w1-2",
        "web-1/a.log w1-3",
        "web-2/a.log w2-1",
        "web-1/a.log w1-4",
    ]
    assert in_order(lines) and streams_kept(lines, web1, web2)


def test_a_host_that_connects_late_is_merged_with_the_whole_buffer() -> None:
    clock = ManualClock()
    order = HistoryOrder(["web-1", "web-2"], quiet=5.0, monotonic=clock)
    early = batch("web-1", "/a.log", [float(s) for s in range(0, 600)])
    order.push(early)
    order.history_done("web-1")
    clock.now = 1.0
    assert order.settle() is None  # web-2 still connecting, and web-1 spoke 1 s ago
    clock.now = 6.0
    settled = order.settle()  # five quiet seconds: show what we have
    assert settled is not None and flat(settled) == list(early)
    assert order.loading == ["web-2"]
    buffer = LogBuffer(100_000, 10**9)
    for part in settled:
        buffer.append_many(part)
    live = batch("web-1", "/a.log", [600.0, 601.0], tag="live")
    assert not order.push(live)  # web-1 is live
    buffer.append_many(live)
    late = batch("web-2", "/b.log", [s + 0.25 for s in range(0, 602, 5)])
    assert order.push(late)  # web-2 connected: its history waits apart
    assert order.take_late() == []
    order.history_done("web-2")
    taken = order.take_late()
    assert flat(taken) == list(late) and len(order) == 0
    before = buffer.next_index
    new = buffer.rebuilt(merge_with(buffer.columns(), taken))
    buffer.adopt(new)
    lines = list(buffer)
    assert len(lines) == len(early) + len(live) + len(late)
    assert len({(x.host, x.source, x.text) for x in lines}) == len(lines)  # no duplicates
    stamps = [x.timestamp for x in lines]
    assert stamps == sorted(stamps)
    assert streams_kept(lines, early, live, late)
    assert buffer.first_index >= before  # old sequence numbers find nothing now
    assert buffer.rotated_out == 0
    assert buffer.get_absolute(before - 1) is None
    buffer.append_many(batch("web-1", "/a.log", [700.0], tag="after"))
    assert buffer[-1].text == "web-1/a.log after0"


def test_the_rebuild_keeps_the_bounds_and_counts_what_it_drops() -> None:
    buffer = LogBuffer(1000, 10**9)
    buffer.append_many(batch("web-1", "/a.log", [float(s) for s in range(1500)]))
    assert buffer.rotated_out == 500
    late = batch("web-2", "/a.log", [s + 0.5 for s in range(1000, 1500)])
    buffer.adopt(buffer.rebuilt(merge_with(buffer.columns(), [late])))
    assert len(buffer) == 1000
    assert buffer.rotated_out == 1000  # the 500 oldest of the merged 1500 went
    stamps = [x.timestamp for x in buffer]
    assert stamps == sorted(stamps) and stamps[0] == T0 + 1000


def test_the_wait_is_bounded() -> None:
    clock = ManualClock()
    order = HistoryOrder(["web-1"], quiet=5.0, max_wait=30.0, monotonic=clock)
    assert order.settling
    for step in range(1, 30):  # a host that keeps sending history: we wait, up to 30 s
        clock.now = float(step)
        order.push(batch("web-1", "/a.log", [float(step)]))
        assert order.settle() is None
    clock.now = 30.0
    # The other hosts' lines are shown now; web-1's wait apart until it is done.
    assert order.settle() == [] and not order.settling
    assert order.loading == ["web-1"] and len(order) == 29
    order.history_done("web-1")
    assert len(flat(order.take_late())) == 29
    # A host that never sends anything holds nothing back past the quiet time.
    clock = ManualClock()
    order = HistoryOrder(["db-1"], quiet=5.0, monotonic=clock)
    order.push(batch("local", "/x.log", [1.0]))
    clock.now = 4.9
    assert order.settle() is None
    clock.now = 5.0
    assert flat(order.settle() or []) != []
    assert order.loading == ["db-1"]  # it may still connect: its history will merge in


def test_no_source_with_history_holds_nothing() -> None:
    order = HistoryOrder([])
    assert not order.settling
    assert not order.push(batch("web-1", "/a.log", [1.0]))
    assert order.settle() == [] and order.take_late() == []


def test_journald_lines_and_notices_keep_their_fields_through_a_rebuild() -> None:
    buffer = LogBuffer(1000, 10**9)
    line = LogLine(T0, T0 + 5, "web-1", "journal", "api", Level.ERROR, "boom")
    line.fields = {"UNIT": "app.service"}
    buffer.append_many([line])
    late = batch("web-2", "/a.log", [1.0, 9.0])
    buffer.adopt(buffer.rebuilt(merge_with(buffer.columns(), [late])))
    assert [x.text for x in buffer] == ["web-2/a.log 0", "boom", "web-2/a.log 1"]
    assert buffer[1].explicit_fields == {"UNIT": "app.service"}
    assert buffer[1].level is Level.ERROR


def test_held_lines_are_bounded() -> None:
    clock = ManualClock()
    order = HistoryOrder(["web-1", "web-2"], monotonic=clock, limit=1000)
    order.push(batch("web-1", "/a.log", [float(s) for s in range(800)]))
    assert order.settle() is None
    order.push(batch("web-2", "/a.log", [s + 0.5 for s in range(300)]))
    lines = flat(order.settle() or [])  # past the limit: merged in now, though both load
    assert len(lines) == 1100 and not order.settling and len(order) == 0
    assert [x.timestamp for x in lines] == sorted(x.timestamp for x in lines)
    order.push(batch("web-2", "/a.log", [s + 0.25 for s in range(1001)]))
    assert len(flat(order.take_late())) == 1001  # past the limit again: merged in now
    order.push(batch("web-2", "/a.log", [900.0]))
    assert order.take_late() == [] and len(order) == 1  # under the limit: waits
