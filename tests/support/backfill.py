"""OpenMetrics with KNOWN values, for backfilling a real prometheus in tests and benchmarks.

Every counter grows by the same amount each scrape, so `rate()` over any window inside the
data is exact, and histogram buckets keep fixed proportions, so `histogram_quantile` gives
numbers worked out by hand below. Timestamps run from `end - duration` to `end` every
`SCRAPE` seconds; queries evaluated at `end` see the steady state.

Services (label `job`):

- api: 10 req/s (code 200: 9.4, 404: 0.5, 500: 0.1 -> 1 % 5xx); 0.5 cores; CPU limit 2.
  Latency buckets per scrape (cumulative of 150): le .05:30 .1:60 .25:120 .5:144 1:149
  2.5:150 -> p50 = .1 + .15*(5-4)/4 = 0.1375; p90 = .25 + .25*(9-8)/1.6 = 0.40625;
  p99 = .5 + .5*(9.9-9.6)/(9.9333-9.6) = 0.95.
- checkout: 4 req/s, 2 % 5xx; during the incident (INCIDENT seconds before `end`,
  lasting INCIDENT_LENGTH) 50 % 5xx. 0.25 cores; limit 1. Buckets (of 60): .1:12 .25:30
  .5:48 1:57 2.5:60 -> p50 = 0.25; p90 = .5 + .5*6/9 = 0.8333; p99 = 1 + 1.5*2.4/3 = 2.2.
- worker: 1 req/s, never a 5xx (error ratio must show 0, not vanish); 1.5 cores; limit 4.
  Queue buckets: emails (of 100) .1:50 .5:90 1:98 2:100 -> p99 = 1 + 1*(99-98)/2 = 1.5;
  payments (of 20) .1:2 .5:10 1:14 2:18 5:20 -> p99 = 2 + 3*(19.8-18)/2 = 4.7.
- HOSTILE (a name with `"`, `\\`, `[/]` and `[link=x]`): 0.5 req/s, all 200.
- odd_gauge{job="nan"|"inf"|"ninf"}: NaN, +Inf, -Inf samples.

`incident_now_services()` is the same set except checkout, which is in an incident that is
still going on where the data ends (see its docstring): what a long range must not hide.
`history` adds sparse samples (one per HISTORY_EVERY seconds) before the dense part, so a
30-day chart has points to draw without backfilling 30 days at 15 s.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise

SCRAPE = 15
HOSTILE = 'we"ird\\[/]svc[link=x]'
INCIDENT = 90 * 60
INCIDENT_LENGTH = 30 * 60
LATENCY_LE = ("0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf")
QUEUE_LE = ("0.1", "0.5", "1", "2", "5", "+Inf")

#: Expected values at `end` (the steady state), for assertions.
EXPECTED = {
    "traffic": {"api": 10.0, "checkout": 4.0, "worker": 1.0, HOSTILE: 0.5},
    "errors": {"api": 0.01, "checkout": 0.02, "worker": 0.0, HOSTILE: 0.0},
    "latency": {
        "api": {"p50": 0.1375, "p90": 0.40625, "p99": 0.95},
        "checkout": {"p50": 0.25, "p90": 0.5 + 0.5 * 6 / 9, "p99": 2.2},
    },
    "saturation": {"api": 0.5, "checkout": 0.25, "worker": 1.5},
    "limit_percent": {"api": 25.0, "checkout": 25.0, "worker": 37.5},
    "queue": {"emails": 1.5, "payments": 4.7},
    "incident_error_ratio": 0.5,
}


@dataclass
class Incident:
    """What a service emits per scrape instead while an incident lasts: from `start` seconds
    before the data's end, for `length` seconds (None: until the end, still going on)."""

    start: int
    length: int | None
    codes: dict[str, float]
    #: Latency buckets during the incident (None: as outside it).
    latency: dict[str, float] | None = None

    def covers(self, t: int, end: int) -> bool:
        begin = end - self.start
        return begin <= t and (self.length is None or t < begin + self.length)


