"""The log pane from the keyboard: follow, scroll, wrap, gaps, hostile text, floods."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator, Sequence

import pytest
from ui.harness import frozen_demo_app, has_data, screen_segments, screen_text, wait_until

from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.line import Level, LineKind, LogLine
from pulse_tui.sources.base import FetchedWindow, HostState, HostStatus, LogSink, cannot_fetch
from pulse_tui.sources.demo import DemoMetricsSource
from pulse_tui.ui.app import PulseApp, demo_config

SIZE = (160, 40)


class ScriptedLogSource:
    """Delivers given batches, then waits; for pane behaviour, not for SSH (see integration)."""

    def __init__(self, host: str, batches: Sequence[Sequence[LogLine]]) -> None:
        self.host = host
        self.service = ""
        self.loads_history = False
        self.fetches_windows = False
        self.loaded_since: float | None = None
        self.batches = batches
        self.stopped = False

    async def fetch_window(self, start: float, end: float) -> FetchedWindow:
        return cannot_fetch(self.host, start, end)

    async def run(self, sink: LogSink) -> None:
        sink.on_status(HostStatus(self.host, HostState.LIVE))
        for batch in self.batches:
            sink.on_lines(batch)
            await asyncio.sleep(0)
        while not self.stopped:
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        self.stopped = True


def line(n: int, text: str = "", *, host: str = "web-1", kind: LineKind = LineKind.LINE) -> LogLine:
    return LogLine(
        1767225600 + n,
        1767225600 + n,
        host,
        "/var/log/app.log",
        "api",
        Level.INFO,
        text or f"line number {n:05d}",
        kind,
    )


def app_with(
    *sources: ScriptedLogSource, max_lines: int = 200_000, reorder_window: float | None = None
) -> PulseApp:
    from dataclasses import replace

    config = demo_config()
    logs = replace(config.logs, max_lines=max_lines)
    if reorder_window is not None:
        logs = replace(logs, reorder_window=reorder_window)
    config = replace(config, logs=logs)
    return PulseApp(config, DemoMetricsSource(config), list(sources))


async def test_follow_scroll_up_and_back_to_the_tail() -> None:
    source = ScriptedLogSource("web-1", [[line(n) for n in range(500)]])
    app = app_with(source)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.dashboard.log_panel.view.count == 500)
        await pilot.press("7")
        await pilot.pause()
        assert "line number 00499" in screen_text(app)
        assert "following" in screen_text(app)
        await pilot.press("k", "k", "k")
        await pilot.pause()
        text = screen_text(app)
        assert "line number 00499" not in text and "line number 00496" in text
        assert "scrolled (G to follow)" in text
        await pilot.press("g")
        await pilot.pause()
        assert "line number 00000" in screen_text(app)
        await pilot.press("pagedown")
        await pilot.pause()
        assert "line number 00000" not in screen_text(app)
        await pilot.press("G")
        await pilot.pause()
        assert "line number 00499" in screen_text(app) and "following" in screen_text(app)


async def test_new_lines_do_not_move_a_scrolled_view() -> None:
    more = [[line(n) for n in range(300)], [line(n) for n in range(300, 310)]]
    source = ScriptedLogSource("web-1", more[:1])
    app = app_with(source)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.dashboard.log_panel.view.count == 300)
        await pilot.press("7", "g")
        await pilot.pause()
        before = screen_text(app)
        app.logs.on_lines(more[1])
        # On screen within a flush or two (the pane shows new lines at most 4 times a second).
        await wait_until(pilot, lambda: "310 lines" in screen_text(app))
        assert "line number 00000" in screen_text(app)
        assert before.splitlines()[30] == screen_text(app).splitlines()[30]


async def test_wrap_toggle_shows_the_rest_of_a_long_line() -> None:
    long_text = "start " + "x" * 300 + " THE-END"
    source = ScriptedLogSource("web-1", [[line(0, long_text)]])
    app = app_with(source)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.dashboard.log_panel.view.count == 1)
        await pilot.press("7")
        await pilot.pause()
        assert "THE-END" not in screen_text(app)
        await pilot.press("w")
        await pilot.pause()
        assert "THE-END" in screen_text(app) and "wrap" in screen_text(app)

    # Continuation rows hang under the text: the host tag (and the arrival time) stay clear.
    source = ScriptedLogSource("web-1", [[line(0, "start " + "x" * 200 + " THE-END")]])
    app = app_with(source)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.dashboard.log_panel.view.count == 1)
        await pilot.press("7", "w")
        await pilot.pause()
        rows = screen_text(app).splitlines()
        first = next(i for i, row in enumerate(rows) if row.startswith("web-1 ") and "~" in row)
        column = rows[first].index("start")
        assert rows[first + 1][:column] == " " * column
        assert rows[first + 1][column:].startswith("xxx") and "THE-END" in rows[first + 2]
        assert "│ 1 line · following · wrap" in screen_text(app)


async def test_gap_markers_notices_and_hostile_text_render_as_data() -> None:
    hostile = "[bold]b[/bold] [link=http://x]y[/link] \\x1b[31m \\u202e"
    gap = line(2, "connection lost (reset); resuming when back", kind=LineKind.GAP)
    source = ScriptedLogSource("web-1", [[line(0, hostile), gap]])
    app = app_with(source)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.dashboard.log_panel.view.count == 2)
        await pilot.pause()
        text = screen_text(app)
        assert hostile in text
        assert "──── web-1: connection lost (reset); resuming when back ────" in text
        # The escapes the sanitiser wrote stand out from the text, as `less` shows them.
        styled = screen_segments(app)
        assert [seg.style.reverse for seg in styled if seg.text == "\\x1b"] == [True]
        assert [seg.style.reverse for seg in styled if seg.text == "\\u202e"] == [True]
        assert not any(seg.style and seg.style.reverse for seg in styled if "[31m" in seg.text)


async def test_ring_buffer_bound_says_from_when_lines_are_kept_and_why() -> None:
    source = ScriptedLogSource("web-1", [[line(n) for n in range(1000)]])
    app = app_with(source, max_lines=200)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.logs.buffer.dropped == 800)
        await pilot.pause()
        text = screen_text(app)
        oldest = time.strftime("%H:%M:%S", time.localtime(app.logs.buffer[0].timestamp))
        assert "200 lines" in text
        assert f"from {oldest} (800 older beyond logs.max_lines)" in text


async def test_host_statuses_on_the_status_line() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        app.logs.on_status(HostStatus("db-1", HostState.FAILED, "host key unknown [bold]"))
        app.logs.on_status(HostStatus("db-2", HostState.RETRYING, "refused", retry_at=None))
        await pilot.pause()
        text = screen_text(app)
        assert "✖ db-1 failed: host key unknown [bold]" in text
        assert "● web-1 live" in text


async def test_a_flood_is_bounded_and_counted_not_frozen() -> None:
    from pulse_tui.ui.feeds import logs as log_feed

    app = app_with(ScriptedLogSource("web-1", []))  # a log host: the pane is there
    async with app.run_test(size=SIZE) as pilot:
        flood = [line(n) for n in range(log_feed.MAX_PENDING_LINES + 5000)]
        app.logs.on_lines(flood)  # faster than any repaint can take
        await pilot.press("question_mark")  # input is still handled
        await pilot.pause()
        assert "Key bindings" in screen_text(app)
        await pilot.press("escape")
        await wait_until(
            pilot, lambda: app.dashboard.log_panel.view.count == log_feed.MAX_PENDING_LINES
        )
        await wait_until(pilot, lambda: "5,000 dropped (UI behind)" in screen_text(app))


class DelayedLogSource(ScriptedLogSource):
    """Delivers its batches `delay` seconds apart, as SSH sources do: column-wise
    `LineBatch`es, received when they arrive, each line timed `offset` seconds after `base`
    (one wall-clock moment shared by the test's hosts, so their order does not depend on
    how late a loaded machine runs each host's task)."""

    def __init__(
        self,
        host: str,
        batches: Sequence[Sequence[tuple[float, str]]],
        delay: float,
        base: float,
    ) -> None:
        super().__init__(host, [])
        self.timed = batches
        self.delay = delay
        self.base = base

    async def run(self, sink: LogSink) -> None:
        sink.on_status(HostStatus(self.host, HostState.LIVE))
        for batch in self.timed:
            await asyncio.sleep(self.delay)
            texts = [text for _, text in batch]
            stamps = [self.base + offset for offset, _ in batch]
            levels = [Level.INFO] * len(batch)
            sink.on_lines(LineBatch(texts, stamps, levels, time.time(), self.host, "/f", "api"))
        while not self.stopped:
            await asyncio.sleep(0.05)


async def test_several_hosts_are_merged_in_time_order_and_a_trace_stays_whole() -> None:
    # web-2's line was written before web-1's "second" but arrives 0.2 s after it, within
    # the window (3 s here, so that a loaded CI machine's late tasks stay inside it).
    # web-1's trace line is timed after "second" (as when a line has no time and got the
    # receive time): it still stays between its neighbours.
    base = time.time()
    web1 = DelayedLogSource(
        "web-1",
        [[(0.0, "first"), (0.75, "  at trace.line"), (0.45, "second")]],
        delay=0.05,
        base=base,
    )
    web2 = DelayedLogSource("web-2", [[(0.1, "from web-2")]], delay=0.25, base=base)
    assert app_with(web1).logs.reorder is None  # one host: nothing to wait for
    app = app_with(web1, web2, reorder_window=3.0)
    assert app.logs.reorder is not None and app.logs.reorder.seconds == 3.0
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.dashboard.log_panel.view.count == 4)

        def shown() -> list[str]:
            return [
                text
                for row in screen_text(app).splitlines()
                for text in ("first", "at trace.line", "from web-2", "second")
                if row.rstrip().endswith(text)
            ]

        # The pane shows new lines at most 4 times a second: the last ones may be in the
        # buffer a flush or two before they are on screen.
        await wait_until(pilot, lambda: len(shown()) == 4)
        assert shown() == ["first", "from web-2", "at trace.line", "second"]


