"""The heatmap's buckets from the metrics source: ONE range query per panel (the panel's
histogram summed by `le`, `model/metrics/bucket_query.py`), de-cumulated into counts per
step (`model/metrics/heatmap.py`). Through `MetricsSource.query_expr`, the same client,
retries and bounds as every panel; a source with no query language answers no series."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from pulse_tui.config import Config
from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.metrics.bucket_query import BucketQuery, build_bucket_query
from pulse_tui.model.metrics.heatmap import BucketAnswer, decumulate
from pulse_tui.model.metrics.signals import QueryWindow, Signal
from pulse_tui.sources.base import MetricsSource, SourceError


def bucket_query(
    config: Config,
    signal: Signal,
    window: QueryWindow,
    services: Sequence[str] = (),
    service_label: str | None = None,
) -> BucketQuery | BucketAnswer:
    """The panel's bucket query (services told apart by `service_label`, the source's;
    None: the config's), or the answer saying why there is none."""
    try:
        derived = build_bucket_query(
            signal,
            template=config.signals[signal].query,
            service_label=service_label or config.prometheus.service_label,
            status_label=config.prometheus.status_label,
            window_seconds=window.rate_window,
            services=services,
        )
    except ValueError as exc:
        return BucketAnswer(note=str(exc), failed=True)
    if not isinstance(derived, BucketQuery):
        return BucketAnswer(note=derived.note)
    return derived


async def fetch_buckets(
    source: MetricsSource,
    config: Config,
    signal: Signal,
    window: QueryWindow,
    services: Sequence[str] = (),
) -> BucketAnswer:
    """The panel's buckets over `window` (the chart's own window and step). Never raises
    for a failed query: its error is the answer's note."""
    query = bucket_query(config, signal, window, services, source.service_label)
    if isinstance(query, BucketAnswer):
        return query
    try:
        series = await source.query_expr(query.expr, window, what=f"{signal.value} heatmap query")
    except SourceError as exc:
        return BucketAnswer(note=sanitize(str(exc)), failed=True)
    # A few ms for a wide histogram at a fine step: in a thread, off the event loop.
    heatmap = await asyncio.to_thread(decumulate, series, window.step)
    if heatmap.empty:
        return BucketAnswer(note=query.no_data_note)
    return BucketAnswer(heatmap)
