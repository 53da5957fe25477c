"""A real Alertmanager (Debian `prometheus-alertmanager`) on 127.0.0.1, clustering off."""

from __future__ import annotations

import contextlib
import json
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.process import http_ready, start_on_free_port, stop_process

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


@contextlib.contextmanager
def run_alertmanager(binary: str) -> Iterator[AlertmanagerProcess]:
    """Start Alertmanager on a free port with a null receiver; stop it on exit."""
    with tempfile.TemporaryDirectory(prefix="pulse-am-") as tmp:
        root = Path(tmp)
        (root / "alertmanager.yml").write_text(CONFIG)
        process, port = start_on_free_port(
            lambda port: [
                binary,
                f"--config.file={root / 'alertmanager.yml'}",
                f"--storage.path={root / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",  # empty: no gossip port, no peers
                "--log.level=warn",
            ],
            log=root / "alertmanager.log",
            ready_for=lambda port: http_ready(f"http://127.0.0.1:{port}/-/ready"),
            timeout=STARTUP_TIMEOUT,
        )
        try:
            yield AlertmanagerProcess(f"http://127.0.0.1:{port}", process)
        finally:
            stop_process(process)
