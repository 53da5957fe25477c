"""Uptime probes against a real HTTP server on 127.0.0.1 that goes down and comes back."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pulse_tui.config.alert_model import Probe
from pulse_tui.sources.probes import Prober, ProbeStatus, display_url

WAIT = 10.0  # the most any condition below may take to come true


class Target:
    """A local HTTP server whose answer the test switches: "up" (200), "503", "hang";
    `stop()` closes the port (connection refused), `start()` opens the same port again."""

    def __init__(self) -> None:
        self.mode = "up"
        self.release = threading.Event()
        self.port = 0
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> Target:
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if target.mode == "hang":
                    target.release.wait(WAIT)
                code = 503 if target.mode == "503" else 200
                body = b"ok\n"
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        ThreadingHTTPServer.daemon_threads = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/health"


@pytest.fixture
def target() -> Iterator[Target]:
    server = Target().start()
    yield server
    server.release.set()
    server.stop()


async def until(condition: Callable[[], bool], what: str) -> None:
    async with asyncio.timeout(WAIT):
        while not condition():
            await asyncio.sleep(0.01)
    assert condition(), what


class Recorder:
    def __init__(self) -> None:
        self.seen: list[ProbeStatus] = []

    def __call__(self, status: ProbeStatus) -> None:
        self.seen.append(status)

    def of(self, name: str) -> list[ProbeStatus]:
        return [s for s in self.seen if s.name == name]

    def last(self, name: str) -> ProbeStatus | None:
        mine = self.of(name)
        return mine[-1] if mine else None


def probe(url: str, name: str = "api health", **kw: float) -> Probe:
    settings = {"interval": 0.05, "timeout": 2.0, "down_after": 3, **kw}
    return Probe(name, url, **settings)  # type: ignore[arg-type]


async def test_a_target_going_down_and_coming_back(target: Target) -> None:
    prober = Prober([probe(target.url)])
    sink = Recorder()
    task = asyncio.create_task(prober.run(sink))
    try:
        await until(lambda: len(sink.seen) >= 2, "two checks")
        first = sink.seen[0]
        assert first.up and not first.down and first.last_status_code == 200
        assert first.last_latency is not None and first.last_latency > 0
        assert first.history[0].ok and first.history[0].latency == first.last_latency

        # The port closes: refused, but down only after 3 failures in a row.
        target.stop()
        await until(lambda: sink.seen[-1].down, "down")
        failures = [s for s in sink.seen if s.up is False]
        assert [s.down for s in failures[:3]] == [False, False, True]
        went_down = [s for s in sink.seen if s.went_down]
        assert len(went_down) == 1 and went_down[0].consecutive_failures == 3
        assert went_down[0].last_error == "connect refused"
        assert went_down[0].alert_text == "api health down for 3 checks: connect refused"

        # Back on the same port: up again at the first success, and said so once.
        target.start()
        await until(lambda: sink.seen[-1].up is True, "up again")
        assert not sink.seen[-1].down
        assert len([s for s in sink.seen if s.recovered]) == 1
        assert "✗✗✗" in sink.seen[-1].history_strip(60)
    finally:
        await prober.stop()
        await asyncio.wait_for(task, WAIT)


async def test_an_unexpected_status_is_a_failure_with_the_reason(target: Target) -> None:
    target.mode = "503"
    prober = Prober([probe(target.url, down_after=2)])
    sink = Recorder()
    task = asyncio.create_task(prober.run(sink))
    try:
        await until(lambda: bool(sink.seen) and sink.seen[-1].down, "down")
        status = sink.seen[-1]
        assert status.last_error == "HTTP 503 (expected 200)"
        assert status.last_status_code == 503
        assert status.last_latency is not None  # it answered, just wrongly
        target.mode = "up"
        await until(lambda: sink.seen[-1].up is True, "up")
        assert sink.seen[-1].recovered and sink.seen[-1].last_error is None
    finally:
        await prober.stop()
        await asyncio.wait_for(task, WAIT)


async def test_a_hanging_endpoint_times_out_without_delaying_another(target: Target) -> None:
    hanging = Target()
    hanging.mode = "hang"
    hanging.start()
    try:
        prober = Prober(
            [probe(hanging.url, "slow", timeout=0.5), probe(target.url, "fast", interval=0.02)]
        )
        sink = Recorder()
        task = asyncio.create_task(prober.run(sink))
        try:
            await until(lambda: bool(sink.of("slow")), "the slow probe's first check")
            # The fast probe kept checking while the slow one waited for its timeout.
            assert len(sink.of("fast")) >= 2
            slow = sink.of("slow")[0]
            assert slow.up is False and slow.last_error == "timeout after 0.5s"
            assert all(s.up for s in sink.of("fast"))
        finally:
            await prober.stop()
            await asyncio.wait_for(task, WAIT)
    finally:
        hanging.release.set()
        hanging.stop()


def test_credentials_never_reach_the_display() -> None:
    shown = display_url("https://user:s3cret@example.com:8443/health?token=abc")
    assert shown == "https://example.com:8443/health?…"
    assert Prober([probe("https://u:pw@host/x")]).statuses()[0].url == "https://host/x"


def test_history_strip_shows_latency_bars_and_failures() -> None:
    from pulse_tui.sources.probes import ProbeState

    state = ProbeState(probe("http://x/"), history=10)
    state.record(1.0, True, 0.01, 200, None)
    state.record(2.0, False, None, None, "connect refused")
    status = state.record(3.0, True, 0.08, 200, None)
    assert status.history_strip(5) == "  ▂✗█"
    assert status.history_strip(2) == "✗█"
