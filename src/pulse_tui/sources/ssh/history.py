"""Where a log file's history starts: the first line of the dashboard's range, found by a
binary search on line timestamps with a few small reads.

The search sees the file only through `Read` (`read(offset, length) -> bytes`), so it runs
the same on a remote host (`range_reader.RangeReader`) and on bytes in memory (the tests).
Every answer is a byte offset to start tailing from:

* A *probe* at offset `p` reads one `BLOCK` from `p - 1`, skips to the first line start
  (after a newline, or after a run of NUL bytes), and parses the timestamp of every line
  that starts in the block with the model's own parser (`timestamp_and_level`). A probe
  that finds no line start or no timestamp reads on, up to `MAX_SKIP` bytes (a long line,
  a stack trace), and then gives up: that place says nothing.
* A probe whose *newest* line is older than the range's start moves the low end past it;
  one with any line in the range moves the high end to it. Taking the newest line of a
  block, not the first, is what keeps lines out of order (threads, late writers) from
  pulling the low end past lines of the range. A probe that says nothing moves the high
  end: the answer may then land earlier than it could, never later.
* When the two ends are a block apart, one read of that window finds the first line in
  the range, in file order, and the answer is the stamped line just before it: the first
  line shown is at or before the range's start.

A file with no timestamps at all gives `Outcome.NO_STAMPS` (the caller falls back to a
byte backlog). A run of NUL bytes at the start of a file is the hole a `copytruncate`d
file gets when its writer keeps its old offset: it holds no lines and counts as older
than the range. NUL runs elsewhere say nothing, like any probe without a timestamp.

`plan_history` adds the bound: at most `limit` bytes of history, with the time of the
first line loaded when the bound cuts the range.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum

from pulse_tui.model.core.units import format_value
from pulse_tui.model.logs.parse import timestamp_and_level

#: Bytes one probe reads.
BLOCK = 16 * 1024
#: How far a probe reads on, looking for a line start or a timestamp, before giving up.
MAX_SKIP = 64 * 1024
#: How much of a line's head its timestamp is looked for in.
HEAD_BYTES = 2048
#: Probes one search may make; far more than a binary search of any file needs.
MAX_PROBES = 96

#: `read(offset, length)`: up to `length` bytes of the file from `offset` (fewer at its end).
Read = Callable[[int, int], Awaitable[bytes]]


class Outcome(StrEnum):
    """How the start offset was found."""

    #: The search found the range's first line: the offset is the line just before it.
    FOUND = "found"
    #: The file's first line is already in the range: the offset is 0.
    ALL = "all"
    #: Every line is older than the range: the offset is the end of the file.
    NONE = "none"
    #: No line has a timestamp: no offset, the caller shows a byte backlog instead.
    NO_STAMPS = "no stamps"
    #: The history bound cut the range: the offset is `limit` bytes before the end.
    CUT = "cut"


@dataclass(frozen=True, slots=True)
class HistoryStart:
    """Where to start tailing a file, and what finding it cost."""

    #: Byte offset to tail from (None for `Outcome.NO_STAMPS`).
    offset: int | None
    outcome: Outcome
    #: True if `offset` is a line start; False: skip to the next newline first.
    aligned: bool = True
    #: The timestamp of the first line loaded, where known (for the notice of a cut).
    first_stamp: float | None = None
    #: Bytes the search read, and in how many reads.
    bytes_read: int = 0
    reads: int = 0


@dataclass(slots=True)
class _Probe:
    """What one probe saw."""

    #: The first line start at or after the probe offset (None: none within MAX_SKIP).
    start: int | None
    #: (line start, timestamp) of each stamped line seen, in file order.
    stamps: list[tuple[int, float]] = field(default_factory=list)
    #: Just past the last whole line seen (the probe offset if none).
    end: int = 0
    #: Nothing but NUL bytes was read.
    hole: bool = False


def line_stamp(head: bytes) -> float | None:
    """The timestamp the line starting with `head` carries, by the model's parser."""
    text = head.lstrip(b"\0")[:HEAD_BYTES].decode("utf-8", "replace")
    return timestamp_and_level(text)[0] if text else None


