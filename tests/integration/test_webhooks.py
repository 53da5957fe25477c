"""Webhook notifications against a real local HTTP receiver (support/http_receiver.py)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from support.http_receiver import HttpReceiver

from pulse_tui.config.alert_model import Webhook
from pulse_tui.config.secrets import SecretRef
from pulse_tui.model.alerting.alerts import Alert, AlertEvent
from pulse_tui.sources.webhooks import WebhookNotifier

pytestmark = pytest.mark.integration


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    server = HttpReceiver()
    try:
        yield server
    finally:
        server.stop()


def event(kind: str, name: str = "High errors", service: str = "checkout", **extra) -> AlertEvent:
    alert = Alert(
        key=f"pulse:{name}:{service}",
        name=name,
        source="pulse",
        severity="page",
        state="firing" if kind == "firing" else "resolved",
        service=service,
        summary="error ratio 50% > 5% for 2m",
        fired_at=1000.0,
        resolved_at=2000.0,
        **extra,
    )
    return AlertEvent(kind, alert)  # type: ignore[arg-type]


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@pytest.fixture
async def start() -> AsyncIterator[Callable[..., WebhookNotifier]]:
    notifiers: list[tuple[WebhookNotifier, asyncio.Task[None]]] = []

    def make(url: str, **options: object) -> WebhookNotifier:
        notifier = WebhookNotifier(
            [Webhook("page", SecretRef(inline=url))], retry_base=0.05, retry_max=0.2, **options
        )
        notifiers.append((notifier, asyncio.create_task(notifier.run())))
        return notifier

    yield make
    for notifier, task in notifiers:
        await notifier.close(timeout=1)
        task.cancel()


async def test_one_firing_and_one_resolved_message_even_if_notified_twice(
    receiver: HttpReceiver, start
) -> None:
    notifier = start(receiver.url)
    for kind in ("firing", "firing", "resolved", "resolved"):
        notifier.notify(event(kind))
    await until(lambda: notifier.sent == 2)
    await asyncio.sleep(0.1)  # nothing else trickles in
    texts = receiver.texts
    assert len(texts) == 2
    assert texts[0].startswith("[FIRING] [page] High errors checkout: error ratio 50% > 5%")
    assert texts[1].startswith("[RESOLVED] [page] High errors checkout")
    assert receiver.bodies[0]["attachments"][0]["color"] == "#d7263d"
    assert notifier.deduplicated == 2


async def test_a_silenced_alert_sends_nothing(receiver: HttpReceiver, start) -> None:
    notifier = start(receiver.url)
    notifier.notify(event("firing", silenced=True, silence_reason="silence deploy"))
    notifier.notify(event("firing", name="Other"))
    await until(lambda: notifier.sent == 1)
    assert [t.split(":")[0] for t in receiver.texts] == ["[FIRING] [page] Other checkout"]


async def test_receiver_down_then_up_gets_everything_in_order(
    receiver: HttpReceiver, start
) -> None:
    receiver.stop()
    notifier = start(receiver.url)
    names = [f"Rule {i}" for i in range(5)]
    for name in names:
        notifier.notify(event("firing", name=name))
    await until(lambda: notifier.last_error is not None and "retrying" in notifier.last_error)
    assert "secret-token" not in notifier.last_error  # the URL is a secret
    receiver.status = 503  # back, but overloaded: still retried
    receiver.start()
    await until(lambda: receiver.requests >= 2)
    receiver.status = 200
    await until(lambda: notifier.sent == 5)
    assert [t.split("] ")[2].split(" checkout")[0] for t in receiver.texts] == names
    assert notifier.failed == 0


async def test_the_url_never_reaches_the_logs(
    receiver: HttpReceiver, start, caplog: pytest.LogCaptureFixture
) -> None:
    """httpx logs every request's URL at INFO, and a webhook's URL is its credential."""
    caplog.set_level(logging.DEBUG)
    notifier = start(receiver.url)
    notifier.notify(event("firing"))
    await until(lambda: notifier.sent == 1)
    assert "HTTP Request: POST" in caplog.text  # the log was captured, and it is clean
    assert "secret-token" not in caplog.text


async def test_gives_up_after_a_bounded_time_and_says_so(receiver: HttpReceiver, start) -> None:
    receiver.status = 500
    notifier = start(receiver.url, give_up_after=0.3)
    notifier.notify(event("firing"))
    await until(lambda: notifier.failed == 1)
    assert "HTTP 500; gave up after" in (notifier.last_error or "")
    assert "secret-token" not in (notifier.last_error or "")


async def test_retry_after_is_honoured_on_429(receiver: HttpReceiver, start) -> None:
    receiver.status = 429
    receiver.headers = {"Retry-After": "1"}
    notifier = start(receiver.url)
    notifier.notify(event("firing"))
    await until(lambda: receiver.requests == 1)
    first = time.monotonic()
    receiver.status = 200
    await until(lambda: notifier.sent == 1)
    # retry_max (0.2 s) caps how long we honour it: the next try came after the cap,
    # not after the exponential 0.05 s.
    assert time.monotonic() - first >= 0.15


async def test_a_slow_receiver_never_blocks_notify(receiver: HttpReceiver, start) -> None:
    receiver.delay = 1.0
    notifier = start(receiver.url)
    notifier.notify(event("firing", name="First"))
    await until(lambda: notifier.queued == 0)  # the first one is in flight
    began = time.monotonic()
    for i in range(200):
        notifier.notify(event("firing", name=f"Burst {i}"))
    assert time.monotonic() - began < 0.5  # generous: it only appends to a deque
    await until(lambda: notifier.sent >= 1)


async def test_rate_limit_collapses_a_burst_into_one_summary(receiver: HttpReceiver, start) -> None:
    notifier = start(receiver.url, max_per_minute=5)
    for i in range(30):
        notifier.notify(event("firing", name=f"Rule {i:02d}"))
    await until(lambda: notifier.sent == 5)
    await asyncio.sleep(0.1)
    texts = receiver.texts
    assert len(texts) == 5
    assert all(t.startswith("[FIRING]") for t in texts[:4])
    assert texts[4].startswith("[SUMMARY] 26 alert notifications held back by the rate limit")
    assert notifier.collapsed == 26
