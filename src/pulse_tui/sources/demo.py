"""The embedded demo: believable services and logs behind the real source interfaces.

Values are pure functions of time (a seeded hash stands in for randomness), so every refresh
of the same instant agrees with the last one, charts scroll smoothly, and tests can predict
what they will see. Three services, a diurnal traffic curve, an incident every ten minutes
that moves errors and latency together, and a worker queue that backs up when it happens.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import time
from collections.abc import Callable, Iterator, Sequence

from pulse_tui.config import AlertRule, AlertsConfig, Config, LogRule
from pulse_tui.model.core import clock
from pulse_tui.model.logs.line import Level, LogLine
from pulse_tui.model.metrics.signals import QueryWindow, Recent, Series, Signal, SignalResult
from pulse_tui.sources.base import FetchedWindow, HostState, HostStatus, LogSink
from pulse_tui.sources.demo_buckets import demo_buckets

DEMO_SERVICES = ("api", "checkout", "worker")
DEMO_QUEUES = ("emails", "webhooks")
_BASE_RPS = {"api": 140.0, "checkout": 38.0, "worker": 12.0}
_BASE_LATENCY = {"api": 0.045, "checkout": 0.120, "worker": 0.300}
_CPU_PER_REQUEST = {"api": 0.004, "checkout": 0.012, "worker": 0.05}

#: One incident per service every 30 minutes, staggered; each lasts 4 minutes.
INCIDENT_PERIOD = 600.0
INCIDENT_LENGTH = 240.0


def _noise(t: float, seed: int) -> float:
    """A repeatable pseudo-random number in [0, 1) for instant `t`."""
    x = math.sin(t * 12.9898 + seed * 78.233) * 43758.5453
    return x - math.floor(x)


def incident_strength(service: str, t: float) -> float:
    """0 outside an incident, rising to 1 at its peak, for `service` at time `t`."""
    index = DEMO_SERVICES.index(service)
    cycle = int(t // INCIDENT_PERIOD)
    if cycle % len(DEMO_SERVICES) != index:
        return 0.0
    into = t - cycle * INCIDENT_PERIOD
    if into > INCIDENT_LENGTH:
        return 0.0
    return math.sin(math.pi * into / INCIDENT_LENGTH)


def _diurnal(t: float) -> float:
    # Peak mid-afternoon UTC, trough before dawn: the shape on-call people know.
    return 1.0 + 0.35 * math.sin(2 * math.pi * (t - 9 * 3600) / 86400)


def traffic(service: str, t: float) -> float:
    wobble = 1 + 0.08 * (_noise(t, 1 + len(service)) - 0.5)
    return _BASE_RPS[service] * _diurnal(t) * wobble


def error_ratio(service: str, t: float) -> float:
    base = 0.002 + 0.003 * _noise(t, 7 + len(service))
    return min(1.0, base + 0.09 * incident_strength(service, t))


def latency(service: str, t: float, quantile: float) -> float:
    spread = {0.5: 1.0, 0.9: 2.2, 0.99: 4.5}[quantile]
    jitter = 1 + 0.15 * (_noise(t, 11 + int(quantile * 100)) - 0.5)
    surge = 1 + 5.0 * incident_strength(service, t) * (quantile**3)
    return _BASE_LATENCY[service] * spread * jitter * surge


def saturation(service: str, t: float) -> float:
    return traffic(service, t) * _CPU_PER_REQUEST[service] * (1 + incident_strength(service, t))


def queue_p99(queue: str, t: float) -> float:
    backlog = incident_strength("worker", t) + 0.5 * incident_strength("checkout", t)
    base = 0.8 if queue == "emails" else 0.35
    return base * (1 + 0.2 * _noise(t, 31 + len(queue))) * (1 + 6 * backlog)


class DemoMetricsSource:
    """A MetricsSource whose data is computed, not fetched."""

    label = "DEMO"
    service_label = "service"

    def __init__(self, config: Config | None = None) -> None:
        self.config = config

    async def services(self) -> list[str]:
        return list(DEMO_SERVICES)

    async def probe(self) -> str:
        return f"demo data, {len(DEMO_SERVICES)} services"

    async def close(self) -> None:
        return None

    async def query_signal(
        self,
        signal: Signal,
        window: QueryWindow,
        services: Sequence[str] = (),
        *,
        compare_offset: float | None = None,
        recent: QueryWindow | None = None,
        young: QueryWindow | None = None,
    ) -> SignalResult:
        # Computed in a thread like a real query is waited for in one: the synthetic
        # series take tens of milliseconds, which the event loop must not pay.
        return await asyncio.to_thread(
            self._query, signal, window, services, compare_offset, recent, young
        )

    async def query_expr(
        self, expr: str, window: QueryWindow, *, what: str = "alert rule query"
    ) -> list[Series]:
        """No PromQL here: a query rule sees no series (and so never fires) in the demo;
        only the heatmaps' bucket queries are answered (sources/demo_buckets.py)."""
        return await asyncio.to_thread(
            demo_buckets,
            expr,
            window,
            self.service_label,
            DEMO_SERVICES,
            DEMO_QUEUES,
            traffic,
            latency,
            queue_p99,
        )

    async def query_expr_top(
        self, expr: str, window: QueryWindow, limit: int, *, what: str = "dashboard query"
    ) -> tuple[list[Series], int]:
        """No PromQL here either: no series, of none."""
        return [], 0

    def _query(
        self,
        signal: Signal,
        window: QueryWindow,
        services: Sequence[str],
        compare_offset: float | None,
        recent: QueryWindow | None,
        young: QueryWindow | None = None,
    ) -> SignalResult:
        chosen = [s for s in DEMO_SERVICES if not services or s in services]
        series, compare = self._window(signal, chosen, window, compare_offset)
        latest = None
        if recent is not None:
            # Values are functions of time, so "now" is exact here: no rate window to wait for.
            latest = Recent(recent, *self._window(signal, chosen, recent, compare_offset))
        younger = None
        if young is not None:
            younger = Recent(young, *self._window(signal, chosen, young, compare_offset))
        unit = "s" if signal in (Signal.LATENCY, Signal.QUEUE) else ""
        if self.config is not None:
            unit = self.config.unit(signal)
        note = None if series else "no data: no service matches the filter"
        return SignalResult(
            signal=signal,
            series=series,
            unit=unit or {"traffic": "req/s", "errors": "ratio", "saturation": "cores"}[signal],
            fetched_at=clock.now(),
            window=window,
            compare=compare,
            note=note,
            recent=latest,
            young=younger,
        )

    def _window(
        self,
        signal: Signal,
        services: list[str],
        window: QueryWindow,
        compare_offset: float | None,
    ) -> tuple[tuple[Series, ...], tuple[Series, ...]]:
        """The signal at every step of `window`, and the compare overlay if asked."""
        steps = round((window.end - window.start) / window.step) + 1
        stamps = [window.start + i * window.step for i in range(steps)]
        series = tuple(self._series(signal, services, stamps, 0.0))
        compare: tuple[Series, ...] = ()
        if compare_offset:
            compare = tuple(self._series(signal, services, stamps, compare_offset))
        return series, compare

    def _series(
        self, signal: Signal, services: list[str], stamps: list[float], offset: float
    ) -> Iterator[Series]:
        def at(fn: Callable[..., float], *args: object) -> list[float]:
            return [fn(*args, t - offset) for t in stamps]

        if signal is Signal.QUEUE:
            if "worker" in services:
                for queue in DEMO_QUEUES:
                    yield Series("worker", stamps, at(queue_p99, queue), {"queue": queue})
            return
        for service in services:
            if signal is Signal.LATENCY:
                for q, name in ((0.5, "p50"), (0.9, "p90"), (0.99, "p99")):
                    values = [latency(service, t - offset, q) for t in stamps]
                    yield Series(service, stamps, values, {"quantile": name})
            elif signal is Signal.TRAFFIC:
                yield Series(service, stamps, at(traffic, service))
            elif signal is Signal.ERRORS:
                yield Series(service, stamps, at(error_ratio, service))
            elif signal is Signal.SATURATION:
                yield Series(service, stamps, at(saturation, service))


