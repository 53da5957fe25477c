"""The heatmap's query, derived from the latency or queue panel's own template.

The panel's template computes quantiles from a histogram, e.g.
``histogram_quantile(0.99, sum by (le, $service_label) (rate(x_bucket{$filter}[$window])))``.
The heatmap wants the buckets themselves: the same selector, the same rate function and
window, summed by `le` alone (``sum by (le) (rate(x_bucket{$filter}[$window]))``), ONE
range query for the panel, whatever the number of buckets, series or services. It is
filled by the same `promql.render` as the panel's query, so the service filter and the
window are the panel's.

A template whose `histogram_quantile` reads `X` itself, not `X_bucket`, reads a native
histogram (Prometheus 2.40+): its heatmap query is ``sum(rate(X{$filter}[$window]))``, whose
answer is one native histogram sample per step (`model/metrics/native_histogram.py`). The
built-in templates read both (`classic or native`), and so does their heatmap query: ONE
request, `le` series where the histogram is classic, a native sample where it is not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pulse_tui.model.metrics.promql import default_template, render
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
# Any `rate(name{matchers}[window])`: a native histogram's when the name has no `_bucket`
# and the template takes a `histogram_quantile`.
_ANY_RATE = re.compile(_BUCKET_RATE.pattern.replace("_bucket)", ")"))


@dataclass(frozen=True, slots=True)
class BucketQuery:
    """The finished bucket query of one panel."""

    signal: Signal
    expr: str
    #: The `_bucket` metric it reads, for "no data for ..." ("" when only a native one).
    metric: str
    #: The native histogram it reads ("" when only a classic one).
    native: str = ""

    @property
    def no_data_note(self) -> str:
        if self.metric and self.native:
            return f"no bucket series for {self.metric} and no native histogram {self.native}"
        if self.native:
            return f"no native histogram samples for {self.native}"
        return f"no bucket series for {self.metric}"


@dataclass(frozen=True, slots=True)
class NoHistogram:
    """The template reads no histogram at all (a precomputed quantile, a summary)."""

    @property
    def note(self) -> str:
        return "this panel's query reads no histogram buckets: no heatmap"


def _rate(found: re.Match[str]) -> str:
    matchers = found.group("matchers") or ""
    return f"{found.group('fn')}({found.group('name')}{matchers}[{found.group('window')}])"


def _native_rate(template: str, classic: str | None) -> re.Match[str] | None:
    """The rate of a native histogram in `template`: inside a `histogram_quantile`, of a
    name without `_bucket` (and, next to a classic one, of that one's own name)."""
    if "histogram_quantile" not in template:
        return None
    for found in _ANY_RATE.finditer(template):
        name = found.group("name")
        if name.endswith("_bucket"):
            continue
        if classic is None or classic == f"{name}_bucket":
            return found
    return None


def bucket_parts(template: str) -> tuple[str, str, str] | NoHistogram:
    """(the heatmap template for `template`'s histogram, placeholders kept; the `_bucket`
    metric; the native one): `sum by (le)` of the classic buckets, `sum` of the native
    histogram's rate, or both joined by `or` (either may be "")."""
    classic = _BUCKET_RATE.search(template)
    native = _native_rate(template, classic.group("name") if classic else None)
    parts = []
    if classic is not None:
        parts.append(f"sum by (le) ({_rate(classic)})")
    if native is not None:
        parts.append(f"sum({_rate(native)})")
    if not parts:
        return NoHistogram()
    return (
        " or ".join(parts),
        classic.group("name") if classic else "",
        native.group("name") if native else "",
    )


def bucket_template(template: str) -> str | NoHistogram:
    """The heatmap template for `template`'s histogram (placeholders kept)."""
    parts = bucket_parts(template)
    return parts if isinstance(parts, NoHistogram) else parts[0]


def build_bucket_query(
    signal: Signal,
    *,
    template: str | None = None,
    service_label: str = "job",
    status_label: str = "code",
    window_seconds: float = 60.0,
    services: Sequence[str] = (),
) -> BucketQuery | NoHistogram:
    """The heatmap query of the latency or queue panel; `template=None`: the built-in one.

    Raises ValueError for a template with an unknown placeholder (the panel's own query
    says the same)."""
    chosen = template or default_template(signal)
    derived = bucket_parts(chosen)
    if isinstance(derived, NoHistogram):
        return derived
    expr_template, classic, native = derived
    extra = {"quantile": "0.99"}  # a `$quantile` outside the selector would be no matter
    try:
        expr = render(
            expr_template,
            service_label=service_label,
            status_label=status_label,
            window_seconds=window_seconds,
            services=services,
            extra=extra,
        )
    except KeyError as exc:
        raise ValueError(f"{signal.value} heatmap: unknown placeholder ${exc.args[0]}") from exc
    return BucketQuery(signal, expr, classic, native)
