"""Uptime probes against a real HTTP server on 127.0.0.1 that goes down and comes back."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable, Iterator

import httpx
import pytest
from support.http_receiver import HttpReceiver

from pulse_tui.config.alert_model import Probe
from pulse_tui.sources.probes import Prober, ProbeStatus, display_url

WAIT = 10.0  # the most any condition below may take to come true


@pytest.fixture
def target() -> Iterator[HttpReceiver]:
    """The endpoint under watch: answers 200 until a test says otherwise."""
    server = HttpReceiver(path="/health")
    yield server
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


async def test_a_target_going_down_and_coming_back(target: HttpReceiver) -> None:
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
        assert went_down[0].last_error == "connection refused"
        assert went_down[0].alert_text == "api health down for 3 checks: connection refused"

        # Back on the same port: up again at the first success, and said so once.
        target.start()
        await until(lambda: sink.seen[-1].up is True, "up again")
        assert not sink.seen[-1].down
        assert len([s for s in sink.seen if s.recovered]) == 1
        assert "✗✗✗" in sink.seen[-1].history_strip(60)
    finally:
        await prober.stop()
        await asyncio.wait_for(task, WAIT)


async def test_an_unexpected_status_is_a_failure_with_the_reason(target: HttpReceiver) -> None:
    target.status = 503
    prober = Prober([probe(target.url, down_after=2)])
    sink = Recorder()
    task = asyncio.create_task(prober.run(sink))
    try:
        await until(lambda: bool(sink.seen) and sink.seen[-1].down, "down")
        status = sink.seen[-1]
        assert status.last_error == "HTTP 503 (expected 200)"
        assert status.last_status_code == 503
        assert status.last_latency is not None  # it answered, just wrongly
        target.status = 200
        await until(lambda: sink.seen[-1].up is True, "up")
        assert sink.seen[-1].recovered and sink.seen[-1].last_error is None
    finally:
        await prober.stop()
        await asyncio.wait_for(task, WAIT)


async def test_a_hanging_endpoint_times_out_without_delaying_another(target: HttpReceiver) -> None:
    hanging = HttpReceiver(path="/health")
    hanging.delay = WAIT  # holds every answer until the test stops it
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
            assert slow.up is False and slow.last_error == "no answer within 0.5s"
            assert all(s.up for s in sink.of("fast"))
        finally:
            await prober.stop()
            await asyncio.wait_for(task, WAIT)
    finally:
        hanging.stop()


def test_credentials_never_reach_the_display() -> None:
    shown = display_url("https://user:s3cret@example.com:8443/health?token=abc")
    assert shown == "https://user:***@example.com:8443/health?…"
    assert Prober([probe("https://u:pw@host/x")]).statuses()[0].url == "https://u:***@host/x"


async def test_credentials_in_a_probe_url_go_as_basic_auth_and_are_never_shown(
    target: HttpReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx logs every request's URL at INFO
    password = "probe-pw-93d1b7"
    host = target.url.removeprefix("http://")
    prober = Prober([probe(f"http://ops:{password}@{host}")])
    async with httpx.AsyncClient() as client:
        status = await prober.check(client, prober.probes[0])
        assert status.up and status.url == f"http://ops:***@{host}"
        target.stop()
        status = await prober.check(client, prober.probes[0])
    assert status.last_error is not None and password not in status.last_error
    basic = base64.b64encode(f"ops:{password}".encode()).decode()
    assert target.received_headers[0]["Authorization"] == f"Basic {basic}"
    assert "HTTP Request: GET" in caplog.text  # the log was captured, and it is clean
    assert password not in caplog.text


def test_history_strip_shows_latency_bars_and_failures() -> None:
    from pulse_tui.sources.probes import ProbeState

    state = ProbeState(probe("http://x/"), history=10)
    state.record(1.0, True, 0.01, 200, None)
    state.record(2.0, False, None, None, "connection refused")
    status = state.record(3.0, True, 0.08, 200, None)
    assert status.history_strip(5) == "  ▂✗█"
    assert status.history_strip(2) == "✗█"
