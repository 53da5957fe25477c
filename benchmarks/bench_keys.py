"""Key-to-screen latency while 20,000 log lines per second arrive.

The real app runs in a real pty (benchmarks/flood_app.py: demo metrics plus a source that
delivers 20k parsed lines/s in 10 ms batches). Two probes, each sample the time from writing a
key to the pty until its visible effect has arrived on the terminal's output:
- scroll: in the log pane, `k` (until "scrolled" shows) then `G` (until "following");
- help: `?` until the help screen's title shows (a whole modal screen composed); Escape closes.
Reference: the same presses with no log traffic, measured in the same run.
The scroll probe runs again with the same 20k lines/s coming from 4 hosts, whose lines go
through the reorder window and are merged by time before they reach the pane.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import termios
import time
from pathlib import Path

from run import figure

HERE = Path(__file__).resolve().parent
SAMPLES = 60
MARKER = b"Key bindings"


def _read_until(fd: int, marker: bytes, timeout: float) -> bool:
    seen = b""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.01)
        if ready:
            seen = (seen + os.read(fd, 1 << 16))[-4096:]
            if marker in seen:
                return True
    return False


def _drain(fd: int, seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.01)
        if ready:
            try:
                os.read(fd, 1 << 16)
            except OSError:  # the app has exited and closed the terminal
                return


def _latencies(rate: int, *, floor: bool = False, hosts: int = 1) -> dict[str, list[float]]:
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        script = "floor_app.py" if floor else "flood_app.py"
        os.execv(sys.executable, [sys.executable, str(HERE / script), str(rate), str(hosts)])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    samples: dict[str, list[float]] = {"scroll": [], "help": []}

    def probe(name: str, key: bytes, marker: bytes) -> None:
        started = time.perf_counter()
        os.write(fd, key)
        if not _read_until(fd, marker, 5.0):
            raise RuntimeError(f"{key!r} never showed {marker!r}")
        samples[name].append((time.perf_counter() - started) * 1000)

    try:
        # Start-up (slow on a loaded machine: a key sent before the app listens is lost),
        # then the first refresh.
        if not _read_until(fd, b"following", 60.0):
            raise RuntimeError("the app never showed its log pane")
        _drain(fd, 2.0)
        os.write(fd, b"7")  # focus the log pane, where the flood lands
        if not floor and not _read_until(fd, b"Follow", 5.0):  # its footer keys
            raise RuntimeError("7 did not focus the log pane")
        _drain(fd, 0.3)
        for _ in range(SAMPLES):
            probe("scroll", b"k", b"scrolled (G to follow)")
            _drain(fd, 0.05)
            probe("scroll", b"G", b"following")
            _drain(fd, 0.05)
        for _ in range(0 if floor else SAMPLES // 2):
            probe("help", b"?", MARKER)
            os.write(fd, b"\x1b")
            _drain(fd, 0.25)
    finally:
        os.write(fd, b"q")
        _drain(fd, 0.5)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    return samples


def _pct(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1]


def run():
    floor = _latencies(0, floor=True)
    quiet = _latencies(0)
    flood = _latencies(20_000)
    merged = _latencies(20_000, hosts=4)
    for q in (50, 95):
        yield figure(
            f"keys.textual_floor_scroll_latency_p{q}",
            _pct(floor["scroll"], q),
            "ms",
            reference="a one-widget Textual app, same harness",
            ratio=None,
        )
    for probe in ("scroll", "help"):
        for q in (50, 95):
            yield figure(
                f"keys.{probe}_latency_p{q}_during_20k_lines_per_s",
                _pct(flood[probe], q),
                "ms",
                reference=f"{probe} keys with no log traffic: {_pct(quiet[probe], q):.1f} ms",
                ratio=_pct(flood[probe], q) / _pct(quiet[probe], q),
            )
    for q in (50, 95):
        yield figure(
            f"keys.scroll_latency_p{q}_during_20k_lines_per_s_from_4_hosts",
            _pct(merged["scroll"], q),
            "ms",
            reference=f"the same 20k lines/s from one host: {_pct(flood['scroll'], q):.1f} ms",
            ratio=_pct(merged["scroll"], q) / _pct(flood["scroll"], q),
        )
