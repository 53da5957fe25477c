"""Error grouping: warn-or-worse log lines counted per message fingerprint, as Sentry does.

`ErrorGroups.observe(lines)` takes what a source delivered (a `LineBatch` or any sequence
of `LogLine`), keeps only ordinary lines at WARN or worse, fingerprints their message
(`fingerprint.fingerprint`) and counts them per group **by each line's own timestamp**,
in any arrival order: the history loaded on connect (host after host, file after file),
windows fetched later, live lines. The Errors pane reads `groups(t0, t1)` for the range
on screen; a rule may raise an alert for the groups `observe` reports as new.

What is loaded, and what NEW means:

* `loaded_from` is where the loaded lines start: the oldest line observed (any level),
  or `live_from` (when the session began watching) if that is older. `forget_before(t)`
  drops what the log buffer evicted and moves it up. Counts never reach before it.
* A group is **new** only if it did not occur earlier in what is loaded: its first line
  is live (at or after `live_from`) and later than `loaded_from + new_margin`. A group
  first seen in the history is not new. When older lines arrive later (a late host's
  history), a new group whose first line moves back stops being new (`take_unflagged`
  says which).
* A group is `since_logs_start` (its first-seen time is a bound: it may be older) when,
  on any log it occurs in (a host's file, with its rotated predecessors: `app.log.1`
  delivered before `app.log` is the same log), its first line there is (within the
  margin) that log's oldest loaded line: its earlier lines are not loaded, however far
  back another host's logs reach.

For other features (What changed, #13): `ErrorGroup.count_between(t0, t1) -> int` is the
number of the group's lines in `[t0, t1)` by line time, at `bucket_seconds` precision
(counted by bucket start, so adjacent windows add up; exact when the window covers the
whole group, or is aligned to `bucket_seconds`). `ErrorGroups.groups(t0, t1)` lists the
groups with lines there, most first. `ErrorGroups.count_window(since, until)` is the
aligned window counted for a range, so what a label says is what was counted.

Memory is bounded whatever arrives: at most `max_groups` groups, each with at most
`max_buckets` 4-byte time buckets (`time_buckets.TimeBuckets`; the default, a week of
minutes, is 40 KiB for a group that spans the whole week, 500 such groups 20 MB; a group
costs only the span between its first and last line), `MAX_ORIGINS` hosts and services,
and an example cut to `MAX_EXAMPLE` characters. When a line starts a group and the table
is full, one group is evicted first by the **oldest-least-seen** policy: the group with
the smallest total count, and among those the one whose `last_seen` is oldest. Eviction
is counted in `ErrorGroups.evicted`. It uses a lazy min-heap, so a flood of distinct
messages costs O(log n) per line, not a scan of the table. A fingerprint whose group was
evicted starts a fresh group if it comes back: the table is the session's memory.
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Iterable, Sequence
from itertools import count as _counter

import numpy as np

from pulse_tui.model.alerting.fingerprint import fingerprint, pattern_query, strip_head
from pulse_tui.model.alerting.time_buckets import TimeBuckets
from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.line import Level, LineKind, LogLine
from pulse_tui.model.logs.parse.fields import parse_fields

__all__ = [
    "MAX_EXAMPLE",
    "MAX_ORIGINS",
    "NEW_MARGIN",
    "ErrorGroup",
    "ErrorGroups",
    "message_text",
]

#: Characters of the example line a group keeps.
MAX_EXAMPLE = 300
#: Distinct hosts (and services) a group remembers; more are counted in `more_origins`.
MAX_ORIGINS = 16
#: A group first seen within this many seconds of the loaded logs' start may have begun
#: before them: it is "since logs start", never new.
NEW_MARGIN = 60.0
_MESSAGE_KEYS = ("msg", "message", "MESSAGE", "log")
_LEVELS = {int(level): level for level in Level}
#: logrotate's suffixes (`.1`, `.2.gz`): a rotated file continues its base file's log.
_ROTATED = re.compile(r"\.[1-9][0-9]?(?:\.gz)?$")

#: A log: (host, file with any rotation suffix removed).
_Log = tuple[str, str]


def _log_of(host: str, source: str) -> _Log:
    """The log a line comes from, for where-it-starts: its host and file, rotated
    predecessors folded into the file they were rotated from."""
    return host, _ROTATED.sub("", source)


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
    """One fingerprint's lines: how many and when (by line time), where, one example."""

    __slots__ = (
        "_acknowledged",
        "buckets",
        "example",
        "fingerprint",
        "first_seen",
        "fresh",
        "hosts",
        "last_seen",
        "level",
        "message",
        "more_origins",
        "services",
        "sources_full",
        "starts",
    )

    def __init__(
        self,
        fingerprint: str,
        timestamp: float,
        level: Level,
        example: str,
        message: str,
        buckets: TimeBuckets,
        fresh: bool = True,
    ) -> None:
        #: The message with variable parts as placeholders (what the pane shows).
        self.fingerprint = fingerprint
        #: Line timestamps (Unix seconds) of the oldest counted and the latest line.
        self.first_seen = timestamp
        self.last_seen = timestamp
        #: The worst level seen.
        self.level = level
        #: The first line's text (already sanitised on entry), cut to MAX_EXAMPLE.
        self.example = example[:MAX_EXAMPLE]
        #: That line's message without its head (time, level, logger), cut likewise.
        self.message = message[:MAX_EXAMPLE]
        #: Hosts and services the lines came from (at most MAX_ORIGINS each).
        self.hosts: set[str] = set()
        self.services: set[str] = set()
        #: Origins not remembered because the sets were full.
        self.more_origins = 0
        #: The first line's time in each log (host, file) it occurs in (MAX_ORIGINS of
        #: them), for `ErrorGroups.since_logs_start`; `sources_full`: more were seen.
        self.starts: dict[_Log, float] = {}
        self.sources_full = False
        #: Lines per minute (by default) of line time.
        self.buckets = buckets
        #: Did not occur in the loaded history (see the module docstring); `ErrorGroups`
        #: clears it when older lines show otherwise.
        self.fresh = fresh
        self._acknowledged = False

    @property
    def count(self) -> int:
        """Lines counted (those forgotten with the buffer's evicted lines excepted)."""
        return self.buckets.total

    @property
    def new(self) -> bool:
        """Not in the loaded history, and not yet acknowledged by the user."""
        return self.fresh and not self._acknowledged

    @property
    def pattern(self) -> str:
        """A `re:` log search finding this group's lines (for `SearchQuery.parse`)."""
        return pattern_query(self.fingerprint)

    def acknowledge(self) -> None:
        """The user has seen it: no longer NEW."""
        self._acknowledged = True

    def _add(self, timestamp: float, level: Level, log: _Log, service: str) -> None:
        first = self.starts.get(log)
        if first is None:
            if len(self.starts) < MAX_ORIGINS:
                self.starts[log] = timestamp
            else:
                self.sources_full = True
        elif timestamp < first:
            self.starts[log] = timestamp
        if timestamp > self.last_seen:
            self.last_seen = timestamp
        if timestamp < self.first_seen:  # history, a fetched window, a late host
            self.first_seen = timestamp
        if level > self.level:
            self.level = level
        self.buckets.add(timestamp)
        for origin, seen in ((log[0], self.hosts), (service, self.services)):
            if origin not in seen:
                if len(seen) < MAX_ORIGINS:
                    seen.add(origin)
                else:
                    self.more_origins += 1

    def count_between(self, t0: float, t1: float) -> int:
        """The group's lines with a timestamp in `[t0, t1)`.

        Exact when the window holds the whole group (`t0 <= first_seen`, `t1 >
        last_seen`); otherwise by bucket start (`TimeBuckets.count_between`): exact for
        windows aligned to `buckets.bucket_seconds`, and adjacent windows add up.
        """
        if t0 <= self.first_seen and t1 > self.last_seen:
            return self.count
        found = self.buckets.count_between(t0, t1)
        kept_from = self.buckets.kept_from
        if self.buckets.older and t0 <= self.first_seen and (kept_from is None or t1 > kept_from):
            found += self.buckets.older  # older than the kept buckets, known only in total
        return found

    def count_since(self, since: float) -> int:
        """Lines at or after `since` (`count_between(since, inf)`)."""
        return self.count_between(since, math.inf)

    def trend(self, t0: float, t1: float, slots: int = 10) -> list[int]:
        """Lines in each of `slots` equal parts of `[t0, t1)`, oldest first (a sparkline;
        pass the range on screen so every group's trend shares one time axis)."""
        return self.buckets.series(t0, t1, slots)

    def __repr__(self) -> str:
        return (
            f"ErrorGroup({self.fingerprint!r}, count={self.count}, "
            f"level={self.level.name}, new={self.new})"
        )