# --------------------------------------------------------------------------- logs

_PATHS = ("/v1/orders", "/v1/cart", "/v1/users/me", "/healthz", "/v1/payments", "/v1/search")
_ERRORS = (
    "upstream timeout after {ms}ms calling payments",
    "payment provider returned 503 for order {order}",
    "connection reset by peer (10.0.{a}.{b}:5432)",
    "retrying job {order} attempt {n}/5",
)


#: Lines a made-up past window holds at most.
DEMO_WINDOW_LINES = 20_000


class DemoLogSource:
    """A LogSource for one fake host, writing plain and JSON lines at a realistic pace."""

    def __init__(
        self, host: str, service: str, *, rate: float = 12.0, seed: int = 0, live: bool = True
    ) -> None:
        self.host = host
        self.service = service
        self.rate = rate
        #: False: only the opening backlog (deterministic, for screenshots and snapshots).
        self.live = live
        #: The opening backlog is its history (`LogSink.on_history_done` follows it).
        self.loads_history = True
        #: Past windows are made up on demand, like the live lines (`fetch_window`).
        self.fetches_windows = True
        #: The opening backlog's first line (None until it is sent).
        self.loaded_since: float | None = None
        self._seed = seed
        self._random = random.Random(seed)
        self._stopped = asyncio.Event()

    async def fetch_window(self, start: float, end: float) -> FetchedWindow:
        """Lines of `[start, end)` made up as the live ones are, a quarter of the live rate
        (at most `DEMO_WINDOW_LINES`), after a short wait, as a host would answer."""
        await asyncio.sleep(0.3)
        rnd = random.Random(hash((self._seed, int(start), int(end))))
        count = min(DEMO_WINDOW_LINES, int((end - start) * self.rate / 4))
        stamps = sorted(rnd.uniform(start, end) for _ in range(count))
        lines = [self._line(t, rnd) for t in stamps]
        return FetchedWindow(self.host, start, end, batches=[lines] if lines else [])

    def _line(self, now: float, rnd: random.Random | None = None) -> LogLine:
        rnd = rnd or self._random
        storm = incident_strength(self.service, now)
        roll = rnd.random()
        order = rnd.randrange(10000, 99999)
        if roll < 0.02 + 0.4 * storm:
            level = Level.ERROR
            message = rnd.choice(_ERRORS).format(
                ms=rnd.randrange(900, 5000),
                order=order,
                a=rnd.randrange(255),
                b=rnd.randrange(255),
                n=rnd.randrange(1, 5),
            )
        elif roll < 0.08 + 0.3 * storm:
            level = Level.WARN
            message = f"slow request {rnd.choice(_PATHS)} took {rnd.randrange(300, 2500)}ms"
        elif roll < 0.1:
            level = Level.DEBUG
            message = f"cache hit ratio {rnd.random():.2f}"
        else:
            level = Level.INFO
            status = 200 if rnd.random() > 0.05 else 404
            message = f"GET {rnd.choice(_PATHS)} {status} {rnd.randrange(3, 180)}ms"
        stamp = (
            time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"
        )
        if rnd.random() < 0.35:
            text = json.dumps(
                {"ts": stamp, "level": level.name.lower(), "msg": message, "order_id": order},
                separators=(",", ":"),
            )
        else:
            text = f"{stamp} {level.name:<5} {self.service}: {message}"
        return LogLine(
            received=now,
            timestamp=now,
            host=self.host,
            source=f"/var/log/{self.service}.log",
            service=self.service,
            level=level,
            text=text,
        )

    async def run(self, sink: LogSink) -> None:
        sink.on_status(HostStatus(self.host, HostState.CONNECTING))
        now = clock.now()
        # A screenful of recent history, so the pane is never empty at start.
        backlog = [self._line(now - 30 + i * 0.5) for i in range(60)]
        for line in backlog:
            line.received = now
        self.loaded_since = now - 30
        sink.on_lines(backlog)
        sink.on_history_done(self.host)
        sink.on_status(HostStatus(self.host, HostState.LIVE, "demo"))
        tick = 0.1
        while self.live and not self._stopped.is_set():
            now = clock.now()
            burst = 1 + 3 * incident_strength(self.service, now)
            expected = self.rate * burst * tick
            count = int(expected) + (self._random.random() < expected % 1)
            if count:
                sink.on_lines([self._line(now) for _ in range(count)])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), tick)
        await self._stopped.wait()
        sink.on_status(HostStatus(self.host, HostState.STOPPED))

    async def stop(self) -> None:
        self._stopped.set()


