"""What ~/.ssh/config may not change: host keys are verified, the agent stays home.

Each test writes its own ~/.ssh/config and runs against the real sshd.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import asyncssh
import pytest
from support.sshd_server import SshdServer

from pulse_tui.config import LogHost, LogsConfig
from pulse_tui.sources.ssh_connect import ConnectionPool

pytestmark = pytest.mark.integration

LOGS = LogsConfig(connect_timeout=3, keepalive_interval=1)

#: Run on the server: says whether sshd gave the session a forwarded agent.
ECHO_AGENT = 'echo "agent=${SSH_AUTH_SOCK:-none}"'


# -- 2. the agent is never forwarded ----------------------------------------------------


async def test_agent_is_never_forwarded_to_hosts_or_jump_hosts(
    sshd: SshdServer, ssh_home: Callable[..., Path], ssh_agent: Path
) -> None:
    ssh_home(["bastion", "app-1"], extra_config="Host *\n  ForwardAgent yes\n\n")
    # The control: asyncssh on its own follows ForwardAgent yes, and sshd passes it on.
    async with asyncssh.connect("app-1") as plain:
        forwarded = (await plain.run(ECHO_AGENT)).stdout
    assert str(forwarded).strip() != "agent=none"
    pool = ConnectionPool(LOGS)
    conn = await pool.connect(LogHost("app-1", jump="bastion"))
    try:
        assert str((await conn.run(ECHO_AGENT)).stdout).strip() == "agent=none"
        bastion = pool._bastions["bastion"]
        assert str((await bastion.run(ECHO_AGENT)).stdout).strip() == "agent=none"
    finally:
        conn.close()
        await pool.close()
