"""A real prometheus for tests and benchmarks, and a proxy that breaks it on purpose.

`backfilled_prometheus` writes known data (support/backfill.py), turns it into TSDB blocks
with `promtool tsdb create-blocks-from openmetrics` and serves them on 127.0.0.1.
`FaultProxy` sits in front of any HTTP server and can pass requests through, answer with a
canned response, hang, reset the connection, or stop listening altogether.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import re
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from support.backfill import Service, write_openmetrics
from support.process import free_port, http_ready, start_on_free_port, stop_process

STARTUP_TIMEOUT = 20.0


@dataclass
class PrometheusProcess:
    """A running prometheus: its URL and process."""

    url: str
    process: subprocess.Popen[bytes]
    data_dir: Path


@contextlib.contextmanager
def run_prometheus(
    binary: str,
    data_dir: Path,
    scrape_configs: str = "",
    scrape_interval: str = "15s",
    features: Sequence[str] = (),
) -> Iterator[PrometheusProcess]:
    """Start prometheus on a free 127.0.0.1 port over `data_dir/tsdb`; stop it on exit.

    `features` are `--enable-feature` names ("native-histograms")."""
    config = data_dir / "prometheus.yml"
    config.write_text(
        f"global:\n  scrape_interval: {scrape_interval}\n  evaluation_interval: 1m\n"
        + (f"scrape_configs:\n{scrape_configs}" if scrape_configs else "")
    )
    process, port = start_on_free_port(
        lambda port: [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={data_dir / 'tsdb'}",
            # Backfilled samples must never age out while the tests run.
            "--storage.tsdb.retention.time=3650d",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
            *(f"--enable-feature={name}" for name in features),
        ],
        log=data_dir / "prometheus.log",
        ready_for=lambda port: http_ready(f"http://127.0.0.1:{port}/-/ready"),
        timeout=STARTUP_TIMEOUT,
    )
    try:
        yield PrometheusProcess(url=f"http://127.0.0.1:{port}", process=process, data_dir=data_dir)
    finally:
        stop_process(process)


def create_blocks(promtool: str, openmetrics: Path, data_dir: Path) -> None:
    """TSDB blocks under `data_dir / "tsdb"` (where `run_prometheus` looks) from an
    OpenMetrics file, as `promtool tsdb create-blocks-from openmetrics` writes them."""
    blocks = str(data_dir / "tsdb")
    subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(openmetrics), blocks],
        check=True,
        capture_output=True,
    )


@contextlib.contextmanager
def backfilled_prometheus(
    prometheus: str,
    promtool: str,
    end: int,
    duration: int,
    services: list[Service],
    history: int = 0,
) -> Iterator[PrometheusProcess]:
    """Prometheus serving the known dataset ending at `end` (Unix seconds), with `history`
    seconds of sparse samples before its `duration` (see backfill.generate)."""
    with tempfile.TemporaryDirectory(prefix="pulse-prom-") as tmp:
        data_dir = Path(tmp)
        source = data_dir / "data.om"
        write_openmetrics(str(source), end, duration, services, history=history)
        create_blocks(promtool, source, data_dir)
        with run_prometheus(prometheus, data_dir) as server:
            yield server


# --------------------------------------------------------------------------- fault proxy


@dataclass
class Canned:
    """A response the proxy sends instead of asking the upstream."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain"
    headers: tuple[tuple[str, str], ...] = ()
    #: Sent instead of `body`, piece by piece, without a Content-Length (the connection
    #: closes at its end): a body far bigger than the test could hold in memory.
    chunks: Callable[[], Iterable[bytes]] | None = None


