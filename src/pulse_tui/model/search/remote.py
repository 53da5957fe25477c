"""A search on the log hosts themselves: the term as `grep` takes it, the matches as they
stream back, and where each host stands.

The log pane's search (`search.query`) sees only the buffer. When a host holds more lines
for the range than the buffer keeps, the same term is searched on the hosts
(`sources/ssh/remote_search.py`). This module is the pure part: what the term means to
`grep` (the pane's rules: `re:` for a regex, a leading backslash for literal text, smart
case), and `RemoteResults`, the bounded, time-ordered matches of one search and each
host's progress, which the results screen shows.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from enum import StrEnum

from pulse_tui.model.core.units import format_value
from pulse_tui.model.search.scan import SearchError

REGEX_PREFIX = "re:"
#: Matches kept by one search at most (`logs.remote_search_max_matches`).
DEFAULT_MAX_MATCHES = 10_000
#: Bytes of matching lines received by one search at most (`logs.remote_search_max_bytes`).
DEFAULT_MAX_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RemoteTerm:
    """What the hosts' `grep` looks for. Build it with `RemoteTerm.parse`."""

    #: The pattern without any prefix: a fixed string, or an extended regex (`regex`).
    pattern: str
    #: `grep -E` (POSIX extended regex) instead of `grep -F` (fixed string).
    regex: bool
    #: `-i`: the pattern has no upper-case letter (the pane's smart case).
    ignore_case: bool

    @classmethod
    def parse(cls, typed: str) -> RemoteTerm:
        """The term for what the user typed in the search prompt; raises `SearchError`."""
        if typed.startswith("\\"):
            pattern, regex = typed[1:], False
        elif typed.startswith(REGEX_PREFIX):
            pattern, regex = typed[len(REGEX_PREFIX) :], True
        else:
            pattern, regex = typed, False
        if not pattern:
            raise SearchError("nothing to search the hosts for")
        if "\n" in pattern or "\r" in pattern or "\0" in pattern:
            # grep -F takes each line of its pattern as a pattern of its own.
            raise SearchError("a host search term is one line of text")
        unescaped = re.sub(r"\\.", "", pattern) if regex else pattern
        return cls(pattern, regex, not any(ch.isupper() for ch in unescaped))

    @property
    def grep_mode(self) -> str:
        """grep's options, from a fixed set: `-F`, `-Fi`, `-E` or `-Ei`."""
        return ("-E" if self.regex else "-F") + ("i" if self.ignore_case else "")

    @property
    def journal_pattern(self) -> str:
        """For `journalctl --grep` (PCRE2): a literal term escaped, a regex as typed."""
        return self.pattern if self.regex else re.escape(self.pattern)

    def highlighter(self) -> re.Pattern[str]:
        """Finds the term in a matching line, to highlight it (an extended regex that
        Python reads differently is highlighted as literal text, never refused)."""
        flags = re.IGNORECASE if self.ignore_case else 0
        if self.regex:
            try:
                return re.compile(self.pattern, flags)
            except re.error:
                pass
        return re.compile(re.escape(self.pattern), flags)

    def describe(self) -> str:
        return (REGEX_PREFIX if self.regex else "") + self.pattern


@dataclass(frozen=True, slots=True)
class RemoteMatch:
    """One matching line on a host, at the time its own text says."""

    timestamp: float
    host: str
    source: str
    text: str


class HostState(StrEnum):
    SEARCHING = "searching"
    DONE = "done"
    FAILED = "failed"
    #: Stopped by the search's bound or by the user before it was done.
    STOPPED = "stopped"


@dataclass(slots=True)
class HostSearch:
    """Where one host's search stands."""

    host: str
    state: HostState = HostState.SEARCHING
    #: Matches in the range kept from this host.
    matches: int = 0
    #: Matching lines without a timestamp (their time is unknown: not shown).
    untimed: int = 0
    #: Matching lines outside the range on screen (not shown).
    outside: int = 0
    #: Why it failed, or what it could not search (a unit, a corrupt .gz), in its words.
    problems: list[str] = field(default_factory=list)


