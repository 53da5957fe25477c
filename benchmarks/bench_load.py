"""Loading a log file from disk through the real ingest path, against lnav on the same file.

The corpus is `bench_search`'s: 1,000,000 ISO, JSON and logfmt lines, ~137 MB, written to
a file once (page cache warm). pulse-tui reads it the way a source does: bytes in 64 KiB
chunks, joined as `StreamChannel.get` joins the chunks already queued (up to
`COALESCE_BYTES`; a file on disk is always ahead of us, as a history streaming over SSH
is) -> `LineReader.feed_dense` (decode, sanitise, find the line starts: one text per
chunk, no str per line) -> `parse_dense` (timestamp, level) -> `LineBatch.of_dense` ->
`LogBuffer.append_many`, into a buffer that keeps every line. The reference is
`lnav -n -q FILE` (headless, quiet: it indexes the file and exits), timed in the same run,
with a throw-away HOME (lnav writes its config and index database there).

Figures (best of 3 each; ratio = ours / lnav's, so ≤ 1.0 means as fast or faster):
* load_lines_s — lines per second by the wall clock, vs lnav's wall clock.
* load_cpu_lines_s — lines per CPU-second of this process, vs lnav's CPU (user + system,
  all its threads: `RUSAGE_CHILDREN`). On a shared machine this is the one to compare
  across runs; the wall clock also measures the neighbours.
* load_s / load_cpu_s — the same as seconds.
Skipped without lnav.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from bench_search import LINES, sample_lines
from run import figure

from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.parse import parse_dense
from pulse_tui.sources.ssh.connect import COALESCE_BYTES
from pulse_tui.sources.ssh.line_reader import LineReader

CHUNK = 64 * 1024
RUNS = 3


def load_file(path: Path) -> LogBuffer:
    """`path` through the ingest path, as a source delivers it (see the module)."""
    buffer = LogBuffer(max_lines=LINES + 1, max_bytes=1 << 34)
    reader = LineReader(64 * 1024)
    previous: float | None = None
    with path.open("rb", buffering=0) as f:
        while chunk := _queued(f):
            lines = reader.feed_dense(chunk)
            if lines is not None:
                received = time.time()
                stamps, levels = parse_dense(lines, received, inherit=True, previous=previous)
                previous = float(stamps[-1])
                buffer.append_many(
                    LineBatch.of_dense(lines, stamps, levels, received, "web-1", str(path), "api")
                )
    return buffer


def _queued(f: BinaryIO) -> bytes:
    """The next chunks of `f` joined, as `StreamChannel.get` joins queued chunks."""
    parts: list[bytes] = []
    size = 0
    while size < COALESCE_BYTES and (chunk := f.read(CHUNK)):
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def lnav_times(lnav: str, path: Path, home: Path) -> tuple[float, float]:
    """Best (wall, CPU) seconds of `lnav -n -q path`."""
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "TERM": "dumb"}
    wall = cpu = float("inf")
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), _children_cpu()
        subprocess.run(
            [lnav, "-n", "-q", str(path)],
            check=True,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, _children_cpu() - start_cpu)
    return wall, cpu


def our_times(path: Path) -> tuple[float, float]:
    """Best (wall, CPU) seconds of `load_file(path)`; checks every line got in."""
    wall = cpu = float("inf")
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        buffer = load_file(path)
        cpu = min(cpu, time.process_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start)
        assert len(buffer) == LINES, len(buffer)
        del buffer
    return wall, cpu


def run() -> Iterator[dict[str, object]]:
    lnav = shutil.which("lnav")
    if lnav is None:
        print("load benchmark skipped: no lnav", file=sys.stderr)
        return
    texts, _ = sample_lines(LINES)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lines.log"
        path.write_text("\n".join(texts) + "\n")
        del texts
        home = Path(tmp) / "home"
        home.mkdir()
        lnav_times(lnav, path, home)  # its first run builds its config; not counted
        # Interleaved, so a neighbour's burst on the shared machine hits both alike.
        ours, ref = (float("inf"),) * 2, (float("inf"),) * 2
        for _ in range(2):
            ours = min(ours, our_times(path))
            ref = min(ref, lnav_times(lnav, path, home))
    wall, cpu = ours
    ref_wall, ref_cpu = ref
    yield figure("load_lines_s", LINES / wall, "lines/s", "lnav -n -q", wall / ref_wall)
    yield figure("load_cpu_lines_s", LINES / cpu, "lines/s", "lnav -n -q (CPU)", cpu / ref_cpu)
    yield figure("load_s", wall, "s", "lnav -n -q", wall / ref_wall)
    yield figure("load_cpu_s", cpu, "s", "lnav -n -q (CPU)", cpu / ref_cpu)
