"""The lab's servers: the live exporter, and prometheus over the backfilled TSDB.

Prometheus and its start-up checks come from the test fixtures (tests/support), so the lab
starts it exactly as the integration tests do; only the data and the scrape job are the
lab's own.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from support.prometheus_server import PrometheusProcess, run_prometheus

from lab.metrics import SCRAPE, LabModel, backfill


class Exporter:
    """A /metrics endpoint on 127.0.0.1 serving the model, advanced to the clock first.

    The model is shared with whoever prints its truth: every use goes through `lock`."""

    def __init__(self, model: LabModel) -> None:
        self.model = model
        self.lock = threading.Lock()
        exporter = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # scrapes every 5 s: keep quiet
                pass

            def do_GET(self) -> None:
                if self.path.split("?")[0] != "/metrics":
                    self.send_error(404)
                    return
                body = exporter.scrape().encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="lab-exporter", daemon=True
        )

    def scrape(self) -> str:
        with self.lock:
            self.model.advance_to(time.time())
            return self.model.exposition()

    def start(self) -> Exporter:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def scrape_config(port: int) -> str:
    """The scrape job for the exporter. `honor_labels`: the services' own `job` labels
    stay (prometheus would rename them `exported_job`); the samples' own times are kept
    (honor_timestamps is on by default), so live samples sit on the backfill's grid."""
    return (
        "  - job_name: incident-lab\n"
        "    honor_labels: true\n"
        f"    scrape_interval: {SCRAPE}s\n"
        "    static_configs:\n"
        f"      - targets: ['127.0.0.1:{port}']\n"
    )


def write_blocks(promtool: str, model: LabModel, end: int, data_dir: Path) -> Path:
    """The model's history up to `end` as TSDB blocks under `data_dir/tsdb`; the
    OpenMetrics file it came from stays beside it (data.om), for a look."""
    source = data_dir / "data.om"
    with source.open("w", encoding="utf-8") as out:
        for line in backfill(model, end):
            out.write(line + "\n")
    done = subprocess.run(
        [
            promtool,
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            str(source),
            str(data_dir / "tsdb"),
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"promtool refused {source}:\n{done.stderr or done.stdout}")
    return source


@contextlib.contextmanager
def lab_prometheus(
    prometheus: str, promtool: str, model: LabModel, end: int, data_dir: Path, exporter: Exporter
) -> Iterator[PrometheusProcess]:
    """Prometheus over the model's backfill up to `end`, scraping `exporter` from then on."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with exporter.lock:
        write_blocks(promtool, model, end, data_dir)
    with run_prometheus(
        prometheus,
        data_dir,
        scrape_configs=scrape_config(exporter.port),
        scrape_interval=f"{SCRAPE}s",
    ) as server:
        yield server
