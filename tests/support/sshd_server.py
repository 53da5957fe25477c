"""A real OpenSSH sshd on 127.0.0.1 for integration tests and benchmarks.

Everything lives in one temporary directory: host key, client key, authorized_keys,
sshd_config, and a `bin/` that sshd puts first in PATH for sessions (where a fake
`journalctl` can go). No system file is touched except creating `/run/sshd` (sshd's
privilege-separation directory) if it is missing. The client side is a temporary HOME
with `.ssh/config` aliases and `known_hosts`, see `write_client_home`.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from support.process import free_port, start_server, stop_process, tcp_ready


def keygen(path: Path, ssh_keygen: str = "ssh-keygen") -> None:
    subprocess.run(
        [ssh_keygen, "-q", "-t", "ed25519", "-N", "", "-C", "pulse-test", "-f", str(path)],
        check=True,
    )


@dataclass
class SshdServer:
    """One sshd process; `start()` returns when it accepts connections."""

    root: Path
    sshd: str = "/usr/sbin/sshd"
    ssh_keygen: str = "ssh-keygen"
    port: int = 0
    user: str = field(default_factory=getpass.getuser)
    proc: subprocess.Popen[bytes] | None = None
    #: Appended to sshd_config (e.g. a ForceCommand).
    extra_config: str = ""

    @property
    def host_key(self) -> Path:
        return self.root / "ssh_host_ed25519_key"

    @property
    def client_key(self) -> Path:
        return self.root / "id_ed25519"

    @property
    def bin_dir(self) -> Path:
        return self.root / "bin"

    @property
    def remote_home(self) -> Path:
        """HOME of the commands the server runs (see `start`)."""
        return self.root / "remote-home"

    def host_key_line(self, host: str = "127.0.0.1", port: int | None = None) -> str:
        """A known_hosts line trusting this server at host:port."""
        key = (self.host_key.with_suffix(".pub")).read_text().split()[:2]
        port = self.port if port is None else port
        name = host if port == 22 else f"[{host}]:{port}"
        return f"{name} {' '.join(key)}\n"

    def start(self) -> SshdServer:
        self.root.mkdir(parents=True, exist_ok=True)
        self.bin_dir.mkdir(exist_ok=True)
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        if not self.host_key.exists():
            keygen(self.host_key, self.ssh_keygen)
            keygen(self.client_key, self.ssh_keygen)
            (self.root / "authorized_keys").write_text(
                self.client_key.with_suffix(".pub").read_text()
            )
        # The remote side's HOME is an empty directory of the fixture's: the shell that runs
        # each command reads the tester's ~/.bashrc otherwise, and one that says something
        # on stderr (pyenv's rehash, racing in shells started at once) would reach the app
        # as that host's notices.
        self.remote_home.mkdir(exist_ok=True)
        self.port = self.port or free_port()
        config = self.root / "sshd_config"
        config.write_text(
            f"""\
Port {self.port}
ListenAddress 127.0.0.1
HostKey {self.host_key}
PidFile {self.root}/sshd.pid
AuthorizedKeysFile {self.root}/authorized_keys
StrictModes no
UsePAM no
PermitRootLogin yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowTcpForwarding yes
MaxSessions 100
MaxStartups 200
LogLevel ERROR
SetEnv PATH={self.bin_dir}:/usr/local/bin:/usr/bin:/bin HOME={self.remote_home}
{self.extra_config}
"""
        )
        self.proc = start_server(
            [self.sshd, "-D", "-e", "-f", str(config)],
            log=self.root / "sshd.log",
            ready=tcp_ready(self.port),
            timeout=10,
        )
        return self

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc, timeout=5)
        self.proc = None

    def write_client_home(
        self,
        home: Path,
        aliases: list[str],
        *,
        port: int | None = None,
        trust: bool = True,
        extra_config: str = "",
    ) -> Path:
        """A HOME whose ~/.ssh/config maps each alias to this server (or `port`)."""
        ssh = home / ".ssh"
        ssh.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = ssh / "id_test"
        key.write_bytes(self.client_key.read_bytes())
        key.chmod(0o600)
        port = self.port if port is None else port
        blocks = [
            f"Host {alias}\n  HostName 127.0.0.1\n  Port {port}\n  User {self.user}\n"
            f"  IdentityFile {key}\n  IdentitiesOnly yes\n"
            for alias in aliases
        ]
        (ssh / "config").write_text(extra_config + "\n".join(blocks))
        (ssh / "known_hosts").write_text(self.host_key_line(port=port) if trust else "")
        return home


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; can cut or freeze its connections."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self.frozen = False
        #: Connections accepted so far.
        self.accepted = 0
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._thaw = asyncio.Event()
        self._thaw.set()

    async def start(self, port: int = 0) -> TcpProxy:
        """Listen on `port` (0: any free one; a closed proxy's port: it is back up)."""
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self._thaw.wait()  # frozen: hold the bytes, like a dead network
                writer.write(data)
                await writer.drain()
        finally:
            with contextlib.suppress(Exception):
                writer.close()
            self._writers.discard(writer)

    def freeze(self) -> None:
        """Stop forwarding (both ways) without closing anything: a silent partition."""
        self.frozen = True
        self._thaw.clear()

    def thaw(self) -> None:
        self.frozen = False
        self._thaw.set()

    def cut(self) -> None:
        """Close every current connection at once (both ends)."""
        for writer in list(self._writers):
            with contextlib.suppress(Exception):
                writer.transport.abort()
        self._writers.clear()

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


def remote_processes(pattern: str) -> list[str]:
    """Command lines of processes matching `pattern` (pgrep -af), for leak checks."""
    done = subprocess.run(["pgrep", "-af", pattern], capture_output=True, text=True)
    return [line for line in done.stdout.splitlines() if "pgrep" not in line]


def env_without_agent() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SSH_AUTH_SOCK", None)
    return env


class RecordingSink:
    """A LogSink that keeps everything, with a bounded wait for a condition."""

    def __init__(self) -> None:
        self.lines: list = []  # LogLine; untyped here to keep this module import-light
        self.statuses: list = []
        self.history_done: list[str] = []
        #: How many lines had arrived when each `on_history_done` came.
        self.history_done_after: list[int] = []
        #: Every `on_partial` call, as (host, source, text or None).
        self.partials: list[tuple[str, str, str | None]] = []

    def on_lines(self, lines) -> None:
        self.lines.extend(lines)

    def on_status(self, status) -> None:
        self.statuses.append(status)

    def on_history_done(self, host: str) -> None:
        self.history_done.append(host)
        self.history_done_after.append(len(self.lines))

    def on_partial(self, host: str, source: str, text: str | None) -> None:
        self.partials.append((host, source, text))

    def texts(self, kind: int = 0, host: str | None = None) -> list[str]:
        return [
            line.text
            for line in self.lines
            if line.kind == kind and (host is None or line.host == host)
        ]

    def states(self, host: str | None = None) -> list[str]:
        return [str(s.state) for s in self.statuses if host is None or s.host == host]

    async def wait_for(self, condition, timeout: float = 30.0, what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out waiting for {what}; lines={self.texts()[-10:]} "
                    f"notices={self.texts(2)[-5:]} statuses={self.statuses[-5:]}"
                )
            await asyncio.sleep(0.02)