class FaultProxy:
    """An HTTP proxy in front of `upstream` whose behaviour tests switch at will.

    Modes: "pass" (forward), "canned" (answer `canned`), "hang" (never answer), "reset"
    (drop the connection), "echo" (a 502 whose body quotes the request's own headers back,
    credentials and all, as a misconfigured gateway's error page may).
    `stop_listening()` / `start_listening()` make the port refuse and accept connections
    again, like a server going down and coming back.
    `requests` counts every request that reached the proxy.

    What a backend gets wrong, on top of any mode: `hang_if(path)` hangs just the requests
    it matches (one panel's query) and passes the others, and `hang_queries(pattern)` does
    the same for every request whose PromQL (in the URL or a POSTed form, decoded) matches
    a regular expression; `hung` counts the requests held so; `rewrite(path)` changes the path
    (and query) sent upstream; `edit(path, body)` rewrites the
    upstream's JSON answer (a Thanos-like `warnings` added); `date_offset` moves the clock
    of the Date header the proxy sends (a server whose clock is off). `sent_bytes` counts
    the body bytes a `Canned.chunks` answer got out before the client stopped reading.
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.removeprefix("http://")
        self.mode = "pass"
        self.canned = Canned(200)
        self.requests = 0
        self.paths: list[str] = []
        self.hang_if: Callable[[str], bool] | None = None
        self.hang_pattern: re.Pattern[str] | None = None
        self.hung = 0
        self.edit: Callable[[str, bytes], bytes] | None = None
        self.rewrite: Callable[[str], str] | None = None
        self.date_offset = 0.0
        self.sent_bytes = 0
        self._release = threading.Event()
        self._lock = threading.Lock()
        self.port = free_port()
        self._server: ThreadingHTTPServer | None = None
        self.start_listening()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def hang_queries(self, pattern: str | None) -> None:
        """Hang every request whose decoded query matches `pattern` (None: hang none)."""
        self.hang_pattern = None if pattern is None else re.compile(pattern)

    def _hangs(self, path: str, body: bytes) -> bool:
        if self.hang_if is not None and self.hang_if(path):
            return True
        if self.hang_pattern is None:
            return False
        # The query is wherever the client put it: the URL (GET) or the form (POST).
        sent = (
            urllib.parse.unquote_plus(path)
            + "\n"
            + urllib.parse.unquote_plus(body.decode(errors="replace"))
        )
        return self.hang_pattern.search(sent) is not None

    def start_listening(self) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def date_time_string(self, timestamp: float | None = None) -> str:
                moment = (time.time() if timestamp is None else timestamp) + proxy.date_offset
                return email.utils.formatdate(moment, usegmt=True)

            def do_GET(self) -> None:
                proxy._handle(self)

            do_POST = do_GET

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop_listening(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def close(self) -> None:
        self._release.set()
        self.stop_listening()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests += 1
            self.paths.append(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        if self.mode == "hang" or self._hangs(handler.path, body):
            with self._lock:
                self.hung += 1
            self._release.wait(30)
            handler.close_connection = True
            return
        if self.mode == "reset":
            handler.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            handler.close_connection = True
            return
        if self.mode == "echo":
            self._send(handler, 502, _echo(handler), "text/plain", ())
            return
        if self.mode == "canned" and self.canned.chunks is not None:
            self._stream(handler, self.canned)
            return
        if self.mode == "canned":
            self._send(
                handler,
                self.canned.status,
                self.canned.body,
                self.canned.content_type,
                self.canned.headers,
            )
            return
        upstream = http.client.HTTPConnection(self.upstream, timeout=30)
        # An edited answer is asked for uncompressed, so the edit sees JSON.
        skip = ("host", "accept-encoding") if self.edit else ("host",)
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in skip}
        path = self.rewrite(handler.path) if self.rewrite else handler.path
        upstream.request(handler.command, path, body=body or None, headers=headers)
        resp = upstream.getresponse()
        data = resp.read()
        if self.edit is not None:
            data = self.edit(handler.path, data)
        extra = tuple(
            (k, v) for k, v in resp.getheaders() if k.lower() in ("content-encoding", "retry-after")
        )
        self._send(handler, resp.status, data, resp.getheader("Content-Type", ""), extra)
        upstream.close()

    def _stream(self, handler: BaseHTTPRequestHandler, canned: Canned) -> None:
        assert canned.chunks is not None
        handler.send_response(canned.status)
        handler.send_header("Content-Type", canned.content_type)
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        try:
            for chunk in canned.chunks():
                handler.wfile.write(chunk)
                with self._lock:
                    self.sent_bytes += len(chunk)
        except OSError:
            pass  # the client stopped reading and closed: what the cap is for

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        content_type: str,
        headers: tuple[tuple[str, str], ...],
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)


#: Headers every client sends, left out of an echo so the credentials come first.
_ORDINARY = frozenset({"host", "user-agent", "accept", "accept-encoding", "connection"})


def _echo(handler: BaseHTTPRequestHandler) -> bytes:
    headers = handler.headers.items()
    sent = "; ".join(f"{name}: {value}" for name, value in headers if name.lower() not in _ORDINARY)
    return f"bad gateway, upstream refused a request with {sent}".encode()
