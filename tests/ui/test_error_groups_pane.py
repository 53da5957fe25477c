"""The Errors tab after connect: an hour of history, out of arrival order, then live lines.

What the on-call engineer must see (#12.5, #14.7): the group that began 30 minutes ago
with its first-seen time, its true count and no NEW mark; a group that appears only now
marked NEW; the message (not the line's time stamp) as the example; counts for the range
on screen, and where the loaded logs start.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from dataclasses import replace

from rich.text import Text
from textual.widgets import DataTable
from ui.harness import screen_text, wait_until

from pulse_tui.model.core import clock
from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.line import Level
from pulse_tui.sources.base import FetchedWindow, LogSink, cannot_fetch
from pulse_tui.sources.demo import DemoMetricsSource
from pulse_tui.ui.app import PulseApp, demo_config

NOW = 1_796_182_200.0  # 2026-12-02 03:30:00 UTC
WIDE = (200, 50)
TIMEOUT = "payment timeout after <duration> calling <ip>"


def iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z"


class HistoryThenLive:
    """A host as `SshLogSource` behaves after connect: its hour of history (one block per
    file, here the older file last), `on_history_done`, then live lines when told."""

    def __init__(self, host: str, files: list[LineBatch]) -> None:
        self.host = host
        self.service = "checkout"
        self.loads_history = True
        self.fetches_windows = False
        self.loaded_since: float | None = None
        self.files = files
        self.live: asyncio.Queue[LineBatch] = asyncio.Queue()
        self.stopped = False

    async def run(self, sink: LogSink) -> None:
        for batch in self.files:
            sink.on_lines(batch)
            await asyncio.sleep(0.05)
        sink.on_history_done(self.host)
        while not self.stopped:
            with contextlib.suppress(TimeoutError):
                sink.on_lines(await asyncio.wait_for(self.live.get(), 0.05))

    async def stop(self) -> None:
        self.stopped = True

    async def fetch_window(self, start: float, end: float) -> FetchedWindow:
        return cannot_fetch(self.host, start, end)


def batch(host: str, path: str, lines: list[tuple[float, Level, str]]) -> LineBatch:
    texts = [f"{iso(t)} {level.name} api: {message}" for t, level, message in lines]
    return LineBatch(
        texts,
        [t for t, _, _ in lines],
        [level for _, level, _ in lines],
        NOW,
        host,
        path,
        "checkout",
    )


def hour_of(path_seed: int, errors_from: float) -> list[tuple[float, Level, str]]:
    """An hour of INFO lines every 5 s, and from `errors_from` a payment timeout every 3 s."""
    lines = [
        (NOW - 3600 + 5 * i + path_seed, Level.INFO, f"GET /cart 200 in {i}ms") for i in range(719)
    ]
    t = errors_from
    n = 0
    while t < NOW - 1:
        lines.append(
            (t, Level.ERROR, f"payment timeout after {n % 30 + 1}s calling 10.0.1.{n % 200}")
        )
        t += 3
        n += 1
    return sorted(lines)


def row(app: PulseApp, fingerprint: str) -> list[str]:
    table = app.query_one("#error-group-table")
    return [
        cell.plain if isinstance(cell, Text) else str(cell) for cell in table.get_row(fingerprint)
    ]


async def errors_tab_with_one_group(pilot, app: PulseApp) -> DataTable:  # type: ignore[no-untyped-def]
    """Once the history made one error group: the Errors tab, showing its row."""
    await wait_until(pilot, lambda: len(app.alerts.error_groups) == 1)
    await pilot.press("e")
    table: DataTable = app.query_one("#error-group-table", DataTable)
    await wait_until(pilot, lambda: table.row_count == 1)
    return table


async def test_history_group_shows_its_start_and_true_count_and_a_live_one_is_new() -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()
    clock.freeze(NOW)
    started = NOW - 1800  # the incident began 30 minutes ago
    app_log = hour_of(0, started)
    old_log = hour_of(2, started + 1)  # the rotated file of web-2: older lines, sent last
    expected = sum(1 for _, level, _ in app_log + old_log if level is Level.ERROR)
    web1 = HistoryThenLive("web-1", [batch("web-1", "/var/log/app.log", app_log[:900])])
    web2 = HistoryThenLive(
        "web-2",
        [
            batch("web-2", "/var/log/app.log", app_log[900:]),
            batch("web-2", "/var/log/app.log.1", old_log),
        ],
    )
    config = demo_config()
    config = replace(config, alerts=replace(config.alerts, new_error_groups=True))
    app = PulseApp(config, DemoMetricsSource(config), [web1, web2])
    async with app.run_test(size=WIDE) as pilot:
        groups = app.alerts.error_groups
        await wait_until(pilot, lambda: groups.lines == expected)
        await pilot.press("e")
        table = app.query_one("#error-group-table")
        await wait_until(pilot, lambda: table.row_count == 1)
        [_, count, pattern, first, last, trend, example, hosts, _] = row(app, TIMEOUT)
        assert count == f"{expected:,}"  # every timeout of the last 30 minutes, both hosts
        assert pattern == TIMEOUT
        assert first == "03:00:00"  # the incident's start, not when the lines arrived
        latest = max(t for t, level, _ in app_log + old_log if level is Level.ERROR)
        assert last == time.strftime("%H:%M:%S", time.gmtime(latest))
        assert hosts == "web-1, web-2"
        # Its trend over the hour: blank before the incident (no line, not "a few"), bars after.
        assert trend[:5] == " " * 5 and " " not in trend[5:], repr(trend)
        # The message, as written, without the line's time, level and logger.
        assert example.startswith("payment timeout after ") and "2026" not in example
        text = screen_text(app)
        assert "NEW" not in text  # it occurred in the loaded history
        assert "counts 02:30–now · logs from 02:30" in text
        assert not any(a.key.startswith("newerror:") for a in app.alerts.book.firing())

        # A group that appears only now is new, and says so.
        web1.live.put_nowait(
            batch("web-1", "/var/log/app.log", [(NOW + 1, Level.ERROR, "card vault unreachable")])
        )
        await wait_until(pilot, lambda: table.row_count == 2)
        await wait_until(pilot, lambda: "NEW" in screen_text(app))
        assert row(app, "card vault unreachable")[0] == "NEW"
        assert row(app, TIMEOUT)[0] == ""
        assert any(a.key == "newerror:card vault unreachable" for a in app.alerts.book.firing())


async def test_a_shorter_range_counts_only_its_lines() -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()
    clock.freeze(NOW)
    lines = hour_of(0, NOW - 3000)  # timeouts from 50 minutes ago, one every 3 s
    source = HistoryThenLive("web-1", [batch("web-1", "/var/log/app.log", lines)])
    config = demo_config()
    app = PulseApp(config, DemoMetricsSource(config), [source])
    async with app.run_test(size=WIDE) as pilot:
        table = await errors_tab_with_one_group(pilot, app)
        assert row(app, TIMEOUT)[1] == f"{1000:,}"  # 3000 s / 3 s
        # The last 15 minutes, ending now: only the lines stamped in them.
        app.view.set(replace(app.view.state, range_seconds=900.0))
        in_range = sum(1 for t, level, _ in lines if level is Level.ERROR and t >= NOW - 900)
        await wait_until(pilot, lambda: row(app, TIMEOUT)[1] == f"{in_range:,}")
        assert "counts 03:15–now · logs from 02:30" in screen_text(app)
        # A past range before the incident: no group in it.
        app.view.set(replace(app.view.state, range_seconds=600.0, end=NOW - 3000))
        await wait_until(pilot, lambda: table.row_count == 0)
        assert "counts 02:30–02:40" in screen_text(app)


class HistoryThenWindows(HistoryThenLive):
    """A host whose first look loaded the last half hour, and that serves older windows
    on demand (as `SshLogSource.fetch_window` does) from its older lines."""

    def __init__(self, host: str, files: list[LineBatch], older: LineBatch, since: float):
        super().__init__(host, files)
        self.fetches_windows = True
        self.loaded_since = since
        self.older = older
        self.asked: list[tuple[float, float]] = []

    async def fetch_window(self, start: float, end: float) -> FetchedWindow:
        self.asked.append((start, end))
        lines = [line for line in self.older if start <= line.timestamp < end]
        return FetchedWindow(self.host, start, end, [lines] if lines else [])


async def test_a_window_fetched_for_a_wider_range_is_counted_by_the_error_groups() -> None:
    """Zoomed out past the first look, the fetched hour's timeouts count: the group's
    first seen is the incident's real start, its count the true one, and it is not NEW."""
    os.environ["TZ"] = "UTC"
    time.tzset()
    clock.freeze(NOW)
    lines = hour_of(0, NOW - 3000)  # timeouts from 50 minutes ago, one every 3 s
    recent = [line for line in lines if line[0] >= NOW - 900]
    older = [line for line in lines if line[0] < NOW - 900]
    source = HistoryThenWindows(
        "web-1",
        [batch("web-1", "/var/log/app.log", recent)],
        batch("web-1", "/var/log/app.log", older),
        since=NOW - 900,
    )
    config = demo_config()
    config = replace(config, dashboard=replace(config.dashboard, range=900.0))
    app = PulseApp(config, DemoMetricsSource(config), [source])
    async with app.run_test(size=WIDE) as pilot:
        await errors_tab_with_one_group(pilot, app)
        in_recent = sum(1 for t, level, _ in recent if level is Level.ERROR)
        assert row(app, TIMEOUT)[1] == f"{in_recent:,}"
        # The last hour: the 45 minutes before the first look are fetched, then counted.
        app.view.set(replace(app.view.state, range_seconds=3600.0))
        everything = sum(1 for t, level, _ in lines if level is Level.ERROR)
        await wait_until(pilot, lambda: row(app, TIMEOUT)[1] == f"{everything:,}", timeout=15)
        assert source.asked  # it was fetched, not already there
        [new, _, _, first, *_] = row(app, TIMEOUT)
        assert first == time.strftime("%H:%M:%S", time.gmtime(NOW - 3000))
        assert new == ""
        assert "logs from 02:30" in screen_text(app)


