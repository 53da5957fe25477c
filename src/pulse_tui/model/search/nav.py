"""Stepping through search results and remembering past queries."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Sequence


def next_match(indices: Sequence[int], current: int | None, direction: int) -> int | None:
    """The match after (`direction` +1) or before (-1) `current` in ascending `indices`,
    wrapping around; None when there are none. `current` need not be a match."""
    if not indices:
        return None
    if current is None:
        return indices[0] if direction > 0 else indices[-1]
    if direction > 0:
        pos = bisect_right(indices, current)
        return indices[pos] if pos < len(indices) else indices[0]
    pos = bisect_left(indices, current) - 1
    return indices[pos] if pos >= 0 else indices[-1]


def match_counter(position: int | None, total: int) -> str:
    """Status text: "37 of 1,204" (`position` 1-based), "1,204 matches", "no matches"."""
    if total == 0:
        return "no matches"
    if position is None:
        return f"{total:,} match" + ("" if total == 1 else "es")
    return f"{position:,} of {total:,}"


class SearchHistory:
    """Past queries, newest last, browsed with up/down like a shell's history."""

    def __init__(self, max: int = 100) -> None:
        self._items: deque[str] = deque(maxlen=max)
        self._cursor: int | None = None  # None: not browsing (editing a new line)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def items(self) -> list[str]:
        return list(self._items)

    def add(self, text: str) -> None:
        """Remember a submitted query (blank ignored; a repeat moves to the newest)."""
        self._cursor = None
        if not text.strip():
            return
        if text in self._items:
            self._items.remove(text)
        self._items.append(text)

    def previous(self) -> str | None:
        """Up: the next older query (stays on the oldest); None when history is empty."""
        if not self._items:
            return None
        cursor = len(self._items) if self._cursor is None else self._cursor
        self._cursor = max(cursor - 1, 0)
        return self._items[self._cursor]

    def next(self) -> str | None:
        """Down: the next newer query; "" past the newest (back to an empty input)."""
        if self._cursor is None:
            return None
        if self._cursor + 1 >= len(self._items):
            self._cursor = None
            return ""
        self._cursor += 1
        return self._items[self._cursor]
