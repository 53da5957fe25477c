"""The lab's services and their metrics: one model for the backfill and the live exporter.

The model steps every SCRAPE seconds from the backfill's start, each service drawing its
traffic, error share and latency spread with noise from a seeded generator, and adds them
to counters. The backfill is the model's first two hours written as OpenMetrics (for
`promtool tsdb create-blocks-from openmetrics`); the exporter serves the same counters as
they grow, stamped with the model's tick times, so each series continues from where the
backfill ends, with no reset and no gap in the grid.

`truth` works the values out from the model's own counters, the way PromQL's `rate` and
`histogram_quantile` do over a window that covers whole ticks: what the screen must say.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate

#: Seconds between samples: the backfill's and the live exporter's (Prometheus scrapes the
#: exporter this often).
SCRAPE = 5
#: Upper bounds of the latency histogram (+Inf is implied); 2 and 3 s sit either side of
#: the incident's p99 so that a little noise moves it a little, not to a bucket's edge.
LATENCY_LE = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
QUEUE_LE = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
#: A service name that is Rich markup and a terminal escape: it must be shown as written.
HOSTILE = "pay[bold]ments\x1b[31m"
#: How long the model keeps its past counters, for `truth` over windows up to this long.
KEPT_SECONDS = 15 * 60


#: A series' labels, in order, and one series: (metric name, labels).
Labels = tuple[tuple[str, str], ...]
SeriesKey = tuple[str, Labels]


def shares(cumulative: Sequence[float]) -> tuple[float, ...]:
    """Per-bucket shares (one more for +Inf) from the cumulative share at each bound."""
    bounded = [*cumulative, 1.0]
    return tuple(b - a for a, b in zip([0.0, *bounded], bounded, strict=False))


@dataclass(frozen=True)
class Behaviour:
    """What a service does per second, before noise."""

    requests: float
    error_ratio: float
    #: Share of requests in each latency bucket (LATENCY_LE, then +Inf).
    latency: tuple[float, ...]
    cpu_cores: float


@dataclass(frozen=True)
class LabService:
    """One service of the lab: its steady behaviour and, optionally, an incident's."""

    name: str
    #: Where it runs: the `instance` label, exposed by the exporter and kept by prometheus
    #: (`honor_labels`), so scraped series are the backfilled ones continued, not new ones.
    instance: str
    steady: Behaviour
    incident: Behaviour | None = None
    #: Queue name -> share of jobs in each QUEUE_LE bucket (then +Inf), and jobs per second.
    queues: Mapping[str, tuple[tuple[float, ...], float]] = field(default_factory=dict)

    @property
    def labels(self) -> Labels:
        """The labels every one of its series carries."""
        return (("job", self.name), ("instance", self.instance))


# Cumulative shares chosen so that histogram_quantile lands on round figures:
# checkout steady p99 = .25 + .25 * (.99 - .988) / .01 = 0.3 s,
# checkout incident p99 = 2 + 1 * (.99 - .985) / .01 = 2.5 s,
# api p99 = .25 + .25 * (.99 - .97) / .025 = 0.45 s, worker p99 = .25 + .25 * .02 / .029 = 0.422 s.
CHECKOUT_STEADY = Behaviour(
    12.0, 0.01, shares((0.02, 0.10, 0.30, 0.70, 0.988, 0.998, 1, 1, 1, 1)), 0.35
)
CHECKOUT_INCIDENT = Behaviour(
    12.0, 0.20, shares((0.005, 0.02, 0.08, 0.20, 0.40, 0.60, 0.80, 0.985, 0.995, 1)), 0.55
)


def lab_services() -> list[LabService]:
    """api, checkout (with its incident), worker (with two queues) and the hostile name."""
    return [
        LabService(
            "api",
            "web-1:8080",
            Behaviour(25.0, 0.005, shares((0.05, 0.25, 0.55, 0.85, 0.97, 0.995, 1, 1, 1, 1)), 0.6),
        ),
        LabService("checkout", "web-2:8080", CHECKOUT_STEADY, CHECKOUT_INCIDENT),
        LabService(
            "worker",
            "web-1:8081",
            Behaviour(3.0, 0.002, shares((0.01, 0.05, 0.2, 0.5, 0.97, 0.999, 1, 1, 1, 1)), 0.45),
            queues={
                # p99 = 1 + 1 * (.99 - .98) / .015 = 1.667 s; = 2 + 3 * (.99 - .96) / .036 = 4.5 s
                "emails": (shares((0.3, 0.6, 0.85, 0.98, 0.995, 1, 1)), 4.0),
                "payments": (shares((0.05, 0.2, 0.5, 0.8, 0.96, 0.996, 1)), 1.5),
            },
        ),
        LabService(
            HOSTILE,
            "web-2:8081",
            Behaviour(2.0, 0.003, shares((0.1, 0.3, 0.6, 0.9, 0.985, 1, 1, 1, 1, 1)), 0.1),
        ),
    ]


