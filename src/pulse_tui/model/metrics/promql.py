"""PromQL for the five panels: the default templates and the builder that fills them in.

Every panel is ONE range query that answers for all services at once; a service filter
narrows it with label matchers, never by sending one query per service.

Templates use `string.Template` placeholders:

``$service_label``
    The label that names a service (``prometheus.service_label``, default ``job``).
    Aggregate by it: ``sum by ($service_label) (...)``.
``$filter``
    Label matchers for the service filter, e.g. ``job="api"`` or ``job=~"api|checkout"``;
    empty when every service is shown. Write it inside braces, alone or after other
    matchers: ``metric{$filter}`` or ``metric{code=~"5..",$filter}`` (PromQL accepts the
    trailing comma the second form leaves when the filter is empty).
``$window``
    The rate window as a PromQL duration (e.g. ``2m``), sized like Grafana's
    ``$__rate_interval``: at least four scrape intervals and one step plus one scrape.
``$status_label``
    The label holding the HTTP status code (``prometheus.status_label``, default ``code``).
``$quantile``
    Latency only. When the template contains it, pulse-tui fills it with 0.5, 0.9 and 0.99
    and joins the three into one query that labels each answer ``quantile="p50"|"p90"|"p99"``.
    A latency template without ``$quantile`` is sent as written and must return that
    ``quantile`` label itself.

A literal ``$`` is written ``$$``. Series are told apart by ``$service_label``; any other
label they carry (``quantile``, ``queue``, ...) is kept and shown in the legend.

The built-in latency and queue templates read classic histograms (``X_bucket`` by ``le``)
and native ones (``X`` itself, `NATIVE_TEMPLATES`) in one query, ``classic or native``; a
template of one's own is sent as written.

Saturation may set ``limit_query`` (same placeholders, one series per service): the panel
then shows ``100 * query / limit_query`` in percent, or the bare ratio when ``unit = "ratio"``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from string import Template

from pulse_tui.model.core.durations import promql_duration
from pulse_tui.model.metrics.signals import DEFAULT_UNITS, Signal

#: The three latency quantiles of the latency panel, as (PromQL value, legend label).
LATENCY_QUANTILES: tuple[tuple[str, str], ...] = (("0.5", "p50"), ("0.9", "p90"), ("0.99", "p99"))

DEFAULT_TEMPLATES: dict[Signal, str] = {
    Signal.LATENCY: (
        "histogram_quantile($quantile, sum by (le, $service_label) "
        "(rate(http_request_duration_seconds_bucket{$filter}[$window])))"
    ),
    Signal.TRAFFIC: "sum by ($service_label) (rate(http_requests_total{$filter}[$window]))",
    # A service with traffic but no 5xx series at all would vanish from a plain division;
    # `or 0 * total` puts a 0 in its place, so the panel shows 0 instead of "no data".
    Signal.ERRORS: (
        '(sum by ($service_label) (rate(http_requests_total{$status_label=~"5..",$filter}'
        "[$window]))"
        " or 0 * sum by ($service_label) (rate(http_requests_total{$filter}[$window])))"
        " / sum by ($service_label) (rate(http_requests_total{$filter}[$window]))"
    ),
    Signal.SATURATION: (
        "sum by ($service_label) (rate(process_cpu_seconds_total{$filter}[$window]))"
    ),
    Signal.QUEUE: (
        "histogram_quantile(0.99, sum by (le, $service_label, queue) "
        "(rate(queue_processing_latency_seconds_bucket{$filter}[$window])))"
    ),
}

#: The native-histogram form of the built-in histogram templates: the same quantile over
#: a histogram exposed natively (Prometheus' `native-histograms` feature), which has no
#: `_bucket` series and no `le` label. A built-in template is sent as `classic or native`:
#: one query, each service answered by whichever form it has (the classic one when both).
NATIVE_TEMPLATES: dict[Signal, str] = {
    Signal.LATENCY: (
        "histogram_quantile($quantile, sum by ($service_label) "
        "(rate(http_request_duration_seconds{$filter}[$window])))"
    ),
    Signal.QUEUE: (
        "histogram_quantile(0.99, sum by ($service_label, queue) "
        "(rate(queue_processing_latency_seconds{$filter}[$window])))"
    ),
}

# A metric name directly followed by a selector's braces: what "no data for ..." names.
_METRIC_NAME = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{")


@dataclass(frozen=True, slots=True)
class PanelQuery:
    """One panel's finished query, ready for /api/v1/query_range."""

    signal: Signal
    #: The PromQL expression with every placeholder filled in.
    expr: str
    #: The unit the values are in ("s", "req/s", "%", ...).
    unit: str
    #: Metric names the query reads, for the "no data for ..." note.
    metrics: tuple[str, ...]

    @property
    def no_data_note(self) -> str:
        """The sentence shown when the query returns nothing."""
        names = ", ".join(self.metrics) if self.metrics else f"the {self.signal.value} query"
        return f"no data for {names}"


