"""The buffer's cold blocks compressed off the caller's thread.

`LogBuffer.append_many` runs on the event loop; compressing a 4,096-line block takes
~1 ms (zstd; ~2.5 ms zlib), and a history load fills hundreds at once. So the buffer
hands each block to a `Freezer`, whose daemon thread compresses it (zstd and zlib release
the GIL while they work), and swaps the results in itself on its next append: only the
buffer's own thread ever changes its blocks.

Daemon threads: work left at exit is abandoned, it never holds the quit.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


#: Seconds a worker thread waits for work before it ends (the next call starts another):
#: a buffer that is no longer used leaves no thread behind.
IDLE_SECONDS = 2.0


class Worker:
    """Runs queued calls in order in one daemon thread, started on the first call and
    ended after `IDLE_SECONDS` with nothing to do."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._todo: queue.Queue[Callable[[], object]] = queue.Queue()
        self._thread: threading.Thread | None = None
        # Held to queue a call and by an idle thread deciding to end: a call queued just
        # then finds the thread still there, which then sees the call and goes on.
        self._lock = threading.Lock()

    def put(self, call: Callable[[], object]) -> None:
        with self._lock:
            self._todo.put(call)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    @property
    def pending(self) -> bool:
        """Whether some queued call has not finished yet."""
        return self._todo.unfinished_tasks > 0

    def wait(self) -> None:
        """Block until every queued call has finished."""
        self._todo.join()

    def _run(self) -> None:
        while True:
            try:
                call = self._todo.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._todo.empty():
                        self._thread = None
                        return
                continue
            try:
                call()
            finally:
                self._todo.task_done()


class Freezer(Generic[Item, Result]):
    """Runs `work(item)` for each submitted item in a `Worker`, in order."""

    def __init__(self, work: Callable[[Item], Result]) -> None:
        self._work = work
        self._worker = Worker("pulse-freezer")
        # Appended by the thread, taken by the owner: deque's append/popleft are atomic.
        self._done: deque[tuple[Item, Result]] = deque()

    def submit(self, item: Item) -> None:
        self._worker.put(lambda: self._one(item))

    def finished(self) -> list[tuple[Item, Result]]:
        """The results ready so far (each returned once), in submission order."""
        done = self._done
        return [done.popleft() for _ in range(len(done))]

    @property
    def pending(self) -> bool:
        """Whether some submitted item is still being worked on."""
        return self._worker.pending

    def wait(self) -> None:
        """Block until every submitted item is finished (never from the event loop
        unless the work left is known to be small)."""
        self._worker.wait()

    def _one(self, item: Item) -> None:
        with contextlib.suppress(Exception):  # the item stays as it was: hot, still correct
            self._done.append((item, self._work(item)))
