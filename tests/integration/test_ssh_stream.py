"""Tail real files over a real sshd: lines arrive sanitised, parsed, and exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from support.sshd_server import RecordingSink, SshdServer, remote_processes

from pulse_tui.config import LogFile, LogHost, LogsConfig
from pulse_tui.model.core.sanitize import is_safe
from pulse_tui.model.logs.line import Level
from pulse_tui.sources.ssh.connect import ConnectionPool
from pulse_tui.sources.ssh.tail import SshLogSource

pytestmark = pytest.mark.integration

LOGS = LogsConfig(connect_timeout=5, keepalive_interval=1, max_line_bytes=4096)


async def start(
    host: LogHost, logs: LogsConfig = LOGS
) -> tuple[SshLogSource, RecordingSink, asyncio.Task[None]]:
    sink = RecordingSink()
    source = SshLogSource(host, logs, ConnectionPool(logs))
    task = asyncio.create_task(source.run(sink))
    return source, sink, task


async def test_lines_written_after_start_arrive_parsed(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "app.log"
    log.write_text("old line one\nold line two\n")
    source, sink, task = await start(LogHost("web-1", service="api", files=(LogFile(str(log)),)))
    await sink.wait_for(lambda: "old line two" in sink.texts(), what="backlog")
    with log.open("a") as f:
        f.write(
            "2024-01-02T15:04:05Z ERROR boom\n[bold]markup[/bold] \x1b]52;c;QUFB\x07 \u202eevil\n"
        )
    await sink.wait_for(lambda: len(sink.texts()) == 4, what="new lines")
    await source.stop()
    await asyncio.wait_for(task, 2)
    boom = sink.lines[2]
    assert (boom.host, boom.source, boom.service, boom.level) == (
        "web-1",
        str(log),
        "api",
        Level.ERROR,
    )
    assert sink.texts()[3].startswith("[bold]markup[/bold] \\x1b]52;c;QUFB\\x07 \\u202eevil")
    assert all(is_safe(t) for t in sink.texts())
    assert "live" in sink.states() and sink.states()[-1] == "stopped"


async def test_a_stack_trace_split_across_reads_keeps_its_head_s_time(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "app.log"
    log.write_text("")
    source, sink, task = await start(LogHost("web-1", files=(LogFile(str(log)),)))
    await sink.wait_for(lambda: "live" in sink.states(), what="live")
    with log.open("a") as f:
        f.write("2024-01-02T15:04:05.250Z ERROR boom\njava.lang.IllegalStateException\n")
    await sink.wait_for(lambda: len(sink.texts()) == 2, what="the head")
    with log.open("a") as f:  # the rest of the trace, in a later read
        f.write("  at com.example.Api.handle(Api.java:42)\n")
    await sink.wait_for(lambda: len(sink.texts()) == 3, what="the rest")
    await asyncio.sleep(1.2)  # past the continuation time: a plain line is a new line
    with log.open("a") as f:
        f.write("no time of its own\n")
    await sink.wait_for(lambda: len(sink.texts()) == 4, what="a later plain line")
    await source.stop()
    await asyncio.wait_for(task, 2)
    head = 1704207845.25
    assert [line.timestamp for line in sink.lines[:3]] == [head, head, head]
    assert sink.lines[3].timestamp == sink.lines[3].received


async def test_stop_leaves_no_remote_tail(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "stop-marker.log"
    log.write_text("x\n")
    source, sink, task = await start(LogHost("web-1", files=(LogFile(str(log)),)))
    await sink.wait_for(lambda: sink.texts() == ["x"])
    assert remote_processes(f"tail.*{log}")
    await source.stop()
    await asyncio.wait_for(task, 2)
    deadline = asyncio.get_running_loop().time() + 5
    while remote_processes(f"tail.*{log}") and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    assert remote_processes(f"tail.*{log}") == []
