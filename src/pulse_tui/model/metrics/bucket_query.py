"""The heatmap's query, derived from the latency or queue panel's own template.

The panel's template computes quantiles from a histogram, e.g.
``histogram_quantile(0.99, sum by (le, $service_label) (rate(x_bucket{$filter}[$window])))``.
The heatmap wants the buckets themselves: the same selector, the same rate function and
window, summed by `le` alone (``sum by (le) (rate(x_bucket{$filter}[$window]))``), ONE
range query for the panel, whatever the number of buckets, series or services. It is
filled by the same `promql.render` as the panel's query, so the service filter and the
window are the panel's.

A template whose histogram has no `_bucket` selector reads a native histogram (Prometheus
2.40+): its buckets cannot be fetched as series from the range-query API of the versions
pulse-tui supports, so the panel says so (`NativeHistogram`) instead of drawing nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pulse_tui.model.metrics.promql import DEFAULT_TEMPLATES, render
from pulse_tui.model.metrics.signals import Signal

#: The signals whose panels have a heatmap view.
HEATMAP_SIGNALS = frozenset({Signal.LATENCY, Signal.QUEUE})

# `rate(name_bucket{matchers}[window])` (or irate/increase), matchers optional. The
# matchers may hold `$filter` and quoted strings with `}` in them.
_BUCKET_RATE = re.compile(
    r"\b(?P<fn>rate|irate|increase)\s*\(\s*"
    r"(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*_bucket)\s*"
    r'(?P<matchers>\{(?:[^}"]|"(?:[^"\\]|\\.)*")*\})?\s*'
    r"\[(?P<window>[^\]]+)\]\s*\)"
)
# `histogram_quantile(q, ... rate(name{...}[...]) ...)` without `_bucket`: a native one.
_NATIVE = re.compile(
    r"histogram_quantile\s*\(.*?\b(?:rate|irate|increase)\s*\(\s*"
    r"(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{\[]",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class BucketQuery:
    """The finished bucket query of one panel."""

    signal: Signal
    expr: str
    #: The `_bucket` metric it reads, for "no data for ...".
    metric: str

    @property
    def no_data_note(self) -> str:
        return f"no bucket series for {self.metric}"


@dataclass(frozen=True, slots=True)
class NativeHistogram:
    """The template reads a native histogram: no `_bucket` series to draw."""

    metric: str

    @property
    def note(self) -> str:
        return f"native histogram ({self.metric}): buckets not shown"


@dataclass(frozen=True, slots=True)
class NoHistogram:
    """The template reads no histogram at all (a precomputed quantile, a summary)."""

    @property
    def note(self) -> str:
        return "this panel's query reads no histogram buckets: no heatmap"


def bucket_template(template: str) -> str | NativeHistogram | NoHistogram:
    """The `sum by (le)` template for `template`'s histogram (placeholders kept)."""
    found = _BUCKET_RATE.search(template)
    if found is None:
        native = _NATIVE.search(template)
        return NativeHistogram(native.group("name")) if native else NoHistogram()
    matchers = found.group("matchers") or ""
    inner = f"{found.group('fn')}({found.group('name')}{matchers}[{found.group('window')}])"
    return f"sum by (le) ({inner})"


def build_bucket_query(
    signal: Signal,
    *,
    template: str | None = None,
    service_label: str = "job",
    status_label: str = "code",
    window_seconds: float = 60.0,
    services: Sequence[str] = (),
) -> BucketQuery | NativeHistogram | NoHistogram:
    """The heatmap query of the latency or queue panel; `template=None`: the built-in one.

    Raises ValueError for a template with an unknown placeholder (the panel's own query
    says the same)."""
    chosen = template or DEFAULT_TEMPLATES[signal]
    derived = bucket_template(chosen)
    if not isinstance(derived, str):
        return derived
    extra = {"quantile": "0.99"}  # a `$quantile` outside the selector would be no matter
    try:
        expr = render(
            derived,
            service_label=service_label,
            status_label=status_label,
            window_seconds=window_seconds,
            services=services,
            extra=extra,
        )
    except KeyError as exc:
        raise ValueError(f"{signal.value} heatmap: unknown placeholder ${exc.args[0]}") from exc
    metric = _BUCKET_RATE.search(chosen)
    return BucketQuery(signal, expr, metric.group("name") if metric else "")
