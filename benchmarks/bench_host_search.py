"""Search on the hosts (`H`), over a real sshd: what a search of an hour costs.

Figures:
* host_search_ms_4x50mib — wall time of one search on 4 hosts (aliases of one local
  OpenSSH sshd), each holding a 50 MiB file with an hour of lines, for a term found in
  one line in 1,000: finding the range by the history's binary search, grep on the host,
  the matches streamed back, timed and ordered. Reference: `ssh HOST grep -F TERM FILE >
  /dev/null` to the same 4 hosts at once, in the same run (the ratio is ours / that).
* host_search_matches_4x50mib — the matches it kept (a check the search did the work).
* host_search_cap_ms_4x50mib — wall time for a term on every line, until the default
  bound (10,000 matches) stops every remote grep.
Skipped without sshd / ssh.
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
from ssh_reference import iso, ssh_all

HOSTS = ["h1", "h2", "h3", "h4"]
SIZE = 50 * 1024 * 1024
RARE = "payment-timeout-rare"


def _write_hour(path: Path, now: float) -> int:
    """An hour of ~75-byte lines, 50 MiB; every 1,000th holds `RARE`. Returns their count."""
    count = SIZE // 75
    step = 3600 / count
    rare = 0
    with path.open("w") as f:
        for start in range(0, count, 50_000):
            rows = []
            for i in range(start, min(count, start + 50_000)):
                word = RARE if i % 1000 == 0 else "ok"
                rows.append(f"{iso(now - 3590 + i * step)} INFO GET /api/items/{i} 200 {word}\n")
                rare += i % 1000 == 0
            f.write("".join(rows))
    return rare


def run() -> Iterator[dict[str, object]]:
    sshd = shutil.which("sshd", path="/usr/sbin:/usr/bin:/sbin")
    ssh = shutil.which("ssh")
    if not sshd or not ssh or not shutil.which("ssh-keygen"):
        print("host search benchmark skipped: no sshd / ssh / ssh-keygen", file=sys.stderr)
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from support.sshd_server import SshdServer

    from pulse_tui.config import LogFile, LogHost, LogsConfig
    from pulse_tui.model.search.remote import RemoteResults, RemoteTerm
    from pulse_tui.sources.ssh.connect import ConnectionPool
    from pulse_tui.sources.ssh.remote_search import HostSearcher
    from pulse_tui.sources.ssh.tail import SshLogSource

    async def search(path: Path, term: str) -> tuple[float, int]:
        logs = LogsConfig()
        pool = ConnectionPool(logs)
        sources = [
            SshLogSource(LogHost(h, files=(LogFile(str(path)),)), logs, pool, 3600.0) for h in HOSTS
        ]
        searcher = HostSearcher(sources, logs)
        until = time.time()
        results = RemoteResults(RemoteTerm.parse(term), searcher.hosts, until - 3600, until)
        started = time.perf_counter()
        await searcher.run(results)
        elapsed = time.perf_counter() - started
        await pool.close()
        return elapsed, len(results.matches)

    def plain_ssh(home: Path, path: Path) -> float:
        return ssh_all(ssh, home, {h: ["grep", "-F", RARE, str(path)] for h in HOSTS})

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server = SshdServer(root / "sshd", sshd=sshd).start()
        home = server.write_client_home(root / "home", HOSTS)
        old_home = os.environ.get("HOME")
        os.environ["HOME"] = str(home)
        try:
            log = root / "app.log"
            rare = _write_hour(log, time.time())
            ours = [asyncio.run(search(log, RARE)) for _ in range(3)]
            theirs = [plain_ssh(home, log) for _ in range(3)]
            best, matches = min(ours)
            reference = min(theirs)
            yield figure(
                "host_search_ms_4x50mib",
                best * 1000,
                "ms",
                "ssh HOST grep -F TERM FILE, 4 hosts at once",
                best / reference,
            )
            assert matches >= 4 * (rare - 2), (matches, rare)
            yield figure("host_search_matches_4x50mib", matches, "matches")
            capped = min(asyncio.run(search(log, "GET")) for _ in range(3))
            yield figure("host_search_cap_ms_4x50mib", capped[0] * 1000, "ms")
        finally:
            if old_home is not None:
                os.environ["HOME"] = old_home
            server.stop()
