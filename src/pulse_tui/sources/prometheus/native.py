"""Whether a metric is a native histogram, for the panel whose query found nothing.

A native histogram (Prometheus' `native-histograms` feature) has no `_bucket` series, so a
query written for a classic one (`rate(X_bucket[5m])` by `le`) answers with nothing. The
built-in templates read both forms; for a user's own template the panel can only say what
the series is and how to query it, and this finds that out: one instant query per metric
(`group(histogram_count(X))`), remembered for a while so an empty panel costs no extra
query per refresh.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from pulse_tui.model.metrics.promql import (
    PanelQuery,
    native_histogram_hint,
    native_histogram_note,
)
from pulse_tui.sources.base import SourceError

#: How long an answer is kept: a metric's type seldom changes, but it may (a rollout).
REMEMBER_SECONDS = 300.0

#: Asks an instant query at a time, answering whether it returned any series.
Ask = Callable[[str, float], Awaitable[bool]]


class NativeHistograms:
    """Remembers, per metric name, whether the backend holds it as a native histogram."""

    def __init__(self, ask: Ask, clock: Callable[[], float] = time.monotonic) -> None:
        self._ask = ask
        self._clock = clock
        #: name -> (is native, when it was found out)
        self._known: dict[str, tuple[bool, float]] = {}

    async def is_native(self, name: str, at: float) -> bool:
        """Whether `name` has native-histogram samples at `at` (within the lookback).

        A backend that cannot answer (no `histogram_count`, VictoriaMetrics; a failure)
        counts as no: the panel then says "no data", as it did before it asked."""
        known = self._known.get(name)
        now = self._clock()
        if known is not None and now - known[1] < REMEMBER_SECONDS:
            return known[0]
        try:
            native = await self._ask(f"group(histogram_count({name}))", at)
        except SourceError:
            native = False
        self._known[name] = (native, now)
        return native

    async def explain(
        self, panel: PanelQuery, service_label: str, at: float
    ) -> tuple[str, str | None]:
        """Why `panel`'s answer is empty, and what would fill it: a query of `X_bucket`
        where `X` is a native histogram (the built-in templates read `X` too, so this is
        only a user's own template), else "no data for ..." and no hint."""
        for name in panel.metrics:
            base = name.removesuffix("_bucket")
            if base == name or base in panel.metrics:
                continue
            if await self.is_native(base, at):
                hint = native_histogram_hint(base, panel.signal, service_label)
                return native_histogram_note(base), hint
        return panel.no_data_note, None
