"""Search sees the history (issue #12 item 6), as a user does it, over a real sshd.

The pane's `/`, `n` and `f` cover every loaded line, the history loaded on connect
included; when the buffer is too small for the range, the pane offers `H`, which searches
the host itself and lists matches older than the buffer; Enter shows the pane at a
match's time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support.sshd_server import SshdServer, TcpProxy
from test_ssh_history import rotated_set
from ui.harness import screen_text, wait_until

from pulse_tui.config import Config, DashboardConfig, LogFile, LogHost, LogsConfig
from pulse_tui.model.logs.line import LineKind
from pulse_tui.sources.demo import DemoMetricsSource
from pulse_tui.sources.factory import log_sources
from pulse_tui.sources.ssh.history import Outcome
from pulse_tui.ui.app import PulseApp
from pulse_tui.ui.screens.host_search import HostSearchScreen

pytestmark = pytest.mark.integration


def iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


def write_hour(path: Path, now: float) -> int:
    """A line a second for the last hour, every 60th a payment timeout; how many those are."""
    rows = []
    timeouts = 0
    for i in range(3580):
        if i % 60 == 0:
            rows.append(f"{iso(now - 3590 + i)} ERROR payment timeout order={i}\n")
            timeouts += 1
        else:
            rows.append(f"{iso(now - 3590 + i)} INFO GET /api/items/{i} 200\n")
    path.write_text("".join(rows))
    return timeouts


def app_for(log: Path, max_lines: int) -> PulseApp:
    host = LogHost("web-1", files=(LogFile(str(log)),))
    config = Config(
        dashboard=DashboardConfig(range=3600.0),
        logs=LogsConfig(hosts=(host,), connect_timeout=5, max_lines=max_lines),
    )
    return PulseApp(config, DemoMetricsSource(config), log_sources(config))


def history_in(app: PulseApp) -> bool:
    order = app.logs.order
    return order is not None and not order.settling and not app.logs.rebuilding


async def test_search_n_and_f_cover_the_history_loaded_on_connect(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "app.log"
    timeouts = write_hour(log, time.time())
    app = app_for(log, 200_000)
    async with app.run_test(size=(160, 48)) as pilot:
        # Typed at once: the history is still held back to be merged in order.
        await pilot.press("7", "slash", *"timeout", "enter")
        await wait_until(pilot, lambda: history_in(app) and len(app.logs.buffer) >= 3580, 30)
        view = app.dashboard.log_panel.view
        await wait_until(pilot, lambda: f"{timeouts} matches" in screen_text(app))
        assert len(view.hits) == timeouts
        # `g` then `n` walks from the oldest loaded line, an hour back.
        await pilot.press("g", "n")
        assert view.current_hit is not None
        first = app.logs.buffer.get_absolute(view.current_hit)
        assert first is not None and first.text.endswith("payment timeout order=0")
        assert f"1 of {timeouts}" in screen_text(app)
        # `f` shows only the matching lines: all of them, the history's too.
        await pilot.press("f")
        await wait_until(pilot, lambda: view.count == timeouts)
        assert f"{timeouts} of {len(app.logs.buffer):,} lines" in screen_text(app)
        # A search started after the history is in finds the same.
        await pilot.press("f", "slash", *"order=0", "enter")
        await wait_until(pilot, lambda: "1 match " in screen_text(app))


async def test_a_buffer_too_small_for_the_hour_offers_the_host_search_and_enter_jumps(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "app.log"
    timeouts = write_hour(log, time.time())
    app = app_for(log, 200)  # about the last 200 s of the hour
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        buffer = app.logs.buffer
        await wait_until(pilot, lambda: history_in(app) and buffer.rotated_out > 3000, 30)
        await pilot.press("7", "slash", *"timeout", "enter")
        await wait_until(pilot, lambda: "H searches hosts" in screen_text(app))
        oldest = buffer[0].timestamp
        text = screen_text(app)
        assert f"(buffer from {time.strftime('%H:%M:%S', time.localtime(oldest))}" in text
        in_buffer = [x for x in buffer if x.kind == LineKind.LINE and "timeout" in x.text]
        assert 1 <= len(in_buffer) <= 5

        await pilot.press("H")
        await wait_until(pilot, lambda: isinstance(app.screen, HostSearchScreen))
        screen = app.screen
        assert isinstance(screen, HostSearchScreen)
        results = screen.results
        await wait_until(pilot, lambda: not results.searching, 30)
        await wait_until(pilot, lambda: f"searched 1 host · {timeouts} matches" in screen_text(app))
        # Matches from the whole hour, most of them older than anything in the buffer.
        assert sum(1 for m in results.matches if m.timestamp < oldest) == timeouts - len(in_buffer)
        text = screen_text(app)
        first = results.matches[0]
        assert first.text.endswith("payment timeout order=0")
        assert f"{time.strftime('%H:%M:%S', time.localtime(first.timestamp))} web-1" in text
        assert "payment timeout order=0" in text

        # The oldest is not in the buffer: Enter fetches the window around it and lands there.
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, HostSearchScreen))
        view = app.dashboard.log_panel.view
        fetches = app.logs.fetches
        await wait_until(pilot, lambda: fetches.fetched and not fetches.busy, 30)
        await wait_until(pilot, lambda: not app.logs.rebuilding)
        await pilot.pause(0.3)
        assert any(start <= first.timestamp < end for _, start, end in fetches.fetched)
        assert not view.follow and view.has_focus
        assert abs(view.top_line_time() - first.timestamp) < view.size.height
        assert "payment timeout order=0" in screen_text(app)
        assert len(buffer) <= 200  # inside the buffer's bound, kept around the match

        # The newest match, back near the end of the hour: Enter shows the pane at its time.
        await pilot.press("H")
        await wait_until(pilot, lambda: isinstance(app.screen, HostSearchScreen))
        screen = app.screen
        assert isinstance(screen, HostSearchScreen)
        results = screen.results
        await wait_until(pilot, lambda: not results.searching, 30)
        await pilot.pause(0.3)  # the next repaint shows the rows
        await pilot.press("G", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, HostSearchScreen))
        await wait_until(pilot, lambda: not fetches.busy and not app.logs.rebuilding, 30)
        await pilot.pause(0.3)
        view = app.dashboard.log_panel.view
        assert not view.follow and view.has_focus
        newest = results.matches[-1]
        assert abs(view.top_line_time() - newest.timestamp) < view.size.height
        assert newest.text.split(" ", 1)[1] in screen_text(app)


async def test_a_slow_host_does_not_hold_back_the_others_and_escape_cancels_it(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    proxy = await TcpProxy(sshd.port).start()
    proxy.freeze()  # slow-1 answers nothing: its login never ends
    slow = f"Host slow-1\n  HostName 127.0.0.1\n  Port {proxy.port}\n\n"
    home = ssh_home(["web-1"], extra_config=slow)
    with (home / ".ssh/known_hosts").open("a") as known:
        known.write(sshd.host_key_line(port=proxy.port))
    log = tmp_path / "app.log"
    timeouts = write_hour(log, time.time())
    hosts = tuple(LogHost(name, files=(LogFile(str(log)),)) for name in ("web-1", "slow-1"))
    config = Config(
        dashboard=DashboardConfig(range=3600.0),
        logs=LogsConfig(hosts=hosts, connect_timeout=60),
    )
    app = PulseApp(config, DemoMetricsSource(config), log_sources(config))
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("7", "slash", *"timeout")
            await pilot.press("ctrl+r")  # from the prompt: the term as typed
            await wait_until(pilot, lambda: isinstance(app.screen, HostSearchScreen))
            progress = f"searching 2 hosts · 1 done · {timeouts} matches"
            await wait_until(pilot, lambda: progress in screen_text(app), 30)
            assert "payment timeout order=0" in screen_text(app)
            await pilot.press("escape")  # cancels: slow-1 stops, web-1's matches stay
            await wait_until(pilot, lambda: f"cancelled · {timeouts} matches" in screen_text(app))
            screen = app.screen
            assert isinstance(screen, HostSearchScreen)
            assert str(screen.results.hosts["slow-1"].state) == "stopped"
            await pilot.press("escape")  # closes
            await wait_until(pilot, lambda: not isinstance(app.screen, HostSearchScreen))
            assert app.dashboard.log_panel.query_state.state.search == "timeout"
    finally:
        await proxy.close()


async def test_a_history_cut_only_in_a_rotated_file_offers_the_host_search(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log, _stamps = rotated_set(tmp_path, time.time())  # .2.gz, .1, app.log: 20 minutes each
    # 50 minutes asked; the bound holds app.log whole and half of app.log.1: the current
    # file is not cut, its predecessor is.
    limit = log.stat().st_size + Path(f"{log}.1").stat().st_size // 2
    host = LogHost("web-1", files=(LogFile(str(log)),))
    config = Config(
        dashboard=DashboardConfig(range=3000.0),
        logs=LogsConfig(hosts=(host,), connect_timeout=5, history_bytes=limit),
    )
    app = PulseApp(config, DemoMetricsSource(config), log_sources(config))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: history_in(app) and len(app.logs.buffer) > 850, 30)
        (source,) = app.logs.sources
        history = source.history_start(str(log))  # type: ignore[attr-defined]
        assert history is not None and history.outcome is not Outcome.CUT
        assert app.logs.buffer.rotated_out == 0  # the buffer itself dropped nothing
        await pilot.press("7", "slash", *"items", "enter")
        await wait_until(pilot, lambda: "H searches hosts" in screen_text(app))
        assert "history cut at logs.history_bytes" in screen_text(app)
