"""History released below a watermark while hosts still stream it (`logs.order`).

While sources load their history every line is held, to be merged once all of it is
in. Merging a million lines then takes about a second after the last byte arrived. But
each stream sends its history in time order: a line older than the newest line of every
stream still loading cannot be preceded by one yet to come, so it can be merged (in a
thread) while the rest streams in.

A line's key is its stream's running maximum time at it (the merge's order,
`logs.merge`). The watermark is the least, over the streams of the hosts still loading,
of the stream's running maximum; lines keyed below it are released, each stream's as a
prefix of it. Lines yet to come of those streams are keyed at least their stream's
maximum, so never below. A line of any other stream (a file whose history has not
begun, a host not loading) may be: once a line keyed below what was released is held,
the order is `behind`, releases stop, and the caller merges everything held from
scratch (the released lines' merge wasted, the one order kept). So nothing is released
before each loading host was heard on as many streams as it has files and units (a
glob may make more: then the fallback keeps the order).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.line import LogLine

_Chunk = Sequence[LogLine]
_Stream = tuple[str, str]


def _times(chunk: _Chunk) -> npt.NDArray[np.float64]:
    if isinstance(chunk, LineBatch):
        dense = chunk.dense
        return dense[1] if dense is not None else np.array(chunk.timestamps, dtype=np.float64)
    return np.fromiter((x.timestamp for x in chunk), np.float64, len(chunk))


def _runs(chunk: _Chunk) -> list[tuple[_Stream, _Chunk]]:
    """`chunk` as runs of one stream each (a batch is one already)."""
    if isinstance(chunk, LineBatch):
        return [((chunk.host, chunk.source), chunk)]
    runs: list[tuple[_Stream, _Chunk]] = []
    start = 0
    for i in range(1, len(chunk) + 1):
        if i == len(chunk) or (chunk[i].host, chunk[i].source) != (
            chunk[start].host,
            chunk[start].source,
        ):
            runs.append(((chunk[start].host, chunk[start].source), chunk[start:i]))
            start = i
    return runs


class _Held:
    """A run of one stream not released yet, with its stream's running maximum before
    it (`floor`) and after it (`top`)."""

    __slots__ = ("chunk", "floor", "top")

    def __init__(self, chunk: _Chunk, floor: float, top: float) -> None:
        self.chunk = chunk
        self.floor = floor
        self.top = top


class HeldStreams:
    """The held lines of each stream not released yet, and where a release may cut."""

    def __init__(self) -> None:
        #: Per stream (in the order first seen), its runs not released yet.
        self._held: dict[_Stream, list[_Held]] = {}
        #: Per stream, its running maximum time so far (-inf: only NaN times yet).
        self._top: dict[_Stream, float] = {}
        #: The watermark lines were released below (-inf: none released).
        self.released_to = -math.inf
        #: A line keyed below `released_to` was held after it (see the module).
        self.behind = False
        #: Lines held and not released.
        self.count = 0
        #: Per host, the streams it was heard on.
        self._streams_of: dict[str, int] = {}

    def push(self, chunk: _Chunk) -> None:
        """Hold `chunk` (after `HistoryOrder.push` took it)."""
        for stream, run in _runs(chunk):
            times = _times(run)
            if not len(times):
                continue
            floor = self._top.get(stream, -math.inf)
            # fmax: a NaN time takes the running maximum, as in the merge.
            top = float(np.fmax(np.fmax.reduce(times), floor))
            if float(np.fmax(times[0], floor)) < self.released_to:
                self.behind = True
            if stream not in self._top:
                self._streams_of[stream[0]] = self._streams_of.get(stream[0], 0) + 1
            self._top[stream] = top
            self._held.setdefault(stream, []).append(_Held(run, floor, top))
            self.count += len(times)

    def heard(self, host: str) -> int:
        """How many streams `host` was heard on."""
        return self._streams_of.get(host, 0)

    def watermark(self, hosts: Iterable[str]) -> float:
        """The least running maximum of the streams of `hosts` (-inf: one has none)."""
        wanted = set(hosts)
        tops = [top for stream, top in self._top.items() if stream[0] in wanted]
        seen = {stream[0] for stream in self._top}
        return min(tops) if tops and wanted <= seen else -math.inf

    def release(self, below: float) -> list[_Chunk]:
        """The lines keyed below `below`, each stream's in its order, taken out."""
        released: list[_Chunk] = []
        for runs in self._held.values():
            while runs and runs[0].top < below:
                released.append(runs.pop(0).chunk)
            if not runs:
                continue
            first = runs[0]
            keys = np.maximum.accumulate(np.fmax(_times(first.chunk), first.floor))
            cut = int(np.searchsorted(keys, below, side="left"))
            if cut:
                released.append(first.chunk[:cut])
                runs[0] = _Held(first.chunk[cut:], float(keys[cut - 1]), first.top)
        self.released_to = below
        self.count -= sum(map(len, released))
        return released

    def rest(self) -> list[_Chunk]:
        """Every held line not released, stream by stream, taken out."""
        rest = [held.chunk for runs in self._held.values() for held in runs]
        self._held.clear()
        self.count = 0
        return rest
