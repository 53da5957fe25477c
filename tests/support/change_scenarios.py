"""Scenarios with KNOWN changes for the "what changed" detector, backfilled into a real
prometheus (promtool), one service per scenario.

Each `Scenario` says, per scrape time `t` (seconds before the data's end are `end - t`),
how many requests and 5xx it served, which latency and queue buckets, how much CPU, and
whether the scrape is missing (a gap) or its counters restarted (a reset). `TRUTH` holds
what the detector must answer for each one; services not in it must give no finding.

Steady services get realistic noise (a few % per scrape, seeded, so every run is the same).
"""

from __future__ import annotations

import contextlib
import math
import random
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from support.backfill import LATENCY_LE, QUEUE_LE, SCRAPE
from support.prometheus_server import PrometheusProcess, create_blocks, run_prometheus

MINUTE = 60
#: Latency buckets per request (cumulative fractions): p99 0.4 s and p99 2.5 s (the last
#: finite bound; see backfill.incident_now_services for the arithmetic).
FAST = (0.1, 0.5, 0.975, 1.0, 1.0, 1.0, 1.0)
SLOW = (0.0, 0.05, 0.2, 0.5, 0.75, 0.95, 1.0)
#: Queue buckets (cumulative fractions): p99 1.5 s (emails of backfill) and p99 4.7 s.
QUEUE_FAST = (0.5, 0.9, 0.98, 1.0, 1.0, 1.0)
QUEUE_SLOW = (0.1, 0.5, 0.7, 0.9, 1.0, 1.0)


def _before(minutes: int) -> Callable[[int, int], bool]:
    """True from `minutes` before the end on (the change's side)."""
    return lambda t, end: t >= end - minutes * MINUTE


def _between(start_min: int, length_min: int) -> Callable[[int, int], bool]:
    return lambda t, end: end - start_min * MINUTE <= t < end - (start_min - length_min) * MINUTE


@dataclass
class Scenario:
    name: str
    rps: Callable[[int, int], float] = lambda t, end: 10.0
    error_ratio: Callable[[int, int], float] = lambda t, end: 0.01
    latency: Callable[[int, int], tuple[float, ...]] = lambda t, end: FAST
    cpu: Callable[[int, int], float] = lambda t, end: 0.3
    queue: Callable[[int, int], tuple[float, ...]] | None = None
    missing: Callable[[int, int], bool] = lambda t, end: False
    reset_at: int | None = None  # minutes before the end
    noise: float = 0.03


def _diurnal(t: int, end: int) -> float:
    return 10.0 + 5.0 * math.sin(2 * math.pi * t / 86400)


def _ramp(t: int, end: int) -> float:
    """CPU 0.2 cores, climbing from 30 to 5 minutes before the end to 0.95, then level."""
    begin, top = end - 30 * MINUTE, end - 5 * MINUTE
    if t < begin:
        return 0.2
    return 0.2 + 0.75 * min(1.0, (t - begin) / (top - begin))


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("errstep", error_ratio=lambda t, end: 0.2 if _before(20)(t, end) else 0.01),
    Scenario("early", error_ratio=lambda t, end: 0.03 if _before(45)(t, end) else 0.002),
    Scenario("p99step", latency=lambda t, end: SLOW if _before(25)(t, end) else FAST),
    Scenario(
        "gone",
        rps=lambda t, end: 0.0 if _before(15)(t, end) else 5.0,
        error_ratio=lambda t, end: 0.0,
    ),
    Scenario("ramp", cpu=_ramp),
    Scenario(
        "queued",
        queue=lambda t, end: QUEUE_SLOW if _before(20)(t, end) else QUEUE_FAST,
    ),
    Scenario("recovered", error_ratio=lambda t, end: 0.3 if _between(50, 15)(t, end) else 0.01),
    Scenario("diurnal", rps=_diurnal, noise=0.05),
    Scenario("spike", rps=lambda t, end: 100.0 if t == end - 30 * MINUTE else 10.0),
    Scenario("reset", reset_at=30),
    Scenario(
        "gaps",
        missing=lambda t, end: _between(40, 10)(t, end) or (t // SCRAPE) % 11 == 0,
    ),
    Scenario("idle", rps=lambda t, end: 0.0, error_ratio=lambda t, end: 0.0),
)


@dataclass(frozen=True)
class Truth:
    """What the detector must find: signal, before, after, start (seconds before the end),
    end (seconds before the end; None = ongoing), severity, queue name."""

    signal: str
    before: float
    after: float
    start: int
    end: int | None
    severity: str
    detail: str = ""


