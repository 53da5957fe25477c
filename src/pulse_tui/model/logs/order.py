"""One time order in the log buffer, history included: what waits while sources load it.

On connect each file source sends its history (back to the start of the dashboard's
range) as one block per file, file after file and host after host. Appended as it comes,
the buffer would hold file A's hour, then file B's, and a bisect by time (jump to time)
would look in the wrong place. So:

* While sources are *loading* (from the start until every source that loads history has
  said it is past it, or `quiet` seconds went by with no batch from one still loading),
  every line is held here. When that ends, everything held is merged once (`settle`; the
  feed takes it unmerged, `take_settled`, and merges it in a thread) and appended in one
  go.
* While settling, lines older than every loading stream's newest line may go early
  (`take_released`, `logs.release`): the feed merges them in a thread while the rest
  streams in, and appends what `take_settled` gives after them (`continues_release`).
* After that, a source still loading (a host that connected later) has its lines held on
  their own until it is past its history (or quiet), then merged with the whole buffer
  (`take_late`; the caller rebuilds the buffer, see `merge_with`). That happens at most
  once per source.

The merge is the reorder window's (`logs.merge`): each stream keeps its own order, and
streams interleave by each line's running maximum time within its stream, stably, so a
stack trace stays with its head. The buffer's own lines, already in order, count as one
stream.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence

from pulse_tui.model.logs.batch import LineBatch, MergedBatch
from pulse_tui.model.logs.line import LogLine
from pulse_tui.model.logs.merge import merge_streams
from pulse_tui.model.logs.release import HeldStreams

#: How long a source that loads history may stay silent before it is taken as done.
QUIET_SECONDS = 5.0

#: The longest the pane waits for every history before showing what it has.
MAX_WAIT_SECONDS = 30.0

_Chunk = Sequence[LogLine]


def _host_of(lines: _Chunk) -> str:
    return lines.host if isinstance(lines, LineBatch) else lines[0].host


class HistoryOrder:
    """Holds lines while sources load their history; says when to merge them in."""

    def __init__(
        self,
        loading: Iterable[str],
        quiet: float = QUIET_SECONDS,
        max_wait: float = MAX_WAIT_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
        limit: int | None = None,
        release_lines: int | None = None,
        streams: Mapping[str, int] | None = None,
    ) -> None:
        """`limit`: lines held at most; past it they are merged in at once (the buffer
        keeps no more than its own bound anyway). `release_lines`: while settling, once
        this many lines are held, `take_released` gives those below the watermark
        (`logs.release`; None: never), once each loading host was heard on as many
        streams as `streams` says (its files and units; 1 if not given)."""
        self.quiet = quiet
        self.limit = limit
        self.release_lines = release_lines
        #: While settling, the held lines by stream, for `take_released`.
        self._streams = HeldStreams() if release_lines is not None else None
        self._stream_counts = dict(streams or {})
        #: Set when settling ends: the lines `take_settled` gave follow those released
        #: (to append after them); False: they are every line held, released or not
        #: (to merge from scratch, dropping what was made of the released ones).
        self.continues_release = False
        self.max_wait = max_wait
        self._monotonic = monotonic
        self._started = monotonic()
        self._count = 0
        #: Hosts whose history has not yet all arrived, and when each last sent a batch
        #: (None: none yet).
        self._loading: dict[str, float | None] = dict.fromkeys(loading)
        #: When a loading host last sent a batch (or we started).
        self._last_batch = self._started
        #: Still settling: every line is held in `_held`.
        self.settling = bool(self._loading)
        self._held: list[_Chunk] = []
        #: After settling: the lines of hosts still loading, per host.
        self._late: dict[str, list[_Chunk]] = {}

    def __len__(self) -> int:
        """Lines held."""
        return self._count

    @property
    def loading(self) -> list[str]:
        """Hosts still loading their history, sorted."""
        return sorted(self._loading)

    def push(self, lines: _Chunk) -> bool:
        """Takes `lines` if they must wait (True); False: append them as usual."""
        if not lines:
            return True
        host = _host_of(lines)
        if host in self._loading:
            self._loading[host] = self._last_batch = self._monotonic()
        if self.settling:
            self._held.append(lines)
            streams = self._streams
            if streams is not None and not streams.behind:
                streams.push(lines)
        elif host in self._loading:
            self._late.setdefault(host, []).append(lines)
        else:
            return False
        self._count += len(lines)
        return True

    def loads(self, lines: _Chunk) -> bool:
        """Whether `lines` come from a host still loading its history."""
        return bool(lines) and _host_of(lines) in self._loading

    def history_done(self, host: str) -> None:
        """`host` is past its history: what it sends now is live."""
        self._loading.pop(host, None)

    def _expire(self) -> None:
        """Hosts that sent lines but none for `quiet` seconds are taken as done (one that
        has sent nothing yet may still be connecting)."""
        deadline = self._monotonic() - self.quiet
        for host, last in list(self._loading.items()):
            if last is not None and last <= deadline:
                del self._loading[host]

    def _full(self) -> bool:
        return self.limit is not None and self._count > self.limit

    def take_released(self) -> list[_Chunk]:
        """While settling, once `release_lines` are held and every loading host has sent
        lines: the lines below the watermark (`logs.release`), each stream's in its
        order, to merge and append before what `take_settled` gives; else []."""
        streams = self._streams
        if streams is None or not self.settling or streams.behind:
            return []
        assert self.release_lines is not None
        if streams.count < self.release_lines:
            return []
        counts = self._stream_counts
        if any(streams.heard(host) < counts.get(host, 1) for host in self._loading):
            return []  # a file's history may not have begun: it could be older
        below = streams.watermark(self._loading)
        if below <= streams.released_to:
            return []
        released = streams.release(below)
        self._count -= sum(map(len, released))
        return released

    def settle(self) -> list[_Chunk] | None:
        """While settling: None. When settling ends (at this call), every line held,
        merged: sequences to append in this order ([] on later calls)."""
        held = self.take_settled()
        return None if held is None else merge_streams(held)

    def take_settled(self) -> list[_Chunk] | None:
        """`settle` without the merge: while settling None; when settling ends (at this
        call), every line held, as held, for the caller to merge (`merge_streams`, in a
        thread: a history of a million lines takes a second); [] on later calls."""
        if not self.settling:
            return []
        self._expire()
        now = self._monotonic()
        waited = now - self._started < self.max_wait and now - self._last_batch < self.quiet
        if self._loading and waited and not self._full():
            return None
        self.settling = False
        # A host still loading now (the wait ran out) waits apart (see `take_late`);
        # past the limit, everything held goes in now.
        late = set() if self._full() else set(self._loading)
        self._count = 0
        held, self._held = self._held, []
        streams = self._streams
        self.continues_release = streams is not None and (
            streams.released_to > -math.inf and not streams.behind
        )
        if streams is not None:
            rest = streams.rest()
            if self.continues_release:
                held = rest
        ready: list[_Chunk] = []
        for chunk in held:
            if _host_of(chunk) in late:
                self._late.setdefault(_host_of(chunk), []).append(chunk)
            else:
                ready.append(chunk)
        self._count = sum(sum(map(len, chunks)) for chunks in self._late.values())
        return ready

    def take_late(self) -> list[_Chunk]:
        """After settling: the lines of the hosts that got past their history (or went
        quiet; every host's when more than `limit` are held) since the last call, to
        merge with the whole buffer (`merge_with`)."""
        if self.settling or not self._late:
            return []
        self._expire()
        full = self._full()
        ready = [host for host in self._late if full or host not in self._loading]
        out: list[_Chunk] = []
        for host in ready:
            out += self._late.pop(host)
        self._count -= sum(map(len, out))
        return out


def merge_with(buffered: MergedBatch, late: Sequence[_Chunk]) -> MergedBatch:
    """The buffer's lines (`buffered`, in order: one stream) and `late` batches, merged."""
    merged = merge_streams([buffered, *late], first_is_stream=True)
    if not merged:
        return buffered
    (only,) = merged
    assert isinstance(only, MergedBatch)
    return only
