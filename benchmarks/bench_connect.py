"""History by time, in the real app over a real sshd: an hour of 4 hosts' logs on screen.

Each of 4 hosts (aliases of one local OpenSSH sshd, one connection each) holds a 50 MiB
file with an hour of ~150-byte lines. The app is the real `PulseApp`, headless
(`run_test`, 160×48), with `dashboard.range` one hour and a buffer large enough for it
(`logs.max_lines` 2,000,000; `max_bytes` and `history_bytes` at their defaults).

Figures:
* connect_hour_ms_4x50mib — from the app's start until every host's hour is in the
  buffer, merged in time order, and the pane shows lines. Reference: `ssh HOST cat FILE >
  /dev/null` to the same 4 hosts at once, the same bytes, in the same run (target ≤ 1.5×).
* connect_hour_cpu_ms_4x50mib — the same by this process's CPU time (every thread:
  SSH decryption, reading, parsing, merging, the app's frames), against the CPU time of
  the 4 `ssh` clients (their decryption, no parsing): on a shared machine the fairer
  comparison.
* connect_hour_lines_4x50mib — the lines loaded (a check it did the work).
* connect_hour_loop_stall_ms_4x50mib — the longest the event loop went without running
  a 10 ms heartbeat during the connect, less the 10 ms: how long a key pressed at the
  worst moment waits (the best of the runs).
* connect_hour_rss_mib_4x50mib — the process's resident memory once the hour is loaded,
  less what it was before the app was built (the buffer, plus whatever the app and its
  first frames hold: an upper bound on the buffer's share).
* window_fetch_ms_4x30min — an app that loaded the last 10 minutes is moved to a past
  30-minute window (50 to 20 minutes ago): from the view change until all 4 hosts'
  windows are fetched and merged into the buffer.
* window_fetch_bytes_4x30min — the bytes the fetch read on the hosts (the window's part
  of each file, and the probes to find it).
Skipped without sshd / ssh.
"""

from __future__ import annotations

import asyncio
import gc
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from run import figure
from ssh_reference import iso, ssh_all

HOSTS = ["h1", "h2", "h3", "h4"]
SIZE = 50 * 1024 * 1024
LINE = 150
RUNS = 2