TRUTH: dict[str, Truth] = {
    "errstep": Truth("errors", 0.01, 0.2, 20 * MINUTE, None, "crit"),
    "early": Truth("errors", 0.002, 0.03, 45 * MINUTE, None, "warn"),
    "p99step": Truth("latency", 0.4, 2.5, 25 * MINUTE, None, "crit"),
    "gone": Truth("traffic", 5.0, 0.0, 15 * MINUTE, None, "crit"),
    "ramp": Truth("saturation", 0.2, 0.95, 30 * MINUTE, None, "crit"),
    "queued": Truth("queue", 1.5, 4.7, 20 * MINUTE, None, "warn", "emails"),
    "recovered": Truth("errors", 0.01, 0.3, 50 * MINUTE, 35 * MINUTE, "crit"),
}


def generate(end: int, duration: int, seed: int = 13) -> Iterator[str]:
    """OpenMetrics for every scenario: a scrape every SCRAPE seconds for `duration`."""
    rng = random.Random(seed)
    times = list(range(end - duration, end + 1, SCRAPE))
    families: dict[str, list[str]] = {
        "http_requests": [],
        "http_request_duration_seconds": [],
        "process_cpu_seconds": [],
        "queue_processing_latency_seconds": [],
    }
    for sc in SCENARIOS:
        _emit(sc, times, end, rng, families)
    kinds = {
        "http_requests": "counter",
        "http_request_duration_seconds": "histogram",
        "process_cpu_seconds": "counter",
        "queue_processing_latency_seconds": "histogram",
    }
    for family, lines in families.items():
        yield f"# TYPE {family} {kinds[family]}"
        # OpenMetrics wants each series' samples together and in time order.
        yield from sorted(
            lines, key=lambda line: (line.rsplit(" ", 2)[0], int(line.rsplit(" ", 1)[1]))
        )
    yield "# EOF"


def _emit(
    sc: Scenario, times: list[int], end: int, rng: random.Random, families: dict[str, list[str]]
) -> None:
    """One scenario's samples, appended to their families' lines."""
    totals: dict[tuple[str, ...], float] = {}

    def bump(family: str, key: tuple[str, ...], labels: str, by: float, t: int) -> None:
        value = totals.get(key, 1000.0) + by
        if sc.reset_at is not None and t == end - sc.reset_at * MINUTE:
            value = by  # the process restarted: its counters begin again from 0
        totals[key] = value
        # A missed scrape: the counter went on growing, nobody wrote it down.
        if not sc.missing(t, end):
            families[family].append(f"{key[0]}{{{labels}}} {value!r} {t}")

    for t in times:
        jitter = 1 + rng.gauss(0, sc.noise) if sc.noise else 1.0
        requests = sc.rps(t, end) * SCRAPE * jitter
        errors = requests * sc.error_ratio(t, end)
        job = f'job="{sc.name}"'
        for code, count in (("200", requests - errors), ("500", errors)):
            bump("http_requests", ("http_requests_total", code), f'{job},code="{code}"', count, t)
        for le, share in zip(LATENCY_LE, sc.latency(t, end), strict=True):
            bump(
                "http_request_duration_seconds",
                ("http_request_duration_seconds_bucket", le),
                f'{job},le="{le}"',
                requests * share,
                t,
            )
        cpu = sc.cpu(t, end) * SCRAPE * (1 + rng.gauss(0, sc.noise))
        bump("process_cpu_seconds", ("process_cpu_seconds_total",), job, cpu, t)
        if sc.queue is not None:
            for le, share in zip(QUEUE_LE, sc.queue(t, end), strict=True):
                bump(
                    "queue_processing_latency_seconds",
                    ("queue_processing_latency_seconds_bucket", le),
                    f'{job},queue="emails",le="{le}"',
                    100 * share,
                    t,
                )


@contextlib.contextmanager
def changes_prometheus(
    prometheus: str, promtool: str, end: int, duration: int
) -> Iterator[PrometheusProcess]:
    """A real prometheus serving `SCENARIOS` up to `end`."""
    with tempfile.TemporaryDirectory(prefix="pulse-changes-") as tmp:
        data_dir = Path(tmp)
        source = data_dir / "data.om"
        source.write_text("\n".join(generate(end, duration)) + "\n", encoding="utf-8")
        create_blocks(promtool, source, data_dir)
        with run_prometheus(prometheus, data_dir) as server:
            yield server