async def test_a_group_opening_its_hosts_logs_is_at_or_before_whatever_other_hosts_hold() -> None:
    """web-1's logs reach back an hour, web-2's only ten minutes, and web-2's first line
    is already the error: web-2 may have logged it before its logs begin, so the tab
    says "≤", however far back web-1 reaches."""
    os.environ["TZ"] = "UTC"
    time.tzset()
    clock.freeze(NOW)
    web1_log = [(t, level, m) for t, level, m in hour_of(0, NOW) if level is Level.INFO]
    web2_log = [
        (NOW - 600 + 3 * i, Level.ERROR, f"payment timeout after {i % 30 + 1}s calling 10.0.1.9")
        for i in range(190)
    ]
    web1 = HistoryThenLive("web-1", [batch("web-1", "/var/log/app.log", web1_log)])
    web2 = HistoryThenLive("web-2", [batch("web-2", "/var/log/app.log", web2_log)])
    config = demo_config()
    app = PulseApp(config, DemoMetricsSource(config), [web1, web2])
    async with app.run_test(size=WIDE) as pilot:
        groups = app.alerts.error_groups
        await wait_until(pilot, lambda: groups.lines == len(web2_log))
        await wait_until(pilot, lambda: groups.loaded_from == NOW - 3600)
        await pilot.press("e")
        table = app.query_one("#error-group-table")
        await wait_until(pilot, lambda: table.row_count == 1)
        [new, _, _, first, *_] = row(app, TIMEOUT)
        assert first == "≤ 03:20:00"
        assert new == ""
        text = screen_text(app)
        assert "logs from 02:30" in text
        assert "≤ first seen at the start of a host's logs: may be older" in text