def _le_text(bound: float) -> str:
    return "+Inf" if math.isinf(bound) else repr(bound)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def series_text(key: SeriesKey) -> str:
    name, labels = key
    inner = ",".join(f'{label}="{_escape(value)}"' for label, value in labels)
    return f"{name}{{{inner}}}"


@dataclass(frozen=True)
class Truth:
    """What a service's counters say over one window ending at `at`."""

    service: str
    at: int
    requests_per_s: float
    error_ratio: float
    p50: float
    p99: float
    #: Queue name -> p99 of its jobs.
    queue_p99: Mapping[str, float]


def histogram_quantile(q: float, bounds: Sequence[float], counts: Sequence[float]) -> float:
    """PromQL's histogram_quantile on cumulative bucket counts (bounds ascending, +Inf last):
    linear within the bucket the rank falls in; the last finite bound if that is +Inf."""
    total = counts[-1]
    if total <= 0:
        return math.nan
    rank = q * total
    index = bisect_left(counts, rank)
    if index == len(bounds) - 1:
        return bounds[-2]
    lower = 0.0 if index == 0 else bounds[index - 1]
    below = 0.0 if index == 0 else counts[index - 1]
    inside = counts[index] - below
    return lower + (bounds[index] - lower) * ((rank - below) / inside if inside else 1.0)


