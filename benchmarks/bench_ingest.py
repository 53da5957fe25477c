"""Log ingest: decode + sanitise + parse + buffer, in process and over a real sshd.

Figures:
* ingest_lines_per_s — lines per CPU-second of this process (per core): bytes in 64 KiB
  chunks through LineReader.feed_dense (decode, sanitise, line starts), parse_dense
  (timestamp, level) and LogBuffer.append_many of dense batches, as a source delivers them,
  on a realistic mix (ISO text, JSON, syslog, nginx access, logfmt,
  a few escape sequences); reference: `wc -l` counting the same bytes in the same run, by
  its CPU time too (ratio = ours / wc).
* ingest_wall_lines_per_s — the same run by the wall clock (and `wc -l` by the wall clock),
  which also counts time the machine gave to other processes.
* ingest_<format>_lines_per_s, ingest_<format>_wall_lines_per_s — the same, on lines of one
  format only (iso, json, logfmt, syslog, access), each against `wc -l` on its own bytes.
* ingest_mb_per_s — the mix's bytes per CPU-second.
* ingest_unicode_lines_per_s, ingest_unicode_wall_lines_per_s — the same on ISO lines whose
  messages are Japanese, Chinese, Korean, Vietnamese or carry emoji: their UTF-8 lead bytes
  are shared with characters the sanitiser replaces, so the reader cannot skip their lines.

CPU time (`time.process_time`, and `RUSAGE_CHILDREN` for `wc`) is the figure to compare
across runs: on a shared machine the wall clock also measures the neighbours.
* ssh_lines_per_s — lines appended to a file, tailed through a local OpenSSH sshd,
  until the sink has them all (skipped without sshd).
* buffer_bytes_per_line — tracemalloc: memory a buffered line costs beyond its text, in
  hot blocks (bench_search has `buffer_bytes_per_line_hot`/`_cold`, text included, on
  this mix too).
* append_ns_per_line — CPU time (`time.process_time`, best of 5) of `LogBuffer.append_many`
  alone over the mix, already read and parsed, into a buffer that keeps half of it: the
  buffer's share of ingest (packing full blocks included), apart from the parser's.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

from run import figure

from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.buffer import DEFAULT_HOT_LINES, LogBuffer
from pulse_tui.model.logs.parse import parse_dense
from pulse_tui.sources.ssh.line_reader import LineReader

LINES = 400_000
CHUNK = 64 * 1024


FORMATS = ("iso", "json", "logfmt", "syslog", "access")


def sample_lines(count: int, seed: int = 7) -> list[str]:
    """A mix shaped like real fleets' logs."""
    return [line for _, line in _sample(count, seed)]


def sample_by_format(count: int, seed: int = 5) -> dict[str, list[str]]:
    """`count` lines of each format, drawn from the same generator as the mix."""
    by_format: dict[str, list[str]] = {name: [] for name in FORMATS}
    for name, line in _sample(count * 12, seed):
        if len(by_format[name]) < count:
            by_format[name].append(line)
    return by_format


def _sample(count: int, seed: int) -> list[tuple[str, str]]:
    rnd = random.Random(seed)
    paths = ["/api/v1/items", "/api/v1/orders/42", "/healthz", "/login", "/static/app.js"]
    levels = ["INFO"] * 12 + ["DEBUG"] * 4 + ["WARN"] * 2 + ["ERROR"]
    out: list[tuple[str, str]] = []
    base = 1704207845.0
    for i in range(count):
        t = base + i * 0.001
        iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"
        kind = rnd.random()
        level = rnd.choice(levels)
        path = rnd.choice(paths)
        if kind < 0.35:
            out.append(
                ("iso", f"{iso} {level:<5} api: request handled path={path} status=200 dur=12ms")
            )
        elif kind < 0.6:
            record = {"ts": iso, "level": level.lower(), "msg": "request handled", "path": path}
            out.append(("json", json.dumps(record, separators=(",", ":"))))
        elif kind < 0.75:
            stamp = time.strftime("%b %e %H:%M:%S", time.gmtime(t))
            pid = 1000 + i % 50
            out.append(("syslog", f"{stamp} web-1 sshd[{pid}]: Accepted publickey for deploy"))
        elif kind < 0.9:
            stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(t))
            request = f'"GET {path} HTTP/1.1" 200 512 "-" "curl/8"'
            out.append(("access", f"10.0.0.{i % 255} - - [{stamp}] {request}"))
        elif kind < 0.99:
            out.append(("logfmt", f'ts={iso} level={level.lower()} msg="cache miss" key=user:{i}'))
        else:
            out.append(("iso", f"{iso} WARN worker: \x1b[31mcolour\x1b[0m from a tool \u202e"))
    return out


