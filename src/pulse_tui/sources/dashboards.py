"""Imported Grafana dashboards against the metrics source: a panel's targets (one query
each per refresh, all at once) and the options of query variables.

Everything goes through the source's public range query (`MetricsSource.query_expr_top`
for a panel's targets, cut to `dashboard.max_series` there, `query_expr` for variables): an
instant target is a range of one point at the end, and the variable functions become
PromQL (`label_values(m, l)` is `group by (l) (m)`), so no request is ever made per series
or per variable value.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.dashboards.definition import Panel, Target
from pulse_tui.model.dashboards.interpolate import Builtins, Selection, VariableError, interpolate
from pulse_tui.model.dashboards.panels import (
    MAX_SERIES,
    all_labels,
    cap_series,
    legend,
    target_window,
)
from pulse_tui.model.dashboards.variables import (
    AUTO,
    Variable,
    VariableState,
    auto_interval,
    choose,
    filter_options,
    keep_choice,
    resolution_order,
)
from pulse_tui.model.metrics.signals import QueryWindow, Series
from pulse_tui.model.metrics.step import compute_window
from pulse_tui.sources.base import MetricsSource, SourceError

#: What `label_values` and friends copy `__name__` into (the source drops `__name__`).
_NAME_COPY = "pulse_metric_name"


@dataclass(frozen=True, slots=True)
class PanelLine:
    """One series of a panel, with its legend and the target it came from."""

    legend: str
    series: Series
    ref_id: str


@dataclass(frozen=True, slots=True)
class PanelResult:
    #: The window the chart is drawn over (the first range target's).
    window: QueryWindow
    lines: tuple[PanelLine, ...]
    #: One line per failed target ("B: Prometheus rejected ...").
    errors: tuple[str, ...] = ()
    #: What the panel must say besides ("showing 200 of 10,000 series").
    note: str | None = None
    fetched_at: float = 0.0
    #: Queries sent for it (one per target shown).
    queries: int = 0


@dataclass(frozen=True, slots=True)
class Span:
    """What a refresh shows: the range, where it ends, and the scrape interval."""

    range_seconds: float
    end: float
    scrape_interval: float
    #: How the header names it ("last 1h", "1h to 12-02 10:00", "paused").
    label: str = ""


async def fetch_panel(
    source: MetricsSource,
    panel: Panel,
    span: Span,
    points: int,
    selections: Mapping[str, Selection],
    max_series: int = MAX_SERIES,
) -> PanelResult:
    """Every target shown of `panel`, one query each, concurrently."""
    targets = panel.queries
    windows = [
        target_window(t, span.range_seconds, span.end, points, span.scrape_interval)
        for t in targets
    ]
    answers = await asyncio.gather(
        *(
            _run(source, panel, t, w, span, selections, max_series)
            for t, w in zip(targets, windows, strict=True)
        )
    )
    lines: list[PanelLine] = []
    errors: list[str] = []
    total = 0
    for target, answer in zip(targets, answers, strict=True):
        if isinstance(answer, str):
            errors.append(sanitize(f"{target.ref_id}: {answer}"))
            continue
        series_list, answered = answer
        total += answered
        for series in series_list:
            labels = all_labels(series, source.service_label)
            # Label values are the server's text: made safe once, here.
            lines.append(PanelLine(sanitize(legend(target, labels)), series, target.ref_id))
    kept, note = cap_series([line.series for line in lines], max_series, total)
    chosen = {id(series) for series in kept}
    ranged = [w for t, w in zip(targets, windows, strict=True) if not t.instant]
    window = (ranged or windows or [_fallback(span, points)])[0]
    return PanelResult(
        window=window,
        lines=tuple(line for line in lines if id(line.series) in chosen),
        errors=tuple(errors),
        note=note,
        fetched_at=time.time(),
        queries=len(targets),
    )


def _fallback(span: Span, points: int) -> QueryWindow:
    return compute_window(span.range_seconds, span.end, points, span.scrape_interval)


async def _run(
    source: MetricsSource,
    panel: Panel,
    target: Target,
    window: QueryWindow,
    span: Span,
    selections: Mapping[str, Selection],
    max_series: int,
) -> tuple[list[Series], int] | str:
    """One target's series, cut by the source to the `max_series` highest now, and how
    many it answered; or its error."""
    builtins = Builtins(window.step, window.rate_window, span.range_seconds)
    try:
        expr = interpolate(target.expr, selections, builtins)
        what = (
            f"query {target.ref_id} of '{panel.title}'" if panel.title else f"query {target.ref_id}"
        )
        return await source.query_expr_top(expr, window, max_series, what=what)
    except (SourceError, VariableError) as exc:
        return str(exc)


# ----------------------------------------------------------------- variables


async def resolve_variables(
    source: MetricsSource,
    variables: Sequence[Variable],
    span: Span,
    chosen: Mapping[str, Selection] | None = None,
    *,
    range_changed_from: VariableState | None = None,
) -> VariableState:
    """Every variable's selection, in dependency order (a chained query sees the ones it
    uses); one query per query variable. `chosen` holds what the user picked, kept while
    still offered. A failed one keeps its saved value, and says so.

    `range_changed_from`: the state before the time range changed; only the variables
    that follow the range (Grafana's `refresh: 2`) are asked again, and those whose query
    uses one of them; the others keep the options they had (no query)."""
    state = VariableState()
    chosen = chosen or {}
    asked: set[str] = set()
    for variable in resolution_order(variables):
        before = range_changed_from
        if (
            before is not None
            and variable.name in before.options
            and not variable.follows_range
            and not variable.references() & asked
        ):
            state.options[variable.name] = before.options[variable.name]
            state.selections[variable.name] = before.selections[variable.name]
            if variable.name in before.problems:
                state.problems[variable.name] = before.problems[variable.name]
            continue
        asked.add(variable.name)
        try:
            options = await _options(source, variable, span, state.selections)
        except (SourceError, VariableError) as exc:
            state.problems[variable.name] = sanitize(str(exc))
            options = list(variable.options)
        state.options[variable.name] = options
        picked = chosen.get(variable.name)
        kept = keep_choice(picked, variable, options) if picked is not None else None
        selection = kept or choose(variable, options)
        if variable.auto and selection.values == (AUTO,):
            # What `auto` stands for at this range (the header shows it, e.g. 2m).
            selection = Selection((auto_interval(variable, span.range_seconds),))
        state.selections[variable.name] = selection
    return state


async def _options(
    source: MetricsSource, variable: Variable, span: Span, selections: Mapping[str, Selection]
) -> list[str]:
    if variable.kind == "datasource":
        return list(variable.current or ("prometheus",))  # pulse-tui's one backend
    if variable.kind == "textbox":
        return list(variable.current or (variable.query,))
    if variable.kind != "query":
        return (
            filter_options(variable.options, variable.regex)
            if variable.regex
            else list(variable.options)
        )
    query = variable.parsed_query
    if query is None:
        raise VariableError(
            f"query {variable.query!r} is not one of label_values, metrics, query_result"
        )
    # Over the dashboard's range, coarse: only which label sets exist matters.
    window = compute_window(span.range_seconds, span.end, 10, span.scrape_interval)
    if query.kind == "label_names":
        # Imported here: prometheus_api_client and requests are a tenth of a second of
        # the start-up, and the demo has no Prometheus.
        from pulse_tui.sources.prometheus.labels import label_names
        from pulse_tui.sources.prometheus.source import PrometheusSource

        if not isinstance(source, PrometheusSource):
            raise VariableError("label_names() needs Prometheus' label API; this source has none")
        matched = interpolate(query.expr, selections).strip()
        found = await label_names(source, window.start, window.end, matched)
        return filter_options(found, variable.regex)
    inner = interpolate(
        query.expr, selections, Builtins(window.step, window.rate_window, span.range_seconds)
    )
    label = interpolate(query.label, selections)
    what = f"variable ${variable.name}"
    if query.kind == "label_values":
        selector = inner or f'{{{label}!=""}}'
        series = await source.query_expr(f"group by ({label}) ({selector})", window, what=what)
        values = [all_labels(s, source.service_label).get(label, "") for s in series]
    elif query.kind == "metrics":
        names = f'group by (__name__) ({{__name__=~"{inner}"}})'
        expr = f'label_replace({names}, "{_NAME_COPY}", "$1", "__name__", "(.*)")'
        series = await source.query_expr(expr, window, what=what)
        values = [s.labels.get(_NAME_COPY, "") for s in series]
    else:  # query_result: each answer as Grafana writes it, `name{labels} value timestamp`
        at = float(math.floor(span.end))
        instant = QueryWindow(at, at, window.step, window.rate_window)
        expr = f'label_replace({inner}, "{_NAME_COPY}", "$1", "__name__", "(.*)")'
        series = await source.query_expr(expr, instant, what=what)
        values = [_result_text(s, source.service_label) for s in series]
    return filter_options([v for v in values if v], variable.regex)


def _result_text(series: Series, service_label: str) -> str:
    labels = all_labels(series, service_label)
    name = labels.pop(_NAME_COPY, "")
    inside = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    value = series.values[-1] if series.values else math.nan
    stamp = round(series.timestamps[-1] * 1000) if series.timestamps else 0
    return f"{name}{{{inside}}} {value:g} {stamp}"
