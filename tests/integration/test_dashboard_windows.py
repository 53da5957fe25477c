"""History on demand in the real app, over the real sshd: the view moves to a past range
or the chart cursor jumps back, and the pane fetches what it lacks from every host.

Each host's file holds an hour of lines, one every half second, numbered; the app loads
only the last minutes on connect (a short dashboard range, or a small history_bytes), so
everything older comes from a fetch of that window.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from support.sshd_server import SshdServer, TcpProxy
from test_ssh_history import write_log
from ui.harness import screen_text, wait_until

from pulse_tui.config import Config, Overrides, apply_overrides
from pulse_tui.model.logs.line import LineKind
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.sources.demo import DemoMetricsSource
from pulse_tui.sources.factory import log_sources
from pulse_tui.sources.ssh.tail import SshLogSource
from pulse_tui.ui.app import PulseApp

pytestmark = pytest.mark.integration

SIZE = (160, 40)
STEP = 0.5  # seconds between two lines of a file
HOUR = 3600.0


def hour_of_lines(
    path: Path, now: float, *, skip: tuple[float, float] | None = None
) -> list[float]:
    """An hour of lines ending at `now` (none in `skip`, if given); returns their stamps."""
    stamps = [now - HOUR + i * STEP for i in range(int(HOUR / STEP))]
    if skip is not None:
        stamps = [t for t in stamps if not skip[0] <= t < skip[1]]
    write_log(path, stamps)
    return stamps


def home_for(
    sshd: SshdServer,
    ssh_home: Callable[..., Path],
    ports: dict[str, int],
    jumps: dict[str, str] | None = None,
) -> None:
    """A HOME whose aliases reach the sshd, each on its own port (a proxy's, or sshd's),
    those in `jumps` through the jump host named there (ProxyJump)."""
    home = ssh_home(list(ports))
    ssh = home / ".ssh"
    key = ssh / "id_test"
    jumps = jumps or {}
    (ssh / "config").write_text(
        "\n".join(
            f"Host {alias}\n  HostName 127.0.0.1\n  Port {port}\n  User {sshd.user}\n"
            f"  IdentityFile {key}\n  IdentitiesOnly yes\n"
            + (f"  ProxyJump {jumps[alias]}\n" if alias in jumps else "")
            for alias, port in ports.items()
        )
    )
    (ssh / "known_hosts").write_text(
        "".join(sshd.host_key_line(port=port) + "\n" for port in set(ports.values()))
    )


def app_for(specs: list[str], *, range_seconds: float = 600.0, **logs: object) -> PulseApp:
    config = apply_overrides(Config(), Overrides(logs=specs))
    config = replace(
        config,
        demo=True,  # the demo's metrics: the chart cursor is what the jump tests press
        dashboard=replace(config.dashboard, range=range_seconds),
        logs=replace(config.logs, connect_timeout=5, keepalive_interval=30, **logs),
    )
    return PulseApp(config, DemoMetricsSource(config), log_sources(config))


def lines_between(app: PulseApp, host: str, start: float, end: float) -> list[str]:
    return [
        line.text
        for line in app.logs.buffer
        if line.host == host and line.kind == LineKind.LINE and start <= line.timestamp < end
    ]


def expected(stamps: list[float], start: float, end: float) -> int:
    # The files' stamps are written to the millisecond (truncated).
    return sum(1 for t in stamps if start <= int(t * 1000) / 1000 < end)


def in_order(app: PulseApp) -> bool:
    stamps = [line.timestamp for line in app.logs.buffer]
    return stamps == sorted(stamps)


def loaded(app: PulseApp) -> bool:
    """Every host connected and past its history, the pane showing lines."""
    order = app.logs.order
    done = order is None or (not order.settling and not order.loading)
    return done and app.dashboard.log_panel.view.count > 0


def status(app: PulseApp) -> str:
    return app.dashboard.log_panel.status_text().plain


def sources(app: PulseApp) -> dict[str, SshLogSource]:
    found = {}
    for source in app.logs.sources:
        assert isinstance(source, SshLogSource)
        found[source.host] = source
    return found


async def pick_range(pilot, text: str) -> None:
    await pilot.press("t")
    await pilot.pause(0.2)
    await pilot.press(*text, "enter")


async def test_a_past_range_picked_shows_that_windows_lines_in_order(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    home_for(sshd, ssh_home, {"web-1": sshd.port, "web-2": sshd.port})
    now = time.time()
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    stamps = {"web-1": hour_of_lines(a, now), "web-2": hour_of_lines(b, now + 0.25)}
    app = app_for([f"web-1:{a}", f"web-2:{b}"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: loaded(app), timeout=20)
        assert lines_between(app, "web-1", now - 2400, now - 1800) == []  # not loaded yet
        await pick_range(pilot, "now-40m..now-30m")
        state = app.view.state
        assert state.end is not None
        start, end = state.end - state.range_seconds, state.end
        await wait_until(
            pilot,
            lambda: not app.logs.fetches.busy and len(lines_between(app, "web-2", start, end)),
            timeout=20,
        )
        await wait_until(pilot, lambda: not app.logs.rebuilding)
        for host in ("web-1", "web-2"):
            assert len(lines_between(app, host, start, end)) == expected(stamps[host], start, end)
        assert in_order(app)
        # The pane landed at the window's start: its rows are that window's lines.
        await pilot.pause(0.2)
        view = app.dashboard.log_panel.view
        assert not view.follow
        top = view.top_line_time()
        assert start - 60 <= top <= start + 60
        text = screen_text(app)
        assert "web-1" in text and "web-2" in text
        assert "loading" not in status(app)


async def test_enter_on_the_chart_cursor_20_minutes_back_fetches_and_lands_there(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    home_for(sshd, ssh_home, {"web-1": sshd.port})
    now = time.time()
    log = tmp_path / "app.log"
    stamps = hour_of_lines(log, now)
    five_minutes = len(log.read_bytes()) // 12  # about the last 5 of its 60 minutes
    app = app_for([f"web-1:{log}"], range_seconds=HOUR, history_bytes=five_minutes)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: loaded(app), timeout=20)
        oldest = app.logs.buffer[0].timestamp
        assert now - 420 < oldest < now - 180  # only the last minutes are loaded
        await wait_until(pilot, lambda: app.dashboard.panel(Signal.TRAFFIC).result is not None)
        await pilot.press("2", "left")  # Traffic, its cursor on the newest point
        panel = app.dashboard.panel(Signal.TRAFFIC)
        assert panel.result is not None and panel.cursor is not None
        steps = round(1200 / panel.result.window.step)
        await pilot.press(*["shift+left"] * (steps // 10), *["left"] * (steps % 10))
        target = panel.cursor
        assert abs(target - (time.time() - 1200)) < 2 * panel.result.window.step
        await pilot.press("enter")
        await wait_until(pilot, lambda: "loading" in status(app) or app.logs.fetches.fetched)
        await wait_until(
            pilot,
            lambda: (
                not app.logs.fetches.busy
                and not app.logs.rebuilding
                and not app.dashboard.log_panel.view.follow
            ),
            timeout=20,
        )
        await pilot.pause(0.2)
        view = app.dashboard.log_panel.view
        assert abs(view.top_line_time() - target) < 60  # lines from 20 minutes back
        assert lines_between(app, "web-1", target - 60, target + 60)
        start, end = target - 300, target + 300
        assert len(lines_between(app, "web-1", start, end)) == expected(stamps, start, end)
        assert "no lines near" not in status(app)
        assert in_order(app)


async def test_a_jump_to_a_moment_without_lines_says_where_the_nearest_is(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    from pulse_tui.ui.widgets.metrics.signal_panel import SignalPanel

    home_for(sshd, ssh_home, {"web-2": sshd.port})
    now = time.time()
    log = tmp_path / "gap.log"
    hour_of_lines(log, now, skip=(now - 1800, now - 600))  # quiet from 30 to 10 min ago
    app = app_for([f"web-2:{log}"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: loaded(app), timeout=20)
        at = now - 1680  # two minutes into the quiet: its window holds the lines before it
        app.post_message(SignalPanel.JumpToTime(at))
        await wait_until(pilot, lambda: "no lines near" in status(app), timeout=20)
        nearest = time.strftime("%H:%M:%S", time.localtime(now - 1800 - STEP))
        when = time.strftime("%H:%M", time.localtime(at))
        assert f"no lines near {when} (nearest {nearest} on web-2)" in status(app)


def show_past(app: PulseApp, minutes_back: float, length: float = 600.0) -> tuple[float, float]:
    """Make the view `length` seconds ending `minutes_back` ago; returns the window."""
    end = time.time() - minutes_back * 60
    app.view.set(app.view.state.with_range(length, end))
    return end - length, end


async def test_a_fetch_the_view_moved_away_from_is_cancelled_and_never_applied(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    proxy = await TcpProxy(sshd.port).start()
    home_for(sshd, ssh_home, {"web-1": proxy.port})
    now = time.time()
    log = tmp_path / "app.log"
    stamps = hour_of_lines(log, now)
    app = app_for([f"web-1:{log}"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: loaded(app), timeout=20)
        proxy.freeze()  # the host answers nothing: the first fetch hangs
        stale = show_past(app, 40)
        await wait_until(pilot, lambda: "loading" in status(app))
        await pilot.pause(0.3)
        start, end = show_past(app, 20)  # moved on before it completed
        proxy.thaw()
        await wait_until(
            pilot,
            lambda: not app.logs.fetches.busy and lines_between(app, "web-1", start, end),
            timeout=20,
        )
        await wait_until(pilot, lambda: not app.logs.rebuilding)
        await pilot.pause(0.5)  # a stale answer would have arrived by now
        assert lines_between(app, "web-1", *stale) == []
        assert ("web-1", *stale) not in app.logs.fetches.fetched
        assert len(lines_between(app, "web-1", start, end)) == expected(stamps, start, end)
        assert in_order(app)
    await proxy.close()


async def test_one_slow_host_does_not_hold_the_others_back(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    proxy = await TcpProxy(sshd.port).start()
    home_for(sshd, ssh_home, {"web-1": sshd.port, "web-2": proxy.port})
    now = time.time()
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    stamps = {"web-1": hour_of_lines(a, now), "web-2": hour_of_lines(b, now)}
    app = app_for([f"web-1:{a}", f"web-2:{b}"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: loaded(app), timeout=20)
        proxy.freeze()  # web-2 is slow
        start, end = show_past(app, 30)
        await wait_until(
            pilot, lambda: lines_between(app, "web-1", start, end) and not app.logs.rebuilding
        )
        # web-1's window is on screen while web-2's is still on its way, and the pane says so.
        assert lines_between(app, "web-2", start, end) == []
        assert "from 1 host" in status(app) and app.logs.fetches.loading
        proxy.thaw()
        await wait_until(
            pilot,
            lambda: not app.logs.fetches.busy and lines_between(app, "web-2", start, end),
            timeout=20,
        )
        await wait_until(pilot, lambda: not app.logs.rebuilding)
        for host in ("web-1", "web-2"):
            assert len(lines_between(app, host, start, end)) == expected(stamps[host], start, end)
        assert in_order(app)
    await proxy.close()


async def test_a_connection_lost_during_a_fetch_says_so_retries_and_repeats_nothing(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    proxy = await TcpProxy(sshd.port).start()
    home_for(sshd, ssh_home, {"web-2": proxy.port})
    now = time.time()
    log = tmp_path / "app.log"
    stamps = hour_of_lines(log, now)
    app = app_for([f"web-2:{log}"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: loaded(app), timeout=20)
        proxy.freeze()
        start, end = show_past(app, 30)
        await wait_until(pilot, lambda: "loading" in status(app))
        proxy.cut()  # the connection drops in the middle of the fetch
        proxy.thaw()
        await wait_until(pilot, lambda: "web-2: window fetch failed" in status(app), timeout=20)
        assert "retrying in" in status(app) and not app.logs.fetches.loading
        assert lines_between(app, "web-2", start, end) == []  # nothing half-loaded
        assert app.logs.fetches.coverage.missing("web-2", start, end) == [(start, end)]
        source = sources(app)["web-2"]
        # The view stays: once the host is back, the window is asked again by itself.
        await wait_until(
            pilot,
            lambda: not app.logs.fetches.busy and lines_between(app, "web-2", start, end),
            timeout=40,
        )
        await wait_until(pilot, lambda: not app.logs.rebuilding)
        got = lines_between(app, "web-2", start, end)
        assert len(got) == len(set(got)) == expected(stamps, start, end)  # each line once
        assert source.window_bytes_read > 0 and in_order(app)
        assert "window fetch failed" not in status(app)
    await proxy.close()


async def test_the_bastion_going_down_during_a_fetch_is_said_and_retried_when_back(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    bastion = await TcpProxy(sshd.port).start()
    home_for(sshd, ssh_home, {"bastion": bastion.port, "app-1": sshd.port}, {"app-1": "bastion"})
    now = time.time()
    log = tmp_path / "app.log"
    stamps = hour_of_lines(log, now)
    app = app_for([f"app-1:{log}"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: loaded(app), timeout=20)
        bastion.freeze()
        start, end = show_past(app, 30)
        await wait_until(pilot, lambda: "loading" in status(app))
        port = bastion.port
        await bastion.close()  # down: its connections cut, new ones refused
        await wait_until(pilot, lambda: "app-1: window fetch failed" in status(app), timeout=20)
        assert "retrying in" in status(app)
        assert lines_between(app, "app-1", start, end) == []
        assert app.logs.fetches.coverage.missing("app-1", start, end) == [(start, end)]
        bastion = await TcpProxy(sshd.port).start(port)  # back up
        await wait_until(
            pilot,
            lambda: not app.logs.fetches.busy and lines_between(app, "app-1", start, end),
            timeout=60,
        )
        await wait_until(pilot, lambda: not app.logs.rebuilding)
        got = lines_between(app, "app-1", start, end)
        assert len(got) == len(set(got)) == expected(stamps, start, end)  # each line once
        assert in_order(app) and "window fetch failed" not in status(app)
    await bastion.close()


async def test_a_window_already_loaded_is_not_read_again(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    home_for(sshd, ssh_home, {"web-1": sshd.port})
    now = time.time()
    log = tmp_path / "app.log"
    hour_of_lines(log, now)
    app = app_for([f"web-1:{log}"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: loaded(app), timeout=20)
        source = sources(app)["web-1"]
        show_past(app, 1, length=300)  # inside the history loaded on connect
        await pilot.pause(0.2)
        assert source.window_bytes_read == 0 and app.logs.fetches.fetched == []
        start, end = show_past(app, 30)
        await wait_until(
            pilot, lambda: not app.logs.fetches.busy and not app.logs.rebuilding, timeout=20
        )
        read = source.window_bytes_read
        assert read > 0 and len(app.logs.fetches.fetched) == 1
        app.view.go_live()
        await pilot.pause(0.2)
        app.view.set(app.view.state.with_range(end - start, end))  # the same window again
        app.view.set(app.view.state.with_range((end - start) / 2, end))  # and a part of it
        await pilot.pause(0.5)
        assert source.window_bytes_read == read  # no remote read at all
        assert len(app.logs.fetches.fetched) == 1 and "loading" not in status(app)