def demo_log_sources(*, live: bool = True) -> list[DemoLogSource]:
    return [
        DemoLogSource("web-1", "api", rate=14, seed=1, live=live),
        DemoLogSource("web-2", "checkout", rate=9, seed=2, live=live),
        DemoLogSource("worker-1", "worker", rate=6, seed=3, live=live),
    ]


def demo_alerts() -> AlertsConfig:
    """Rules the demo ships with, so its incidents show up in the Alerts pane."""
    return AlertsConfig(
        rules=(
            AlertRule(
                name="High error ratio",
                severity="page",
                op=">",
                threshold=0.05,
                # Short enough to fire at the frozen moment of tests/ui (checkout over 5%
                # for the last 30 s of points), so the snapshots show an alert firing.
                for_seconds=30,
                signal=Signal.ERRORS,
            ),
            AlertRule(
                name="Slow p99",
                severity="warn",
                op=">",
                threshold=2.0,
                for_seconds=120,
                signal=Signal.LATENCY,
                quantile="p99",
            ),
            AlertRule(
                name="Queue backlog",
                severity="warn",
                op=">",
                threshold=4.0,
                for_seconds=60,
                signal=Signal.QUEUE,
            ),
        ),
        log_rules=(
            LogRule(
                name="Upstream timeouts",
                severity="warn",
                count=10,
                window_seconds=300,
                pattern="timeout",
                min_level=Level.ERROR,
            ),
        ),
        prometheus_alerts=False,
    )
