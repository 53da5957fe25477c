"""Live logs tailed from many hosts over SSH: files with `tail -F`, journald units.

One `SshLogSource` per host, one SSH connection per host (jump hosts shared, see
`ssh.connect`), one channel per followed file or unit. Each stream remembers how far it
got (file byte offset and inode; journald cursor), so a reconnect resumes exactly there:
lines written while disconnected show up once, after a GAP marker. Journald units are
followed by `ssh.journal`.

A file's first look goes back to the start of the dashboard's range (`history_range`):
its start offset is found on the host by a binary search on line timestamps
(`ssh.history`, reading through `ssh.range_reader`), at most `logs.history_bytes` before
its end; a journald unit's is read by `journalctl --since`, once, before it is followed.
The history is loaded once: a reconnect resumes where the stream was. A file's bytes
before its size at search time are its history; once every file and unit is past its
history, the sink hears `on_history_done` (once), so it can merge all hosts' histories
into one time order (`model.logs.order`).
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import time
from collections.abc import Awaitable
from typing import TypeVar

import asyncssh

from pulse_tui.config import Config, LogFile, LogHost, LogsConfig
from pulse_tui.model.core.sanitize import sanitize, sanitize_chunk
from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.dense import DenseLines
from pulse_tui.model.logs.line import Level, LineKind, LogLine
from pulse_tui.model.logs.parse import notice, parse_dense, parse_texts
from pulse_tui.sources.base import FetchedWindow, HostState, HostStatus, LogSink, SourceError
from pulse_tui.sources.ssh.connect import (
    ConnectionPool,
    StreamChannel,
    TrackingClient,
    short_reason,
)
from pulse_tui.sources.ssh.file_stream import CONTINUATION_SECONDS, FileStream
from pulse_tui.sources.ssh.first_look import search_files
from pulse_tui.sources.ssh.history import HistoryStart, Outcome, cut_notice_text
from pulse_tui.sources.ssh.journal import JournalStream, follow_journal
from pulse_tui.sources.ssh.line_reader import LineReader
from pulse_tui.sources.ssh.partial_tail import PartialTail
from pulse_tui.sources.ssh.remote_commands import (
    BACKLOG_BYTES,
    HEADER,
    expand_globs_command,
    tail_file_command,
    tail_file_later_command,
    tail_start_line,
)
from pulse_tui.sources.ssh.rotated import Segment
from pulse_tui.sources.ssh.segments import load_segment
from pulse_tui.sources.ssh.window import fetch_host_window
from pulse_tui.sources.transport.backoff import Backoff, BackoffPolicy
from pulse_tui.sources.transport.errors import describe_transport_error

T = TypeVar("T")
#: A tail channel opened before its start was known (`SshLogSource._open_tails`).
_Opened = tuple[asyncssh.SSHClientChannel[bytes], StreamChannel]

#: Reconnect delays: 1 s, doubling to 60 s; a connection live for 30 s was healthy, so
#: the failure that ends it waits 1 s again.
RECONNECT = BackoffPolicy(first=1.0, cap=60.0, healthy_after=30.0)
#: How long `stop()` waits for the streams to wind down.
STOP_TIMEOUT = 1.5
#: How long a file may end in a line without its newline before that partial line is
#: shown (`LogSink.on_partial`): long enough that a line written in two parts (a
#: buffered writer, a chunk boundary) is not flashed half; short enough for a prompt
#: or a half-written line of a hung process to be seen while it matters.
PARTIAL_QUIET_SECONDS = 1.5

# tail -F tells on stderr when it starts over on a new or truncated file: our byte
# offset restarts at 0 then.
_RESTART_MARKERS = (b"has been replaced", b"has appeared", b"file truncated")
#: A path holding none of these is no pattern: the remote shell expands it to itself (a
#: backslash, which some shells take for a pattern's escape, counts as one).
_GLOB_CHARS = frozenset("*?[\\")


class SshLogSource:
    """Streams one host's files and journald units to a sink, reconnecting losslessly."""

    def __init__(
        self,
        host: LogHost,
        logs: LogsConfig,
        pool: ConnectionPool,
        history_range: float | None = None,
    ) -> None:
        """`history_range`: seconds of history a first look loads (the dashboard's range);
        None: only the last few KiB of each file and 20 journal entries."""
        #: The display name: the alias the user wrote (with user@ if given).
        self.host = host.label
        #: The host's configured service (its files and units may name their own).
        self.service = host.service
        self.config = host
        self.logs = logs
        self.pool = pool
        self.history_range = history_range
        #: A first look loads a history and says when it is past it (`on_history_done`).
        self.loads_history = bool(host.files or host.journal) and self._since() is not None
        #: Past windows are read from the host's files and units on demand.
        self.fetches_windows = True
        self._history_read = 0
        #: Files whose history the bound cut, in the file or only in a rotated one (kept:
        #: a stream's segments go once they are read).
        self._cut_paths: set[str] = set()
        self._window_read = 0
        self._journal_since: float | None = None
        #: Files whose history has not all arrived yet; None once `on_history_done` went.
        self._history_left: set[str] | None = set()
        self._stopping = asyncio.Event()
        self._stopped = asyncio.Event()
        self._conn: asyncssh.SSHClientConnection | None = None
        self._files: dict[str, FileStream] = {}
        self._journals = [
            JournalStream(u.unit, u.service or host.service, self._reader(raw=True))
            for u in host.journal
        ]

    def _reader(self, raw: bool = False) -> LineReader:
        return LineReader(self.logs.max_line_bytes, None if raw else sanitize_chunk)

    @property
    def history_bytes_read(self) -> int:
        """Bytes of file content the history searches (rotated files' included) have
        read on this source's host so far; what loading the history sent is not counted."""
        return self._history_read

    @property
    def window_bytes_read(self) -> int:
        """Bytes of file and journal content past-window fetches have read so far."""
        return self._window_read

    @property
    def loaded_since(self) -> float | None:
        """The time from which every followed file and unit has delivered all its lines
        (None: not known yet, or nothing searched); earlier lines come by `fetch_window`."""
        times = [s.loaded_from for s in self._files.values() if s.loaded_from is not None]
        if self._journals and self._journal_since is not None:
            times.append(self._journal_since)
        return max(times) if times else None

    async def fetch_window(self, start: float, end: float) -> FetchedWindow:
        """`[start, end)` of every followed file and unit (`ssh.window.fetch_host_window`),
        read on the live connection."""
        files = [(s.path, s.service) for s in self._files.values()]
        window = await fetch_host_window(
            self._conn, self.host, files, self._journals, self.logs, start, end
        )
        self._window_read += window.bytes_read
        return window

    def history_start(self, path: str) -> HistoryStart | None:
        """How `path`'s history start was found (None: not searched, or not yet)."""
        stream = self._files.get(path)
        return None if stream is None else stream.history

    @property
    def connection(self) -> asyncssh.SSHClientConnection | None:
        """The live connection to the host (None while not connected), for other work
        on it, such as a search on the host, to share (one more channel, not a login)."""
        conn = self._conn
        return None if conn is None or conn.is_closed() else conn

    @property
    def history_cut(self) -> bool:
        """Some file's history was cut by `logs.history_bytes`: the host holds older
        lines of the range than were loaded."""
        return bool(self._cut_paths)

    def _since(self) -> float | None:
        """Where a first look starts, in Unix time (None: a short backlog instead)."""
        if self.history_range is None or self.logs.history_bytes == 0:
            return None
        return time.time() - self.history_range

    # ------------------------------------------------------------------ lifecycle

    async def run(self, sink: LogSink) -> None:
        """Stream until `stop()`; failures become statuses, GAP and NOTICE lines."""
        backoff = Backoff(RECONNECT)
        try:
            while not self._stopping.is_set():
                sink.on_status(HostStatus(self.host, HostState.CONNECTING))
                try:
                    connected = await self._until_stopped(self._connect())
                except SourceError as exc:
                    if not exc.retryable:
                        sink.on_lines([self._notice(f"not retrying: {exc}")])
                        sink.on_status(HostStatus(self.host, HostState.FAILED, str(exc)))
                        await self._stopping.wait()
                        return
                    await self._retry(sink, short_reason(exc), backoff.failed())
                    continue
                if connected is None:
                    return  # stopped while connecting
                conn, client = connected
                backoff.succeeded()
                sink.on_status(HostStatus(self.host, HostState.LIVE))
                reason = await self._stream(conn, client, sink)
                if self._stopping.is_set():
                    return
                sink.on_lines([self._gap(f"connection lost ({reason}); resuming when back")])
                await self._retry(sink, reason, backoff.failed())
        finally:
            if self._conn is not None:
                self._conn.close()
            sink.on_status(HostStatus(self.host, HostState.STOPPED))
            self._stopped.set()

    async def stop(self) -> None:
        """Stop streaming; closing the channels makes the remote lifelines kill tail."""
        self._stopping.set()
        if self._conn is not None:
            self._conn.close()
        if self._stopped.is_set():
            return
        with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), STOP_TIMEOUT)

    async def _until_stopped(self, work: Awaitable[T]) -> T | None:
        """`work`'s result, or None if `stop()` came first (the work is cancelled then)."""
        task = asyncio.ensure_future(work)
        stopper = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if task.done():
            return task.result()
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        return None

    async def _connect(self) -> tuple[asyncssh.SSHClientConnection, TrackingClient]:
        conn = await self.pool.connect(self.config, client_factory=TrackingClient)
        self._conn = conn
        client = conn.get_owner()
        assert isinstance(client, TrackingClient)
        return conn, client

    async def _retry(self, sink: LogSink, reason: str, delay: float) -> None:
        """Say RETRYING with the time of the next try, and wait for it (or `stop()`).

        `reason` is a few words ("connection refused"): the status line names the host."""
        retry_at = time.time() + delay
        sink.on_status(HostStatus(self.host, HostState.RETRYING, reason, retry_at=retry_at))
        with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), delay)

    # ------------------------------------------------------------------ streaming

    async def _stream(
        self, conn: asyncssh.SSHClientConnection, client: TrackingClient, sink: LogSink
    ) -> str:
        """Follow everything on one connection; returns why it ended."""
        tasks: list[asyncio.Task[None]] = []
        try:
            streams = await self._expand_files(conn, sink)
            # Tails opened during the history search, waiting for their start.
            opened: dict[str, _Opened] = {}
            searched = [s for s in streams if s.offset is None]
            await self._find_history(searched, conn, sink, opened)
            if self._history_left is not None:
                self._history_left = {s.path for s in streams if s.history_end is not None}
                if self._since() is not None:  # each unit's first look reads a history
                    self._history_left |= {_journal_key(j) for j in self._journals}
                self._history_past(sink)
            for stream in streams:
                early = opened.pop(stream.path, None)
                tasks.append(asyncio.create_task(self._follow_file(conn, stream, sink, early)))
            for journal in self._journals:
                tasks.append(asyncio.create_task(self._follow_journal(conn, journal, sink)))
            closed = asyncio.ensure_future(conn.wait_closed())
            stopper = asyncio.ensure_future(self._stopping.wait())
            await asyncio.wait({closed, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
        except (asyncssh.Error, OSError) as exc:
            client.lost = client.lost or exc
        finally:
            conn.close()
            # Let readers drain what already arrived, so nothing received is lost.
            if tasks:
                await asyncio.wait(tasks, timeout=1.0)
            for task in tasks:
                task.cancel()
            # Cut by a disconnect: what is left of the history arrives as live lines.
            if self._history_left:
                self._history_left.clear()
                self._history_past(sink)
        lost = client.lost
        if lost is None:
            return "closed by the remote host"
        return describe_transport_error(lost)

    async def _expand_files(
        self, conn: asyncssh.SSHClientConnection, sink: LogSink
    ) -> list[FileStream]:
        by_pattern: dict[str, LogFile] = {f.path: f for f in self.config.files}
        if not by_pattern:
            return []
        if any(_GLOB_CHARS.intersection(pattern) for pattern in by_pattern):
            result = await conn.run(expand_globs_command(list(by_pattern)), encoding=None)
            raw = result.stdout if isinstance(result.stdout, bytes) else b""
            paths = [p.decode("utf-8", "replace") for p in raw.split(b"\0") if p]
        else:
            # The remote loop would print each one as it is: skip its session (a login
            # shell on the host, 150 ms and more before the history search can start).
            paths = list(by_pattern)
        streams = []
        for path in paths:
            stream = self._files.get(path)
            if stream is None:
                service = _service_for(path, self.config) or self.config.service
                stream = self._files[path] = FileStream(path, service, self._reader())
            streams.append(stream)
        return streams

    async def _find_history(
        self,
        streams: list[FileStream],
        conn: asyncssh.SSHClientConnection,
        sink: LogSink,
        opened: dict[str, _Opened],
    ) -> None:
        """Sets each stream's start at its history (offset and inode, as for a resume);
        a stream whose file has no timestamps keeps the short backlog. Meanwhile each
        stream's tail channel is opened into `opened` (see `_open_tails`)."""
        since = self._since()
        if since is None or not streams:
            return
        limit, timeout = self.logs.history_bytes, self.logs.connect_timeout
        paths = [s.path for s in streams]

        async def open_tails() -> None:
            await self._open_tails(conn, streams, opened)

        look = await search_files(conn, paths, since, limit, timeout, after_open=open_tails)
        self._history_read += look.bytes_read
        if look.problem and not conn.is_closed():  # closed: the GAP line says it all
            missing = [sanitize(p) for p in paths if p not in look.files]
            sink.on_lines([self._notice(f"no history: {look.problem}", p) for p in missing])
        for stream in streams:
            history = look.files.get(stream.path)
            if history is None:
                continue
            start = stream.history = history.start
            if history.cut:
                self._cut_paths.add(stream.path)
            if start.offset is None:
                continue  # no timestamps: the short backlog
            stream.loaded_from = history.loaded_from(since)
            stream.offset, stream.inode = start.offset, history.state.inode
            stream.history_end = history.state.size
            stream.unaligned = not start.aligned
            stream.segments = history.segments
            if stream.segments and stream.path in opened:
                # Its rotated files load first, each on a channel of its own: its tail
                # would hold one more session all that time (a server's MaxSessions).
                opened.pop(stream.path)[0].close()
            source = sanitize(stream.path)
            sink.on_lines([self._notice(text, source, stream.service) for text in history.problems])
            if start.outcome is Outcome.CUT:
                text = cut_notice_text(stream.path, start.first_stamp, limit)
                # Timed as the first line loaded, so it sorts just before it.
                notice_line = self._notice(text, source, stream.service, at=start.first_stamp)
                sink.on_lines([notice_line])

    async def _open_tails(
        self,
        conn: asyncssh.SSHClientConnection,
        streams: list[FileStream],
        opened: dict[str, _Opened],
    ) -> None:
        """Opens each stream's tail channel now, its start to follow on stdin
        (`tail_file_later_command`): the host starts a login shell for each channel
        (150 ms and more with a busy ~/.bashrc), and this way it does so while the
        history search runs, not after it. A channel the server refuses (its
        MaxSessions) is opened when its tail starts, as without this."""
        backlog = self._backlog()
        for stream in streams:
            try:
                chan, session = await conn.create_session(
                    StreamChannel, tail_file_later_command(stream.path, backlog), encoding=None
                )
            except asyncssh.ChannelOpenError:
                return
            assert isinstance(session, StreamChannel)
            opened[stream.path] = (chan, session)

    def _backlog(self) -> int:
        """Bytes a first look without a history start shows: the short backlog, or with
        `history_bytes = 0` none (live lines only)."""
        live_only = self.history_range is not None and self.logs.history_bytes == 0
        return 0 if live_only else BACKLOG_BYTES

    def _history_past(self, sink: LogSink, stream: FileStream | None = None) -> None:
        """Once `stream` (if any) delivered its history: tell the sink when every file's
        has, once."""
        left = self._history_left
        if left is None:
            return
        if stream is not None:
            end = stream.history_end
            if end is None or (stream.offset or 0) < end:
                return
            stream.history_end = None
            left.discard(stream.path)
        if not left:
            self._history_left = None
            if self.loads_history:
                sink.on_history_done(self.host)

    async def _follow_file(
        self,
        conn: asyncssh.SSHClientConnection,
        stream: FileStream,
        sink: LogSink,
        opened: _Opened | None = None,
    ) -> None:
        """`opened`: its tail channel, opened during the search (`_open_tails`)."""
        # A first look without a history start (no range, or no timestamps in the file)
        # shows the short backlog; with `history_bytes = 0`, none: live lines only.
        backlog = self._backlog()
        command = tail_file_command(stream.path, stream.offset, stream.inode, backlog)
        # Rotated files before it, once: a reconnect does not load them again.
        segments, stream.segments = stream.segments, []
        try:
            for segment in segments:
                try:
                    await self._load_segment(conn, stream, segment, sink)
                except asyncssh.ChannelOpenError as exc:  # MaxSessions: the tail may still run
                    source = sanitize(segment.path)
                    sink.on_lines([self._notice(f"cannot read: {exc}", source, stream.service)])
            await self._pump(conn, command, stream, sink, backlog > 0, opened)
        except (asyncssh.Error, OSError) as exc:
            if not conn.is_closed():  # e.g. the server's MaxSessions: say so, no retry loop
                sink.on_lines([self._notice(f"cannot follow: {exc}", stream.path)])

    async def _pump(
        self,
        conn: asyncssh.SSHClientConnection,
        command: str,
        stream: FileStream,
        sink: LogSink,
        backlog: bool = True,
        opened: _Opened | None = None,
    ) -> None:
        start = _start_line(stream) if opened is not None else None
        if opened is not None and (start is None or opened[0].is_closing()):
            opened[0].close()  # a host's odd inode, or it ended: the usual command
            opened = None
        if opened is None or start is None:
            chan, session = await conn.create_session(StreamChannel, command, encoding=None)
        else:
            chan, session = opened
            chan.write(start)
        assert isinstance(session, StreamChannel)
        header: bytearray | None = bytearray()  # the script's first line, see HEADER
        source = sanitize(stream.path)
        # Shown once the file is quiet; a line the stream ends in goes with the stream.
        partial = PartialTail(sink, self.host, source, stream.reader, PARTIAL_QUIET_SECONDS)
        try:
            await self._pump_items(session, stream, sink, source, partial, header, backlog)
        finally:
            partial.clear()
        if session.exit_status not in (None, 0, 143) and not conn.is_closed():
            sink.on_lines([self._notice(f"tail exited with status {session.exit_status}", source)])
        chan.close()

    async def _pump_items(
        self,
        session: StreamChannel,
        stream: FileStream,
        sink: LogSink,
        source: str,
        partial: PartialTail,
        header: bytearray | None,
        backlog: bool,
    ) -> None:
        """Reads the channel until it closes: the header, stderr notices, the lines."""
        history_inode = stream.inode
        stderr = LineReader(4096)
        skip_partial = False
        while (item := await session.get()) is not None:
            kind, data = item
            if kind == 1:
                if any(marker in data for marker in _RESTART_MARKERS):
                    partial.clear()  # flushed as a line just below
                    self._deliver(sink, stream, source, stream.reader.flush())
                    stream.offset, stream.inode = 0, None
                texts = stderr.feed(data)
                if texts:
                    sink.on_lines([self._notice(t, source, stream.service) for t in texts])
                continue
            if header is not None:
                header += data
                newline = header.find(b"\n")
                if newline < 0:
                    continue
                first, data = bytes(header[:newline]), bytes(header[newline + 1 :])
                header = None
                if first.startswith(HEADER):
                    _, inode, start = first.decode("ascii", "replace").split(" ")
                    # A backlog starting mid-file starts mid-line: skip to a newline. So
                    # does a history start that is not a line start, unless the file was
                    # replaced since (then the tail starts at 0).
                    first_look = stream.offset is None and backlog
                    unaligned = stream.unaligned and stream.offset == int(start)
                    skip_partial = (first_look or unaligned) and int(start) > 0
                    stream.unaligned = False
                    stream.inode = None if inode == "-" else inode
                    stream.offset = int(start)
                    if stream.inode != history_inode:  # replaced since: nothing to wait for
                        stream.history_end = None
                    if stream.history_end is not None and stream.offset > stream.history_end:
                        stream.history_end = None
                    if stream.history_end is None:
                        left = self._history_left
                        if left is not None and stream.path in left:
                            left.discard(stream.path)
                            self._history_past(sink)
                    self._history_past(sink, stream)
            if skip_partial:
                newline = data.find(b"\n")
                if newline < 0:
                    stream.offset = (stream.offset or 0) + len(data)
                    continue
                stream.offset = (stream.offset or 0) + newline + 1
                data = data[newline + 1 :]
                skip_partial = False
            stream.offset = (stream.offset or 0) + len(data)
            lines = stream.reader.feed_dense(data)
            partial.fed(completed=lines is not None)
            self._deliver(sink, stream, source, lines)
            if stream.history_end is not None:
                self._history_past(sink, stream)

    async def _load_segment(
        self,
        conn: asyncssh.SSHClientConnection,
        stream: FileStream,
        segment: Segment,
        sink: LogSink,
    ) -> None:
        """Delivers one rotated file's part of `stream`'s history (`ssh.segments`)."""
        part = FileStream(segment.path, stream.service, self._reader())

        def notice(text: str, source: str, at: float | None) -> LogLine:
            return self._notice(text, source, stream.service, at=at)

        def deliver(source: str, texts: list[str]) -> None:
            self._deliver(sink, part, source, texts)

        await load_segment(
            conn,
            segment,
            part.reader,
            sink,
            notice=notice,
            deliver=deliver,
            history_bytes=self.logs.history_bytes,
        )

    def _deliver(
        self, sink: LogSink, stream: FileStream, source: str, texts: list[str] | DenseLines | None
    ) -> None:
        """Hands `texts` to the sink; `source` is the stream's path as its notices name it.
        Dense lines (what the reader hands out for a chunk) stay dense: one text, parsed
        in bulk (`parse_dense`), with no str per line."""
        if not texts:
            return
        received = time.time()
        arrived = time.monotonic()
        previous = stream.last_stamp if arrived - stream.last_at <= CONTINUATION_SECONDS else None
        batch: LineBatch
        if isinstance(texts, DenseLines):
            stamps, values = parse_dense(texts, received, inherit=True, previous=previous)
            last = float(stamps[-1])
            host, service = self.host, stream.service
            batch = LineBatch.of_dense(texts, stamps, values, received, host, source, service)
        else:
            timestamps, levels = parse_texts(texts, received, inherit=True, previous=previous)
            last = timestamps[-1]
            batch = LineBatch(
                texts, timestamps, levels, received, self.host, source, stream.service
            )
        # Only a time that came from the text is worth passing on, not a receive time.
        stream.last_stamp = None if last == received else last
        stream.last_at = arrived
        sink.on_lines(batch)

    async def _follow_journal(
        self, conn: asyncssh.SSHClientConnection, journal: JournalStream, sink: LogSink
    ) -> None:
        # The first connection starts at the range's start (20 entries without a range,
        # none with history_bytes = 0); later ones resume after the cursor.
        live_only = self.history_range is not None and self.logs.history_bytes == 0
        since = self._since()
        if since is not None and journal.cursor is None:
            self._journal_since = since
        await follow_journal(
            conn,
            journal,
            sink,
            self.host,
            self._notice,
            since=since,
            backlog=0 if live_only else 20,
            on_history_done=lambda: self._journal_history_past(sink, journal),
        )

    def _journal_history_past(self, sink: LogSink, journal: JournalStream) -> None:
        """`journal` delivered its history: tell the sink if every file's and unit's has."""
        if self._history_left is not None:
            self._history_left.discard(_journal_key(journal))
            self._history_past(sink)

    # ------------------------------------------------------------------ markers

    def _notice(
        self, text: str, source: str = "", service: str = "", at: float | None = None
    ) -> LogLine:
        """A NOTICE line about this host; `at`: its timestamp, if not the receive time."""
        line = notice(
            sanitize(text), time.time(), self.host, source, service or self.config.service
        )
        if at is not None:
            line.timestamp = at
        return line

    def _gap(self, text: str) -> LogLine:
        now = time.time()
        return LogLine(
            now,
            now,
            self.host,
            "",
            self.config.service,
            Level.UNKNOWN,
            sanitize(text),
            LineKind.GAP,
            None,
        )


def _start_line(stream: FileStream) -> bytes | None:
    """What an early-opened tail waits for (`tail_start_line`); None for an inode that
    is not digits (from the host: the usual command passes it on as quoted data)."""
    try:
        return tail_start_line(stream.offset, stream.inode)
    except ValueError:
        return None


def _journal_key(journal: JournalStream) -> str:
    """The unit's name among the streams whose history is awaited (never a file path:
    those are absolute)."""
    return f"journal:{journal.unit}"


def _service_for(path: str, host: LogHost) -> str:
    """The service of the config entry whose pattern produced `path`."""
    for entry in host.files:
        if entry.path == path or fnmatch.fnmatch(path, entry.path):
            return entry.service
    return ""


def build_log_sources(config: Config) -> list[SshLogSource]:
    """One source per configured host, all sharing one connection pool (and bastions)."""
    pool = ConnectionPool(config.logs)
    history = config.dashboard.range  # the first look loads the dashboard's range
    return [SshLogSource(host, config.logs, pool, history) for host in config.logs.hosts]