@dataclass
class Service:
    """What one service emits per scrape (counts per SCRAPE seconds)."""

    name: str
    codes: dict[str, float]
    cpu_per_scrape: float
    cpu_limit: float | None = None
    latency: dict[str, float] = field(default_factory=dict)
    queues: dict[str, dict[str, float]] = field(default_factory=dict)
    incident: Incident | None = None


def standard_services() -> list[Service]:
    """The four services of the test dataset (see the module docstring)."""
    api_lat = {"0.05": 30, "0.1": 60, "0.25": 120, "0.5": 144, "1": 149, "2.5": 150, "+Inf": 150}
    co_lat = {"0.05": 0, "0.1": 12, "0.25": 30, "0.5": 48, "1": 57, "2.5": 60, "+Inf": 60}
    emails = {"0.1": 50, "0.5": 90, "1": 98, "2": 100, "5": 100, "+Inf": 100}
    payments = {"0.1": 2, "0.5": 10, "1": 14, "2": 18, "5": 20, "+Inf": 20}
    # Half of checkout's traffic fails during the incident, half succeeds.
    incident = Incident(INCIDENT, INCIDENT_LENGTH, {"200": 30, "500": 30})
    return [
        Service("api", {"200": 141, "404": 7.5, "500": 1.5}, 7.5, 2, api_lat),
        Service("checkout", {"200": 58.8, "500": 1.2}, 3.75, 1, co_lat, incident=incident),
        Service("worker", {"200": 15}, 22.5, 4, queues={"emails": emails, "payments": payments}),
        Service(HOSTILE, {"200": 7.5}, 0.75),
    ]


#: How long checkout's ongoing incident has lasted where `incident_now_services` data ends.
INCIDENT_NOW = 20 * 60

#: Values at `end` of `incident_now_services()`, for assertions (the others as in EXPECTED).
EXPECTED_NOW = {
    "checkout": {
        "traffic": 4.0,
        "errors": 0.2,
        "latency": {"p50": 0.5, "p90": 1 + 1.5 * 9 / 12, "p99": 2.5},
        "saturation": 0.25,
    },
    # Before the incident, for contrast: what a long range's diluted point drifts towards.
    "checkout_before": {"errors": 0.01, "p99": 0.4},
}


def incident_now_services() -> list[Service]:
    """The standard services, with checkout in an incident for the last INCIDENT_NOW s.

    Before it: 4 req/s, 1 % 5xx; buckets (of 60) .05:6 .1:30 .25:58.5 .5:60 -> p50 = 0.1,
    p99 = .25 + .25*(59.4-58.5)/1.5 = 0.4. During it: 20 % 5xx; buckets .1:3 .25:12 .5:30
    1:45 2.5:57 +Inf:60 -> p50 = .25 + .25*18/18 = 0.5, p90 = 1 + 1.5*9/12 = 2.125, and p99
    falls in the +Inf bucket, where histogram_quantile answers 2.5 (the last finite bound).
    """
    before = {"0.05": 6, "0.1": 30, "0.25": 58.5, "0.5": 60, "1": 60, "2.5": 60, "+Inf": 60}
    during = {"0.05": 0, "0.1": 3, "0.25": 12, "0.5": 30, "1": 45, "2.5": 57, "+Inf": 60}
    incident = Incident(INCIDENT_NOW, None, {"200": 48, "500": 12}, during)
    checkout = Service("checkout", {"200": 59.4, "500": 0.6}, 3.75, 1, before, incident=incident)
    return [checkout if s.name == "checkout" else s for s in standard_services()]


def synthetic_services(count: int) -> list[Service]:
    """`count` look-alike services for the benchmark (api-shaped, varying load)."""
    base = standard_services()[0]
    services = []
    for index in range(count):
        factor = 1 + index % 7
        services.append(
            Service(
                f"svc-{index:03d}",
                {code: v * factor for code, v in base.codes.items()},
                base.cpu_per_scrape,
                base.cpu_limit,
                {le: v * factor for le, v in base.latency.items()},
                {"jobs": dict.fromkeys(QUEUE_LE, 10.0)} if index % 10 == 0 else {},
            )
        )
    return services


