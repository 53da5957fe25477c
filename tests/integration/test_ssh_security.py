"""What ~/.ssh/config may not change: host keys are verified, the agent stays home.

Each test writes its own ~/.ssh/config and runs against the real sshd.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import asyncssh
import pytest
from support.binaries import require_binary
from support.process import free_port
from support.ssh_sources import failed, finish
from support.ssh_sources import run_source as start_source
from support.sshd_server import RecordingSink, SshdServer, keygen

from pulse_tui.config import LogFile, LogHost, LogsConfig
from pulse_tui.sources.ssh.connect import ConnectionPool
from pulse_tui.sources.ssh.tail import SshLogSource

pytestmark = pytest.mark.integration

LOGS = LogsConfig(connect_timeout=3, keepalive_interval=1)

#: Run on the server: says whether sshd gave the session a forwarded agent.
ECHO_AGENT = 'echo "agent=${SSH_AUTH_SOCK:-none}"'


async def run_source(
    host: LogHost, logs: LogsConfig = LOGS
) -> tuple[SshLogSource, RecordingSink, asyncio.Task[None]]:
    return await start_source(host, logs)


async def expect_refused(host: LogHost, logs: LogsConfig = LOGS) -> str:
    """Run a source until it fails; check it never went live or retried; the reason."""
    source, sink, task = await run_source(host, logs)
    await sink.wait_for(lambda: failed(sink), what="failed status")
    await asyncio.sleep(0.3)
    assert sink.states().count("connecting") == 1  # not retryable
    assert "live" not in sink.states() and sink.texts() == []
    await finish(source, task)
    return failed(sink)


async def expect_lines(host: LogHost, lines: list[str], logs: LogsConfig = LOGS) -> None:
    source, sink, task = await run_source(host, logs)
    await sink.wait_for(lambda: sink.texts() == lines, what=f"lines {lines}")
    await finish(source, task)


def log_file(tmp_path: Path, text: str = "read\n") -> LogFile:
    path = tmp_path / "app.log"
    path.write_text(text)
    return LogFile(str(path))


# -- 1. host-key checking cannot be switched off -------------------------------------


@pytest.mark.parametrize("setting", ["UserKnownHostsFile none", "UserKnownHostsFile /dev/null"])
async def test_ssh_config_turning_host_key_checking_off_is_refused(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path, setting: str
) -> None:
    # No key is trusted anywhere: with `none`, asyncssh alone connects without checking.
    ssh_home(["web-1"], trust=False, extra_config=f"Host web-1\n  {setting}\n\n")
    message = await expect_refused(LogHost("web-1", files=(log_file(tmp_path),)))
    assert message.startswith(
        f"web-1: ~/.ssh/config disables host-key checking for this host ({setting}); "
        "pulse-tui always verifies host keys"
    )


async def test_jump_host_turning_host_key_checking_off_is_refused(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(
        ["bastion", "app-1"],
        extra_config=(
            "Host bastion\n  UserKnownHostsFile none\n\nHost app-1\n  ProxyJump bastion\n\n"
        ),
    )
    message = await expect_refused(LogHost("app-1", files=(log_file(tmp_path),)))
    assert message.startswith("bastion: ~/.ssh/config disables host-key checking")


async def test_explicit_known_hosts_wins_over_ssh_config_none(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"], trust=False, extra_config="Host web-1\n  UserKnownHostsFile none\n\n")
    mine = tmp_path / "pulse_known_hosts"
    mine.write_text("")
    logs = LogsConfig(connect_timeout=3, known_hosts=str(mine))
    host = LogHost("web-1", files=(log_file(tmp_path),))
    assert f"is not in {mine} " in await expect_refused(host, logs)
    mine.write_text(sshd.host_key_line())
    await expect_lines(host, ["read"], logs)


def test_check_fails_with_the_reason(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    home = ssh_home(
        ["web-1"], trust=False, extra_config="Host web-1\n  UserKnownHostsFile none\n\n"
    )
    config = tmp_path / "pulse.toml"
    config.write_text(
        f'[prometheus]\nurl = "http://127.0.0.1:{free_port()}"\n\n'
        '[[logs.hosts]]\nhost = "web-1"\nfiles = ["/etc/hostname"]\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "pulse_tui", "check", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(home)},
    )
    assert done.returncode == 1
    ssh = [line for line in done.stdout.splitlines() if "ssh " in line]
    assert len(ssh) == 1 and ssh[0].startswith("FAIL"), done.stdout
    assert "disables host-key checking for this host (UserKnownHostsFile none)" in ssh[0]


@pytest.mark.parametrize("value", ["no", "accept-new"])
async def test_strict_host_key_checking_off_accepts_no_unknown_key(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path, value: str
) -> None:
    # asyncssh does not read StrictHostKeyChecking: the key is checked regardless, and
    # the refusal says the setting is not honoured (ssh itself would have connected).
    home = ssh_home(
        ["web-1"], trust=False, extra_config=f"Host *\n  StrictHostKeyChecking {value}\n\n"
    )
    host = LogHost("web-1", files=(log_file(tmp_path),))
    message = await expect_refused(host)
    assert "is not in" in message
    assert f"StrictHostKeyChecking {value} in ~/.ssh/config is not honoured" in message
    (home / ".ssh/known_hosts").write_text(sshd.host_key_line())
    await expect_lines(host, ["read"])  # a trusted key: the setting does not get in the way


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


# -- 3. the known_hosts file named in ~/.ssh/config is the one used and named ----------


WORK_HOSTS = "Host web-1\n  UserKnownHostsFile ~/.ssh/work_hosts\n\n"


async def test_unknown_key_hint_names_user_known_hosts_file_and_fixes_it(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    keyscan = require_binary("ssh-keyscan")
    home = ssh_home(["web-1"], trust=False, extra_config=WORK_HOSTS)
    work = home / ".ssh/work_hosts"  # not there yet: nothing trusted, not an I/O error
    host = LogHost("web-1", files=(log_file(tmp_path),))
    message = await expect_refused(host)
    assert f"is not in {work} " in message
    command = message.split("If you trust it: ", 1)[1]
    assert command == f"ssh-keyscan -p {sshd.port} 127.0.0.1 >> {work}"
    subprocess.run(command.replace("ssh-keyscan", keyscan, 1), shell=True, check=True)
    await expect_lines(host, ["read"])


async def test_changed_key_is_detected_in_user_known_hosts_file_and_hint_fixes_it(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    keyscan = require_binary("ssh-keyscan")
    home = ssh_home(["web-1"], trust=False, extra_config=WORK_HOSTS)
    other = tmp_path / "other_host_key"
    keygen(other)
    work = home / ".ssh/work_hosts"
    work.write_text(
        f"[127.0.0.1]:{sshd.port} {' '.join(other.with_suffix('.pub').read_text().split()[:2])}\n"
    )
    host = LogHost("web-1", files=(log_file(tmp_path),))
    message = await expect_refused(host)
    assert "HOST KEY CHANGED" in message and f"-f {work} " in message
    command = message.split("If the change is expected: ", 1)[1]
    subprocess.run(
        command.replace("ssh-keyscan", keyscan, 1), shell=True, check=True, capture_output=True
    )
    await expect_lines(host, ["read"])


async def test_every_user_known_hosts_file_is_trusted(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    # Like ssh: all files of UserKnownHostsFile are checked (the first is where the hint
    # appends), and a listed file that does not exist is no error.
    ssh_home(
        ["web-1"],
        extra_config="Host web-1\n  UserKnownHostsFile ~/.ssh/missing ~/.ssh/known_hosts\n\n",
    )
    await expect_lines(LogHost("web-1", files=(log_file(tmp_path),)), ["read"])


# -- 4. the cipher: AES-GCM asked for first, unless ~/.ssh/config names its ciphers ----


async def test_connections_ask_for_aes_gcm_first_and_a_ciphers_line_wins(
    sshd: SshdServer, ssh_home: Callable[..., Path]
) -> None:
    ssh_home(["web-1", "web-2"], extra_config="Host web-2\n  Ciphers aes256-ctr\n\n")
    # The control: asyncssh on its own negotiates chacha20-poly1305 with this sshd.
    async with asyncssh.connect("web-1") as plain:
        assert plain.get_extra_info("recv_cipher") == "chacha20-poly1305@openssh.com"
    pool = ConnectionPool(LOGS)
    ours = await pool.connect(LogHost("web-1"))
    chosen = await pool.connect(LogHost("web-2"))
    try:
        assert ours.get_extra_info("recv_cipher") == "aes128-gcm@openssh.com"
        assert chosen.get_extra_info("recv_cipher") == "aes256-ctr"
        # Still a verified, working connection.
        assert str((await ours.run("echo ok")).stdout).strip() == "ok"
    finally:
        ours.close()
        chosen.close()
        await pool.close()
