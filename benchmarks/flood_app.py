"""The real app with the demo metrics and a log flood: `python benchmarks/flood_app.py RATE`.

Used by bench_keys.py in a pty, and handy to try by hand: the UI must stay responsive.
"""

from __future__ import annotations

import asyncio
import sys
import time

from pulse_tui.app import PulseApp, demo_config
from pulse_tui.model.log_buffer import LineBatch
from pulse_tui.model.logparse import parse_texts
from pulse_tui.sources.base import HostState, HostStatus, LogSink
from pulse_tui.sources.demo import DemoMetricsSource

BATCH_INTERVAL = 0.01


class FloodSource:
    """A log source that delivers `rate` lines/s until stopped, paced by the clock."""

    host = "flood-1"

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.delivered = 0
        self._stop = asyncio.Event()

    async def run(self, sink: LogSink) -> None:
        sink.on_status(HostStatus(self.host, HostState.LIVE))
        per_batch = max(1, int(self.rate * BATCH_INTERVAL))
        started = time.perf_counter()
        while not self._stop.is_set():
            now = time.time()
            texts = [
                f"2026-11-21T10:00:{n % 60:02d}.123Z INFO request {self.delivered + n} "
                f"GET /v1/orders 200 {n % 300}ms"
                for n in range(per_batch)
            ]
            stamps, levels = parse_texts(texts, now)
            sink.on_lines(LineBatch(texts, stamps, levels, now, self.host, "/var/log/app", "api"))
            self.delivered += per_batch
            due = started + self.delivered / self.rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))

    async def stop(self) -> None:
        self._stop.set()


def main() -> None:
    rate = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    config = demo_config()
    sources = [FloodSource(rate)] if rate else []
    PulseApp(config, DemoMetricsSource(config), sources).run()


if __name__ == "__main__":
    main()
