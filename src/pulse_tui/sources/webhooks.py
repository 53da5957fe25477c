"""Slack-compatible webhook notifications for firing and resolved alerts.

`notify()` only appends to an in-memory inbox (it never blocks or raises, so the UI can
call it from anywhere); `run()` delivers. Each distinct URL has one ordered queue served
by one task, so a receiver that is down or slow delays its own messages, in order, and
never anyone else's. Retries: the shared `Backoff` (from `retry_base`, doubling to
`retry_max`) on connect errors, timeouts, 5xx and 429 (Retry-After honoured up to
`retry_max`), giving up after `give_up_after` seconds.

The URL is a secret (Slack's URL *is* the credential): it is resolved in `run()`, kept
private, and never appears in `last_error`, logs or reprs.

Silences are the caller's job (`AlertBook.apply` returns only events to send); events
whose alert is marked silenced are skipped here as well, defensively.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from pulse_tui.config.alert_model import Webhook
from pulse_tui.model.alerting.alerts import AlertEvent
from pulse_tui.sources.transport.backoff import Backoff, BackoffPolicy
from pulse_tui.sources.transport.errors import describe_transport_error
from pulse_tui.sources.transport.retry_after import parse_retry_after
from pulse_tui.sources.transport.tls import TlsSettings

#: Attachment colour per severity (resolved messages are green).
COLOURS = {"page": "#d7263d", "warn": "#f4a259", "info": "#3d7ea6", "resolved": "#2e933c"}
#: Notifications waiting per URL beyond which the oldest are dropped (and counted).
MAX_QUEUE = 10_000


def message(event: AlertEvent) -> dict[str, Any]:
    """The Slack-compatible body for one event: `text`, plus an attachment with details."""
    alert = event.alert
    head = "FIRING" if event.kind == "firing" else "RESOLVED"
    where = f" {alert.service}" if alert.service else ""
    stamp = event.at or time.time()
    clock = time.strftime("%H:%M:%S", time.localtime(stamp))
    text = f"[{head}] [{alert.severity}] {alert.name}{where}: {alert.summary} (at {clock})"
    fields = [{"title": k, "value": v, "short": True} for k, v in sorted(alert.labels.items())]
    colour = COLOURS["resolved" if event.kind == "resolved" else alert.severity]
    return {
        "text": text,
        "attachments": [
            {"color": colour, "fields": fields, "footer": f"pulse-tui {alert.source} {alert.key}"}
        ],
    }


def summary_message(events: Sequence[AlertEvent]) -> dict[str, Any]:
    """One message standing for a burst beyond the rate limit."""
    firing = sum(1 for e in events if e.kind == "firing")
    names = sorted({e.alert.name for e in events})
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    text = (
        f"[SUMMARY] {len(events)} alert notifications held back by the rate limit "
        f"({firing} firing, {len(events) - firing} resolved): {shown}"
    )
    return {"text": text}


@dataclass(slots=True)
class _Queue:
    """One URL's ordered queue and its recent send times (for the rate limit)."""

    label: str
    url: str
    items: deque[AlertEvent] = field(default_factory=deque)
    sends: deque[float] = field(default_factory=deque)
    #: A task is serving this queue.
    busy: bool = False