UNICODE_MESSAGES = (
    "ユーザーがログインしました user=alice",
    "请求处理完成，耗时 12ms path=/api/v1/items",
    "요청을 처리했습니다 status=200",
    "Đã xử lý yêu cầu thành công path=/login",
    "🚀 deployed build 1234 to prod ✅",
    "cache warmed ♻️ keys=512",
)


def sample_unicode(count: int, seed: int = 9) -> list[str]:
    """ISO lines with non-ASCII messages (and a few plain ones)."""
    rnd = random.Random(seed)
    messages = [*UNICODE_MESSAGES, "request handled path=/healthz status=200"]
    base = 1704207845.0
    out = []
    for i in range(count):
        t = base + i * 0.001
        iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"
        out.append(f"{iso} INFO  api: {rnd.choice(messages)} n={i}")
    return out


def chunks(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), CHUNK):
        yield data[start : start + CHUNK]


def ingest(data: bytes, hot_lines: int = DEFAULT_HOT_LINES) -> LogBuffer:
    buffer = LogBuffer(max_lines=200_000, max_bytes=256 * 1024 * 1024, hot_lines=hot_lines)
    reader = LineReader(64 * 1024)
    for chunk in chunks(data):
        lines = reader.feed_dense(chunk)
        if lines is not None:
            received = time.time()
            timestamps, levels = parse_dense(lines, received)
            buffer.append_many(
                LineBatch.of_dense(
                    lines, timestamps, levels, received, "web-1", "/var/log/app.log", "api"
                )
            )
    return buffer


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reference_seconds(tool: list[str], data: bytes, path: Path, runs: int = 3) -> float:
    """Best wall time of `runs` runs of `tool` on `data`."""
    return reference_times(tool, data, path, runs)[0]


def reference_times(tool: list[str], data: bytes, path: Path, runs: int = 5) -> tuple[float, float]:
    """Best (wall seconds, CPU seconds) of `runs` runs of `tool` on `data`."""
    path.write_bytes(data)
    wall = cpu = float("inf")
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), _children_cpu()
        subprocess.run([*tool, str(path)], check=True, capture_output=True)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, _children_cpu() - start_cpu)
    return wall, cpu


def ingest_times(data: bytes, runs: int = 3) -> tuple[float, float]:
    """Best (wall seconds, CPU seconds of this process) of `runs` full ingests of `data`."""
    wall = cpu = float("inf")
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        ingest(data)
        cpu = min(cpu, time.process_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start)
    return wall, cpu


def _ingest_figures(prefix: str, data: bytes, count: int, path: Path) -> list[dict[str, object]]:
    wall, cpu = ingest_times(data)
    wc_wall, wc_cpu = reference_times(["wc", "-l"], data, path)
    # `wc -l` can finish inside one accounting tick: never divide by zero.
    wc_cpu = max(wc_cpu, 1e-6)
    return [
        figure(f"{prefix}_lines_per_s", count / cpu, "lines/s", "wc -l", wc_cpu / cpu),
        figure(f"{prefix}_wall_lines_per_s", count / wall, "lines/s", "wc -l", wc_wall / wall),
    ]


def bench_in_process() -> Iterator[dict[str, object]]:
    data = ("\n".join(sample_lines(LINES)) + "\n").encode()
    with tempfile.TemporaryDirectory() as tmp:
        figures = _ingest_figures("ingest", data, LINES, Path(tmp) / "lines.log")
    yield from figures
    cpu_lines_per_s = figures[0]["value"]
    assert isinstance(cpu_lines_per_s, float)
    yield figure("ingest_mb_per_s", cpu_lines_per_s * len(data) / LINES / 1e6, "MB/s")


def bench_per_format() -> Iterator[dict[str, object]]:
    count = LINES // 2
    with tempfile.TemporaryDirectory() as tmp:
        for name, lines in sample_by_format(count).items():
            data = ("\n".join(lines) + "\n").encode()
            yield from _ingest_figures(f"ingest_{name}", data, count, Path(tmp) / f"{name}.log")


