"""History search: finding where a big file's range starts, over a real sshd.

Figures (reference: none; the bound they are held to is the test's, 1 MiB):
* history_search_bytes_2gib — bytes the binary search read to find the start of a half
  hour range in a 2 GiB sparse file (the hole a copytruncate leaves, then 4 MiB of lines
  at known offsets), through a local OpenSSH sshd.
* history_search_reads_2gib — how many reads (round trips to the host) that took.
* history_search_ms_2gib — wall time from the first read to the answer.
* history_search_bytes_dense, history_search_ms_dense — the same on a dense 64 MiB file
  of real lines (an hour at ~170 lines/s).
Skipped without sshd.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from run import figure

RANGE = 1800.0


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


def _lines(start: float, step: float, count: int) -> bytes:
    return "".join(
        f"{_iso(start + i * step)} INFO GET /api/v1/items/{i} 200 12ms\n" for i in range(count)
    ).encode()


def _sparse(path: Path, now: float) -> None:
    body = _lines(now - 3600, 3600 / 60_000, 60_000)  # ~4 MiB
    hole = 2 * 1024**3 - len(body)
    with path.open("wb") as f:
        f.truncate(hole)
        f.seek(hole)
        f.write(body)


def _dense(path: Path, now: float) -> None:
    count = 64 * 1024 * 1024 // 62
    with path.open("wb") as f:
        for start in range(0, count, 100_000):
            n = min(100_000, count - start)
            step = 3600 / count
            f.write(_lines(now - 3600 + start * step, step, n))


def run() -> Iterator[dict[str, object]]:
    sshd = shutil.which("sshd", path="/usr/sbin:/usr/bin:/sbin")
    if not sshd or not shutil.which("ssh-keygen"):
        print("history benchmark skipped: no sshd / ssh-keygen", file=sys.stderr)
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from support.sshd_server import SshdServer

    from pulse_tui.config import LogFile, LogHost, LogsConfig
    from pulse_tui.sources.ssh.connect import ConnectionPool
    from pulse_tui.sources.ssh.range_reader import RangeReader, search_file

    async def search(path: Path) -> tuple[int, int, float]:
        logs = LogsConfig()
        pool = ConnectionPool(logs)
        conn = await pool.connect(LogHost("bench", files=(LogFile(str(path)),)))
        try:
            reader = await RangeReader(conn, [str(path)], logs.connect_timeout).open()
            started = time.perf_counter()
            found = await search_file(reader, str(path), time.time() - RANGE, 2**40)
            elapsed = time.perf_counter() - started
            reader.close()
        finally:
            conn.close()
            await pool.close()
        assert found is not None and found[0].offset is not None
        return found[0].bytes_read, found[0].reads, elapsed

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server = SshdServer(root / "sshd", sshd=sshd).start()
        old_home = os.environ.get("HOME")
        os.environ["HOME"] = str(server.write_client_home(root / "home", ["bench"]))
        try:
            now = time.time()
            sparse, dense = root / "sparse.log", root / "dense.log"
            _sparse(sparse, now)
            _dense(dense, now)
            for name, path in (("2gib", sparse), ("dense", dense)):
                best = min((asyncio.run(search(path)) for _ in range(3)), key=lambda r: r[2])
                read, reads, elapsed = best
                yield figure(f"history_search_bytes_{name}", read, "bytes")
                yield figure(f"history_search_reads_{name}", reads, "reads")
                yield figure(f"history_search_ms_{name}", elapsed * 1000, "ms")
        finally:
            if old_home is not None:
                os.environ["HOME"] = old_home
            server.stop()
