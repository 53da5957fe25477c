"""The buffer's cold blocks compressed off the caller's thread.

`LogBuffer.append_many` runs on the event loop; compressing a 4,096-line block takes
~1 ms (zstd; ~2.5 ms zlib), and a history load fills hundreds at once. So the buffer
hands each block to a `Freezer`, whose daemon thread compresses it (zstd and zlib release
the GIL while they work), and swaps the results in itself on its next append: only the
buffer's own thread ever changes its blocks.

Daemon thread: work left at exit is abandoned, it never holds the quit.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

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
