"""`pulse-tui check` for a log host: can we connect, and read what the config names?"""

from __future__ import annotations

import asyncio

from pulse_tui.config import LogHost, LogsConfig
from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.ssh.connect import ConnectionPool
from pulse_tui.sources.ssh.remote_commands import probe_command


async def probe_host(host: LogHost, logs: LogsConfig) -> str:
    """For `pulse-tui check`: "OK: ..." if the host and its logs are reachable.

    Raises SourceError with the reason otherwise (connection, auth, host key, missing or
    unreadable files, no journalctl).
    """
    pool = ConnectionPool(logs)
    try:
        conn = await pool.connect(host)
        try:
            command = probe_command([f.path for f in host.files], bool(host.journal))
            result = await asyncio.wait_for(conn.run(command), logs.connect_timeout)
        finally:
            conn.close()
    finally:
        await pool.close()
    out = str(result.stdout or "").splitlines()
    readable = [line[3:] for line in out if line.startswith("ok ")]
    problems = [sanitize(line) for line in out if not line.startswith(("ok ", "journal ok"))]
    if problems:
        raise SourceError(f"{host.label}: " + "; ".join(problems))
    parts = [f"{len(readable)} file(s) readable"] if host.files else []
    if host.journal:
        parts.append("journalctl available")
    return f"OK: {host.label}: connected, " + ", ".join(parts)