def first_stamp(data: bytes) -> float | None:
    """The timestamp of the first stamped line in `data` (which starts at a line start)."""
    for line in data.split(b"\n"):
        stamp = line_stamp(line)
        if stamp is not None:
            return stamp
    return None


class _Search:
    def __init__(self, read: Read, size: int) -> None:
        self._read = read
        self.size = size
        self.bytes_read = 0
        self.reads = 0
        #: Whether any probe saw a timestamp (else the file has none we can read).
        self.seen_stamp = False

    async def read(self, offset: int, length: int) -> bytes:
        length = max(0, min(length, self.size - offset))
        if length == 0:
            return b""
        data = await self._read(offset, length)
        self.bytes_read += len(data)
        self.reads += 1
        return data

    async def lines(self, p: int, until: int, *, first_only: bool = False) -> _Probe:
        """The stamped lines starting in [p, until); if there are none, reads on (at most
        MAX_SKIP past `until`) for the first one. `first_only`: stop at the first."""
        base = max(0, p - 1)  # a newline at p - 1 makes p itself a line start
        data = await self.read(base, max(BLOCK, until - base + HEAD_BYTES))
        probe = _Probe(None, end=p, hole=bool(data) and not data.strip(b"\0"))
        start = 0 if p == 0 else _first_start(data)
        while True:
            if start is not None:
                self._scan(data, base, start, until, probe, first_only)
                if probe.stamps:
                    break
            if probe.hole or base + len(data) >= self.size:
                break  # a NUL run tells nothing, however far it goes: stop paying for it
            if base + len(data) - until >= MAX_SKIP:
                break
            more = await self.read(base + len(data), BLOCK)
            if not more:
                break
            data += more
            if start is None:
                start = _first_start(data)
            until = base + len(data)
        if start is not None:
            probe.start = base + start
        if probe.stamps:
            self.seen_stamp = True
        return probe

    def _scan(
        self, data: bytes, base: int, start: int, until: int, probe: _Probe, first_only: bool
    ) -> None:
        """Fills `probe` with the lines of `data` starting at `start` (an index) and
        before `until` (an offset)."""
        probe.stamps.clear()
        at = start
        while at < len(data) and base + at < until:
            newline = data.find(b"\n", at)
            head_end = len(data) if newline < 0 else newline
            stripped = len(data[at:head_end]) - len(data[at:head_end].lstrip(b"\0"))
            stamp = line_stamp(data[at : min(head_end, at + stripped + HEAD_BYTES)])
            if stamp is not None:
                probe.stamps.append((base + at + stripped, stamp))
                if first_only:
                    break
            if newline < 0:
                break
            at = newline + 1
            probe.end = base + at


def _first_start(data: bytes) -> int | None:
    """Index of the first line start in `data`, which starts one byte before the probe
    offset: after the first newline, or where a run of NUL bytes ends."""
    newline = data.find(b"\n")
    zero = data.find(b"\0")
    if zero >= 0 and (newline < 0 or zero < newline):
        end = len(data) - len(data[zero:].lstrip(b"\0"))
        if end < len(data) and (newline < 0 or end <= newline):
            return end if data[end] != 0x0A else end + 1
    return None if newline < 0 else newline + 1


async def find_start(read: Read, size: int, since: float) -> HistoryStart:
    """The offset of the line at or just before `since` in a file of `size` bytes."""
    search = _Search(read, size)
    if size == 0:
        return HistoryStart(0, Outcome.ALL)
    lo, hi = 0, size
    # The smallest offset known to be at or before a line of the range (size: none yet),
    # and whether it is a line start.
    candidate, aligned = size, True
    leading_hole = False
    # The first block, then the last one (an old file answers at once), then halves.
    probes = [0] + ([size - BLOCK] if size > 2 * BLOCK else [])
    count = 0
    while probes or hi - lo > BLOCK:
        if count == MAX_PROBES:  # cannot happen with halving; if it does, stay safe
            return _done(search, lo, Outcome.FOUND, aligned=lo == 0)
        mid = probes.pop(0) if probes else (lo + hi) // 2
        probe = await search.lines(mid, mid + BLOCK)
        count += 1
        if mid == 0:
            leading_hole = probe.hole
        if probe.stamps and max(t for _, t in probe.stamps) < since:
            lo = max(lo, min(probe.end, hi))
        elif probe.stamps:
            first = next(o for o, t in probe.stamps if t >= since)
            hi = min(hi, mid)
            if first < candidate:
                candidate, aligned = first, True
        elif probe.hole and leading_hole:
            lo = max(lo, min(mid + BLOCK - 1, hi))  # the copytruncate hole: older than all
        else:  # nothing to go by here: look before it, so as not to skip lines
            hi = min(hi, mid)
            if mid < candidate:
                candidate, aligned = mid, False
    if not search.seen_stamp:
        return _done(search, None, Outcome.NO_STAMPS)
    return await _settle(search, lo, hi, candidate, aligned, since)


