"""The heatmap's buckets from the metrics source: ONE range query per panel (the panel's
histogram summed by `le`, and/or its native histogram summed, `model/metrics/
bucket_query.py`), de-cumulated into counts per step (`model/metrics/heatmap.py`) or, for
a native histogram, merged onto coarser exponential rows (`model/metrics/
native_histogram.py`). Through `MetricsSource.query_expr`, the same client, retries and
bounds as every panel; a source with no query language answers no series."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from pulse_tui.config import Config
from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.metrics.bucket_query import BucketQuery, build_bucket_query
from pulse_tui.model.metrics.heatmap import BucketAnswer, decumulate
from pulse_tui.model.metrics.native_histogram import native_heatmap
from pulse_tui.model.metrics.signals import QueryWindow, Series, Signal
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
    answer = await asyncio.to_thread(answer_of, series, window.step)
    return answer or BucketAnswer(note=query.no_data_note)


def answer_of(series: list[Series], step: float) -> BucketAnswer | None:
    """The classic buckets' heatmap where there are `le` series (the native samples then
    only said to be left out: their bounds are not the classic ones), else the native
    histogram's; None: neither."""
    native = [s.histograms for s in series if s.histograms]
    classic = decumulate([s for s in series if "le" in s.labels], step)
    if not classic.empty:
        caveat = "native histogram samples not drawn" if native else None
        return BucketAnswer(classic, caveat=caveat)
    if not native:
        return None
    merged = native_heatmap(native, step)
    if merged.heatmap.empty:
        return None
    caveat = None
    if merged.negative > 0:
        caveat = "negative observations not drawn"
    return BucketAnswer(merged.heatmap, quantiles=merged.quantiles, caveat=caveat)
