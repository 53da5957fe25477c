"""A real Alertmanager (Debian `prometheus-alertmanager`) on 127.0.0.1, clustering off."""

from __future__ import annotations

import contextlib
import json
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.prometheus_server import free_port

STARTUP_TIMEOUT = 20.0
#: Everything goes to a receiver that sends nothing.
CONFIG = """\
route:
  receiver: "null"
  group_wait: 1s
receivers:
  - name: "null"
"""


@dataclass
class AlertmanagerProcess:
    url: str
    process: subprocess.Popen[bytes]

    def post(self, path: str, payload: Any) -> Any:
        """POST JSON to the v2 API; the decoded answer (or None when empty)."""
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            body = response.read()
        return json.loads(body) if body.strip() else None


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def run_alertmanager(binary: str) -> Iterator[AlertmanagerProcess]:
    """Start Alertmanager on a free port with a null receiver; stop it on exit."""
    with tempfile.TemporaryDirectory(prefix="pulse-am-") as tmp:
        root = Path(tmp)
        (root / "alertmanager.yml").write_text(CONFIG)
        log = root / "alertmanager.log"
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    binary,
                    f"--config.file={root / 'alertmanager.yml'}",
                    f"--storage.path={root / 'data'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                    "--cluster.listen-address=",  # empty: no gossip port, no peers
                    "--log.level=warn",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while not _ready(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"alertmanager did not start:\n{log.read_text()[-2000:]}")
                time.sleep(0.05)
            yield AlertmanagerProcess(url, process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
