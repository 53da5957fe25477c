"""Running a real `SshLogSource` against the test sshd: start it, stop it, read its failure."""

from __future__ import annotations

import asyncio

from pulse_tui.config import LogHost, LogsConfig
from pulse_tui.sources.ssh.connect import ConnectionPool
from pulse_tui.sources.ssh.tail import SshLogSource
from support.sshd_server import RecordingSink


async def run_source(
    host: LogHost, logs: LogsConfig, history_range: float | None = None
) -> tuple[SshLogSource, RecordingSink, asyncio.Task[None]]:
    """The source streaming into a new RecordingSink, in a task of its own."""
    sink = RecordingSink()
    source = SshLogSource(host, logs, ConnectionPool(logs), history_range)
    return source, sink, asyncio.create_task(source.run(sink))


async def finish(source: SshLogSource, task: asyncio.Task[None], timeout: float = 2.0) -> None:
    """Stop the source; its task must end within `timeout` seconds."""
    await source.stop()
    await asyncio.wait_for(task, timeout)


def failed(sink: RecordingSink) -> str:
    """The detail of the first "failed" status the sink saw ("" if none)."""
    return next((s.detail for s in sink.statuses if s.state == "failed"), "")
