"""Running a search or filter off the event loop, in chunks, cancellable."""

from __future__ import annotations

import threading
from collections.abc import Callable

from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.search.scan import CHUNK_TIMEOUT, ChunkMatcher, scan


class SearchJob:
    """Runs a search in a daemon thread so the caller never waits for it.

    `cancel()` is checked between chunks (~`chunk_lines` lines each), so a new keystroke
    stops the previous search within one chunk. Results: poll `done`, `progress` (0..1)
    and `result_indices`, or pass `on_progress(job)` / `on_done(job)`, which run in the
    worker thread (a Textual caller wraps them in `app.call_from_thread`).

    Pathological regexes: user regexes run in the `regex` module, which releases the GIL
    while matching, so even a catastrophic pattern such as `(a+)+$` on a long line leaves
    the UI thread running; and each buffer block's regex work is bounded by `timeout`
    seconds, after which the job stops with `error` set to a `SearchError` ("regex too
    slow, search stopped"). So a job ends at the latest `timeout` after `cancel()`, or on
    its own one `timeout` into a hopeless pattern; a new job need not wait for it.
    """

    def __init__(
        self,
        buffer: LogBuffer,
        matcher: ChunkMatcher,
        *,
        start: int | None = None,
        stop: int | None = None,
        chunk_lines: int = 50_000,
        timeout: float = CHUNK_TIMEOUT,
        on_progress: Callable[[SearchJob], None] | None = None,
        on_done: Callable[[SearchJob], None] | None = None,
    ) -> None:
        #: What is searched, and with what: a `SearchQuery` or a `LineFilter`.
        self.buffer, self.matcher = buffer, matcher
        self.start_index = buffer.first_index if start is None else start
        self.stop_index = buffer.next_index if stop is None else stop
        self.chunk_lines = chunk_lines
        #: Seconds of regex work allowed per buffer block (see the class doc).
        self.timeout = timeout
        self.on_progress, self.on_done = on_progress, on_done
        #: Absolute indices of matching lines found so far, ascending.
        self.result_indices: list[int] = []
        #: The exception the search raised, if any (`SearchError` for a too slow regex).
        self.error: BaseException | None = None
        self._scanned_to = self.start_index
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pulse-search", daemon=True)

    def start(self) -> SearchJob:
        """Start the worker thread; returns self for chaining."""
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the worker to stop after the current chunk; returns at once."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """True once `cancel()` was called."""
        return self._cancel.is_set()

    @property
    def done(self) -> bool:
        """True once the worker has stopped: finished, cancelled or failed."""
        return self._done.is_set()

    @property
    def progress(self) -> float:
        """Fraction of the range scanned so far."""
        total = self.stop_index - self.start_index
        return 1.0 if total <= 0 else (self._scanned_to - self.start_index) / total

    def wait(self, timeout: float | None = None) -> bool:
        """Block until done (tests and scripts; never from the event loop)."""
        return self._done.wait(timeout)

    def _run(self) -> None:
        try:
            test = self.matcher.scan_chunk
            chunks = scan(
                self.buffer, test, self.start_index, self.stop_index, self.chunk_lines, self.timeout
            )
            for scanned_to, hits in chunks:
                if self._cancel.is_set():
                    break
                self.result_indices.extend(hits)
                self._scanned_to = scanned_to
                if self.on_progress is not None:
                    self.on_progress(self)
        except Exception as exc:  # reported through `error`, never lost in the thread
            self.error = exc
        finally:
            self._done.set()
            if self.on_done is not None:
                self.on_done(self)