async def _settle(
    search: _Search, lo: int, hi: int, candidate: int, aligned: bool, since: float
) -> HistoryStart:
    """One read of the last window: the first line of the range in file order, and the
    stamped line before it (so the first line shown is at or before `since`)."""
    back = max(0, lo - BLOCK // 4)  # the line before may start before lo
    window = await search.lines(back, max(hi, min(candidate, hi + MAX_SKIP)) + 1)
    stamps = window.stamps
    first = next(
        (i for i, (offset, stamp) in enumerate(stamps) if stamp >= since or offset >= candidate),
        None,
    )
    if first is None:
        if candidate >= search.size:
            return _done(search, search.size, Outcome.NONE)
        return _done(search, candidate, Outcome.FOUND, aligned=aligned)
    if first > 0:
        offset, stamp = stamps[first - 1]
        return _done(search, offset, Outcome.FOUND, first_stamp=stamp)
    offset, stamp = stamps[0]
    if back == 0:  # nothing stamped before it in the whole file
        return _done(search, 0, Outcome.ALL, first_stamp=stamp)
    before = await search.lines(max(0, back - BLOCK), back)
    earlier = [s for s in before.stamps if s[0] < back]
    if earlier:
        offset, stamp = earlier[-1]
    elif window.start is not None:
        offset = min(offset, window.start)
    return _done(search, offset, Outcome.FOUND, first_stamp=stamp)


def _done(
    search: _Search,
    offset: int | None,
    outcome: Outcome,
    *,
    aligned: bool = True,
    first_stamp: float | None = None,
) -> HistoryStart:
    return HistoryStart(
        offset, outcome, aligned, first_stamp, bytes_read=search.bytes_read, reads=search.reads
    )


async def plan_history(read: Read, size: int, since: float, limit: int) -> HistoryStart:
    """`find_start`, bounded: at most `limit` bytes before the end of the file.

    When the bound cuts the range, the answer starts at the first line after
    `size - limit` (`Outcome.CUT`), with that line's time if it has one.
    """
    found = await find_start(read, size, since)
    if found.offset is None or size - found.offset <= limit:
        return found
    search = _Search(read, size)
    cut = size - limit
    probe = await search.lines(cut, cut + BLOCK, first_only=True)
    stamp = probe.stamps[0][1] if probe.stamps else None
    offset, aligned = (cut, False) if probe.start is None else (probe.start, True)
    return HistoryStart(
        offset,
        Outcome.CUT,
        aligned,
        stamp,
        bytes_read=found.bytes_read + search.bytes_read,
        reads=found.reads + search.reads,
    )


def cut_notice_text(path: str, first: float | None, limit: int) -> str:
    """What the pane says when the bound cut a file's range: from when (`first`, the time
    of the first line loaded), and why."""
    size = format_value(limit, "bytes")
    when = f"the last {size}"
    if first is not None:  # local time, as the pane shows lines
        local, now = time.localtime(first), time.localtime()
        today = (local.tm_year, local.tm_yday) == (now.tm_year, now.tm_yday)
        when = time.strftime("%H:%M:%S" if today else "%Y-%m-%d %H:%M:%S", local)
    return f"{path}: logs from {when} · older lines beyond logs.history_bytes ({size})"
