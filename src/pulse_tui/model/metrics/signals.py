"""The five signals pulse-tui shows and the time series that carry them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from pulse_tui.model.metrics.histogram_sample import HistogramSample


class Signal(StrEnum):
    """One dashboard panel: the four golden signals plus queue tail latency."""

    LATENCY = "latency"
    TRAFFIC = "traffic"
    ERRORS = "errors"
    SATURATION = "saturation"
    QUEUE = "queue"

    @property
    def heading(self) -> str:
        """The panel's title ("Queue tail latency"); not `title`, which is `str.title()`."""
        return SIGNAL_TITLES[self]


SIGNAL_TITLES: dict[Signal, str] = {
    Signal.LATENCY: "Latency",
    Signal.TRAFFIC: "Traffic",
    Signal.ERRORS: "Errors",
    Signal.SATURATION: "Saturation",
    Signal.QUEUE: "Queue tail latency",
}

#: Default unit of each signal; the config may override saturation's.
DEFAULT_UNITS: dict[Signal, str] = {
    Signal.LATENCY: "s",
    Signal.TRAFFIC: "req/s",
    Signal.ERRORS: "ratio",
    Signal.SATURATION: "cores",
    Signal.QUEUE: "s",
}


@dataclass(frozen=True, slots=True)
class Series:
    """One line on a chart: a service (and maybe a quantile or queue) over time.

    `timestamps` are Unix seconds; `values` may hold NaN or ±Inf, which charts skip.
    """

    service: str
    timestamps: Sequence[float]
    values: Sequence[float]
    #: Extra identity inside the service: {"quantile": "p99"} or {"queue": "emails"}.
    labels: dict[str, str] = field(default_factory=dict)
    #: Native histogram samples (a query answering histograms, not floats), by time.
    histograms: Sequence[HistogramSample] = ()

    @property
    def name(self) -> str:
        """Legend text: the service, followed by the distinguishing labels."""
        extra = " ".join(self.labels.values())
        return f"{self.service} {extra}".strip()

    def latest(self) -> float | None:
        """The newest finite value, or None when the series holds none."""
        for value in reversed(self.values):
            if math.isfinite(value):
                return value
        return None

    def worst(self) -> float | None:
        """The largest finite value over the whole series, or None."""
        finite = [v for v in self.values if math.isfinite(v)]
        return max(finite) if finite else None


@dataclass(frozen=True, slots=True)
class QueryWindow:
    """What to fetch: the aligned range, the step between points and the rate window."""

    start: float
    end: float
    step: float
    rate_window: float


@dataclass(frozen=True, slots=True)
class Recent:
    """The last few minutes of a panel's query at the finest step (the scrape interval),
    ending at the instant whose values are the current ones: now, or a past range's end.

    A chart's newest point sits on its aligned step and averages over its rate window, so
    at 7d it is up to 3 h old and a 3 h average. These points are one scrape apart with a
    rate window of about a minute at any range: the table, the panels' headlines, `summary`
    and the alert rules read them (`SignalResult.current`), while the chart keeps its step.
    """

    #: `step.recent_window`: ends at that instant, one scrape interval per step.
    window: QueryWindow
    series: tuple[Series, ...] = ()
    #: The same minutes from the compare overlay (shifted back, moved forward), if asked.
    compare: tuple[Series, ...] = ()
    #: Why there are no series: their query failed. The current values then fall back to
    #: the chart's newest points, as they were before there was a recent query.
    error: str | None = None


def _at(series: tuple[Series, ...], window: QueryWindow) -> tuple[Series, ...]:
    """Each series cut to its one point at `window.end`; a series without one has no value
    now (it stopped within the last minutes) and is left out."""
    out = []
    for item in series:
        if item.timestamps and item.timestamps[-1] >= window.end - window.step / 2:
            out.append(Series(item.service, item.timestamps[-1:], item.values[-1:], item.labels))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class SignalResult:
    """The answer to one panel query: every service's series for one signal."""

    signal: Signal
    series: tuple[Series, ...]
    unit: str
    fetched_at: float
    window: QueryWindow
    #: Series from the compare overlay (same range, shifted back), if requested.
    compare: tuple[Series, ...] = ()
    #: A human sentence when the answer is empty ("no data for http_requests_total").
    note: str | None = None
    #: What would fill the empty panel, when pulse-tui knows ("set signals.latency.query
    #: to ..." for a native histogram read as a classic one); shown in the chart's place.
    hint: str | None = None
    #: The last minutes at the finest step, for the current values (None: not asked).
    recent: Recent | None = None
    #: At a long range, the last few chart steps at a finer step (`step.young_window`),
    #: for what changed only (None: not asked; its `error` when its query failed).
    young: Recent | None = None
    #: How many series the query answered; more than `len(series)` when the panel kept
    #: only the top ones (`prometheus.max_series`). None: not counted (all are here).
    series_total: int | None = None
    #: The server's `warnings` and `infos`: the answer may be partial (Thanos, Mimir).
    warnings: tuple[str, ...] = ()
    #: The server's clock minus ours, in seconds (its Date header); None: unknown.
    clock_skew: float | None = None

    @property
    def capped(self) -> bool:
        """Whether the panel shows fewer series than the query answered."""
        return self.series_total is not None and self.series_total > len(self.series)

    def for_service(self, service: str) -> list[Series]:
        return [s for s in self.series if s.service == service]

    def services(self) -> list[str]:
        """Services in the chart or with a current value, sorted."""
        return sorted({s.service for s in (*self.series, *self.current())})

    def current(self) -> tuple[Series, ...]:
        """One series per line, whose `latest()` is its value now (see `Recent`).

        From the recent query when it answered; only when it was not asked or failed, the
        chart's series themselves (their newest points), saying nothing new.
        """
        if self.recent is None or self.recent.error is not None:
            return self.series
        return _at(self.recent.series, self.recent.window)

    def compare_current(self) -> tuple[Series, ...]:
        """The compare overlay's values at the same instant, shifted back (as `current`)."""
        if self.recent is None or self.recent.error is not None:
            return self.compare
        return _at(self.recent.compare, self.recent.window)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Warn/crit levels for one signal; values at or above them change colour."""

    warn: float | None = None
    crit: float | None = None

    def level(self, value: float | None) -> str:
        """ "ok", "warn", "crit" or "none" (no value) for colouring."""
        if value is None or not math.isfinite(value):
            return "none"
        if self.crit is not None and value >= self.crit:
            return "crit"
        if self.warn is not None and value >= self.warn:
            return "warn"
        return "ok"
