"""Reading cold blocks: each thawed once for the view, and ahead of a search.

A cold block (`logs.cold`) is decompressed to be read. The view reads a few dozen lines
by index, again at every repaint, so the blocks it reads are kept thawed in a small LRU
(`ThawCache.get(keep=True)`): scrolling through old lines decompresses each block once.
A search, a filter or a rebuild reads every block once, so they take a block from the
LRU if it is there but never put one in, which would push out the view's.

A search decompresses the next block in a daemon thread (`ThawCache.prefetch`) while
it searches this one: zstd's decompression and the `regex` search both release the
GIL, so on two cores the search hardly waits for the decompression.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, Protocol, TypeVar

from pulse_tui.model.logs.freezer import Worker


class Frozen(Protocol):
    """What the cache keys a cold block by: its first line's sequence number."""

    @property
    def first(self) -> int: ...


Cold = TypeVar("Cold", bound=Frozen)
Hot = TypeVar("Hot")
Result = TypeVar("Result")


class ThawCache(Generic[Cold, Hot]):
    """Thawed cold blocks: `size` kept for reads by index, the newest use last; safe to
    call from several threads (the view's and searches')."""

    def __init__(self, thaw: Callable[[Cold], Hot], size: int) -> None:
        self._thaw = thaw
        self._size = size
        self._kept: OrderedDict[int, Hot] = OrderedDict()
        self._lock = threading.Lock()
        self._prefetcher = Prefetcher()

    def get(self, block: Cold, *, keep: bool) -> Hot:
        """`block` thawed; `keep`: kept in the LRU (reads by index), else only taken
        from it (bulk reads)."""
        thawed = self.cached(block, touch=keep)
        if thawed is None:
            thawed = self._thaw(block)  # outside the lock: ~1 ms, the GIL released
            if keep:
                with self._lock:
                    self._kept[block.first] = thawed
                    while len(self._kept) > self._size:
                        self._kept.popitem(last=False)
        return thawed

    def cached(self, block: Cold, *, touch: bool) -> Hot | None:
        """`block` thawed if the LRU holds it (`touch`: as its newest use)."""
        with self._lock:
            thawed = self._kept.get(block.first)
            if thawed is not None and touch:
                self._kept.move_to_end(block.first)
        return thawed

    def prefetch(self, block: Cold) -> Future[Hot] | None:
        """`block` being thawed in the prefetch thread (None: the LRU holds it)."""
        if self.cached(block, touch=False) is not None:
            return None
        return self._prefetcher.submit(lambda: self._thaw(block))

    def forget(self, block: Cold) -> None:
        """`block` was dropped: free its thawed copy."""
        with self._lock:
            self._kept.pop(block.first, None)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


class Prefetcher:
    """Runs calls in a `Worker`, in order; `submit` returns their `Future`."""

    def __init__(self) -> None:
        self._worker = Worker("pulse-prefetch")

    def submit(self, call: Callable[[], Result]) -> Future[Result]:
        future: Future[Result] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return  # the search that wanted it stopped
            try:
                future.set_result(call())
            except BaseException as exc:  # handed to the search, which raises it
                future.set_exception(exc)

        self._worker.put(run)
        return future
