"""Fixtures for a real OpenSSH sshd (see sshd_server.py).

`sshd` is one server per test session (starting sshd costs ~50 ms, keys ~20 ms, but
there is no reason to pay it per test). `ssh_home` gives each test a fresh HOME whose
~/.ssh/config has aliases for that server and a known_hosts trusting it. `ssh_agent`
is a real ssh-agent holding the client key, for tests about agent use and forwarding.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from support.binaries import require_binary
from support.sshd_server import SshdServer


def sshd_binaries() -> dict[str, str]:
    """`SshdServer`'s binaries, found by the one guard (skip locally, fail in CI): every
    test that starts its own sshd passes these, so none fails where the others skip."""
    return {"sshd": require_binary("sshd"), "ssh_keygen": require_binary("ssh-keygen")}


@pytest.fixture(scope="session")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshdServer]:
    """A running sshd on 127.0.0.1 with throw-away host and client keys."""
    server = SshdServer(tmp_path_factory.mktemp("sshd"), **sshd_binaries())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def ssh_home(
    sshd: SshdServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Path]:
    """Call with aliases (and options of `write_client_home`) to get a prepared HOME."""
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)  # the developer's agent stays out

    def make(aliases: list[str], **options: object) -> Path:
        home = tmp_path / "home"
        sshd.write_client_home(home, aliases, **options)  # type: ignore[arg-type]
        monkeypatch.setenv("HOME", str(home))
        return home

    return make


@pytest.fixture
def ssh_agent(
    sshd: SshdServer,
    ssh_home: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Path]:
    """A real ssh-agent holding the test client key, as SSH_AUTH_SOCK for this test only.

    Depends on `ssh_home` so it is set up after that fixture has removed the developer's
    agent from the environment.
    """
    agent = require_binary("ssh-agent")
    add = require_binary("ssh-add")
    sock = tmp_path / "agent.sock"
    # -D: stay in the foreground, so the process is ours to stop (no daemon to hunt).
    proc = subprocess.Popen([agent, "-D", "-a", str(sock)], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 5
        while not sock.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"ssh-agent did not create {sock}")
            time.sleep(0.02)
        env = {**os.environ, "SSH_AUTH_SOCK": str(sock)}
        subprocess.run([add, "-q", str(sshd.client_key)], env=env, check=True)
        monkeypatch.setenv("SSH_AUTH_SOCK", str(sock))
        yield sock
    finally:
        proc.terminate()
        proc.wait(5)
