"""A local HTTP server on 127.0.0.1 that records what it receives (a webhook receiver).

Tests switch its behaviour: answer normally, answer with a status (503, 429 + Retry-After),
answer slowly, or stop listening altogether and come back on the same port.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from support.prometheus_server import free_port


class HttpReceiver:
    """Records JSON bodies POSTed to it, in arrival order (`bodies`)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.bodies: list[dict[str, Any]] = []
        self.requests = 0
        self.status = 200
        self.headers: dict[str, str] = {}
        self.delay = 0.0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook/secret-token"

    @property
    def texts(self) -> list[str]:
        with self._lock:
            return [b.get("text", "") for b in self.bodies]

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                receiver._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length)
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            self.requests += 1
            status = self.status
            if status < 300:
                self.bodies.append(json.loads(raw))
        payload = b"ok" if status < 300 else b"unavailable"
        handler.send_response(status)
        for name, value in self.headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll `condition` (blocking) until true or `timeout`; True when it came true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()
