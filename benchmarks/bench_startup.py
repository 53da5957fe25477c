"""Start-to-first-frame: `pulse-tui --demo` in a real pty until data is on screen.

"First frame" means the first moment the terminal has received panel data (a req/s value)
and log lines, not merely the empty shell. Reference: the bare interpreter start plus
`import textual.app`, the floor any Textual app pays, timed the same way in the same run.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

from run import figure

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5


def _time_to_markers(
    argv: list[str], markers: tuple[re.Pattern[bytes], ...], timeout: float = 20.0
) -> float:
    pid, fd = pty.fork()
    if pid == 0:  # child: become the app, in a 160x48 terminal
        # Sized before the app starts, as a real terminal is: sized by the parent after
        # the fork, the app could start at 0x0 and lay out again on the resize.
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
        os.environ["TERM"] = "xterm-256color"
        os.execvp(argv[0], argv)
    started = time.perf_counter()
    seen = b""
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
                if all(marker.search(seen) for marker in markers):
                    return time.perf_counter() - started
        raise RuntimeError(f"no first frame within {timeout}s from {argv}")
    finally:
        try:
            os.write(fd, b"q")
            deadline = time.time() + 3
            while time.time() < deadline:
                done, _ = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                time.sleep(0.05)
            else:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        finally:
            os.close(fd)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def run():
    app = [sys.executable, "-m", "pulse_tui", "--demo"]
    # A req/s value in a panel, and a count of log lines that is not 0: the empty pane
    # already says "0 lines".
    data = (re.compile(rb"\d req/s"), re.compile(rb"[1-9][\d,]* lines"))
    first = _median([_time_to_markers(app, data) for _ in range(RUNS)])
    floor_cmd = [sys.executable, "-c", "import textual.app; print('ready')"]
    floor = _median([_time_to_markers(floor_cmd, (re.compile(b"ready"),)) for _ in range(RUNS)])
    yield figure(
        "startup.demo_first_frame_with_data",
        first * 1000,
        "ms",
        reference="python -c 'import textual.app'",
        ratio=first / floor,
    )
    yield figure("startup.textual_import_floor", floor * 1000, "ms")
