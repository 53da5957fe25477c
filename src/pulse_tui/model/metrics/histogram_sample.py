"""One native histogram sample as a range or instant query answers it (`histograms`)."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HistogramSample:
    """One native histogram sample: its observation count and sum (per second after a
    `rate`), and its buckets, in the answer's order, kept flat (lower, upper, count per bucket) so a
    wide answer costs 24 bytes a bucket, about what its JSON cost."""

    timestamp: float
    count: float
    sum: float
    #: lower, upper, count of each bucket, flattened.
    flat: array[float]

    def buckets(self) -> Iterator[tuple[float, float, float]]:
        flat = self.flat
        for i in range(0, len(flat), 3):
            yield flat[i], flat[i + 1], flat[i + 2]

    @property
    def bucket_count(self) -> int:
        return len(self.flat) // 3
