"""The real app with the demo metrics and a log flood: `flood_app.py RATE [HOSTS]`.

A backlog of 5,000 lines arrives first; then RATE lines/s (none for 0), split evenly
over HOSTS sources (default 1; several go through the reorder window's merge).

Used by bench_keys.py in a pty, and handy to try by hand: the UI must stay responsive.
"""

from __future__ import annotations

import asyncio
import sys
import time

from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.parse import parse_texts
from pulse_tui.sources.base import FetchedWindow, HostState, HostStatus, LogSink, cannot_fetch
from pulse_tui.sources.demo import DemoMetricsSource
from pulse_tui.ui.app import PulseApp, demo_config

BATCH_INTERVAL = 0.01
BACKLOG = 5_000


class FloodSource:
    """A log source that delivers `rate` lines/s until stopped, paced by the clock."""

    def __init__(self, rate: int, host: str = "flood-1") -> None:
        self.host = host
        self.service = ""
        self.loads_history = False
        self.fetches_windows = False
        self.loaded_since: float | None = None
        self.rate = rate
        self.delivered = 0
        self._stop = asyncio.Event()

    async def run(self, sink: LogSink) -> None:
        sink.on_status(HostStatus(self.host, HostState.LIVE))
        # A backlog first, so there is something to scroll even with no traffic (rate 0).
        self._deliver(sink, BACKLOG)
        if not self.rate:
            await self._stop.wait()
            return
        per_batch = max(1, int(self.rate * BATCH_INTERVAL))
        started = time.perf_counter()
        sent = 0
        while not self._stop.is_set():
            self._deliver(sink, per_batch)
            sent += per_batch
            due = started + sent / self.rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))

    def _deliver(self, sink: LogSink, count: int) -> None:
        now = time.time()
        # Stamped now, as a live log is: with several hosts the reorder window holds them.
        second = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
        stamp = f"{second}.{int(now % 1 * 1000):03d}Z"
        texts = [
            f"{stamp} INFO request {self.delivered + n} GET /v1/orders 200 {n % 300}ms"
            for n in range(count)
        ]
        stamps, levels = parse_texts(texts, now)
        sink.on_lines(LineBatch(texts, stamps, levels, now, self.host, "/var/log/app", "api"))
        self.delivered += count

    async def stop(self) -> None:
        self._stop.set()

    async def fetch_window(self, start: float, end: float) -> FetchedWindow:
        return cannot_fetch(self.host, start, end)


def main() -> None:
    rate = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    hosts = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    sources = [FloodSource(rate // hosts, f"flood-{n + 1}") for n in range(hosts)]
    config = demo_config()
    PulseApp(config, DemoMetricsSource(config), sources).run()


if __name__ == "__main__":
    main()
