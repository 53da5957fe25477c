"""A real VictoriaMetrics for tests: the second Prometheus-API backend pulse-tui supports.

`backfilled_victoria_metrics` starts `victoria-metrics` on a free 127.0.0.1 port over a
temporary storage directory and imports the same known dataset the Prometheus fixture
serves (support/backfill.py) through `/api/v1/import/prometheus`, the text exposition
format with a timestamp on every sample (milliseconds there, seconds in OpenMetrics).
Then it flushes, so the data is queryable before the first test asks.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from support.backfill import Service, generate
from support.process import http_ready, start_on_free_port, stop_process

STARTUP_TIMEOUT = 20.0


@dataclass
class VictoriaMetricsProcess:
    """A running victoria-metrics: its URL and process."""

    url: str
    process: subprocess.Popen[bytes]
    data_dir: Path


@contextlib.contextmanager
def run_victoria_metrics(binary: str, data_dir: Path) -> Iterator[VictoriaMetricsProcess]:
    """Start victoria-metrics on a free port over `data_dir/storage`; stop it on exit."""
    process, port = start_on_free_port(
        lambda port: [
            binary,
            f"-storageDataPath={data_dir / 'storage'}",
            f"-httpListenAddr=127.0.0.1:{port}",
            # Backfilled samples must never age out while the tests run.
            "-retentionPeriod=100y",
            # It hides the last 30 s by default (samples still arriving); ours are all in.
            "-search.latencyOffset=0s",
            # Imported history must be seen at once, not a cached answer from before it.
            "-search.disableCache",
            "-selfScrapeInterval=0",
            "-loggerLevel=ERROR",
        ],
        log=data_dir / "victoria-metrics.log",
        ready_for=lambda port: http_ready(f"http://127.0.0.1:{port}/health"),
        timeout=STARTUP_TIMEOUT,
    )
    try:
        yield VictoriaMetricsProcess(
            url=f"http://127.0.0.1:{port}", process=process, data_dir=data_dir
        )
    finally:
        stop_process(process)


def exposition_lines(
    end: int, duration: int, services: list[Service], history: int = 0
) -> Iterator[str]:
    """The dataset as Prometheus text format with millisecond timestamps (no comments)."""
    for line in generate(end, duration, services, history=history):
        if line.startswith("#"):
            continue
        sample, _, seconds = line.rpartition(" ")
        yield f"{sample} {int(seconds) * 1000}"


def import_dataset(url: str, lines: Iterator[str]) -> None:
    """POST the samples to `/api/v1/import/prometheus`, then make them searchable now."""
    body = ("\n".join(lines) + "\n").encode()
    request = urllib.request.Request(f"{url}/api/v1/import/prometheus", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
    with urllib.request.urlopen(f"{url}/internal/force_flush", timeout=60) as response:
        response.read()


@contextlib.contextmanager
def backfilled_victoria_metrics(
    binary: str, end: int, duration: int, services: list[Service], history: int = 0
) -> Iterator[VictoriaMetricsProcess]:
    """VictoriaMetrics serving the known dataset ending at `end` (Unix seconds)."""
    with (
        tempfile.TemporaryDirectory(prefix="pulse-vm-") as tmp,
        run_victoria_metrics(binary, Path(tmp)) as server,
    ):
        import_dataset(server.url, exposition_lines(end, duration, services, history))
        yield server
