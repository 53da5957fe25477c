"""Many hosts, jump hosts, journald, and `pulse-tui check`, against a real sshd."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from support.fake_journalctl import install_fake_journalctl, journal_argvs
from support.process import free_port
from support.sshd_server import RecordingSink, SshdServer, remote_processes

from pulse_tui.config import Config, JournalUnit, LogFile, LogHost, LogsConfig
from pulse_tui.model.logs.line import Level, LineKind
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.ssh.check import probe_host
from pulse_tui.sources.ssh.connect import ConnectionPool
from pulse_tui.sources.ssh.tail import SshLogSource, build_log_sources

pytestmark = pytest.mark.integration

LOGS = LogsConfig(connect_timeout=3, keepalive_interval=1)


async def test_twenty_hosts_one_dead_others_unaffected(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    aliases = [f"web-{i}" for i in range(20)]
    dead_port = free_port()
    home = ssh_home(aliases)
    config = (home / ".ssh/config").read_text()
    (home / ".ssh/config").write_text(
        config.replace(
            f"Host web-13\n  HostName 127.0.0.1\n  Port {sshd.port}",
            f"Host web-13\n  HostName 127.0.0.1\n  Port {dead_port}",
        )
    )
    logs = []
    for alias in aliases:
        log = tmp_path / f"{alias}.log"
        log.write_text(f"hello from {alias}\n")
        logs.append(log)
    hosts = tuple(LogHost(a, files=(LogFile(str(p)),)) for a, p in zip(aliases, logs, strict=True))
    sources = build_log_sources(Config(logs=LogsConfig(connect_timeout=3, hosts=hosts)))
    sink = RecordingSink()
    tasks = [asyncio.create_task(s.run(sink)) for s in sources]
    alive = [a for a in aliases if a != "web-13"]
    await sink.wait_for(lambda: all(f"hello from {a}" in sink.texts() for a in alive), timeout=30)
    await sink.wait_for(lambda: "retrying" in sink.states("web-13"))
    assert "live" not in sink.states("web-13")
    assert all("live" in sink.states(a) for a in alive)
    await asyncio.gather(*(s.stop() for s in sources))
    await asyncio.wait_for(asyncio.gather(*tasks), 3)


async def test_jump_host_connection_is_shared(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["bastion", "app-1", "app-2", "app-3"])
    log = tmp_path / "behind.log"
    log.write_text("behind the bastion\n")
    pool = ConnectionPool(LOGS)
    sources = [
        SshLogSource(LogHost(a, jump="bastion", files=(LogFile(str(log)),)), LOGS, pool)
        for a in ("app-1", "app-2", "app-3")
    ]
    sink = RecordingSink()
    tasks = [asyncio.create_task(s.run(sink)) for s in sources]
    await sink.wait_for(lambda: len(sink.texts()) == 3)
    assert list(pool._bastions) == ["bastion"]  # one connection serves all three
    await asyncio.gather(*(s.stop() for s in sources))
    await asyncio.wait_for(asyncio.gather(*tasks), 3)
    await pool.close()


@pytest.mark.parametrize("version", [252, 219])
async def test_journald_entries_with_every_message_shape(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path, version: int
) -> None:
    # Real journald is not running in containers; a fake `journalctl` first in the
    # session's PATH (sshd_config SetEnv) speaks the same `-o json` format.
    journal = tmp_path / "journal.jsonl"
    journal.write_text("")
    install_fake_journalctl(sshd.bin_dir, journal, version)
    ssh_home(["web-1"])

    def entry(n: int, message: object, priority: str = "6") -> str:
        return (
            json.dumps(
                {
                    "__CURSOR": f"c{n}",
                    "__REALTIME_TIMESTAMP": str(1704207845000000 + n),
                    "PRIORITY": priority,
                    "_SYSTEMD_UNIT": "nginx.service",
                    "SYSLOG_IDENTIFIER": "nginx",
                    "MESSAGE": message,
                    "_CMDLINE": "nginx: worker process " + "x" * 200,  # never read
                }
            )
            + "\n"
        )

    with journal.open("a") as f:
        f.write(entry(1, "plain \x1b[31m", "3"))
    host = LogHost("web-1", journal=(JournalUnit("nginx.service", service="edge"),))
    source = SshLogSource(host, LOGS, ConnectionPool(LOGS))
    sink = RecordingSink()
    task = asyncio.create_task(source.run(sink))
    await sink.wait_for(lambda: sink.texts() == ["plain \\x1b[31m"])
    assert remote_processes(f"{sshd.bin_dir}/journalctl")
    with journal.open("a") as f:
        f.write(entry(2, list(b"bytes \xff")) + entry(3, None) + entry(4, ["a", "b"]))
    await sink.wait_for(lambda: len(sink.texts()) == 4)
    assert sink.texts()[1:] == ["bytes \ufffd", "", "a\\x0ab"]
    first = sink.lines[0]
    assert (first.level, first.service, first.source) == (
        Level.ERROR,
        "edge",
        "journal:nginx.service",
    )
    assert first.timestamp == pytest.approx(1704207845.000001)
    assert first.fields is not None
    assert (first.fields["identifier"], first.fields["unit"]) == ("nginx", "nginx.service")
    # Reconnect: resumes after the last cursor, nothing twice.
    source._conn.close()  # type: ignore[union-attr]
    await sink.wait_for(lambda: sink.texts(LineKind.GAP))
    with journal.open("a") as f:
        f.write(entry(5, "after reconnect"))
    await sink.wait_for(lambda: sink.texts()[-1:] == ["after reconnect"], timeout=20)
    assert len(sink.texts()) == 5
    await source.stop()
    await asyncio.wait_for(task, 2)
    # journalctl 236+ sends only the fields lines are made of; older ones get no option.
    follows = [argv for argv in journal_argvs(journal) if "--follow" in argv]
    trimmed = [any(a.startswith("--output-fields=") for a in argv) for argv in follows]
    assert trimmed == [version >= 236] * len(follows) and len(follows) == 2
    deadline = asyncio.get_running_loop().time() + 5
    while remote_processes(f"{sshd.bin_dir}/journalctl"):
        assert asyncio.get_running_loop().time() < deadline, "journalctl left running"
        await asyncio.sleep(0.05)


async def test_probe_host_reports_ok_and_problems(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "p.log"
    log.write_text("x\n")
    ok = await probe_host(LogHost("web-1", files=(LogFile(str(log)),)), LOGS)
    assert ok.startswith("OK: web-1") and "1 file(s) readable" in ok
    with pytest.raises(SourceError, match="missing"):
        await probe_host(LogHost("web-1", files=(LogFile(str(tmp_path / "nope.log")),)), LOGS)


async def test_proxyjump_from_ssh_config_is_shared_too(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["bastion", "app-1", "app-2"], extra_config="Host app-*\n  ProxyJump bastion\n\n")
    log = tmp_path / "pj.log"
    log.write_text("via proxyjump\n")
    pool = ConnectionPool(LOGS)
    sources = [
        SshLogSource(LogHost(a, files=(LogFile(str(log)),)), LOGS, pool) for a in ("app-1", "app-2")
    ]
    sink = RecordingSink()
    tasks = [asyncio.create_task(s.run(sink)) for s in sources]
    await sink.wait_for(lambda: len(sink.texts()) == 2)
    assert list(pool._bastions) == ["bastion"]
    await asyncio.gather(*(s.stop() for s in sources))
    await asyncio.wait_for(asyncio.gather(*tasks), 3)
    await pool.close()
