"""Error grouping: warn-or-worse log lines counted per message fingerprint, as Sentry does.

`ErrorGroups.observe(lines)` takes what a source delivered (a `LineBatch` or any sequence
of `LogLine`), keeps only ordinary lines at WARN or worse, fingerprints their message
(`fingerprint.fingerprint`) and counts them per group. The Errors pane reads
`groups(since)`; a rule may raise an alert for the groups `observe` reports as new.

Memory is bounded whatever arrives: at most `max_groups` groups, each with at most
`trend_buckets` trend buckets, `MAX_ORIGINS` hosts and services, and an example cut to
`MAX_EXAMPLE` characters. When a line starts a group and the table is full, one group is
evicted first by the **oldest-least-seen** policy: the group with the smallest total
count, and among those the one whose `last_seen` is oldest. Eviction is counted in
`ErrorGroups.evicted`. It uses a lazy min-heap, so a flood of distinct messages costs
O(log n) per line, not a scan of the table. A fingerprint whose group was evicted starts
a fresh group (NEW again) if it comes back: the table is the session's memory.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from itertools import count as _counter

from pulse_tui.model.alerting.fingerprint import fingerprint, pattern_query
from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.line import Level, LineKind, LogLine
from pulse_tui.model.logs.parse.fields import parse_fields

__all__ = ["MAX_EXAMPLE", "MAX_ORIGINS", "ErrorGroup", "ErrorGroups", "message_text"]

#: Characters of the example line a group keeps.
MAX_EXAMPLE = 300
#: Distinct hosts (and services) a group remembers; more are counted in `more_origins`.
MAX_ORIGINS = 16
_MESSAGE_KEYS = ("msg", "message", "MESSAGE", "log")


def message_text(text: str) -> str:
    """The human message of a line's text: a JSON/logfmt `msg` field, else the text
    (the same answer as `parse.fields.message_of`, without building a LogLine)."""
    # Only lines that can carry a message field pay for parsing their fields.
    if text[:1] == "{" or "msg=" in text or "message=" in text:
        fields = parse_fields(text)
        if fields:
            for key in _MESSAGE_KEYS:
                if key in fields:
                    return fields[key]
    return text


class ErrorGroup:
    """One fingerprint's lines: how many, when, where, and one example."""

    __slots__ = (
        "_buckets",
        "bucket_seconds",
        "count",
        "example",
        "fingerprint",
        "first_seen",
        "hosts",
        "last_seen",
        "level",
        "more_origins",
        "new",
        "services",
        "trend_buckets",
    )

    def __init__(
        self,
        fingerprint: str,
        timestamp: float,
        level: Level,
        example: str,
        bucket_seconds: float,
        trend_buckets: int,
    ) -> None:
        #: The message with variable parts as placeholders (what the pane shows).
        self.fingerprint = fingerprint
        #: Lines counted since the group started (this session).
        self.count = 0
        #: Line timestamps (Unix seconds) of the first and latest line.
        self.first_seen = timestamp
        self.last_seen = timestamp
        #: The worst level seen.
        self.level = level
        #: The first line's text (already sanitised on entry), cut to MAX_EXAMPLE.
        self.example = example[:MAX_EXAMPLE]
        #: Hosts and services the lines came from (at most MAX_ORIGINS each).
        self.hosts: set[str] = set()
        self.services: set[str] = set()
        #: Origins not remembered because the sets were full.
        self.more_origins = 0
        #: First seen in this session and not yet acknowledged.
        self.new = True
        self.bucket_seconds = bucket_seconds
        self.trend_buckets = trend_buckets
        # Bucket number (timestamp // bucket_seconds) -> lines; the newest `trend_buckets`.
        self._buckets: dict[int, int] = {}

    @property
    def pattern(self) -> str:
        """A `re:` log search finding this group's lines (for `SearchQuery.parse`)."""
        return pattern_query(self.fingerprint)

    def acknowledge(self) -> None:
        """The user has seen it: no longer NEW."""
        self.new = False

    def _add(self, timestamp: float, level: Level, host: str, service: str) -> None:
        self.count += 1
        if timestamp > self.last_seen:
            self.last_seen = timestamp
        elif timestamp < self.first_seen:  # sources deliver slightly out of order
            self.first_seen = timestamp
        if level > self.level:
            self.level = level
        bucket = int(timestamp // self.bucket_seconds)
        buckets = self._buckets
        if bucket in buckets:
            buckets[bucket] += 1
        else:
            buckets[bucket] = 1
            if len(buckets) > self.trend_buckets:
                del buckets[min(buckets)]
        for origin, seen in ((host, self.hosts), (service, self.services)):
            if origin not in seen:
                if len(seen) < MAX_ORIGINS:
                    seen.add(origin)
                else:
                    self.more_origins += 1

    def count_since(self, since: float) -> int:
        """Lines with a timestamp in `since`'s trend bucket or later.

        Bucket precision: the bucket holding `since` counts whole. Before the oldest
        kept bucket it is a lower bound, except that `since <= first_seen` is exact.
        """
        if since <= self.first_seen:
            return self.count
        first = int(since // self.bucket_seconds)
        return sum(n for bucket, n in self._buckets.items() if bucket >= first)

    def trend(self, buckets: int | None = None, now: float | None = None) -> list[int]:
        """Lines per bucket, oldest first, for the `buckets` buckets ending with the one
        holding `now` (default: `last_seen`); pass the same `now` to align sparklines."""
        size = self.trend_buckets if buckets is None else buckets
        last = int((self.last_seen if now is None else now) // self.bucket_seconds)
        get = self._buckets.get
        return [get(bucket, 0) for bucket in range(last - size + 1, last + 1)]

    def __repr__(self) -> str:
        return (
            f"ErrorGroup({self.fingerprint!r}, count={self.count}, "
            f"level={self.level.name}, new={self.new})"
        )


class ErrorGroups:
    """The session's error groups, bounded by `max_groups` (see the module docstring)."""

    def __init__(
        self, max_groups: int = 500, bucket_seconds: float = 60, trend_buckets: int = 60
    ) -> None:
        if max_groups < 1 or bucket_seconds <= 0 or trend_buckets < 1:
            raise ValueError("max_groups, bucket_seconds and trend_buckets must be positive")
        self.max_groups = max_groups
        self.bucket_seconds = bucket_seconds
        self.trend_buckets = trend_buckets
        #: Groups evicted so far to stay within `max_groups`.
        self.evicted = 0
        #: Warn-or-worse lines counted so far (including those of evicted groups).
        self.lines = 0
        self._groups: dict[str, ErrorGroup] = {}
        # Eviction candidates (count, last_seen, tie-break, fingerprint). Entries are not
        # updated when a group grows: counts and last_seen only increase, so a stale entry
        # sorts too early, is noticed when popped, and is pushed again with fresh values.
        self._heap: list[tuple[int, float, int, str]] = []
        self._tie = _counter()

    def __len__(self) -> int:
        return len(self._groups)

    def get(self, fp: str) -> ErrorGroup | None:
        """The group with fingerprint `fp`, if kept."""
        return self._groups.get(fp)

    def observe(self, lines: Sequence[LogLine]) -> list[ErrorGroup]:
        """Count the warn-or-worse ordinary lines; return the groups they started (NEW
        in this session) that are still kept, in the order they started."""
        started: list[ErrorGroup] = []
        if isinstance(lines, LineBatch):
            # Column-wise: no LogLine objects for the (mostly info) lines skipped.
            if lines.kind != LineKind.LINE:
                return started
            host, service, warn = lines.host, lines.service, Level.WARN
            for text, timestamp, level in zip(
                lines.texts, lines.timestamps, lines.levels, strict=True
            ):
                if level >= warn:
                    self._one(message_text(text), text, timestamp, level, host, service, started)
        else:
            for line in lines:
                if line.level >= Level.WARN and line.kind == LineKind.LINE:
                    explicit = line.explicit_fields
                    if explicit is not None:  # journald: the message is a field
                        message = next(
                            (explicit[k] for k in _MESSAGE_KEYS if k in explicit), line.text
                        )
                    else:
                        message = message_text(line.text)
                    self._one(
                        message,
                        line.text,
                        line.timestamp,
                        line.level,
                        line.host,
                        line.service,
                        started,
                    )
        groups = self._groups
        return [group for group in started if groups.get(group.fingerprint) is group]

    def _one(
        self,
        message: str,
        text: str,
        timestamp: float,
        level: Level,
        host: str,
        service: str,
        started: list[ErrorGroup],
    ) -> None:
        self.lines += 1
        fp = fingerprint(message)
        group = self._groups.get(fp)
        if group is None:
            if len(self._groups) >= self.max_groups:
                self._evict()
            group = ErrorGroup(fp, timestamp, level, text, self.bucket_seconds, self.trend_buckets)
            self._groups[fp] = group
            heapq.heappush(self._heap, (1, timestamp, next(self._tie), fp))
            started.append(group)
        group._add(timestamp, level, host, service)

    def _evict(self) -> None:
        """Drop the oldest-least-seen group: smallest count, then oldest last_seen."""
        heap, groups = self._heap, self._groups
        while heap:
            count, last_seen, _, fp = heapq.heappop(heap)
            group = groups.get(fp)
            if group is None:  # an entry for a group evicted before
                continue
            if group.count == count and group.last_seen == last_seen:
                del groups[fp]
                self.evicted += 1
                return
            heapq.heappush(heap, (group.count, group.last_seen, next(self._tie), fp))

    def groups(self, since: float | None = None) -> list[ErrorGroup]:
        """Groups with lines at or after `since` (all if None), most lines in that range
        first, then the most recently seen."""
        if since is None:
            ranked = [(g.count, g) for g in self._groups.values()]
        else:
            ranked = [(g.count_since(since), g) for g in self._groups.values()]
            ranked = [(n, g) for n, g in ranked if n > 0 and g.last_seen >= since]
        ranked.sort(key=lambda item: (-item[0], -item[1].last_seen))
        return [g for _, g in ranked]

    def acknowledge(self, fingerprints: Iterable[str] | None = None) -> None:
        """Clear NEW on the given groups (all if None)."""
        if fingerprints is None:
            targets: Iterable[ErrorGroup] = self._groups.values()
        else:
            targets = [g for fp in fingerprints if (g := self._groups.get(fp)) is not None]
        for group in targets:
            group.acknowledge()

    def clear(self) -> None:
        """Forget every group (counters too), as at the start of a session."""
        self._groups.clear()
        self._heap.clear()
        self.evicted = 0
        self.lines = 0
