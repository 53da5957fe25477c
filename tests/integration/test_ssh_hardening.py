"""SSH faults of issue 15 against the real sshd: a bastion that does not answer, a silent
partition within its budget, why a host is retrying, a partial last line."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support.process import free_port
from support.ssh_sources import finish, run_source
from support.sshd_server import RecordingSink, SshdServer, TcpProxy
from ui.harness import screen_text, wait_until

from pulse_tui.config import Config, LogFile, LogHost, LogsConfig, Overrides, apply_overrides
from pulse_tui.model.logs.line import LineKind
from pulse_tui.sources.demo import DemoMetricsSource
from pulse_tui.sources.factory import log_sources
from pulse_tui.sources.ssh.connect import KEEPALIVE_COUNT, ConnectionPool
from pulse_tui.sources.ssh.tail import SshLogSource
from pulse_tui.ui.app import PulseApp
from pulse_tui.ui.widgets.logs.partial_tail import PARTIAL_MARK

pytestmark = pytest.mark.integration

#: The hosts the bastion tests reach through `Host bastion`.
BEHIND = ("app-1", "app-2", "app-3")


def behind_bastion(
    sshd: SshdServer, ssh_home: Callable[..., Path], proxy: TcpProxy, logs: LogsConfig, path: str
) -> tuple[Path, ConnectionPool, list[SshLogSource]]:
    """The three hosts of `BEHIND`, each following `path` through the bastion at the
    proxy's port, on one pool."""
    home = ssh_home(list(BEHIND))
    config = home / ".ssh/config"
    config.write_text(
        config.read_text()
        + f"\nHost bastion\n  HostName 127.0.0.1\n  Port {proxy.port}\n  User {sshd.user}\n"
        f"  IdentityFile {home}/.ssh/id_test\n  IdentitiesOnly yes\n"
    )
    pool = ConnectionPool(logs)
    sources = [
        SshLogSource(LogHost(a, jump="bastion", files=(LogFile(path),)), logs, pool) for a in BEHIND
    ]
    return home, pool, sources


async def stop_behind(
    sources: list[SshLogSource],
    tasks: list[asyncio.Task[None]],
    pool: ConnectionPool,
    proxy: TcpProxy,
) -> None:
    await asyncio.gather(*(s.stop() for s in sources))
    await asyncio.wait_for(asyncio.gather(*tasks), 3)
    await pool.close()
    await proxy.close()


