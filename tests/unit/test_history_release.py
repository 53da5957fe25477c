"""History is released below the watermark while hosts still stream it (`logs.release`):
what was released and what settles after it are one order, each line once."""

from __future__ import annotations

import math

from support.clock import ManualClock

from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.line import Level, LogLine
from pulse_tui.model.logs.merge import merge_streams
from pulse_tui.model.logs.order import HistoryOrder

T0 = 1_767_225_600.0


def batch(host: str, source: str, stamps: list[float], first: int = 0) -> LineBatch:
    texts = [f"{host}{source} {first + i}" for i in range(len(stamps))]
    return LineBatch(
        texts, [T0 + s for s in stamps], [Level.INFO] * len(stamps), T0, host, source, "api"
    )


def appended(*parts: list) -> list[LogLine]:
    """The lines a buffer holds after appending each merged part in turn."""
    buffer = LogBuffer(max_lines=100_000, max_bytes=10**9)
    for chunks in parts:
        for part in merge_streams(chunks):
            buffer.append_many(part)
    return list(buffer)


def keyed_in_order(lines: list[LogLine]) -> bool:
    """Non-decreasing by each stream's running maximum time."""
    running: dict[tuple[str, str], float] = {}
    keys = []
    for line in lines:
        key = (line.host, line.source)
        running[key] = max(running.get(key, -math.inf), line.timestamp)
        keys.append(running[key])
    return keys == sorted(keys)


def texts(lines: list[LogLine]) -> list[str]:
    return [line.text for line in lines]


def test_lines_below_every_loading_stream_go_early_and_the_rest_follows_in_one_order() -> None:
    order = HistoryOrder(["web-1", "web-2"], monotonic=ManualClock(), release_lines=10)
    sent: list[LineBatch] = []
    releases: list[list] = []
    for part in range(4):  # each host's hour in 4 batches, the hosts a little apart
        for host, offset in (("web-1", 0.0), ("web-2", 0.5)):
            stamps = [part * 100 + offset + i for i in range(100)]
            sent.append(batch(host, "/app.log", stamps, part * 100))
            assert order.push(sent[-1])
        releases.append(order.take_released())
    assert releases[0]  # after the first batch of each: web-2's first 99.5 s go
    # Never a stream's newest line: what follows it (a stack trace's next line) may
    # still be on its way.
    released = [line for chunks in releases for chunk in chunks for line in chunk]
    assert "web-1/app.log 399" not in texts(released)
    assert "web-2/app.log 399" not in texts(released)
    for host in ("web-1", "web-2"):
        order.history_done(host)
    rest = order.take_settled()
    assert rest and order.continues_release
    lines = appended(*releases, rest)
    assert sorted(texts(lines)) == sorted(t for b in sent for t in b.texts)  # each once
    assert keyed_in_order(lines)
    assert texts(lines) == texts(appended(sent))  # as one merge would have them


def test_nothing_goes_before_every_loading_host_has_sent_lines() -> None:
    order = HistoryOrder(["web-1", "web-2"], monotonic=ManualClock(), release_lines=10)
    order.push(batch("web-1", "/app.log", [float(i) for i in range(100)]))
    assert order.take_released() == []  # web-2 may still send older lines
    order.push(batch("web-2", "/app.log", [50.0 + i for i in range(100)]))
    released = [line for chunk in order.take_released() for line in chunk]
    # Below web-1's newest line (99 s): web-1's lines before it, web-2's from 50 to 98 s.
    assert set(texts(released)) == {f"web-1/app.log {i}" for i in range(99)} | {
        f"web-2/app.log {i}" for i in range(49)
    }


def test_a_stack_trace_split_across_batches_stays_with_its_head() -> None:
    order = HistoryOrder(["web-1", "web-2"], monotonic=ManualClock(), release_lines=1)
    # The trace's lines carry no time of their own (NaN: they take their head's).
    head = batch("web-1", "/app.log", [1.0, 2.0, 10.0])
    trace = batch("web-1", "/app.log", [math.nan, math.nan], 3)
    order.push(head)
    order.push(batch("web-2", "/app.log", [5.0, 20.0]))
    first = order.take_released()  # below 10 s (web-1's newest): not the trace's head
    assert set(texts([x for c in first for x in c])) == {
        "web-1/app.log 0",
        "web-1/app.log 1",
        "web-2/app.log 0",
    }
    order.push(trace)
    order.push(batch("web-2", "/app.log", [30.0], 2))
    second = order.take_released()
    for host in ("web-1", "web-2"):
        order.history_done(host)
    lines = appended(first, second, order.take_settled() or [])
    at = texts(lines).index("web-1/app.log 2")
    assert texts(lines)[at : at + 3] == ["web-1/app.log 2", "web-1/app.log 3", "web-1/app.log 4"]


def test_a_file_that_begins_after_a_release_with_older_lines_merges_everything_again() -> None:
    order = HistoryOrder(["web-1", "web-2"], monotonic=ManualClock(), release_lines=10)
    a = batch("web-1", "/a.log", [float(i) for i in range(100)])
    c = batch("web-2", "/c.log", [0.5 + i for i in range(100)])
    order.push(a)
    order.push(c)
    assert order.take_released()
    b = batch("web-1", "/b.log", [0.25 + i for i in range(100)])  # its history begins now
    order.push(b)
    assert order.take_released() == []  # behind: no more releases
    for host in ("web-1", "web-2"):
        order.history_done(host)
    every = order.take_settled()
    assert every and not order.continues_release  # every line, released or not
    lines = appended(every)
    assert len(lines) == 300 and keyed_in_order(lines)


def test_a_host_still_loading_when_the_wait_ends_keeps_only_its_unreleased_lines_apart() -> None:
    clock = ManualClock()
    order = HistoryOrder(["web-1", "web-2"], quiet=5.0, monotonic=clock, release_lines=10)
    order.push(batch("web-1", "/a.log", [float(i) for i in range(100)]))
    order.push(batch("web-2", "/c.log", [0.5 + i for i in range(100)]))
    released = order.take_released()
    order.history_done("web-1")
    clock.now = 3.0
    order.push(batch("web-2", "/c.log", [100.5 + i for i in range(10)], 100))
    clock.now = 8.5  # web-2 silent for 5.5 s: the pane shows what it has
    rest = order.take_settled()
    assert rest is not None and order.continues_release
    late = order.take_late()  # web-2 went quiet: taken as done, merged with the buffer
    lines = appended(released, rest, late)
    assert len(lines) == 210 and len(set(texts(lines))) == 210


def test_nothing_goes_before_a_host_was_heard_on_each_of_its_files() -> None:
    order = HistoryOrder(
        ["web-1", "web-2"], monotonic=ManualClock(), release_lines=10, streams={"web-1": 2}
    )
    order.push(batch("web-1", "/a.log", [float(i) for i in range(100)]))
    order.push(batch("web-2", "/c.log", [0.5 + i for i in range(100)]))
    assert order.take_released() == []  # /b.log's history may begin before them
    order.push(batch("web-1", "/b.log", [0.25 + i for i in range(100)]))
    assert order.take_released()
    for host in ("web-1", "web-2"):
        order.history_done(host)
    rest = order.take_settled()
    assert rest and order.continues_release