class HistoryLogSource(ScriptedLogSource):
    """Sends its history file after file, each file's hour as one block a flush apart (as
    SSH sources do on connect), says it is past it, then waits."""

    def __init__(
        self,
        host: str,
        files: dict[str, list[float]],
        delay: float = 0.0,
        level: Level = Level.INFO,
        done_at_once: bool = False,
    ) -> None:
        super().__init__(host, [])
        self.loads_history = True
        self.files = files
        self.delay = delay
        self.level = level
        #: Say "done" right after the last block, in the same flush (as SSH sources do).
        self.done_at_once = done_at_once

    async def run(self, sink: LogSink) -> None:
        await asyncio.sleep(self.delay)
        sink.on_status(HostStatus(self.host, HostState.LIVE))
        for path, stamps in self.files.items():
            texts = [f"{self.host} {path} at {t - T0:07.1f}" for t in stamps]
            levels = [self.level] * len(stamps)
            sink.on_lines(LineBatch(texts, stamps, levels, time.time(), self.host, path, "api"))
            if self.done_at_once and path == list(self.files)[-1]:
                break
            await asyncio.sleep(0.15)  # the next file's block comes in another flush
        sink.on_history_done(self.host)
        while not self.stopped:
            await asyncio.sleep(0.05)


T0 = time.time() - 3600


