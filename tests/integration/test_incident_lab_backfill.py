"""The incident lab's backfill (tools/lab/metrics.py): OpenMetrics that promtool accepts, from
which a real prometheus answers the very values the lab prints as true.

The lab itself (servers, logs, the app) is tried by hand, not here; what the lab says is
true rests on this: its own rate and histogram_quantile over its counters agree with
prometheus' over the same samples.
"""

from __future__ import annotations

import json
import math
import time
import urllib.parse
import urllib.request
from itertools import accumulate
from pathlib import Path

import pytest
from lab.metrics import (
    HOSTILE,
    LATENCY_LE,
    SCRAPE,
    LabModel,
    histogram_quantile,
    lab_services,
)
from lab.servers import write_blocks
from support.binaries import require_binary
from support.prometheus_server import run_prometheus

pytestmark = pytest.mark.integration

ERRORS = (
    'sum by (job) (rate(http_requests_total{code=~"5.."}[1m]))'
    " / sum by (job) (rate(http_requests_total[1m]))"
)
P99 = "histogram_quantile(0.99, sum by (le, job) (rate(http_request_duration_seconds_bucket[1m])))"
QUEUE_P99 = (
    "histogram_quantile(0.99, sum by (le, job, queue) "
    "(rate(queue_processing_latency_seconds_bucket[1m])))"
)


def instant(url: str, expr: str, at: int) -> dict[tuple[str, ...], float]:
    query = urllib.parse.urlencode({"query": expr, "time": str(at)})
    with urllib.request.urlopen(f"{url}/api/v1/query?{query}", timeout=10) as response:
        answer = json.load(response)
    assert answer["status"] == "success", answer
    return {
        tuple(r["metric"].get(k, "") for k in ("job", "queue")): float(r["value"][1])
        for r in answer["data"]["result"]
    }


def test_prometheus_answers_from_the_backfill_what_the_lab_prints_as_true(tmp_path: Path) -> None:
    prometheus = require_binary("prometheus")
    promtool = require_binary("promtool")
    end = int(time.time()) // SCRAPE * SCRAPE
    # Half an hour, the incident in its last ten minutes: enough for every window asked.
    model = LabModel(lab_services(), end - 1800, incident_start=end - 600)
    write_blocks(promtool, model, end, tmp_path)  # raises with promtool's words if refused
    truths = {svc.name: model.truth(svc) for svc in model.services}

    with run_prometheus(prometheus, tmp_path) as server:
        errors = instant(server.url, ERRORS, end)
        p99 = instant(server.url, P99, end)
        queue_p99 = instant(server.url, QUEUE_P99, end)

    # Every service came back under its own name, the markup-and-escape one included.
    assert {job for job, _ in errors} == set(truths)
    assert (HOSTILE, "") in p99
    for name, truth in truths.items():
        assert errors[(name, "")] == pytest.approx(truth.error_ratio, rel=1e-9)
        assert p99[(name, "")] == pytest.approx(truth.p99, rel=1e-9)
        for queue, value in truth.queue_p99.items():
            assert queue_p99[(name, queue)] == pytest.approx(value, rel=1e-9)
    # The incident is in the data: checkout's errors and p99 far above its steady levels.
    checkout = next(svc for svc in model.services if svc.incident is not None)
    steady_p99 = histogram_quantile(
        0.99, (*LATENCY_LE, math.inf), list(accumulate(checkout.steady.latency))
    )
    assert truths[checkout.name].error_ratio > 10 * checkout.steady.error_ratio
    assert truths[checkout.name].p99 > 5 * steady_p99
