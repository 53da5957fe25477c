"""Lines per time bucket, by each line's own timestamp: what an error group counts with.

`TimeBuckets` keeps one counter per `bucket_seconds` of line time, densely, from the
oldest bucket it keeps to the newest, in an `array('I')` (4 bytes a bucket). Lines may
come in any time order: a history loaded on connect, a window fetched later, a late host.

Counting is by bucket **start**: `count_between(t0, t1)` counts the lines of every
bucket whose start lies in `[t0, t1)`, so adjacent windows partition the lines
(`count_between(a, b) + count_between(b, c) == count_between(a, c)`) and a window aligned
to `bucket_seconds` is exact. Memory is bounded: at most `max_buckets` buckets; lines
older than that (behind the newest bucket) are only counted in `older`.
"""

from __future__ import annotations

import math
from array import array

__all__ = ["TimeBuckets"]


def _zeros(count: int) -> array[int]:
    return array("I", bytes(4 * count))


class TimeBuckets:
    """Line counts per `bucket_seconds` of line time; see the module docstring."""

    __slots__ = ("_base", "_counts", "bucket_seconds", "max_buckets", "older", "total")

    def __init__(self, bucket_seconds: float, max_buckets: int) -> None:
        if bucket_seconds <= 0 or max_buckets < 1:
            raise ValueError("bucket_seconds and max_buckets must be positive")
        self.bucket_seconds = bucket_seconds
        self.max_buckets = max_buckets
        #: Lines counted, older ones included.
        self.total = 0
        #: Lines too old for the kept buckets (older than `max_buckets` behind the newest).
        self.older = 0
        # Bucket number (time // bucket_seconds) of _counts[0].
        self._base = 0
        self._counts: array[int] = array("I")

    def __len__(self) -> int:
        """Buckets kept (memory: 4 bytes each)."""
        return len(self._counts)

    @property
    def kept_from(self) -> float | None:
        """Start of the oldest kept bucket (None: none kept)."""
        return self._base * self.bucket_seconds if self._counts else None

    def add(self, timestamp: float, lines: int = 1) -> None:
        """Count `lines` lines at `timestamp` (any order)."""
        self.total += lines
        bucket = int(timestamp // self.bucket_seconds)
        counts = self._counts
        if not counts:
            self._base = bucket
            counts.append(lines)
            return
        index = bucket - self._base
        size = len(counts)
        if 0 <= index < size:
            counts[index] += lines
        elif index >= size:
            counts.extend(_zeros(index - size + 1))
            counts[index] += lines
            extra = len(counts) - self.max_buckets
            if extra > 0:  # the newest are kept; the oldest become a total
                self.older += sum(counts[:extra])
                del counts[:extra]
                self._base += extra
        elif size - index <= self.max_buckets:  # older than kept, still within the bound
            counts[0:0] = _zeros(-index)
            self._base = bucket
            counts[0] += lines
        else:
            self.older += lines

    def count_between(self, t0: float, t1: float) -> int:
        """Lines in the buckets whose start is in `[t0, t1)` (`older` not included)."""
        counts = self._counts
        lo = max(0, self._bucket_at_or_after(t0) - self._base)
        hi = min(len(counts), self._bucket_at_or_after(t1) - self._base)
        return sum(counts[lo:hi]) if hi > lo else 0

    def last_before(self, t1: float) -> float | None:
        """Start of the newest kept bucket with a line whose start is before `t1` (None:
        none): the minute a group was last seen in a window that ends at `t1`."""
        counts = self._counts
        index = min(len(counts), self._bucket_at_or_after(t1) - self._base) - 1
        while index >= 0:
            if counts[index]:
                return (self._base + index) * self.bucket_seconds
            index -= 1
        return None

    def series(self, t0: float, t1: float, slots: int) -> list[int]:
        """`count_between` for `slots` equal parts of `[t0, t1)`, oldest first."""
        if slots < 1 or t1 <= t0:
            return [0] * max(slots, 0)
        width = (t1 - t0) / slots
        edges = [t0 + width * k for k in range(slots)] + [t1]
        return [self.count_between(edges[k], edges[k + 1]) for k in range(slots)]

    def forget_before(self, t: float) -> int:
        """Drop the buckets that end at or before `t`, and `older`; returns lines dropped."""
        counts = self._counts
        cut = min(len(counts), int(t // self.bucket_seconds) - self._base)
        if cut < 0:
            return 0
        dropped = self.older + sum(counts[:cut])
        self.older = 0
        del counts[:cut]
        self._base += cut
        self.total -= dropped
        return dropped

    def _bucket_at_or_after(self, t: float) -> int:
        """The first bucket number whose start is at or after `t`."""
        if math.isinf(t):
            return (1 << 62) if t > 0 else -(1 << 62)
        return math.ceil(t / self.bucket_seconds)