def _write_hour(path: Path, now: float) -> int:
    """An hour of ~150-byte lines ending now, 50 MiB; returns how many."""
    count = SIZE // LINE
    step = 3590 / count
    pad = "x" * (LINE - 75)
    with path.open("w") as f:
        for start in range(0, count, 50_000):
            f.write(
                "".join(
                    f"{iso(now - 3590 + i * step)} INFO GET /api/items/{i} 200 12ms {pad}\n"
                    for i in range(start, min(count, start + 50_000))
                )
            )
    return count


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _rss_mib() -> float:
    for row in Path("/proc/self/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1]) / 1024
    return 0.0


def run() -> Iterator[dict[str, object]]:
    sshd = shutil.which("sshd", path="/usr/sbin:/usr/bin:/sbin")
    ssh = shutil.which("ssh")
    if not sshd or not ssh or not shutil.which("ssh-keygen"):
        print("connect benchmark skipped: no sshd / ssh / ssh-keygen", file=sys.stderr)
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from support.sshd_server import SshdServer

    from pulse_tui.config import Config, DashboardConfig, LogFile, LogHost, LogsConfig
    from pulse_tui.sources.demo import DemoMetricsSource
    from pulse_tui.sources.factory import log_sources
    from pulse_tui.sources.ssh.tail import SshLogSource
    from pulse_tui.ui.app import PulseApp

    def app_for(files: dict[str, Path], range_seconds: float) -> PulseApp:
        hosts = tuple(LogHost(h, files=(LogFile(str(files[h])),)) for h in HOSTS)
        logs = replace(LogsConfig(hosts=hosts), max_lines=2_000_000)
        config = Config(dashboard=DashboardConfig(range=range_seconds), logs=logs)
        return PulseApp(config, DemoMetricsSource(config), log_sources(config))

    async def until(pilot: object, condition: Callable[[], bool], timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError("benchmark condition not met in time")
            await asyncio.sleep(0.01)

    def loaded(app: PulseApp) -> bool:
        """Every host's history in and merged into the buffer, the pane showing lines."""
        order = app.logs.order
        done = order is None or (not order.settling and not order.loading)
        return done and not app.logs.rebuilding and app.dashboard.log_panel.view.count > 0

    async def heartbeat(stalls: list[float]) -> None:
        """Records the longest gap between 10 ms sleeps beyond the 10 ms (`stalls[0]`),
        and when the last sleep began (`stalls[1]`: a stall at the end is counted by
        whoever stops it)."""
        while True:
            stalls[1] = time.perf_counter()
            await asyncio.sleep(0.01)
            stalls[0] = max(stalls[0], time.perf_counter() - stalls[1] - 0.01)

    async def connect(files: dict[str, Path]) -> tuple[float, int, float, float, float]:
        gc.collect()
        before = _rss_mib()
        started, started_cpu = time.perf_counter(), time.process_time()
        app = app_for(files, 3600.0)
        stalls = [0.0, time.perf_counter()]
        async with app.run_test(size=(160, 48)) as pilot:
            beat = asyncio.ensure_future(heartbeat(stalls))
            await until(pilot, lambda: loaded(app))
            elapsed = time.perf_counter() - started
            beat.cancel()
            # The loop may have been held until now (the merge on it): that counts too.
            stall = max(stalls[0], time.perf_counter() - stalls[1] - 0.01)
            cpu = time.process_time() - started_cpu
            gc.collect()
            grown = _rss_mib() - before
            count = len(app.logs.buffer)
            # Every line of the hour entered: none dropped while the merges held the pane.
            assert app.dashboard.log_panel.ui_dropped == 0, app.dashboard.log_panel.ui_dropped
        return elapsed, count, grown, cpu, stall

    async def fetch(files: dict[str, Path]) -> tuple[float, int]:
        app = app_for(files, 600.0)
        async with app.run_test(size=(160, 48)) as pilot:
            await until(pilot, lambda: loaded(app))
            await asyncio.sleep(0.5)
            fetches = app.logs.fetches
            started = time.perf_counter()
            app.view.set(app.view.state.with_range(1800.0, time.time() - 1200))
            await until(
                pilot,
                lambda: (
                    len(fetches.fetched) >= len(HOSTS)
                    and not fetches.busy
                    and not app.logs.rebuilding
                ),
            )
            elapsed = time.perf_counter() - started
            read = 0
            for source in app.logs.sources:
                assert isinstance(source, SshLogSource)
                read += source.window_bytes_read
        return elapsed, read

    def plain_ssh(home: Path, files: dict[str, Path]) -> float:
        return ssh_all(ssh, home, {h: ["cat", str(files[h])] for h in HOSTS})

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server = SshdServer(root / "sshd", sshd=sshd).start()
        home = server.write_client_home(root / "home", HOSTS)
        old_home = os.environ.get("HOME")
        os.environ["HOME"] = str(home)
        try:
            first = root / "h1.log"
            per_file = _write_hour(first, time.time())
            files = {"h1": first}
            for h in HOSTS[1:]:
                files[h] = root / f"{h}.log"
                shutil.copyfile(first, files[h])
            theirs = theirs_cpu = float("inf")
            for _ in range(RUNS):
                before_cpu = _children_cpu()
                theirs = min(theirs, plain_ssh(home, files))
                theirs_cpu = min(theirs_cpu, _children_cpu() - before_cpu)
            ours = [asyncio.run(connect(files)) for _ in range(RUNS)]
            best, count, _, _, _ = min(ours)
            best_cpu = min(run[3] for run in ours)
            yield figure(
                "connect_hour_ms_4x50mib",
                best * 1000,
                "ms",
                "ssh HOST cat FILE > /dev/null, 4 hosts at once",
                best / theirs,
            )
            yield figure(
                "connect_hour_cpu_ms_4x50mib",
                best_cpu * 1000,
                "ms",
                "ssh HOST cat FILE > /dev/null, 4 hosts at once (the ssh clients' CPU)",
                best_cpu / theirs_cpu,
            )
            # The files' first lines are a little older than the range by the time it runs.
            assert count >= 3.9 * per_file, (count, per_file)
            yield figure("connect_hour_lines_4x50mib", count, "lines")
            stall = min(run[4] for run in ours)
            yield figure("connect_hour_loop_stall_ms_4x50mib", stall * 1000, "ms")
            yield figure("connect_hour_rss_mib_4x50mib", ours[0][2], "MiB")  # a fresh process
            window = [asyncio.run(fetch(files)) for _ in range(RUNS)]
            took, read = min(window)
            yield figure("window_fetch_ms_4x30min", took * 1000, "ms")
            yield figure("window_fetch_bytes_4x30min", read, "bytes")
        finally:
            if old_home is not None:
                os.environ["HOME"] = old_home
            server.stop()
