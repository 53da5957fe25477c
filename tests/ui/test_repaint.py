"""Repainting only what changed: a streaming log pane at a few frames a second, a scrolled
page left alone, panels and the "what changed" strip that read the same not redrawn, and
what is on screen still true and current."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ui.harness import frozen_demo_app, has_data, screen_text, wait_until
from ui.test_log_pane import SIZE, ScriptedLogSource, app_with, line

from pulse_tui.model.logs.line import Level, LineKind, LogLine
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.sources.base import HostState, HostStatus, LogSink
from pulse_tui.ui.feeds.logs import LINES_REPAINT_INTERVAL


class StreamingLogSource(ScriptedLogSource):
    """Once `go` is set, one line every `every` seconds, `count` of them, from `start`."""

    def __init__(self, count: int, every: float, start: int = 0) -> None:
        super().__init__("web-1", [])
        self.count, self.every, self.start = count, every, start
        self.go = asyncio.Event()
        self.sent = 0

    async def run(self, sink: LogSink) -> None:
        sink.on_status(HostStatus(self.host, HostState.LIVE))
        await self.go.wait()
        for n in range(self.start, self.start + self.count):
            sink.on_lines([line(n)])
            self.sent += 1
            await asyncio.sleep(self.every)
        while not self.stopped:
            await asyncio.sleep(0.05)


def count_calls(widget: Any, name: str) -> Callable[[], int]:
    """Count the calls of `widget.name` from now on; returns how many so far."""
    calls = [0]
    original = getattr(widget, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    setattr(widget, name, counted)
    return lambda: calls[0]


async def test_streaming_lines_show_at_a_few_frames_a_second_and_all_reach_the_screen() -> None:
    source = StreamingLogSource(count=60, every=0.02, start=100)
    app = app_with(source)
    async with app.run_test(size=SIZE) as pilot:
        view = app.dashboard.log_panel.view
        # Following, a line after a quiet spell is on screen at the next flush.
        for n in range(3):
            app.logs.on_lines([line(n)])
            await wait_until(pilot, lambda n=n: f"line number {n:05d}" in screen_text(app))
        paints = count_calls(view, "_build_page")
        started = time.monotonic()
        source.go.set()  # 50 lines a second
        await wait_until(pilot, lambda: source.sent == 60)
        await wait_until(pilot, lambda: "line number 00159" in screen_text(app))
        elapsed = time.monotonic() - started
        assert "63 lines · following" in screen_text(app)
        # One repaint per flush (10 a second) was the old rate; a slower machine only
        # flushes, and so paints, less often.
        assert paints() <= elapsed / LINES_REPAINT_INTERVAL + 3, (paints(), elapsed)


async def test_a_full_scrolled_page_is_left_alone_while_its_count_grows() -> None:
    source = ScriptedLogSource("web-1", [[line(n) for n in range(300)]])
    app = app_with(source)
    async with app.run_test(size=SIZE) as pilot:
        view = app.dashboard.log_panel.view
        await wait_until(pilot, lambda: view.count == 300)
        await pilot.press("7", "g")
        await wait_until(pilot, lambda: "scrolled (G to follow)" in screen_text(app))
        rows = screen_text(app).splitlines()
        repaints: Callable[[], int] = lambda: 0  # noqa: E731
        for batch in range(5):
            app.logs.on_lines([line(300 + batch * 10 + n) for n in range(10)])
            await wait_until(pilot, lambda b=batch: f"{310 + b * 10} lines" in screen_text(app))
            if batch == 0:  # the first lines since the view was scrolled: it checks once
                repaints = count_calls(view, "refresh")
        assert repaints() == 0  # the rows on screen did not change: nothing to redraw
        after = screen_text(app).splitlines()
        assert after[-10:-3] == rows[-10:-3] and "line number 00000" in screen_text(app)
        # Back to the tail: the lines that arrived meanwhile are there at once.
        await pilot.press("G")
        await wait_until(pilot, lambda: "line number 00349" in screen_text(app))


async def test_a_scrolled_page_not_yet_full_shows_the_new_lines() -> None:
    source = ScriptedLogSource("web-1", [[line(n) for n in range(100)]])
    app = app_with(source)
    async with app.run_test(size=SIZE) as pilot:
        view = app.dashboard.log_panel.view
        await wait_until(pilot, lambda: view.count == 100)
        await pilot.press("7", "G", "k", "k", "k")
        await wait_until(pilot, lambda: "scrolled (G to follow)" in screen_text(app))
        # Maximised, the pane is taller than the lines below its top: rows to fill.
        await pilot.press("z")
        await wait_until(pilot, lambda: view.count - view.top_position < view.size.height)
        await pilot.pause()
        app.logs.on_lines([line(100 + n) for n in range(3)])
        await wait_until(pilot, lambda: "line number 00102" in screen_text(app))
        assert "scrolled (G to follow)" in screen_text(app)


async def test_a_panel_given_the_same_answer_again_is_not_redrawn() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await pilot.pause(0.3)
        panel = app.dashboard.panel(Signal.TRAFFIC)
        result = panel.result
        assert result is not None
        repaints = count_calls(panel, "refresh")
        # The next refresh brings the same points back (only its fetch time differs).
        panel.show_result(replace(result, fetched_at=result.fetched_at + 1), frozenset())
        assert repaints() == 0
        # Different points: redrawn, and the headline on screen says the new value.
        doubled = tuple(replace(s, values=[v * 2 for v in s.values]) for s in result.series)
        panel.show_result(replace(result, series=doubled, recent=None), frozenset())
        assert repaints() == 1
        await pilot.pause()
        assert "waiting" not in screen_text(app)


async def test_the_changes_strip_saying_the_same_again_is_not_laid_out_again() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: has_data(app) and bool(app.metrics.findings))
        await pilot.pause(0.3)
        strip = app.dashboard.changes_strip
        before = screen_text(app)
        repaints = count_calls(strip, "refresh")
        state = app.view.state
        show = dict(now=state.window_end(), span=state.range_seconds, live=state.end is None)
        strip.show(app.metrics.findings, **show)
        assert repaints() == 0
        strip.show([], **show)  # nothing changed any more: "no change in the last 1h"
        assert repaints() == 1
        await wait_until(pilot, lambda: "no change in the last 1h" in screen_text(app))
        assert screen_text(app) != before


def test_the_visible_hits_kept_up_as_lines_arrive_are_those_a_recount_finds() -> None:
    # The status line counts "n of N" hits among the filtered lines every repaint: kept up
    # line by line (and as the oldest are evicted) rather than recounted over the buffer.
    from pulse_tui.model.logs.buffer import LogBuffer
    from pulse_tui.model.search.query import SearchQuery
    from pulse_tui.ui.widgets.logs.log_view import LogView

    store = LogBuffer(500, 1 << 30)
    view = LogView(store)
    query = SearchQuery.parse("7")

    def passes(entry: Any) -> bool:
        return "3" in entry.text or "5" in entry.text

    view.set_visible(passes, [], 0)
    view.set_search(query, [], 0)
    for start in range(0, 1500, 50):
        store.append_many([line(n) for n in range(start, start + 50)])
        view.lines_arrived()
        first = store.first_index
        shown = {first + i for i in range(len(store)) if passes(store[i])}
        recount = [first + i for i in range(len(store)) if "7" in store[i].text]
        assert view.visible_hits() == [i for i in recount if i in shown]
    assert store.rotated_out > 0 and view.visible_hits()


async def test_an_idle_log_feed_stops_flushing_and_the_next_line_still_shows_at_once() -> None:
    source = ScriptedLogSource("web-1", [])
    app = app_with(source)
    async with app.run_test(size=SIZE) as pilot:
        app.logs.on_lines([line(1)])
        await wait_until(pilot, lambda: "line number 00001" in screen_text(app))
        # Nothing left to flush: the 10 Hz timer rests instead of waking for nothing.
        await wait_until(pilot, lambda: not app.logs.flushing)
        app.logs.on_lines([line(2)])
        assert app.logs.flushing  # the delivery woke it
        # Within the pane's 4 Hz of the first line (shown as it arrived): the count follows
        # at the next repaint, a quarter of a second at most.
        await wait_until(pilot, lambda: "line number 00002" in screen_text(app))
        await wait_until(pilot, lambda: "2 lines · following" in screen_text(app), timeout=1.0)
        await wait_until(pilot, lambda: not app.logs.flushing)


def written_now(host: str, text: str) -> LogLine:
    now = time.time()
    return LogLine(now, now, host, "/var/log/app.log", "api", Level.INFO, text, LineKind.LINE)


async def test_lines_held_by_the_reorder_window_keep_the_feed_flushing_until_shown() -> None:
    sources = [ScriptedLogSource("web-1", []), ScriptedLogSource("web-2", [])]
    app = app_with(*sources, reorder_window=1.0)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: not app.logs.flushing)
        app.logs.on_lines([written_now("web-1", "just written")])
        # Held for the time merge: only a later flush releases it, so the timer runs on.
        await wait_until(pilot, lambda: app.logs.reorder is not None and len(app.logs.reorder) > 0)
        assert app.logs.flushing
        await wait_until(pilot, lambda: "just written" in screen_text(app))
        await wait_until(pilot, lambda: not app.logs.flushing)