async def test_a_bastion_that_does_not_answer_fails_every_host_behind_it_at_once(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    # The bastion's port accepts TCP and then says nothing: each try waits connect_timeout.
    proxy = await TcpProxy(sshd.port).start()
    proxy.freeze()
    timeout = 2.0
    logs = LogsConfig(connect_timeout=timeout, keepalive_interval=1)
    log = tmp_path / "behind.log"
    log.write_text("behind\n")
    _, pool, sources = behind_bastion(sshd, ssh_home, proxy, logs, str(log))
    hosts = BEHIND
    sink = RecordingSink()
    started = time.monotonic()
    tasks = [asyncio.create_task(s.run(sink)) for s in sources]
    await sink.wait_for(
        lambda: all("retrying" in sink.states(a) for a in hosts), timeout=6 * timeout
    )
    took = time.monotonic() - started
    # One shared attempt: all three fail after one connect_timeout. One after the other,
    # the last would fail after three.
    assert took < 2 * timeout, f"{took:.1f}s for 3 hosts behind a bastion, timeout {timeout}s"
    for host in hosts:
        status = next(s for s in sink.statuses if s.host == host and s.state == "retrying")
        assert status.detail.startswith("via bastion: down (no answer within 2s")
    await stop_behind(sources, tasks, pool, proxy)


async def test_hosts_behind_a_bastion_that_dropped_share_one_reconnect(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    proxy = await TcpProxy(sshd.port).start()
    logs = LogsConfig(connect_timeout=3, keepalive_interval=1)
    log = tmp_path / "behind.log"
    log.write_text("behind\n")
    home, pool, sources = behind_bastion(sshd, ssh_home, proxy, logs, str(log))
    (home / ".ssh/known_hosts").write_text(
        sshd.host_key_line() + sshd.host_key_line(port=proxy.port)
    )
    hosts = BEHIND
    sink = RecordingSink()
    tasks = [asyncio.create_task(s.run(sink)) for s in sources]
    await sink.wait_for(lambda: len(sink.texts()) == 3, what="three hosts live")
    first = pool._bastions["bastion"]
    proxy.cut()
    await sink.wait_for(lambda: all(sink.states(a).count("live") == 2 for a in hosts))
    assert pool._bastions["bastion"] is not first
    assert proxy.accepted == 2  # one bastion connection at first, one reconnect
    await stop_behind(sources, tasks, pool, proxy)


async def test_a_silent_partition_is_detected_within_interval_times_count(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    proxy = await TcpProxy(sshd.port).start()
    ssh_home(["web-1"], port=proxy.port)
    (Path(os.environ["HOME"]) / ".ssh/known_hosts").write_text(sshd.host_key_line(port=proxy.port))
    interval = 1.0
    budget = interval * KEEPALIVE_COUNT
    logs = LogsConfig(connect_timeout=3, keepalive_interval=interval)
    log = tmp_path / "partition.log"
    log.write_text("before\n")
    source, sink, task = await run_source(LogHost("web-1", files=(LogFile(str(log)),)), logs)
    await sink.wait_for(lambda: sink.texts() == ["before"])
    await asyncio.sleep(interval * 1.5)  # keepalives answered: the partition is what counts
    # The worst case: bytes flow right up to the partition, so the silence starts with it
    # (idle, the last keepalive answer came up to an interval before and gives slack).
    for n in range(4):
        with log.open("a") as f:
            f.write(f"tick {n}\n")
        await sink.wait_for(lambda n=n: sink.texts()[-1:] == [f"tick {n}"], what=f"tick {n}")
    partitioned = time.monotonic()
    proxy.freeze()
    await sink.wait_for(lambda: sink.texts(LineKind.GAP), timeout=4 * budget, what="GAP")
    took = time.monotonic() - partitioned
    # The bound is the budget itself: detected, closed and said (the GAP line) within it.
    assert took <= budget, f"partition seen after {took:.2f}s, budget {budget:g}s"
    proxy.cut()
    proxy.thaw()
    await finish(source, task)
    await proxy.close()


def app_for(*specs: str) -> PulseApp:
    config = apply_overrides(Config(), Overrides(logs=list(specs)))
    return PulseApp(config, DemoMetricsSource(config), log_sources(config))


async def test_the_status_line_says_why_a_host_is_retrying(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    home = ssh_home(["web-1"], port=free_port())  # nothing listens there
    config = home / ".ssh/config"
    config.write_text(config.read_text() + "\nHost web-2\n  HostName no-such-host.invalid\n")
    log = tmp_path / "a.log"
    log.write_text("never read\n")
    app = app_for(f"web-1:{log}", f"web-2:{log}")
    async with app.run_test(size=(160, 40)) as pilot:

        def shown() -> str:
            return screen_text(app)

        await wait_until(
            pilot,
            lambda: "connection refused" in shown() and "cannot resolve host name" in shown(),
            timeout=20,
        )
        text = shown()
        assert "web-1 retrying in" in text and "s: connection refused" in text
        assert "web-2 retrying in" in text


async def test_a_partial_last_line_is_told_after_a_quiet_moment_and_taken_back_when_done(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "partial.log"
    log.write_text("")
    logs = LogsConfig(connect_timeout=3, keepalive_interval=1)
    source, sink, task = await run_source(LogHost("web-1", files=(LogFile(str(log)),)), logs)
    await sink.wait_for(lambda: "live" in sink.states())
    with log.open("a") as f:
        f.write("first\nPARTIAL")
    await sink.wait_for(lambda: sink.partials, what="the partial line")
    assert sink.partials == [("web-1", str(log), "PARTIAL")]
    assert sink.texts() == ["first"]
    with log.open("a") as f:
        f.write(" and the rest\n")
    await sink.wait_for(lambda: sink.texts()[-1:] == ["PARTIAL and the rest"], what="completed")
    # Taken back before the completed line came, so nothing shows it twice.
    assert sink.partials[-1] == ("web-1", str(log), None)
    assert sink.texts() == ["first", "PARTIAL and the rest"]
    await finish(source, task)


async def test_the_pane_shows_a_partial_line_marked_and_replaces_it_with_the_whole_line(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "partial.log"
    log.write_text("first\n")
    app = app_for(f"web-1:{log}")
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: "first" in screen_text(app))
        with log.open("a") as f:
            f.write("ERROR half a line")
        await wait_until(pilot, lambda: "ERROR half a line" in screen_text(app))
        text = screen_text(app)
        assert f"{PARTIAL_MARK} ERROR half a line" in text
        with log.open("a") as f:
            f.write(", and the rest\n")
        await wait_until(pilot, lambda: "ERROR half a line, and the rest" in screen_text(app))
        await pilot.pause(0.3)
        text = screen_text(app)
        assert PARTIAL_MARK not in text
        assert text.count("ERROR half a line") == 1
        texts = [line.text for line in app.logs.buffer]
        assert texts.count("ERROR half a line, and the rest") == 1
        assert not [t for t in texts if t == "ERROR half a line"]
        # The error groups saw the line once, whole.
        await wait_until(pilot, lambda: bool(app.alerts.error_groups.groups()))
        groups = app.alerts.error_groups.groups()
        assert [group.count for group in groups] == [1]


async def test_hosts_behind_a_refusing_bastion_wait_on_its_one_backoff(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    # The proxy counts the bastion dials; behind it nothing listens, so each fails at once.
    proxy = await TcpProxy(free_port()).start()
    logs = LogsConfig(connect_timeout=3, keepalive_interval=1)
    _, pool, sources = behind_bastion(sshd, ssh_home, proxy, logs, "/etc/hostname")
    hosts = BEHIND
    sink = RecordingSink()
    tasks = [asyncio.create_task(s.run(sink)) for s in sources]
    await sink.wait_for(
        lambda: all(sink.states(a).count("retrying") >= 3 for a in hosts), timeout=30
    )
    failures = sum(sink.states(a).count("retrying") for a in hosts)
    # Each host failed three times or more; the bastion was dialled about once per round
    # of its own backoff (jitter may add one), not once per host and round.
    assert failures >= 9
    rounds = min(sink.states(a).count("retrying") for a in hosts)
    assert proxy.accepted <= rounds + 1, f"{proxy.accepted} dials for {failures} failures"
    for host in hosts:
        status = next(s for s in sink.statuses if s.host == host and s.state == "retrying")
        assert status.detail.startswith("via bastion: down (")
    await stop_behind(sources, tasks, pool, proxy)