class ErrorGroups:
    """The session's error groups, by line time, bounded (see the module docstring).

    `live_from`: when the session began watching; lines stamped earlier are history and
    start no new group (None: every line is live, as in tests of pure grouping).
    """

    def __init__(
        self,
        max_groups: int = 500,
        bucket_seconds: float = 60,
        max_buckets: int = 7 * 24 * 60,
        live_from: float | None = None,
        new_margin: float = NEW_MARGIN,
    ) -> None:
        if max_groups < 1 or bucket_seconds <= 0 or max_buckets < 1:
            raise ValueError("max_groups, bucket_seconds and max_buckets must be positive")
        self.max_groups = max_groups
        self.bucket_seconds = bucket_seconds
        self.max_buckets = max_buckets
        self.live_from = -math.inf if live_from is None else live_from
        self.new_margin = new_margin
        #: Groups evicted so far to stay within `max_groups`.
        self.evicted = 0
        #: Warn-or-worse lines counted so far (including those of evicted groups).
        self.lines = 0
        self._groups: dict[str, ErrorGroup] = {}
        # Where what is loaded starts (line time): the oldest line observed or
        # `live_from`, whichever is older; raised by `forget_before`.
        self._start = self.live_from if live_from is not None else math.inf
        # The same per log (`_log_of`): where each one's loaded lines start.
        self._source_starts: dict[_Log, float] = {}
        # Fingerprints that stopped being new because older lines arrived.
        self._unflagged: list[str] = []
        # Eviction candidates (count, last_seen, tie-break, fingerprint). Entries are not
        # updated when a group grows: counts and last_seen only increase (`forget_before`
        # rebuilds the heap), so a stale entry sorts too early, is noticed when popped,
        # and is pushed again with fresh values.
        self._heap: list[tuple[int, float, int, str]] = []
        self._tie = _counter()

    def __len__(self) -> int:
        return len(self._groups)

    @property
    def loaded_from(self) -> float | None:
        """Where what is counted starts (line time; None: nothing observed and no
        `live_from`): the oldest line observed or `live_from`, whichever is older."""
        return None if math.isinf(self._start) else self._start

    def get(self, fp: str) -> ErrorGroup | None:
        """The group with fingerprint `fp`, if kept."""
        return self._groups.get(fp)

    def since_logs_start(self, group: ErrorGroup) -> bool:
        """On some source it occurs on, the group's first line is (within `new_margin`)
        that source's oldest loaded line: it may have begun there before its logs do, so
        its first-seen time is a bound, not a start (whatever other hosts' logs show)."""
        margin, starts = self.new_margin, self._source_starts
        # Every source was watched from `live_from` on (if given), as `loaded_from` says.
        live = self.live_from if math.isfinite(self.live_from) else math.inf
        for key, first in group.starts.items():
            if first <= min(starts.get(key, math.inf), live) + margin:
                return True
        # Sources it was not followed on: only the logs' overall start is known.
        overall = self.loaded_from
        return group.sources_full and overall is not None and group.first_seen <= overall + margin

    def observe(self, lines: Sequence[LogLine]) -> list[ErrorGroup]:
        """Count the warn-or-worse ordinary lines; return the new groups they started
        (see the module docstring) that are still kept, in the order they started."""
        started: list[ErrorGroup] = []
        if isinstance(lines, LineBatch):
            # Column-wise: no LogLine objects for the (mostly info) lines skipped.
            if lines.kind != LineKind.LINE or not lines:
                return started
            log, service, warn = _log_of(lines.host, lines.source), lines.service, Level.WARN
            dense = lines.dense
            if dense is not None:
                # Only the warn-or-worse lines are cut out of the text as str.
                dense_lines, times, values = dense
                self._loaded_back_to(float(times.min()), log)
                picked = np.flatnonzero(values >= int(warn))
                for text, timestamp, value in zip(
                    dense_lines.lines_at(picked),
                    times[picked].tolist(),
                    values[picked].tolist(),
                    strict=True,
                ):
                    level = _LEVELS[value]
                    self._one(message_text(text), text, timestamp, level, log, service, started)
            else:
                self._loaded_back_to(min(lines.timestamps), log)
                for text, timestamp, level in zip(
                    lines.texts, lines.timestamps, lines.levels, strict=True
                ):
                    if level >= warn:
                        self._one(message_text(text), text, timestamp, level, log, service, started)
        else:
            plain = [line for line in lines if line.kind == LineKind.LINE]
            if not plain:
                return started
            logs = {key: _log_of(*key) for key in {(line.host, line.source) for line in plain}}
            oldest: dict[_Log, float] = {}
            for line in plain:
                log = logs[line.host, line.source]
                oldest[log] = min(oldest.get(log, math.inf), line.timestamp)
            for log, timestamp in oldest.items():
                self._loaded_back_to(timestamp, log)
            for line in plain:
                if line.level >= Level.WARN:
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
                        logs[line.host, line.source],
                        line.service,
                        started,
                    )
        groups = self._groups
        return [g for g in started if g.fresh and groups.get(g.fingerprint) is g]

    def _is_fresh(self, first: float) -> bool:
        return first >= self.live_from and first > self._start + self.new_margin

    def _loaded_back_to(self, oldest: float, log: _Log) -> None:
        """A batch of `log` reaches back to `oldest`: if that is older than what was
        loaded, a new group may now be close to the logs' start, so it is judged again."""
        if oldest < self._source_starts.get(log, math.inf):
            self._source_starts[log] = oldest
        if oldest >= self._start:
            return
        self._start = oldest
        for group in self._groups.values():
            if group.fresh and not self._is_fresh(group.first_seen):
                self._unflag(group)

    def _unflag(self, group: ErrorGroup) -> None:
        group.fresh = False
        self._unflagged.append(group.fingerprint)

    def _one(
        self,
        message: str,
        text: str,
        timestamp: float,
        level: Level,
        log: _Log,
        service: str,
        started: list[ErrorGroup],
    ) -> None:
        self.lines += 1
        fp = fingerprint(message)
        group = self._groups.get(fp)
        if group is None:
            if len(self._groups) >= self.max_groups:
                self._evict()
            group = ErrorGroup(
                fp,
                timestamp,
                level,
                text,
                strip_head(message),
                TimeBuckets(self.bucket_seconds, self.max_buckets),
                self._is_fresh(timestamp),
            )
            self._groups[fp] = group
            heapq.heappush(self._heap, (1, timestamp, next(self._tie), fp))
            started.append(group)
        elif timestamp < group.first_seen and group.fresh and not self._is_fresh(timestamp):
            self._unflag(group)  # it did occur earlier after all
        group._add(timestamp, level, log, service)

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

    def forget_before(self, t: float) -> int:
        """The log buffer no longer holds lines before `t` (it evicted them): forget
        them too, to bucket precision, so counts cover what is loaded. Groups left with
        no line go. Returns the lines forgotten."""
        if t <= self._start:
            return 0
        self._start = t
        starts = self._source_starts
        for key, start in starts.items():
            starts[key] = max(start, t)
        forgotten = 0
        for fp, group in list(self._groups.items()):
            if group.first_seen >= t:
                continue
            forgotten += group.buckets.forget_before(t)
            if group.count <= 0:
                del self._groups[fp]
            else:
                group.first_seen = max(group.first_seen, group.buckets.kept_from or t)
                for key, first in group.starts.items():
                    group.starts[key] = max(first, t)
        self._heap = [(g.count, g.last_seen, next(self._tie), fp) for fp, g in self._groups.items()]
        heapq.heapify(self._heap)
        return forgotten

    def take_unflagged(self) -> list[str]:
        """Fingerprints of the groups that stopped being new (older lines of theirs
        arrived) since the last call, so their "new error" alert can end."""
        out, self._unflagged = self._unflagged, []
        return out

    def count_window(self, since: float, until: float) -> tuple[float, float]:
        """The window `[t0, t1)` counted for the range `[since, until)`: whole buckets,
        so every group's count is exact there (by bucket start, a part bucket at an
        edge would count whole or not at all depending on the group's span) and a label
        at the bucket's precision names exactly what is counted. The range's part
        buckets at either end are left out, except the one the loaded logs start in: it
        holds no line before them, so it is counted whole and the window starts there."""
        size = self.bucket_seconds
        loaded = self.loaded_from
        if loaded is not None and loaded > since:
            t0 = math.floor(loaded / size) * size
        else:
            t0 = math.ceil(since / size) * size
        t1 = until if math.isinf(until) else math.floor(until / size) * size
        return t0, max(t0, t1)

    def groups(self, since: float | None = None, until: float | None = None) -> list[ErrorGroup]:
        """Groups with lines in `[since, until)` (all if both None), most lines there
        first, then the most recently seen."""
        if since is None and until is None:
            ranked = [(g.count, g) for g in self._groups.values()]
        else:
            t0 = -math.inf if since is None else since
            t1 = math.inf if until is None else until
            ranked = [(g.count_between(t0, t1), g) for g in self._groups.values()]
            ranked = [(n, g) for n, g in ranked if n > 0]
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
        self._unflagged.clear()
        self._source_starts.clear()
        self._start = math.inf if math.isinf(self.live_from) else self.live_from
        self.evicted = 0
        self.lines = 0
