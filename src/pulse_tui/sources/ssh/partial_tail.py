"""A followed file's unfinished last line, shown after a quiet moment (`ssh.tail`).

The line is not in the buffer until its newline comes: the buffer is append-only, and a
line that changes would be seen twice by searches and error groups. So the sink hears of
it apart (`LogSink.on_partial`), to show it marked as partial, and hears it is gone just
before the completed line is delivered.
"""

from __future__ import annotations

import asyncio

from pulse_tui.sources.base import LogSink
from pulse_tui.sources.ssh.line_reader import LineReader


class PartialTail:
    """Shows a followed file's unfinished last line once the file is quiet for
    `quiet` seconds, and takes it back when its newline comes (`on_partial`)."""

    def __init__(
        self, sink: LogSink, host: str, source: str, reader: LineReader, quiet: float
    ) -> None:
        self._sink = sink
        self._quiet = quiet
        self._host = host
        self._source = source
        self._reader = reader
        self._timer: asyncio.TimerHandle | None = None
        #: The sink was told of a partial line it has not been told is gone.
        self._shown = False

    def fed(self, *, completed: bool) -> None:
        """The reader was fed: `completed`, it completed lines (the shown partial among
        them, so it goes before they are delivered). What is unfinished now shows after a
        quiet moment."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if completed and self._shown:
            self._shown = False
            self._sink.on_partial(self._host, self._source, None)
        if self._reader.pending:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self._quiet, self._show)

    def _show(self) -> None:
        self._timer = None
        text = self._reader.peek()
        if text:
            self._shown = True
            self._sink.on_partial(self._host, self._source, text)

    def clear(self) -> None:
        """The stream ended (or starts over): no partial line shown for it any more."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._shown:
            self._shown = False
            self._sink.on_partial(self._host, self._source, None)