def _labels(**labels: str) -> str:
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
    return "{" + inner + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


#: Spacing of the sparse `history` samples before the dense part.
HISTORY_EVERY = 300


def _emits(svc: Service, t: int, end: int) -> tuple[dict[str, float], dict[str, float]]:
    """(codes, latency buckets) per scrape at `t`: the incident's while it lasts."""
    incident = svc.incident
    if incident is not None and incident.covers(t, end):
        return incident.codes, incident.latency if incident.latency is not None else svc.latency
    return svc.codes, svc.latency


def generate(
    end: int, duration: int, services: list[Service], odd: bool = True, history: int = 0
) -> Iterator[str]:
    """OpenMetrics lines (one family after another, as the format requires): a sample every
    SCRAPE seconds for `duration`, after one every HISTORY_EVERY for `history` before it."""
    dense_start = end - duration
    times = list(range(dense_start - history, dense_start, HISTORY_EVERY))
    times += list(range(dense_start, end + 1, SCRAPE))
    # Scrapes' worth since the previous sample: counters grow by rate x elapsed time.
    scrapes = [1.0] + [(b - a) / SCRAPE for a, b in pairwise(times)]

    def counter_lines(name: str, labels: dict[str, str], per_scrape: list[float]) -> Iterator[str]:
        total = 1000.0  # start well above zero so rate() never extrapolates down to zero
        for t, step, count in zip(times, per_scrape, scrapes, strict=True):
            total += step * count
            yield f"{name}{_labels(**labels)} {_value(total)} {t}"

    yield "# TYPE http_requests counter"
    for svc in services:
        extra = svc.incident.codes if svc.incident else {}
        for code in [*svc.codes, *(c for c in extra if c not in svc.codes)]:
            steps = [_emits(svc, t, end)[0].get(code, 0.0) for t in times]
            yield from counter_lines("http_requests_total", {"job": svc.name, "code": code}, steps)

    yield "# TYPE http_request_duration_seconds histogram"
    for svc in services:
        for le in svc.latency:
            labels = {"job": svc.name, "le": le}
            steps = [_emits(svc, t, end)[1][le] for t in times]
            yield from counter_lines("http_request_duration_seconds_bucket", labels, steps)

    yield "# TYPE process_cpu_seconds counter"
    for svc in services:
        labels = {"job": svc.name}
        yield from counter_lines(
            "process_cpu_seconds_total", labels, [svc.cpu_per_scrape] * len(times)
        )

    yield "# TYPE cpu_limit_cores gauge"
    for svc in services:
        if svc.cpu_limit is not None:
            for t in times:
                yield f"cpu_limit_cores{_labels(job=svc.name)} {_value(svc.cpu_limit)} {t}"

    yield "# TYPE queue_processing_latency_seconds histogram"
    for svc in services:
        for queue, buckets in svc.queues.items():
            for le, count in buckets.items():
                labels = {"job": svc.name, "queue": queue, "le": le}
                yield from counter_lines(
                    "queue_processing_latency_seconds_bucket", labels, [count] * len(times)
                )

    if odd:
        yield "# TYPE odd_gauge gauge"
        for job, value in (("nan", math.nan), ("inf", math.inf), ("ninf", -math.inf)):
            for t in times:
                yield f"odd_gauge{_labels(job=job)} {_value(value)} {t}"
    yield "# EOF"


def write_openmetrics(
    path: str, end: int, duration: int, services: list[Service], history: int = 0
) -> None:
    """Write the dataset to `path` for `promtool tsdb create-blocks-from openmetrics`."""
    with open(path, "w", encoding="utf-8") as out:
        for line in generate(end, duration, services, history=history):
            out.write(line + "\n")
