"""The five signals pulse-tui shows and the time series that carry them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


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

    def for_service(self, service: str) -> list[Series]:
        return [s for s in self.series if s.service == service]

    def services(self) -> list[str]:
        return sorted({s.service for s in self.series})


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
