"""Each fault a user meets with SSH log tailing, against a real sshd."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from support.binaries import require_binary
from support.process import free_port
from support.ssh_sources import failed, finish
from support.ssh_sources import run_source as start_source
from support.sshd_fixtures import sshd_binaries
from support.sshd_server import RecordingSink, SshdServer, TcpProxy, keygen

from pulse_tui.config import LogFile, LogHost, LogsConfig
from pulse_tui.model.logs.line import LineKind
from pulse_tui.sources.ssh.connect import KEEPALIVE_COUNT
from pulse_tui.sources.ssh.tail import SshLogSource

pytestmark = pytest.mark.integration

LOGS = LogsConfig(connect_timeout=3, keepalive_interval=0.5, max_line_bytes=4096)


async def run_source(
    host: LogHost, logs: LogsConfig = LOGS
) -> tuple[SshLogSource, RecordingSink, asyncio.Task[None]]:
    return await start_source(host, logs)


async def test_unknown_host_key_is_refused_with_fingerprint_and_not_retried(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"], trust=False)
    source, sink, task = await run_source(LogHost("web-1", files=(LogFile("/etc/hostname"),)))
    await sink.wait_for(lambda: failed(sink), what="failed status")
    message = failed(sink)
    assert "not in" in message and "SHA256:" in message
    assert f"ssh-keyscan -p {sshd.port} 127.0.0.1 >> " in message
    await asyncio.sleep(0.3)
    assert sink.states().count("connecting") == 1  # never retried
    await finish(source, task)


async def test_changed_host_key_is_refused_loudly(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    home = ssh_home(["web-1"])
    other = tmp_path / "other_host_key"
    keygen(other)
    key = " ".join(other.with_suffix(".pub").read_text().split()[:2])
    (home / ".ssh/known_hosts").write_text(f"[127.0.0.1]:{sshd.port} {key}\n")
    source, sink, task = await run_source(LogHost("web-1", files=(LogFile("/etc/hostname"),)))
    await sink.wait_for(lambda: failed(sink), what="failed status")
    assert "HOST KEY CHANGED" in failed(sink) and "ssh-keygen -R" in failed(sink)
    assert sink.states().count("connecting") == 1
    await finish(source, task)


async def test_known_hosts_path_from_config_is_used(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"], trust=False)
    custom = tmp_path / "custom_known_hosts"
    custom.write_text(sshd.host_key_line())
    log = tmp_path / "k.log"
    log.write_text("trusted\n")
    logs = LogsConfig(connect_timeout=3, known_hosts=str(custom))
    source, sink, task = await run_source(LogHost("web-1", files=(LogFile(str(log)),)), logs)
    await sink.wait_for(lambda: sink.texts() == ["trusted"])
    await finish(source, task)


async def test_auth_failure_is_not_retried(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    home = ssh_home(["web-1"])
    keygen(home / ".ssh/id_test.new")  # a key the server does not know
    os.replace(home / ".ssh/id_test.new", home / ".ssh/id_test")
    source, sink, task = await run_source(LogHost("web-1", files=(LogFile("/etc/hostname"),)))
    await sink.wait_for(lambda: failed(sink), what="failed status")
    assert "authentication failed" in failed(sink)
    assert sink.states().count("connecting") == 1
    await finish(source, task)


async def test_connection_refused_is_retried_with_backoff(
    sshd: SshdServer, ssh_home: Callable[..., Path]
) -> None:
    ssh_home(["web-1"], port=free_port())
    source, sink, task = await run_source(LogHost("web-1", files=(LogFile("/etc/hostname"),)))
    await sink.wait_for(lambda: "retrying" in sink.states(), what="retrying")
    status = next(s for s in sink.statuses if s.state == "retrying")
    assert "refused" in status.detail and status.retry_at is not None
    await finish(source, task)
    assert sink.states()[-1] == "stopped"


async def test_drop_mid_stream_resumes_exactly_once(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    proxy = await TcpProxy(sshd.port).start()
    ssh_home(["web-1"], port=proxy.port)
    (Path(os.environ["HOME"]) / ".ssh/known_hosts").write_text(sshd.host_key_line(port=proxy.port))
    log = tmp_path / "drop.log"
    log.write_text("")
    source, sink, task = await run_source(LogHost("web-1", files=(LogFile(str(log)),)))
    with log.open("a", buffering=1) as f:
        for i in range(50):
            f.write(f"line {i}\n")
        await sink.wait_for(lambda: len(sink.texts()) == 50, what="first 50")
        proxy.cut()
        await sink.wait_for(lambda: sink.texts(LineKind.GAP), what="GAP line")
        f.write("partial ")  # half a line across the outage
        for i in range(50, 100):
            f.write(f"line {i}\n")
        await sink.wait_for(lambda: len(sink.texts()) >= 100, what="resumed lines")
    await asyncio.sleep(0.2)
    assert sink.texts() == [f"line {i}" for i in range(50)] + ["partial line 50"] + [
        f"line {i}" for i in range(51, 100)
    ]
    assert "retrying" in sink.states() and sink.states().count("live") == 2
    await finish(source, task)
    await proxy.close()


async def test_silent_partition_is_detected_by_keepalive_and_resumed(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    proxy = await TcpProxy(sshd.port).start()
    ssh_home(["web-1"], port=proxy.port)
    (Path(os.environ["HOME"]) / ".ssh/known_hosts").write_text(sshd.host_key_line(port=proxy.port))
    log = tmp_path / "freeze.log"
    log.write_text("before\n")
    source, sink, task = await run_source(LogHost("web-1", files=(LogFile(str(log)),)))
    await sink.wait_for(lambda: sink.texts() == ["before"])
    proxy.freeze()
    with log.open("a") as f:
        f.write("during\n")
    # Seen within the budget, keepalive interval x KEEPALIVE_COUNT (1.5 s), plus slack
    # for a loaded machine (test_ssh_hardening holds it to the budget itself).
    budget = LOGS.keepalive_interval * KEEPALIVE_COUNT
    await sink.wait_for(
        lambda: sink.texts(LineKind.GAP), timeout=budget + 1.0, what="GAP after freeze"
    )
    proxy.cut()  # the frozen connection is dead to us; let the server side go too
    proxy.thaw()
    with log.open("a") as f:
        f.write("after\n")
    await sink.wait_for(lambda: sink.texts()[-1:] == ["after"], what="resumed")
    assert sink.texts() == ["before", "during", "after"]
    await finish(source, task)
    await proxy.close()


async def test_missing_file_shows_stderr_without_hot_loop(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "later.log"
    source, sink, task = await run_source(LogHost("web-1", files=(LogFile(str(log)),)))
    await sink.wait_for(lambda: any("No such file" in t for t in sink.texts(LineKind.NOTICE)))
    await asyncio.sleep(1.0)
    assert len(sink.texts(LineKind.NOTICE)) <= 2  # said once, not in a loop
    assert sink.states().count("connecting") == 1
    log.write_text("appeared\n")
    await sink.wait_for(lambda: "appeared" in sink.texts(), what="file appearing")
    await finish(source, task)


async def test_permission_denied_is_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # We run as root, who can read anything: a second sshd drops the capabilities that
    # let root ignore file permissions, for every session it runs.
    require_binary("setpriv")
    server = SshdServer(
        tmp_path / "sshd",
        **sshd_binaries(),
        extra_config="ForceCommand exec setpriv --bounding-set=-dac_override,-dac_read_search "
        'sh -c "$SSH_ORIGINAL_COMMAND"',
    ).start()
    try:
        monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
        monkeypatch.setenv("HOME", str(server.write_client_home(tmp_path / "home", ["web-1"])))
        secret = tmp_path / "secret.log"
        secret.write_text("hidden\n")
        secret.chmod(0)
        source, sink, task = await run_source(LogHost("web-1", files=(LogFile(str(secret)),)))
        await sink.wait_for(
            lambda: any("Permission denied" in t for t in sink.texts(LineKind.NOTICE))
        )
        await asyncio.sleep(0.5)
        assert sink.texts() == [] and len(sink.texts(LineKind.NOTICE)) <= 2
        await finish(source, task)
    finally:
        server.stop()