async def test_the_counts_label_names_the_minute_counting_starts_from() -> None:
    """Half a minute into 03:30, the last 15 minutes start at 03:15:30: counts cover whole
    minutes, so they start at 03:16:00, and the label says 03:16, not 03:15."""
    os.environ["TZ"] = "UTC"
    time.tzset()
    clock.freeze(NOW + 30)
    lines = hour_of(0, NOW - 3000)  # timeouts from 50 minutes ago, one every 3 s
    source = HistoryThenLive("web-1", [batch("web-1", "/var/log/app.log", lines)])
    config = demo_config()
    config = replace(config, dashboard=replace(config.dashboard, range=900.0))
    app = PulseApp(config, DemoMetricsSource(config), [source])
    async with app.run_test(size=WIDE) as pilot:
        await errors_tab_with_one_group(pilot, app)
        counted = sum(1 for t, level, _ in lines if level is Level.ERROR and t >= NOW - 840)
        assert row(app, TIMEOUT)[1] == f"{counted:,}"
        assert "counts 03:16–now · logs from 02:30" in screen_text(app)


async def test_a_past_range_shows_when_the_group_was_last_seen_in_it() -> None:
    """Timeouts every 3 s from 50 minutes ago to now; the range 03:00–03:10 (panned back):
    the group's last line is now, after the range, so Last says the minute it was last
    seen in the range (03:09), not 03:29:58, beside a count of that range only."""
    os.environ["TZ"] = "UTC"
    time.tzset()
    clock.freeze(NOW)
    lines = hour_of(0, NOW - 3000)
    source = HistoryThenLive("web-1", [batch("web-1", "/var/log/app.log", lines)])
    config = demo_config()
    app = PulseApp(config, DemoMetricsSource(config), [source])
    async with app.run_test(size=WIDE) as pilot:
        await errors_tab_with_one_group(pilot, app)
        last = max(t for t, level, _ in lines if level is Level.ERROR)
        assert row(app, TIMEOUT)[4] == time.strftime("%H:%M:%S", time.gmtime(last))
        app.view.set(replace(app.view.state, range_seconds=600.0, end=NOW - 1200))
        in_range = sum(
            1 for t, level, _ in lines if level is Level.ERROR and NOW - 1800 <= t < NOW - 1200
        )
        await wait_until(pilot, lambda: row(app, TIMEOUT)[1] == f"{in_range:,}")
        assert row(app, TIMEOUT)[4] == "03:09"
        assert "counts 03:00–03:10" in screen_text(app)
