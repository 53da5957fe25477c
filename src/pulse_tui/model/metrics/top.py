"""The series a panel keeps when a query answers with more than it can show."""

from __future__ import annotations

import math
from collections.abc import Sequence

from pulse_tui.model.metrics.signals import Series


def top_series(series: Sequence[Series], limit: int) -> tuple[tuple[Series, ...], int]:
    """The `limit` series with the highest value now (their newest finite value; those
    with none come last), in their original order, and how many there were in all.

    Highest first because that is what an on-call engineer looks for: the busiest, the
    slowest, the most failing. Ties keep the original (sorted) order.
    """
    total = len(series)
    if total <= limit:
        return tuple(series), total

    def rank(index: int) -> tuple[bool, float]:
        value = series[index].latest()
        missing = value is None or math.isnan(value)
        return missing, -(value or 0.0) if not missing else 0.0

    keep = sorted(sorted(range(total), key=rank)[:limit])
    return tuple(series[i] for i in keep), total
