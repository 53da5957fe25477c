"""The real `pulse-tui` command in a pseudo-terminal, for what only a whole process shows.

`App.run_test()` runs inside the test's event loop, so it cannot see how long the process
takes to end: the interpreter waits for non-daemon threads (a blocking HTTP call in a
worker thread) after the app has exited. Here the command runs as a user runs it, keys
are typed into its terminal, and the time until the process is gone is measured.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


class AppProcess:
    """A running `python -m pulse_tui ARGS` whose terminal is ours (`fd`)."""

    def __init__(self, process: subprocess.Popen[bytes], fd: int) -> None:
        self.process = process
        self.fd = fd
        #: Everything the app wrote to its terminal so far (escape sequences and all).
        self.output = bytearray()

    def _read(self, timeout: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if ready:
            with contextlib.suppress(OSError):  # EIO once the process has gone
                self.output += os.read(self.fd, 65536)

    def wait_for_text(self, text: str, timeout: float = 30.0) -> None:
        """Until `text` has been drawn (as one run of characters) or the process ended."""
        deadline = time.monotonic() + timeout
        wanted = text.encode()
        while wanted not in self.output:
            if self.process.poll() is not None:
                raise AssertionError(f"pulse-tui exited ({self.process.returncode}) first")
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared on the terminal")
            self._read(0.1)

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def wait_exit(self, timeout: float) -> float:
        """Seconds until the process is gone (reading its terminal meanwhile); fails the
        test at `timeout` (and the process is killed on leaving the context)."""
        started = time.monotonic()
        while self.process.poll() is None:
            if time.monotonic() - started > timeout:
                raise AssertionError(f"pulse-tui still running after {timeout:g}s")
            self._read(0.05)
        return time.monotonic() - started


@contextlib.contextmanager
def pulse_tui_in_terminal(
    args: Sequence[str], home: Path, *, columns: int = 120, lines: int = 36
) -> Iterator[AppProcess]:
    """`pulse-tui ARGS` from this tree (`src/`) in a `columns`×`lines` terminal, with
    `home` as its HOME (no user config is read)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    env = {
        "PYTHONPATH": str(SRC),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "TERM": "xterm-256color",
        "COLUMNS": str(columns),
        "LINES": str(lines),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "pulse_tui", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=home,
        start_new_session=True,
    )
    os.close(slave)
    app = AppProcess(process, master)
    try:
        yield app
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        os.close(master)
