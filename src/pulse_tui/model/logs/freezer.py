"""The buffer's cold blocks compressed and decompressed off the caller's thread.

`LogBuffer.append_many` runs on the event loop; compressing a 4,096-line block takes
~1 ms (zstd; ~2.5 ms zlib), and a history load fills hundreds at once. So the buffer
hands each block to a `Freezer`, whose daemon thread compresses it (zstd and zlib release
the GIL while they work), and swaps the results in itself on its next append: only the
buffer's own thread ever changes its blocks.

A search over cold blocks decompresses each before it searches it: a `Prefetcher`
decompresses the next block in its thread while the search runs over this one (the
`regex` search releases the GIL too), so on two cores the search hardly waits.

Daemon threads: work left at exit is abandoned, it never holds the quit.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class Freezer(Generic[Item, Result]):
    """Runs `work(item)` for each submitted item in one daemon thread, in order."""

    def __init__(self, work: Callable[[Item], Result]) -> None:
        self._work = work
        self._todo: queue.Queue[Item] = queue.Queue()
        # Appended by the thread, taken by the owner: deque's append/popleft are atomic.
        self._done: deque[tuple[Item, Result]] = deque()
        self._thread: threading.Thread | None = None

    def submit(self, item: Item) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="pulse-freezer", daemon=True)
            self._thread.start()
        self._todo.put(item)

    def finished(self) -> list[tuple[Item, Result]]:
        """The results ready so far (each returned once), in submission order."""
        done = self._done
        return [done.popleft() for _ in range(len(done))]

    @property
    def pending(self) -> bool:
        """Whether some submitted item is still being worked on."""
        return self._todo.unfinished_tasks > 0

    def wait(self) -> None:
        """Block until every submitted item is finished (never from the event loop
        unless the work left is known to be small)."""
        self._todo.join()

    def _run(self) -> None:
        while True:
            item = self._todo.get()
            try:
                self._done.append((item, self._work(item)))
            except Exception:  # the item stays as it was: hot, still correct
                pass
            finally:
                self._todo.task_done()


class Prefetcher:
    """Runs calls in one daemon thread, in order; `submit` returns their `Future`."""

    def __init__(self) -> None:
        self._todo: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # two searches may start it at once

    def submit(self, call: Callable[[], Result]) -> Future[Result]:
        future: Future[Result] = Future()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="pulse-prefetch", daemon=True
                )
                self._thread.start()
        self._todo.put((call, future))
        return future

    def _run(self) -> None:
        while True:
            call, future = self._todo.get()
            if not future.set_running_or_notify_cancel():
                continue  # the search that wanted it stopped
            try:
                future.set_result(call())
            except BaseException as exc:  # handed to the search, which raises it
                future.set_exception(exc)
