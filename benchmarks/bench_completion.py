"""What completing PromQL costs on a key press, none of it on the network (the lists are
cached, see sources/completion.py): working out the context, ranking the candidates.

Figures (best of 5; reference: one frame at 60 Hz, 16.7 ms; ratio < 1: within a frame):
* completion_context_ms — `context_at` at the end of a 400-character expression.
* completion_rank_ms_10k / _100k — `rank` of 10,000 / 100,000 metric names for a prefix
  (a big Prometheus has tens of thousands; MAX_VALUES keeps 5,000 per list).
* completion_offer_ms_10k — `CompletionCatalog.offer` for a metric, from the cache, over
  10,000 names (functions and aggregations merged in): what a key press pays.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator, Sequence

from run import figure

from pulse_tui.model.metrics.promql_complete import context_at
from pulse_tui.model.metrics.promql_words import rank
from pulse_tui.sources.completion import CompletionCatalog

FRAME_MS = 1000 / 60
REFERENCE = "one 60 Hz frame (16.7 ms)"


def names(count: int) -> list[str]:
    families = ("http", "process", "node", "go", "kube", "container", "grpc", "queue")
    return [f"{families[i % 8]}_metric_{i:06d}_total" for i in range(count)]


def best_ms(fn: Callable[[], object], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000


class ListApi:
    def __init__(self, values: Sequence[str]) -> None:
        self.values = list(values)

    async def label_names(
        self, match: Sequence[str], start: float, end: float, limit: int
    ) -> list[str]:
        return self.values

    async def label_values(
        self, label: str, match: Sequence[str], start: float, end: float, limit: int
    ) -> list[str]:
        return self.values


def run() -> Iterator[dict[str, object]]:
    expr = (
        'sum by (job, instance) (rate(http_requests_total{job=~"api|checkout", code=~"5.."}'
        "[5m])) / on (job, instance) group_left sum by (job, instance) "
        '(rate(http_requests_total{job=~"api|checkout"}[5m])) > 0.05 and on (job) '
    ) * 2
    expr = expr[:390] + "histogram_quantile(0.99, rate(http_request_duration_seconds_bu"
    ms = best_ms(lambda: context_at(expr, len(expr)))
    yield figure("completion_context_ms", ms, "ms", REFERENCE, ms / FRAME_MS)
    for count, label in ((10_000, "10k"), (100_000, "100k")):
        listed = names(count)
        ms = best_ms(lambda listed=listed: rank("http_met", listed, 50))
        yield figure(f"completion_rank_ms_{label}", ms, "ms", REFERENCE, ms / FRAME_MS)

    catalog = CompletionCatalog(ListApi(names(10_000)), max_values=10_000)
    at = context_at("rate(http_met", len("rate(http_met"))
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(catalog.offer(at, 0, 1))  # fills the cache
        ms = best_ms(lambda: loop.run_until_complete(catalog.offer(at, 0, 1)))
    finally:
        loop.close()
    yield figure("completion_offer_ms_10k", ms, "ms", REFERENCE, ms / FRAME_MS)