def bench_unicode() -> Iterator[dict[str, object]]:
    count = LINES // 2
    data = ("\n".join(sample_unicode(count)) + "\n").encode()
    with tempfile.TemporaryDirectory() as tmp:
        yield from _ingest_figures("ingest_unicode", data, count, Path(tmp) / "unicode.log")


def bench_memory() -> Iterator[dict[str, object]]:
    data = ("\n".join(sample_lines(100_000, seed=3)) + "\n").encode()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    buffer = ingest(data, hot_lines=len(data))  # all hot: cold ones are bench_search's
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    # Raw bytes: what the texts themselves take (1 byte/char for these ASCII-ish lines).
    raw = sum(len(buffer[i].text) for i in range(len(buffer)))
    yield figure("buffer_bytes_per_line", (after - before - raw) / len(buffer), "B/line")


def bench_append() -> Iterator[dict[str, object]]:
    data = ("\n".join(sample_lines(LINES)) + "\n").encode()
    reader = LineReader(64 * 1024)
    batches = []
    for chunk in chunks(data):
        lines = reader.feed_dense(chunk)
        if lines is not None:
            timestamps, levels = parse_dense(lines, 0.0)
            batches.append(LineBatch.of_dense(lines, timestamps, levels, 0.0, "web-1", "/f", "api"))
    best = float("inf")
    for _ in range(5):
        buffer = LogBuffer(max_lines=LINES // 2, max_bytes=256 * 1024 * 1024)
        start = time.process_time()
        for batch in batches:
            buffer.append_many(batch)
        best = min(best, time.process_time() - start)
    yield figure("append_ns_per_line", best / LINES * 1e9, "ns/line")


def bench_ssh() -> Iterator[dict[str, object]]:
    sshd = shutil.which("sshd", path="/usr/sbin:/usr/bin:/sbin")
    if not sshd or not shutil.which("ssh-keygen"):
        print("ssh benchmark skipped: no sshd / ssh-keygen", file=sys.stderr)
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from support.sshd_server import SshdServer

    from pulse_tui.config import LogFile, LogHost, LogsConfig
    from pulse_tui.sources.ssh.connect import ConnectionPool
    from pulse_tui.sources.ssh.tail import SshLogSource

    count = 300_000
    payload = ("\n".join(sample_lines(count, seed=11)) + "\n").encode()

    class Counter:
        def __init__(self) -> None:
            self.lines = 0

        def on_lines(self, lines: object) -> None:
            self.lines += len(lines)  # type: ignore[arg-type]

        def on_status(self, status: object) -> None:
            pass

        def on_history_done(self, host: str) -> None:
            pass

        def on_partial(self, host: str, source: str, text: str | None) -> None:
            pass

    async def main(root: Path) -> float:
        server = SshdServer(root / "sshd", sshd=sshd).start()
        old_home = os.environ.get("HOME")
        os.environ["HOME"] = str(server.write_client_home(root / "home", ["bench"]))
        try:
            log = root / "bench.log"
            log.write_bytes(b"ready\n")
            logs = LogsConfig()
            source = SshLogSource(
                LogHost("bench", files=(LogFile(str(log)),)), logs, ConnectionPool(logs)
            )
            sink = Counter()
            task = asyncio.create_task(source.run(sink))  # type: ignore[arg-type]
            while sink.lines < 1:
                await asyncio.sleep(0.01)
            start = time.perf_counter()
            with log.open("ab") as f:
                f.write(payload)
            while sink.lines < count + 1:
                await asyncio.sleep(0.002)
            elapsed = time.perf_counter() - start
            await source.stop()
            await task
            return elapsed
        finally:
            if old_home is not None:
                os.environ["HOME"] = old_home
            server.stop()

    with tempfile.TemporaryDirectory() as tmp:
        elapsed = asyncio.run(main(Path(tmp)))
        ours = count / elapsed
        cat = count / reference_seconds(["cat"], payload, Path(tmp) / "ref.log")
    yield figure("ssh_lines_per_s", ours, "lines/s", "cat (local, no ssh)", ours / cat)


def run() -> Iterator[dict[str, object]]:
    yield from bench_in_process()
    yield from bench_per_format()
    yield from bench_unicode()
    yield from bench_memory()
    yield from bench_append()
    yield from bench_ssh()
