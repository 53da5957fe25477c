"""Start a real server binary, wait until it is ready, stop it; say why when it is not.

Prometheus, Alertmanager and sshd all start the same way: output to a log file, poll
until the port answers, give up early if the process dies. When it never becomes ready
the error carries the tail of that log, which is where the binary says what went wrong
(a bad flag, a port in use, a missing directory).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

#: How much of a server's log an error quotes.
LOG_TAIL_CHARS = 2000


class ServerStartError(RuntimeError):
    """A server binary exited or did not become ready in time; `log_tail` says why."""

    def __init__(self, message: str, log: Path, log_tail: str) -> None:
        super().__init__(f"{message}\n--- end of {log} ---\n{log_tail or '(empty)'}")
        self.log_tail = log_tail


def free_port() -> int:
    """A TCP port nobody listens on right now (for binaries that cannot report a port-0 bind)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_ready(url: str) -> Callable[[], bool]:
    """A readiness check: GET `url` answers 200."""

    def ready() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    return ready


def tcp_ready(port: int) -> Callable[[], bool]:
    """A readiness check: 127.0.0.1:`port` accepts a connection."""

    def ready() -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return True
        return False

    return ready


def start_server(
    argv: list[str], log: Path, ready: Callable[[], bool], timeout: float = 20.0
) -> subprocess.Popen[bytes]:
    """Run `argv` with its output appended to `log`; return once `ready()` is true.

    Raises `ServerStartError` with the tail of what this run wrote to `log` if the process
    exits first or is not ready within `timeout` seconds; the process is stopped by then.
    """
    name = Path(argv[0]).name
    # Appended, not truncated: a server restarted in the same directory keeps its history,
    # and the error quotes only what this run wrote.
    start = log.stat().st_size if log.exists() else 0
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while True:
        # Exit before ready: checked first, so another server that grabbed the same port
        # in between is not mistaken for ours.
        if process.poll() is not None:
            problem = f"{name} exited with code {process.returncode} before it was ready"
            break
        if ready():
            return process
        if time.monotonic() > deadline:
            problem = f"{name} was not ready after {timeout:g}s"
            break
        time.sleep(0.05)
    stop_process(process)
    raise ServerStartError(problem, log, _tail(log, start))


def start_on_free_port(
    argv_for: Callable[[int], list[str]],
    log: Path,
    ready_for: Callable[[int], Callable[[], bool]],
    timeout: float = 20.0,
    attempts: int = 3,
) -> tuple[subprocess.Popen[bytes], int]:
    """`start_server` on a port from `free_port`; the process and its port.

    Another process may take the port between `free_port` and the server's bind, so a
    start that fails with "address already in use" is tried again on a new port.
    """
    for attempt in range(1, attempts + 1):
        port = free_port()
        try:
            return start_server(argv_for(port), log, ready_for(port), timeout), port
        except ServerStartError as error:
            if attempt == attempts or "address already in use" not in error.log_tail.lower():
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Terminate `process`, killing it if it does not exit within `timeout` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tail(log: Path, start: int) -> str:
    with log.open("rb") as file:
        file.seek(start)
        written = file.read()
    return written[-LOG_TAIL_CHARS:].decode(errors="replace").strip()