def hour(offset: float, step: float = 1.0) -> list[float]:
    return [T0 + offset + i * step for i in range(int(3600 / step))]


def two_hosts_loading_an_hour() -> tuple[PulseApp, int]:
    """An app whose two hosts send an hour of history on connect (web-1 in two files,
    web-2 in one), and how many lines that is."""
    web1 = HistoryLogSource("web-1", {"/a.log": hour(0.0, 2.0), "/b.log": hour(1.0, 2.0)})
    web2 = HistoryLogSource("web-2", {"/c.log": hour(0.5)})
    return app_with(web1, web2), 1800 * 2 + 3600


async def test_a_history_faster_than_the_ui_is_held_not_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Histories arriving faster than the pane takes them (a merge holds the flushes, or,
    here, a bound of pending lines far below one file's hour) all enter: a history is
    bounded already, and a line lost from it would be missing from every count."""
    from pulse_tui.ui.feeds import logs as log_feed

    monkeypatch.setattr(log_feed, "MAX_PENDING_LINES", 500)
    app, total = two_hosts_loading_an_hour()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.dashboard.log_panel.view.count == total)
        assert app.dashboard.log_panel.ui_dropped == 0
        assert "dropped" not in screen_text(app)
        # Live lines past the bound still are dropped, and said to be.
        flood = [line(n) for n in range(log_feed.MAX_PENDING_LINES + 100)]
        app.logs.on_lines(flood)
        await wait_until(pilot, lambda: "100 dropped (UI behind)" in screen_text(app))


async def test_histories_from_two_hosts_enter_in_time_order_and_jump_to_time_finds_both() -> None:
    from pulse_tui.ui.widgets.metrics.signal_panel import SignalPanel

    app, total = two_hosts_loading_an_hour()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.dashboard.log_panel.view.count == total)
        buffer = app.logs.buffer
        stamps = [line.timestamp for line in buffer]
        assert stamps == sorted(stamps)
        hosts = [line.host for line in buffer]
        assert set(hosts[:10]) == {"web-1", "web-2"} and set(hosts[-10:]) == {"web-1", "web-2"}
        assert "loading history" not in screen_text(app)
        # Enter on a chart's cursor half an hour back: the pane shows both hosts' lines
        # from then.
        at = T0 + 1800
        app.post_message(SignalPanel.JumpToTime(at))
        await pilot.pause(0.2)
        view = app.dashboard.log_panel.view
        assert not view.follow
        rows = [row for row in screen_text(app).splitlines() if ".log at " in row]
        shown = [float(row.split(".log at ")[1].split()[0]) for row in rows]
        assert shown and min(shown) <= 1800 <= max(shown) and max(shown) - min(shown) < 60
        assert any("web-1" in r for r in rows) and any("web-2" in r for r in rows)


class StreamingHistorySource(HistoryLogSource):
    """Sends its one file's history in many batches, a few flushes apart, as SSH does
    with a big file, then says it is past it."""

    async def run(self, sink: LogSink) -> None:
        sink.on_status(HostStatus(self.host, HostState.LIVE))
        ((path, stamps),) = self.files.items()
        for lo in range(0, len(stamps), 300):
            part = stamps[lo : lo + 300]
            texts = [f"{self.host} {path} at {t - T0:07.1f}" for t in part]
            levels = [self.level] * len(part)
            sink.on_lines(LineBatch(texts, part, levels, time.time(), self.host, path, "api"))
            await asyncio.sleep(0.03)
        sink.on_history_done(self.host)
        while not self.stopped:
            await asyncio.sleep(0.05)


async def test_histories_merged_while_they_stream_enter_in_one_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pulse_tui.ui.feeds import logs as feed

    releases: list[int] = []
    append = feed._append_merged

    def counted(buffer: object, lines: list[Sequence[LogLine]]) -> None:
        releases.append(sum(map(len, lines)))
        append(buffer, lines)  # type: ignore[arg-type]

    monkeypatch.setattr(feed, "RELEASE_LINES", 500)
    monkeypatch.setattr(feed, "_append_merged", counted)
    web1 = StreamingHistorySource("web-1", {"/a.log": hour(0.0)})
    web2 = StreamingHistorySource("web-2", {"/c.log": hour(0.5)})
    app = app_with(web1, web2)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.dashboard.log_panel.view.count == 7200)
        # Merged in several releases while both streamed, and the rest at the end.
        assert len(releases) > 2 and sum(releases[:-1]) > 3600
        lines = list(app.logs.buffer)
        assert [x.timestamp for x in lines] == sorted(x.timestamp for x in lines)
        assert len({x.text for x in lines}) == 7200
        assert [x.host for x in lines[:4]] == ["web-1", "web-2", "web-1", "web-2"]


async def test_a_file_whose_history_begins_after_a_release_is_merged_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # web-1 sends /b.log after /a.log: once lines were released, /b.log's older lines
    # make the feed merge everything held again.
    monkeypatch.setattr("pulse_tui.ui.feeds.logs.RELEASE_LINES", 100)
    web1 = HistoryLogSource("web-1", {"/a.log": hour(0.0, 2.0), "/b.log": hour(1.0, 2.0)})
    web2 = HistoryLogSource("web-2", {"/c.log": hour(0.5)})
    app = app_with(web1, web2)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.dashboard.log_panel.view.count == 1800 * 2 + 3600)
        stamps = [line.timestamp for line in app.logs.buffer]
        assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


async def test_keys_are_handled_while_the_histories_merge(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The merge of the histories held on connect (a second for a million lines) runs in
    # a thread: held here until the key was handled, it would never end on the loop.
    from pulse_tui.ui.feeds import logs as feed

    merging, release = threading.Event(), threading.Event()
    merge = feed.merged_parts

    def held_merge(chunks: Sequence[Sequence[LogLine]]) -> Iterator[Sequence[LogLine]]:
        merging.set()
        release.wait()
        return merge(chunks)

    monkeypatch.setattr(feed, "merged_parts", held_merge)
    web1 = HistoryLogSource("web-1", {"/a.log": hour(0.0, 2.0), "/b.log": hour(1.0, 2.0)})
    web2 = HistoryLogSource("web-2", {"/c.log": hour(0.5)})
    app = app_with(web1, web2)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, merging.is_set)
            assert app.logs.rebuilding and len(app.logs.buffer) == 0
            await pilot.press("p")  # pause: handled while the merge is still held
            assert app.view.state.paused
            assert not release.is_set() and len(app.logs.buffer) == 0
            release.set()
            await wait_until(pilot, lambda: not app.logs.rebuilding)
            stamps = [line.timestamp for line in app.logs.buffer]
            assert len(stamps) == 1800 * 2 + 3600 and stamps == sorted(stamps)
            await pilot.press("p")
            await wait_until(pilot, lambda: app.dashboard.log_panel.view.count == len(stamps))
    finally:
        release.set()  # a failure above must not leave the thread waiting


async def test_a_late_host_that_says_done_with_its_last_block_is_still_merged_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "Done" arrives before the flush that carries the host's last history block: the
    # block is history all the same, merged in order, not appended as live lines.
    monkeypatch.setattr("pulse_tui.ui.feeds.logs.HISTORY_QUIET", 0.5)
    web1 = HistoryLogSource("web-1", {"/a.log": hour(0.0, 2.0)})
    web2 = HistoryLogSource("web-2", {"/c.log": hour(1.0, 2.0)}, delay=1.5, done_at_once=True)
    app = app_with(web1, web2)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.dashboard.log_panel.view.count == 1800)
        await wait_until(pilot, lambda: app.dashboard.log_panel.view.count == 3600)
        await wait_until(pilot, lambda: not app.logs.rebuilding)
        stamps = [line.timestamp for line in app.logs.buffer]
        assert stamps == sorted(stamps) and len(set(stamps)) == 3600


async def test_a_host_that_connects_late_is_merged_in_and_a_scrolled_view_stays_put(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The pane waits this long for a silent host before showing the others' lines.
    monkeypatch.setattr("pulse_tui.ui.feeds.logs.HISTORY_QUIET", 0.5)
    web1 = HistoryLogSource("web-1", {"/a.log": hour(0.0, 2.0)})
    web2 = HistoryLogSource("web-2", {"/c.log": hour(1.0, 2.0)}, delay=1.5, level=Level.ERROR)
    app = app_with(web1, web2)
    async with app.run_test(size=SIZE) as pilot:
        # web-1 is shown on its own at first; web-2 still loading.
        await wait_until(pilot, lambda: app.dashboard.log_panel.view.count == 1800)
        assert app.logs.order is not None and app.logs.order.loading == ["web-2"]
        assert "loading history from 1 host" in screen_text(app)
        panel = app.dashboard.log_panel
        panel.show_time(T0 + 1000)  # scrolled back to 1000 s in, a search running
        await pilot.press("slash", *"/a.log at 0", "enter")
        await pilot.pause()
        assert "web-1 /a.log at 01000.0" in screen_text(app)
        top = panel.view.top_line_time()
        await wait_until(pilot, lambda: panel.view.count == 3600)
        await wait_until(pilot, lambda: not app.logs.rebuilding and not panel.query_state.busy)
        stamps = [line.timestamp for line in app.logs.buffer]
        assert stamps == sorted(stamps) and len(set(stamps)) == 3600
        text = screen_text(app)
        assert "loading history" not in text and "older beyond" not in text
        # Still at the time it showed, now with web-2's lines between web-1's.
        assert "web-1 /a.log at 01000.0" in text and "web-2 /c.log at 01001.0" in text
        assert not panel.view.follow
        assert panel.view.top_line_time() == top
        # The search ran again over the rebuilt buffer: every web-1 line is a hit.
        assert len(panel.view.hits) == 1800
        # Error groups saw web-2's lines once, when they arrived, not again at the rebuild.
        assert app.alerts.error_groups.lines == 1800
