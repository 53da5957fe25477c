"""Chart answers that cannot change any more, kept so that a refresh does not ask again.

A panel's chart window is aligned to its step (1 min at a 1 h range), so a 5 s refresh
asks for the same points a dozen times in a row. Once every sample of the window is in
the server, the answer is final: a scrape of an instant at or before the window's end is
appended at most a scrape interval later (its timeout is within the interval). An answer
asked for `SETTLE_SCRAPES` scrape intervals after the end (by the server's clock, as the
answer's Date header gives it) leaves as long again for a late one; asked any sooner, it
may lack a late sample and is asked for again at the next refresh.

The current values never come from here: they are asked for at every refresh, and a kept
chart is only shown beside them, so a refresh always hears from the server (an outage, a
refusal, the server's clock) and never shows a kept chart as "updated just now" alone.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

#: Scrape intervals after a window's end from which its answer is taken as final.
SETTLE_SCRAPES = 2

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Kept(Generic[T]):
    key: Hashable
    answer: T


class SettledCharts(Generic[T]):
    """The last settled answer per slot (a panel's chart, its compare overlay): at most
    one each, so memory is bounded by the number of panels."""

    def __init__(self, scrape_interval: float) -> None:
        #: Seconds after a window's end (server time) from which its answer is final.
        self.settle = SETTLE_SCRAPES * scrape_interval
        self._kept: dict[str, _Kept[T]] = {}

    def get(self, slot: str, key: Hashable) -> T | None:
        """The answer kept for `slot` if it was asked with exactly `key` (the query, its
        window and cap), else None."""
        kept = self._kept.get(slot)
        return kept.answer if kept is not None and kept.key == key else None

    def settled(self, end: float, asked_at: float, skew: float | None) -> bool:
        """Whether an answer for a window ending at `end`, asked at `asked_at` (our clock)
        from a server whose clock is `skew` seconds ahead of ours, is final."""
        return asked_at + (skew or 0.0) >= end + self.settle

    def offer(self, slot: str, key: Hashable, answer: T, *, final: bool) -> None:
        """A fresh answer for `slot`: kept if `final`, else whatever was kept is dropped
        (the window moved: the old one is not asked for again)."""
        if final:
            self._kept[slot] = _Kept(key, answer)
        else:
            self._kept.pop(slot, None)
