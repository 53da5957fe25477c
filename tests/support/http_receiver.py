"""A local HTTP server on 127.0.0.1 that records what it receives and answers as told.

One server for webhook tests (it records the JSON bodies POSTed to it) and uptime-probe
tests (a GET target). Tests switch its behaviour: answer normally, answer with a status
(503, 429 + Retry-After), answer slowly or hang, or stop listening altogether and come
back on the same port.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class HttpReceiver:
    """Answers every GET and POST with `status`; records JSON bodies POSTed to it (`bodies`).

    `requests` counts every request. `headers` go out with each answer. `delay` holds each
    answer that many seconds (a slow or hanging server), cut short by `stop()`. `stop()`
    closes the port (connection refused); `start()` opens the same port again.
    """

    def __init__(self, path: str = "/hook/secret-token") -> None:
        #: Zero until the first `start()` binds; then kept, so a restart comes back on it.
        self.port = 0
        self.path = path
        self.bodies: list[dict[str, Any]] = []
        self.requests = 0
        #: Each request's headers, in arrival order.
        self.received_headers: list[dict[str, str]] = []
        self.status = 200
        self.headers: dict[str, str] = {}
        self.delay = 0.0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

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

            def do_GET(self) -> None:
                receiver._handle(self)

            do_POST = do_GET

        self._stopping.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._stopping.set()  # answer requests held by `delay` now
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        if self.delay:
            self._stopping.wait(self.delay)
        with self._lock:
            self.requests += 1
            self.received_headers.append(dict(handler.headers.items()))
            status = self.status
            if status < 300 and raw:
                self.bodies.append(json.loads(raw))
        payload = b"ok" if status < 300 else b"unavailable"
        handler.send_response(status)
        for name, value in self.headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(payload)))
        # One request per connection: a client's pooled keep-alive connection would
        # otherwise still be answered after `stop()`, and a server that is down must refuse.
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(payload)