def escape_string(value: str) -> str:
    """`value` escaped for the inside of a PromQL double-quoted string literal."""
    return (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


def service_matcher(service_label: str, services: Sequence[str]) -> str:
    """Matchers selecting `services` ("" for all): `job="a"` or `job=~"a|b"`.

    Alternatives are regex-escaped first (`=~` takes an anchored RE2 pattern, so a name
    such as `api.v2` must not match `apixv2`), then string-escaped like any literal.
    """
    unique = sorted(set(services))
    if not unique:
        return ""
    if len(unique) == 1:
        return f'{service_label}="{escape_string(unique[0])}"'
    pattern = "|".join(re.escape(name) for name in unique)
    return f'{service_label}=~"{escape_string(pattern)}"'


def render(
    template: str,
    *,
    service_label: str,
    status_label: str,
    window_seconds: float,
    services: Sequence[str] = (),
    extra: Mapping[str, str] | None = None,
) -> str:
    """Fill a template's placeholders; unknown placeholders raise KeyError naming them."""
    values = {
        "service_label": service_label,
        "status_label": status_label,
        "filter": service_matcher(service_label, services),
        "window": promql_duration(window_seconds),
        **(extra or {}),
    }
    return Template(template).substitute(values)


def metric_names(template: str) -> tuple[str, ...]:
    """Metric names a template selects (`foo{...}`), in order, without repeats."""
    names: list[str] = []
    for match in _METRIC_NAME.finditer(template):
        if match.group(1) not in names:
            names.append(match.group(1))
    return tuple(names)


def default_template(signal: Signal) -> str:
    """The built-in template of `signal`: for a histogram signal, its classic form `or`
    its native form (`NATIVE_TEMPLATES`)."""
    classic = DEFAULT_TEMPLATES[signal]
    native = NATIVE_TEMPLATES.get(signal)
    return f"{classic} or {native}" if native else classic


def native_histogram_note(metric: str) -> str:
    """What a panel says when its own template reads `metric`_bucket and `metric` is a
    native histogram (which has no `_bucket` series)."""
    return f"{metric} is a native histogram, not {metric}_bucket"


def native_histogram_hint(metric: str, signal: Signal, service_label: str) -> str:
    """How to query that native histogram instead: the template to configure."""
    quantile = "$quantile" if signal is Signal.LATENCY else "0.99"
    # The queue panel's lines are per queue, as with its built-in template.
    by = service_label if signal is Signal.LATENCY else f"{service_label}, queue"
    return (
        f"set signals.{signal.value}.query to histogram_quantile({quantile}, sum by "
        f"({by}) (rate({metric}{{$filter}}[$window])))"
    )


def build_query(
    signal: Signal,
    *,
    template: str | None = None,
    unit: str = "",
    limit_template: str | None = None,
    service_label: str = "job",
    status_label: str = "code",
    window_seconds: float = 60.0,
    services: Sequence[str] = (),
) -> PanelQuery:
    """The finished query of one panel; `template=None` uses the built-in default.

    Raises ValueError (naming the placeholder) when a template uses an unknown one.
    """
    chosen = template or default_template(signal)
    fill = partial(
        render,
        service_label=service_label,
        status_label=status_label,
        window_seconds=window_seconds,
        services=services,
    )
    unit = unit or DEFAULT_UNITS[signal]
    try:
        if signal is Signal.LATENCY and "$quantile" in chosen:
            parts = [
                f"label_replace({fill(chosen, extra={'quantile': q})}, "
                f'"quantile", "{label}", "", "")'
                for q, label in LATENCY_QUANTILES
            ]
            expr = " or ".join(parts)
        else:
            expr = fill(chosen)
        metrics = metric_names(chosen)
        if signal is Signal.SATURATION and limit_template:
            limit = fill(limit_template)
            # One-to-one on the service label: both sides hold one series per service.
            scale = "" if unit == "ratio" else "100 * "
            expr = f"{scale}({expr}) / on ({service_label}) ({limit})"
            unit = "ratio" if unit == "ratio" else "%"
            metrics += tuple(m for m in metric_names(limit_template) if m not in metrics)
    except KeyError as exc:
        raise ValueError(
            f"{signal.value} query: unknown placeholder ${exc.args[0]}; use $service_label, "
            "$filter, $window, $status_label"
            + (" or $quantile" if signal is Signal.LATENCY else "")
        ) from exc
    except ValueError as exc:  # Template's "Invalid placeholder" (a lone `$`)
        raise ValueError(f"{signal.value} query: {exc}; write a literal $ as $$") from exc
    return PanelQuery(signal=signal, expr=expr, unit=unit, metrics=metrics)
