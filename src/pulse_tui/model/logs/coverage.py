"""Which stretches of time the log buffer holds, per host: what a fetch of a past window
need not read again.

Times are half-open intervals `[start, end)` of Unix time. Each host's set is kept
sorted and merged (touching intervals become one), so asking what part of a window is
missing is one pass over a short list. The set says what was *loaded*; when the buffer
evicts lines to stay inside its bounds, `keep_only` cuts every host's set to what is
still held, so a window evicted once is fetched again when the view comes back to it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

Interval = tuple[float, float]


class IntervalSet:
    """Disjoint, sorted, half-open intervals; touching or overlapping ones are merged."""

    __slots__ = ("_spans",)

    def __init__(self, spans: Iterable[Interval] = ()) -> None:
        self._spans: list[Interval] = []
        for start, end in spans:
            self.add(start, end)

    @property
    def spans(self) -> list[Interval]:
        """The intervals, oldest first (a copy)."""
        return list(self._spans)

    def __bool__(self) -> bool:
        return bool(self._spans)

    def add(self, start: float, end: float) -> None:
        if not start < end:
            return
        kept: list[Interval] = []
        for lo, hi in self._spans:
            if hi < start or lo > end:  # apart: kept as is
                kept.append((lo, hi))
            else:  # overlapping or touching: absorbed
                start, end = min(start, lo), max(end, hi)
        kept.append((start, end))
        kept.sort()
        self._spans = kept

    def missing(self, start: float, end: float) -> list[Interval]:
        """The parts of `[start, end)` not in the set, oldest first."""
        gaps: list[Interval] = []
        at = start
        for lo, hi in self._spans:
            if hi <= at:
                continue
            if lo >= end:
                break
            if lo > at:
                gaps.append((at, lo))
            at = max(at, hi)
            if at >= end:
                break
        if at < end:
            gaps.append((at, end))
        return gaps

    def covers(self, start: float, end: float) -> bool:
        return not self.missing(start, end)

    def clip(self, start: float, end: float) -> None:
        """Keep only what lies inside `[start, end)`."""
        clipped = [(max(lo, start), min(hi, end)) for lo, hi in self._spans]
        self._spans = [(lo, hi) for lo, hi in clipped if lo < hi]

    def earliest(self) -> float | None:
        return self._spans[0][0] if self._spans else None


class Coverage:
    """Per host, the time the buffer holds lines for (see the module doc)."""

    def __init__(self) -> None:
        self._hosts: dict[str, IntervalSet] = {}

    def add(self, host: str, start: float, end: float = math.inf) -> None:
        """`host`'s lines of `[start, end)` are loaded (`end` inf: and it streams on)."""
        self._hosts.setdefault(host, IntervalSet()).add(start, end)

    def missing(self, host: str, start: float, end: float) -> list[Interval]:
        spans = self._hosts.get(host)
        return [(start, end)] if spans is None else spans.missing(start, end)

    def covers(self, host: str, start: float, end: float) -> bool:
        return not self.missing(host, start, end)

    def spans(self, host: str) -> list[Interval]:
        spans = self._hosts.get(host)
        return [] if spans is None else spans.spans

    def keep_only(self, start: float, end: float = math.inf) -> None:
        """The buffer now holds only `[start, end)`: every host's coverage is cut to it."""
        for spans in self._hosts.values():
            spans.clip(start, end)