class RemoteResults:
    """The matches of one host search, in time order across hosts, bounded in count and
    in bytes received; and every host's progress. Changed only on the event loop."""

    def __init__(
        self,
        term: RemoteTerm,
        hosts: list[str],
        since: float,
        until: float,
        max_matches: int = DEFAULT_MAX_MATCHES,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.term = term
        self.since = since
        self.until = until
        self.max_matches = max_matches
        self.max_bytes = max_bytes
        self.hosts = {host: HostSearch(host) for host in hosts}
        #: Matches, oldest first (a host's own order kept for equal times).
        self.matches: list[RemoteMatch] = []
        self._keys: list[tuple[float, int]] = []
        self._added = 0
        #: Bytes of matching lines received from every host so far.
        self.bytes_received = 0
        #: Why the search stopped before every host was done ("" while it has not).
        self.stopped = ""
        #: Bumped by every change, so a screen repaints only when something changed.
        self.version = 0

    # ------------------------------------------------------------- from the hosts

    @property
    def full(self) -> bool:
        return len(self.matches) >= self.max_matches or self.bytes_received >= self.max_bytes

    def received(self, host: str, lines: list[tuple[float | None, str, str]], size: int) -> bool:
        """`lines` (time or None, source, text) matched on `host`, `size` bytes of them.
        Returns False once the search is full: the host's grep should stop."""
        state = self.hosts[host]
        self.bytes_received += size
        for timestamp, source, text in lines:
            if timestamp is None:
                state.untimed += 1
            elif not self.since <= timestamp <= self.until:
                state.outside += 1
            elif len(self.matches) < self.max_matches:
                key = (timestamp, self._added)
                self._added += 1
                at = bisect.bisect_right(self._keys, key)
                self._keys.insert(at, key)
                self.matches.insert(at, RemoteMatch(timestamp, host, source, text))
                state.matches += 1
        self.version += 1
        if self.full and not self.stopped:
            self._stop(self._bound_reason())
        return not self.full

    def problem(self, host: str, text: str) -> None:
        """Something `host` could not search (its words), the rest of it goes on."""
        self.hosts[host].problems.append(text)
        self.version += 1

    def finished(self, host: str) -> None:
        state = self.hosts[host]
        if state.state is HostState.SEARCHING:
            state.state = HostState.DONE
            self.version += 1

    def failed(self, host: str, error: str) -> None:
        state = self.hosts[host]
        state.state = HostState.FAILED
        state.problems.append(error)
        self.version += 1

    def abandon(self, reason: str) -> None:
        """The search ended without a word from some hosts (it failed): those failed."""
        for state in self.hosts.values():
            if state.state is HostState.SEARCHING:
                state.state = HostState.FAILED
                state.problems.append(reason)
        self.version += 1

    def cancel(self) -> None:
        """The user stopped the search: every host still searching is stopped."""
        if self.searching:
            self._stop("cancelled")

    def _stop(self, reason: str) -> None:
        self.stopped = reason
        for state in self.hosts.values():
            if state.state is HostState.SEARCHING:
                state.state = HostState.STOPPED
        self.version += 1

    def _bound_reason(self) -> str:
        if len(self.matches) >= self.max_matches:
            return f"stopped at {self.max_matches:,} matches (logs.remote_search_max_matches)"
        size = format_value(self.max_bytes, "bytes")
        return f"stopped at {size} of matching lines (logs.remote_search_max_bytes)"

    # ------------------------------------------------------------- for the screen

    @property
    def searching(self) -> bool:
        return any(s.state is HostState.SEARCHING for s in self.hosts.values())

    def progress(self) -> str:
        """ "searching 4 hosts · 2 done · 1,380 matches", then what it came to."""
        count = len(self.hosts)
        done = sum(1 for s in self.hosts.values() if s.state is HostState.DONE)
        failed = sum(1 for s in self.hosts.values() if s.state is HostState.FAILED)
        hosts = f"{count} host{'' if count == 1 else 's'}"
        matches = f"{len(self.matches):,} match{'' if len(self.matches) == 1 else 'es'}"
        if self.searching:
            parts = [f"searching {hosts}", f"{done} done"]
        else:
            parts = [f"searched {hosts}" if not self.stopped else self.stopped]
        if failed:
            parts.append(f"{failed} failed")
        parts.append(matches)
        untimed = sum(s.untimed for s in self.hosts.values())
        if untimed:
            parts.append(f"{untimed:,} without a timestamp not shown")
        outside = sum(s.outside for s in self.hosts.values())
        if outside:
            parts.append(f"{outside:,} outside the range not shown")
        return " · ".join(parts)