class WebhookNotifier:
    """Sends alert events to the configured webhooks (one per severity).

    Counters: `sent` (messages delivered), `failed` (given up), `dropped` (queue overflow
    or unusable webhook), `collapsed` (events folded into a rate-limit summary),
    `deduplicated` (same key and kind as the last one notified), `last_error`.
    """

    def __init__(
        self,
        webhooks: Sequence[Webhook],
        *,
        client: httpx.AsyncClient | None = None,
        max_per_minute: int = 20,
        retry_base: float = 1.0,
        retry_max: float = 60.0,
        give_up_after: float = 600.0,
        timeout: float = 10.0,
        tls: TlsSettings | None = None,
    ) -> None:
        self.webhooks = tuple(webhooks)
        self.max_per_minute = max(1, max_per_minute)
        self.retry_base = retry_base
        self.retry_max = retry_max
        self.backoff = BackoffPolicy(first=retry_base, cap=retry_max)
        self.tls = tls or TlsSettings()
        self.give_up_after = give_up_after
        self.timeout = timeout
        self.sent = 0
        self.failed = 0
        self.dropped = 0
        self.collapsed = 0
        self.deduplicated = 0
        self.last_error: str | None = None
        self._client = client
        self._own_client = client is None
        self._inbox: deque[AlertEvent] = deque()
        self._last_kind: dict[str, str] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._queues: dict[str, _Queue] = {}  # by URL
        self._routes: dict[str, list[_Queue]] = {}  # severity -> queues
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = False

    # ------------------------------------------------------------------ public API

    def notify(self, event: AlertEvent) -> None:
        """Queue one event for sending; returns at once, never raises."""
        try:
            if event.alert.silenced:
                return
            if not any(w.severity == event.alert.severity for w in self.webhooks):
                return
            with self._lock:
                if self._last_kind.get(event.alert.key) == event.kind:
                    self.deduplicated += 1
                    return
                self._last_kind[event.alert.key] = event.kind
                self._inbox.append(event)
            self._poke()
        except Exception as exc:  # a notification must never take the app down
            self.last_error = f"notify failed: {type(exc).__name__}"

    async def run(self) -> None:
        """Deliver until `close()` (or cancellation). Start it once, as a task."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        if self._client is None:
            verify = self.tls.ssl_context("webhooks")
            self._client = httpx.AsyncClient(timeout=self.timeout, verify=verify)
        await self._resolve_routes()
        try:
            while not self._closing:
                self._dispatch()
                await self._wake.wait()
                self._wake.clear()
        finally:
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self, timeout: float = 5.0) -> None:
        """Give queued messages up to `timeout` seconds to go out, then stop."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and (
            self._inbox or any(q.items or q.busy for q in self._queues.values())
        ):
            if self._loop is None:
                break  # run() never started: nothing can go out
            await asyncio.sleep(0.02)
        self._closing = True
        self._poke()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._own_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    @property
    def queued(self) -> int:
        return len(self._inbox) + sum(len(q.items) for q in self._queues.values())

    # ------------------------------------------------------------------ dispatching

    def _poke(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is None or wake is None:
            return  # run() picks the inbox up when it starts
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            wake.set()
        else:
            loop.call_soon_threadsafe(wake.set)

    async def _resolve_routes(self) -> None:
        # Off the loop: a `command` secret runs a process.
        for index, hook in enumerate(self.webhooks):
            label = f"webhook #{index + 1} ({hook.severity})"
            try:
                url = await asyncio.to_thread(hook.url.resolve)
            except Exception as exc:
                self.last_error = f"{label}: {exc}"
                continue
            if not url.startswith(("http://", "https://")):
                self.last_error = f"{label}: the URL is not http(s)"
                continue
            queue = self._queues.get(url)
            if queue is None:
                queue = self._queues[url] = _Queue(label, url)
            self._routes.setdefault(hook.severity, []).append(queue)

    def _dispatch(self) -> None:
        with self._lock:
            events = list(self._inbox)
            self._inbox.clear()
        for event in events:
            queues = self._routes.get(event.alert.severity, [])
            if not queues:
                self.dropped += 1  # its webhook's URL could not be resolved
            for queue in queues:
                if len(queue.items) >= MAX_QUEUE:
                    queue.items.popleft()
                    self.dropped += 1
                queue.items.append(event)
                if not queue.busy:
                    queue.busy = True
                    task = asyncio.create_task(self._serve(queue))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)

    async def _serve(self, queue: _Queue) -> None:
        """Send this URL's queue in order; ends when it is empty (respawned on demand)."""
        try:
            while queue.items and not self._closing:
                body = await self._next_body(queue)
                await self._deliver(queue, body)
        finally:
            queue.busy = False

    async def _next_body(self, queue: _Queue) -> dict[str, Any]:
        """The next message: one event, or a summary when the minute's budget runs out."""
        while True:
            now = time.monotonic()
            while queue.sends and queue.sends[0] <= now - 60:
                queue.sends.popleft()
            left = self.max_per_minute - len(queue.sends)
            if left > 1 or (left == 1 and len(queue.items) == 1):
                return message(queue.items.popleft())
            if left == 1:
                # The last slot of the minute: everything waiting goes as one summary.
                events = list(queue.items)
                queue.items.clear()
                self.collapsed += len(events)
                return summary_message(events)
            await asyncio.sleep(queue.sends[0] + 60 - now)

    async def _deliver(self, queue: _Queue, body: dict[str, Any]) -> None:
        assert self._client is not None
        queue.sends.append(time.monotonic())
        started = time.monotonic()
        backoff = Backoff(self.backoff)
        while True:
            retry_after: float | None = None
            try:
                response = await self._client.post(queue.url, json=body, timeout=self.timeout)
            except httpx.TransportError as exc:
                # No `where`: the label names the webhook, and the URL is a secret.
                error = describe_transport_error(exc, timeout=self.timeout)
            else:
                if response.status_code < 300:
                    self.sent += 1
                    return
                error = f"HTTP {response.status_code}"
                if response.status_code != 429 and response.status_code < 500:
                    self._give_up(queue, f"{error} (not retried)")
                    return
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                if retry_after is not None:
                    # A receiver asking for an hour does not hold its queue for an hour.
                    retry_after = min(retry_after, self.retry_max)
            delay = backoff.failed(retry_after=retry_after)
            if time.monotonic() - started + delay > self.give_up_after:
                self._give_up(queue, f"{error}; gave up after {backoff.failures} attempts")
                return
            self.last_error = f"{queue.label}: {error}, retrying"
            await asyncio.sleep(delay)

    def _give_up(self, queue: _Queue, reason: str) -> None:
        self.failed += 1
        self.last_error = f"{queue.label}: {reason}"
