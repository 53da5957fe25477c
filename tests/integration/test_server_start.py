"""The real servers the integration tests start: when one will not come up, the error says why."""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from support.binaries import require_binary
from support.process import ServerStartError, http_ready, start_on_free_port, start_server

pytestmark = pytest.mark.integration


def test_a_server_that_exits_is_reported_with_the_end_of_its_log(tmp_path: Path) -> None:
    prometheus = require_binary("prometheus")
    with pytest.raises(ServerStartError) as info:
        start_server(
            [prometheus, "--no-such-flag"],
            tmp_path / "prometheus.log",
            ready=lambda: False,
            timeout=20,
        )
    message = str(info.value)
    assert "prometheus exited with code" in message
    assert "no-such-flag" in message  # prometheus's own complaint, from its stderr


def test_a_server_never_ready_is_stopped_and_reported(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("a previous run's line\n")
    script = "echo listening on nothing; exec sleep 30"
    with pytest.raises(ServerStartError) as info:
        start_server([shutil.which("sh") or "/bin/sh", "-c", script], log, lambda: False, 0.3)
    message = str(info.value)
    assert "sh was not ready after 0.3s" in message
    assert "listening on nothing" in message
    assert "previous run" not in message  # only what this run wrote
    busy = subprocess.run(["pgrep", "-f", script], capture_output=True, text=True)
    assert busy.stdout == ""  # the never-ready process was stopped, not left behind


def test_a_port_taken_between_probe_and_bind_is_tried_again(tmp_path: Path) -> None:
    prometheus = require_binary("prometheus")
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    ports: list[int] = []

    def argv_for(port: int) -> list[str]:
        ports.append(port)
        listen = taken.getsockname()[1] if len(ports) == 1 else port  # first try: in use
        return [
            prometheus,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{listen}",
        ]

    (tmp_path / "prometheus.yml").write_text("global:\n  scrape_interval: 15s\n")
    try:
        process, port = start_on_free_port(
            argv_for,
            tmp_path / "prometheus.log",
            lambda port: http_ready(f"http://127.0.0.1:{port}/-/ready"),
        )
    finally:
        taken.close()
    try:
        assert len(ports) == 2 and port == ports[1]
        assert "address already in use" in (tmp_path / "prometheus.log").read_text()
    finally:
        process.terminate()
        process.wait(10)