class LabModel:
    """The counters of every series, stepped tick by tick from `start` (Unix seconds, a
    multiple of SCRAPE). Not thread-safe: its owner serialises calls."""

    def __init__(
        self, services: Sequence[LabService], start: int, incident_start: int, seed: int = 1
    ) -> None:
        self.services = tuple(services)
        self.incident_start = incident_start
        #: The time of the newest tick the counters include.
        self.now = start
        self._random = random.Random(seed)
        self._totals: dict[SeriesKey, float] = {}
        self._types: dict[str, str] = {}
        # Counters start where a process up for a while would be, never near zero (rate()
        # would extrapolate towards zero at the data's start).
        for key in self._keys():
            self._totals[key] = round(self._random.uniform(1e4, 1e5))
        self._past: deque[tuple[int, dict[SeriesKey, float]]] = deque(
            maxlen=KEPT_SECONDS // SCRAPE + 1
        )
        self._past.append((start, dict(self._totals)))

    def behaviour(self, service: LabService, t: int) -> Behaviour:
        """What `service` does at `t`: its incident's behaviour from the incident on."""
        if service.incident is not None and t >= self.incident_start:
            return service.incident
        return service.steady

    def _keys(self) -> Iterator[SeriesKey]:
        for svc in self.services:
            base = svc.labels
            for code in ("200", "404", "500", "503"):
                yield ("http_requests_total", (*base, ("code", code)))
            for bound in (*LATENCY_LE, math.inf):
                labels = (*base, ("le", _le_text(bound)))
                yield ("http_request_duration_seconds_bucket", labels)
            yield ("http_request_duration_seconds_sum", base)
            yield ("http_request_duration_seconds_count", base)
            yield ("process_cpu_seconds_total", base)
            for queue in svc.queues:
                for bound in (*QUEUE_LE, math.inf):
                    queued = (*base, ("queue", queue), ("le", _le_text(bound)))
                    yield ("queue_processing_latency_seconds_bucket", queued)
                yield (
                    "queue_processing_latency_seconds_sum",
                    (*base, ("queue", queue)),
                )
                yield (
                    "queue_processing_latency_seconds_count",
                    (*base, ("queue", queue)),
                )

    def _noisy_spread(self, spread: Sequence[float], amount: float) -> list[float]:
        # A few per cent per bucket and tick: over a minute's rate the p99 wanders by
        # about a tenth of a second at 2.5 s, not from one bucket's edge to the next.
        weights = [share * (1 + self._random.uniform(-0.03, 0.03)) for share in spread]
        total = sum(weights)
        return [amount * w / total for w in weights]

    def _observe(
        self,
        prefix: str,
        labels: Labels,
        bounds: Sequence[float],
        spread: Sequence[float],
        amount: float,
    ) -> None:
        per_bucket = self._noisy_spread(spread, amount)
        mids = [(lo + hi) / 2 for lo, hi in zip((0.0, *bounds), bounds, strict=False)]
        mids.append(bounds[-1] * 1.5)
        for bound, cumulative in zip((*bounds, math.inf), accumulate(per_bucket), strict=True):
            key = (f"{prefix}_bucket", (*labels, ("le", _le_text(bound))))
            self._totals[key] += cumulative
        self._totals[(f"{prefix}_count", labels)] += amount
        self._totals[(f"{prefix}_sum", labels)] += sum(
            n * mid for n, mid in zip(per_bucket, mids, strict=True)
        )

    def step(self) -> None:
        """Advance one tick: add each service's SCRAPE seconds of traffic, noise included."""
        t = self.now + SCRAPE
        rnd = self._random
        for svc in self.services:
            # The tick at t counts (t - SCRAPE, t]: behaviour from the interval's start, so
            # the first incident traffic is that after incident_start, as in the logs.
            does = self.behaviour(svc, self.now)
            requests = does.requests * SCRAPE * min(1.3, max(0.7, rnd.gauss(1, 0.08)))
            errors = requests * does.error_ratio * rnd.uniform(0.85, 1.15)
            not_found = requests * 0.02 * rnd.uniform(0.8, 1.2)
            job = svc.labels
            # 5xx: mostly 500, some 503 (the errors panel counts both).
            self._totals[("http_requests_total", (*job, ("code", "500")))] += errors * 0.7
            self._totals[("http_requests_total", (*job, ("code", "503")))] += errors * 0.3
            self._totals[("http_requests_total", (*job, ("code", "404")))] += not_found
            ok = requests - errors - not_found
            self._totals[("http_requests_total", (*job, ("code", "200")))] += ok
            self._observe("http_request_duration_seconds", job, LATENCY_LE, does.latency, requests)
            cpu = does.cpu_cores * SCRAPE * rnd.uniform(0.9, 1.1)
            self._totals[("process_cpu_seconds_total", job)] += cpu
            for queue, (spread, jobs) in svc.queues.items():
                amount = jobs * SCRAPE * rnd.uniform(0.8, 1.2)
                labels = (*job, ("queue", queue))
                self._observe("queue_processing_latency_seconds", labels, QUEUE_LE, spread, amount)
        self.now = t
        self._past.append((t, dict(self._totals)))

    def advance_to(self, t: float) -> None:
        """Step until the newest tick is the last one at or before `t`."""
        while self.now + SCRAPE <= t:
            self.step()

    def samples(self) -> dict[SeriesKey, float]:
        """Every series' value at the newest tick (`now`)."""
        return dict(self._totals)

    def exposition(self) -> str:
        """The newest tick in Prometheus' text format, each sample stamped with its time, so
        Prometheus stores it on the model's grid whenever it scrapes."""
        stamp = self.now * 1000
        lines = [f"{series_text(key)} {value!r} {stamp}" for key, value in self._totals.items()]
        return "\n".join(lines) + "\n"

    def truth(self, service: LabService, window: int = 60) -> Truth:
        """`service`'s values over the `window` seconds ending at `now` (whole ticks)."""
        if window > KEPT_SECONDS or window % SCRAPE:
            raise ValueError(f"window must be a multiple of {SCRAPE}s up to {KEPT_SECONDS}s")
        then = next(values for t, values in self._past if t >= self.now - window)
        newest = self._totals
        name = service.name
        base = service.labels

        def delta(key: SeriesKey) -> float:
            return newest[key] - then[key]

        codes = {
            code: delta(("http_requests_total", (*base, ("code", code))))
            for code in ("200", "404", "500", "503")
        }
        total = sum(codes.values())
        bounds = (*LATENCY_LE, math.inf)
        buckets = [
            delta(("http_request_duration_seconds_bucket", (*base, ("le", _le_text(b)))))
            for b in bounds
        ]
        queues = {}
        for queue in service.queues:
            qbounds = (*QUEUE_LE, math.inf)
            counts = [
                delta(
                    (
                        "queue_processing_latency_seconds_bucket",
                        (*base, ("queue", queue), ("le", _le_text(b))),
                    )
                )
                for b in qbounds
            ]
            queues[queue] = histogram_quantile(0.99, qbounds, counts)
        return Truth(
            service=name,
            at=self.now,
            requests_per_s=total / window,
            error_ratio=(codes["500"] + codes["503"]) / total if total else math.nan,
            p50=histogram_quantile(0.5, bounds, buckets),
            p99=histogram_quantile(0.99, bounds, buckets),
            queue_p99=queues,
        )


def backfill(model: LabModel, end: int) -> Iterator[str]:
    """OpenMetrics lines for `promtool tsdb create-blocks-from openmetrics`: the model
    stepped from its start to `end`, one family after another (as the format requires),
    each series' samples in time order, then `# EOF`."""
    ticks: list[tuple[int, dict[SeriesKey, float]]] = [(model.now, model.samples())]
    while model.now < end:
        model.step()
        ticks.append((model.now, model.samples()))
    for family, kind in FAMILIES.items():
        yield f"# TYPE {family} {kind}"
        for key in ticks[0][1]:
            if family_of(key[0]) != family:
                continue
            text = series_text(key)
            for t, values in ticks:
                yield f"{text} {values[key]!r} {t}"
    yield "# EOF"


#: The metric families the model writes, and their OpenMetrics types.
FAMILIES = {
    "http_requests": "counter",
    "http_request_duration_seconds": "histogram",
    "process_cpu_seconds": "counter",
    "queue_processing_latency_seconds": "histogram",
}


def family_of(name: str) -> str:
    """The family a sample's name belongs to (`x_total`, `x_bucket`, `x_sum`, `x_count`: x)."""
    for suffix in ("_total", "_bucket", "_sum", "_count"):
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name
