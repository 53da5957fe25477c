"""Lines from several hosts into one timestamp order, waiting a short window for stragglers.

Each stream (a host's file or journal) keeps its own order: a line never moves ahead of an
earlier line of its stream, so a stack trace stays in one piece even where its lines' times
are not in order. The streams are merged by timestamp (`heapq.merge`).

A line is held until `seconds` after its timestamp: another host's line that arrives up to
that late still goes before it. But it is never held longer than `seconds` after it
arrived, so a host whose clock runs ahead cannot hold its lines back, and lines written long
ago (a backlog) go at once.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Sequence

from pulse_tui.model.log_buffer import LineBatch
from pulse_tui.model.logline import LogLine


class ReorderWindow:
    """`push` lines as they arrive; `release(now)` returns those whose wait is over."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._held: dict[tuple[str, str], deque[LogLine]] = {}

    def __len__(self) -> int:
        return sum(map(len, self._held.values()))

    def push(self, lines: Sequence[LogLine]) -> None:
        """Hold `lines`, in the order their stream produced them."""
        if isinstance(lines, LineBatch):  # one stream: no need to look at each line
            key = (lines.host, lines.source)
            self._held.setdefault(key, deque()).extend(lines)
            return
        for line in lines:
            self._held.setdefault((line.host, line.source), deque()).append(line)

    def release(self, now: float) -> list[LogLine]:
        """The lines whose wait is over, merged by timestamp (each stream in its order)."""
        cutoff = now - self.seconds
        ready: list[list[LogLine]] = []
        for key, held in list(self._held.items()):
            out: list[LogLine] = []
            while held and (held[0].timestamp <= cutoff or held[0].received <= cutoff):
                out.append(held.popleft())
            if out:
                ready.append(out)
            if not held:
                del self._held[key]
        if len(ready) == 1:
            return ready[0]
        return list(heapq.merge(*ready, key=_timestamp))

    def flush(self) -> list[LogLine]:
        """Everything held, merged (on stop)."""
        return self.release(float("inf"))


def _timestamp(line: LogLine) -> float:
    return line.timestamp
