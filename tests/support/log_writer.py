"""A writer that floods a log file, for tests that tail it through the real sshd.

`FloodWriter` appends numbered lines from a thread of its own, in chunks paced to a rate
(lines per second), until it is stopped; it knows how many lines it wrote and which was
last, so a test can account for every one of them at the other end.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

#: Lines per write(): big enough that Python is not the bottleneck, small enough that the
#: file grows smoothly (20,000 lines/s is 100 writes a second).
CHUNK = 200


def flood_line(n: int) -> str:
    """The text of line `n`: numbered, so any line (the last one) can be told apart."""
    return f"INFO flood line {n:08d} request served in 12ms path=/api/v1/items"


class FloodWriter:
    """Appends `flood_line(0)`, `flood_line(1)`, ... to `path` at `rate` lines per second
    (0: as fast as it can) from a daemon thread, between `start()` and `stop()`."""

    def __init__(self, path: Path, rate: float = 20_000) -> None:
        self.path = path
        self.rate = rate
        #: Lines written so far (complete, newline included, flushed to the file).
        self.written = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="flood-writer", daemon=True)

    @property
    def last_line(self) -> str:
        """The text of the last line written (after `stop()`: the last there will be)."""
        return flood_line(self.written - 1)

    def start(self) -> FloodWriter:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop writing; returns once the last chunk is in the file."""
        self._stop.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise AssertionError("the flood writer did not stop")

    def _run(self) -> None:
        started = time.monotonic()
        with self.path.open("a", buffering=1 << 20) as out:
            while not self._stop.is_set():
                first = self.written
                out.write("".join(f"{flood_line(n)}\n" for n in range(first, first + CHUNK)))
                out.flush()
                self.written = first + CHUNK
                if self.rate:
                    # Paced on the total, not per chunk: a slow chunk is caught up after.
                    ahead = self.written / self.rate - (time.monotonic() - started)
                    if ahead > 0:
                        self._stop.wait(ahead)
