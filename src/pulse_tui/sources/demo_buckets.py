"""The demo's histogram buckets, for the latency and queue heatmaps (`m`) in `--demo`.

The demo has no PromQL: it answers exactly the heatmap's bucket query
(`sum by (le) (rate(<metric>_bucket{<filter>}[<window>]))`, model/metrics/bucket_query.py)
for its two histograms, and nothing else. Each service's (or queue's) observations follow
a distribution through its own p50/p90/p99 (linear in log-latency between them), so the
cells and the quantile lines the panel draws agree, incident surges included.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from itertools import pairwise

from pulse_tui.model.metrics.signals import QueryWindow, Series

#: The demo's bucket bounds, seconds.
DEMO_LE = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, math.inf)
#: Observations per second of each demo queue.
QUEUE_RATE = 6.0

_BUCKET_QUERY = re.compile(
    r"^sum by \(le\) \((?:rate|irate|increase)\((?P<metric>[a-zA-Z_:][a-zA-Z0-9_:]*)_bucket"
    r"\{(?P<matchers>[^}]*)\}\["
)
_MATCHER = re.compile(r'(?P<label>\w+)(?P<op>=~|=)"(?P<value>(?:[^"\\]|\\.)*)"')


def _wanted(matchers: str, label: str, names: Sequence[str]) -> list[str]:
    """The names the service filter keeps (all of them with no filter on `label`)."""
    for found in _MATCHER.finditer(matchers):
        if found.group("label") != label:
            continue
        value = found.group("value").encode().decode("unicode_escape")
        if found.group("op") == "=":
            return [n for n in names if n == value]
        return [n for n in names if re.fullmatch(value, n)]
    return list(names)


def cdf(bound: float, p50: float, p90: float, p99: float) -> float:
    """The share of observations at or below `bound` for quantiles p50/p90/p99: linear in
    log(bound) between (p50/8, 0), (p50, .5), (p90, .9), (p99, .99) and (4 × p99, 1)."""
    if math.isinf(bound):
        return 1.0
    points = ((p50 / 8, 0.0), (p50, 0.5), (p90, 0.9), (p99, 0.99), (p99 * 4, 1.0))
    if bound <= points[0][0]:
        return 0.0
    for (x0, y0), (x1, y1) in pairwise(points):
        if bound <= x1:
            where = (math.log(bound) - math.log(x0)) / (math.log(x1) - math.log(x0))
            return y0 + (y1 - y0) * where
    return 1.0


def demo_buckets(
    expr: str,
    window: QueryWindow,
    service_label: str,
    services: Sequence[str],
    queues: Sequence[str],
    rate: Callable[[str, float], float],
    quantile: Callable[[str, float, float], float],
    queue_p99: Callable[[str, float], float],
) -> list[Series]:
    """The cumulative bucket rates `expr` asks for, one series per bound; [] for any other
    query (the demo answers no other PromQL)."""
    match = _BUCKET_QUERY.match(expr)
    if match is None:
        return []
    steps = round((window.end - window.start) / window.step) + 1
    stamps = [window.start + i * window.step for i in range(steps)]
    matchers = match.group("matchers")
    if match.group("metric") == "http_request_duration_seconds":
        chosen = _wanted(matchers, service_label, services)

        def share(t: float, bound: float) -> float:
            return sum(
                rate(s, t) * cdf(bound, *(quantile(s, t, q) for q in (0.5, 0.9, 0.99)))
                for s in chosen
            )

    elif match.group("metric") == "queue_processing_latency_seconds":
        if not _wanted(matchers, service_label, ["worker"]):
            return []

        def share(t: float, bound: float) -> float:
            total = 0.0
            for queue in queues:
                p99 = queue_p99(queue, t)
                total += QUEUE_RATE * cdf(bound, p99 / 6, p99 / 2.5, p99)
            return total

    else:
        return []
    return [
        Series("", stamps, [share(t, bound) for t in stamps], {"le": _le(bound)})
        for bound in DEMO_LE
    ]


def _le(bound: float) -> str:
    return "+Inf" if math.isinf(bound) else f"{bound:g}"
