"""A failed window fetch is asked again with backoff and never marked covered; a window
that came back cut is not asked again (pure logic of `WindowFetches`, with stand-in
sources: the real sshd cases are in tests/integration/test_dashboard_windows.py)."""

from __future__ import annotations

import asyncio
import time

from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.fetched import Window
from pulse_tui.model.logs.line import Level, LogLine
from pulse_tui.sources.base import FetchedWindow
from pulse_tui.sources.transport.backoff import BackoffPolicy
from pulse_tui.ui.feeds.fetches import WindowFetches

FAST = BackoffPolicy(first=0.05, cap=0.05, jitter=0.0)


class Scripted:
    """A source whose `fetch_window` answers from a script, then with the window's line."""

    fetches_windows = True
    loaded_since = None

    def __init__(self, host: str, answers: list[FetchedWindow | None]) -> None:
        self.host = host
        self.answers = answers
        self.asked: list[tuple[float, float]] = []

    async def fetch_window(self, start: float, end: float) -> FetchedWindow:
        self.asked.append((start, end))
        answer = self.answers.pop(0) if self.answers else None
        if answer is not None:
            return answer
        line = LogLine(start, start, self.host, "/app.log", "", Level.INFO, "found")
        return FetchedWindow(self.host, start, end, batches=[[line]])


def fetches_for(*sources: Scripted) -> tuple[WindowFetches, list[Window]]:
    applied: list[Window] = []
    fetches = WindowFetches(
        sources,  # type: ignore[arg-type]
        LogBuffer(1000, 1 << 20),
        apply=applied.append,
        panels=list,
        view_start=lambda: 0.0,
        retry=FAST,
    )
    return fetches, applied


async def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def test_a_failed_fetch_says_so_is_not_covered_and_is_retried() -> None:
    lost = FetchedWindow("web-2", 0, 0, problem="window not loaded: no answer", failed=True)
    source = Scripted("web-2", [lost])
    fetches, applied = fetches_for(source)
    start, end = time.time() - 3000, time.time() - 1200
    fetches.want(start, end)
    await wait_for(lambda: "retrying" in fetches.note(), "the retry said")
    assert fetches.note() == "web-2: window fetch failed (no answer) · retrying in 1s"
    assert not fetches.loading and applied == []
    assert fetches.coverage.missing("web-2", start, end) == [(start, end)]
    await wait_for(lambda: applied, "the retry's lines")
    assert source.asked == [(start, end), (start, end)]
    assert fetches.coverage.covers("web-2", start, end)
    assert "failed" not in fetches.note()
    await fetches.stop()


async def test_a_cut_window_is_kept_said_and_not_asked_again() -> None:
    line = LogLine(0.0, time.time() - 2000, "web-1", "/app.log", "", Level.INFO, "newest")
    cut = FetchedWindow(
        "web-1", 0, 0, batches=[[line]], problem="/app.log: window cut to its newest 1 MiB"
    )
    source = Scripted("web-1", [cut])
    fetches, applied = fetches_for(source)
    fetches.want(time.time() - 3000, time.time() - 1200)
    await wait_for(lambda: not fetches.loading, "the fetch done")
    await asyncio.sleep(0.3)  # a retry (0.05 s) would have been asked by now
    assert len(source.asked) == 1 and len(applied) == 1
    # (No feed here merges the window: "merging the fetched lines" comes first.)
    assert fetches.note().endswith("web-1: /app.log: window cut to its newest 1 MiB")
    await fetches.stop()
