"""A past window of a host's files, read on demand (history on demand, `fetch_window`).

The window `[start, end)` is found in each file by the history's own binary search
(`history.find_start`), run twice through one range-reader channel: once for `start`,
once for `end`. The bytes between the two offsets (and `WINDOW_TAIL` past the end one:
a stack trace's continuation, lines a little out of order) are read once, on a channel
of their own, and only the lines whose time falls in the window are kept, so lines
already loaded around it are not sent again. When the window starts before a file's
first line, its rotated predecessors (`rotated.rotated_names`) are read the same way,
newest first, as far back as the window needs; a gzipped one cannot be read at an
offset, so its decompressed content is streamed and filtered.

Each file is read at most `bound` bytes (the buffer's own `logs.max_bytes`: more could
not be kept); a window cut by it keeps its newest part and says so.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import asyncssh
import numpy as np

from pulse_tui.config import LogsConfig
from pulse_tui.model.core.sanitize import sanitize, sanitize_chunk
from pulse_tui.model.core.units import format_value
from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.dense import DenseLines
from pulse_tui.model.logs.line import Level
from pulse_tui.model.logs.parse import parse_dense
from pulse_tui.sources.base import FetchedWindow
from pulse_tui.sources.ssh.connect import StreamChannel
from pulse_tui.sources.ssh.history import BLOCK, MAX_SKIP, Outcome, find_start, first_stamp
from pulse_tui.sources.ssh.journal import JournalStream, read_journal_window
from pulse_tui.sources.ssh.line_reader import LineReader
from pulse_tui.sources.ssh.range_reader import RangeReader, ReadAt, search_stable
from pulse_tui.sources.ssh.remote_commands import read_span_command
from pulse_tui.sources.ssh.rotated import first_existing, rotated_names
from pulse_tui.sources.transport.errors import describe_transport_error

#: Bytes read past a window's end offset (the last line before `end` and what follows it).
WINDOW_TAIL = MAX_SKIP


@dataclass(frozen=True, slots=True)
class Span:
    """The bytes of one file to read for a window."""

    path: str
    compressed: bool
    offset: int
    length: int
    #: `offset` is a line start; else skip to the next newline first.
    aligned: bool = True


@dataclass(slots=True)
class FilesWindow:
    """What a window read from a host's files: the batches of each file part, in order, and
    its cost."""

    batches: list[LineBatch] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    bytes_read: int = 0


async def _plain_span(
    reader: RangeReader, path: str, start: float, end: float
) -> tuple[Span | None, bool] | None:
    """The span of `path` holding `[start, end)` (None if none does) and whether the
    window starts before the file's first line; None: missing, unreadable, unstamped or
    replaced twice during the search."""

    async def search(read: ReadAt, size: int) -> tuple[Span | None, bool] | None:
        low = await find_start(read, size, start)
        if low.outcome is Outcome.NO_STAMPS:
            return None
        if low.outcome is Outcome.NONE:
            return None, False  # every line is older than the window
        high = await find_start(read, size, end)
        older = low.outcome is Outcome.ALL
        if high.outcome is Outcome.ALL:
            return None, older  # the file starts after the window
        offset = low.offset or 0
        stop = size
        if high.outcome is not Outcome.NONE and high.offset is not None:
            stop = min(size, max(offset, high.offset) + WINDOW_TAIL)
        return Span(path, False, offset, stop - offset, low.aligned), older

    found = await search_stable(reader, path, search)
    return None if found is None else found[0]


async def plan_window(
    reader: RangeReader, path: str, start: float, end: float
) -> tuple[list[Span], list[str]]:
    """The spans to read for `path`'s part of `[start, end)`, oldest first, and what to
    tell the user about predecessors that could not be read."""
    found = await _plain_span(reader, path, start, end)
    if found is None:
        return [], []
    span, older = found
    spans = [span] if span is not None else []
    problems: list[str] = []
    names = rotated_names(path)
    for k in range(0, len(names), 2):
        if not older:
            break
        existing = await first_existing(reader, names[k : k + 2])
        if existing is None:
            break
        name, compressed, size = existing
        if not compressed:
            found = await _plain_span(reader, name, start, end)
            if found is None:
                break
            span, older = found
            if span is not None:
                spans.insert(0, span)
            continue
        _, head = await reader.read(name, 0, BLOCK, compressed=True)
        head = head.rstrip(b"\0")
        if not head:
            problems.append(f"{name}: not readable as gzip; older lines not loaded")
            break
        stamp = first_stamp(head)
        if stamp is None:
            break
        # The gzip trailer's last 4 bytes: the decompressed size (mod 4 GiB).
        _, trailer = await reader.read(name, max(0, size - 4), 4)
        full = int.from_bytes(trailer, "little") if len(trailer) == 4 else 0
        if stamp < end:
            spans.insert(0, Span(name, True, 0, max(full, BLOCK)))
        older = stamp > start
    return spans, problems


def bound_spans(spans: list[Span], bound: int) -> tuple[list[Span], bool]:
    """`spans` (oldest first) cut to `bound` bytes in all, newest kept; True if cut."""
    kept: list[Span] = []
    left = bound
    for span in reversed(spans):
        if left <= 0:
            return kept, True
        if span.length > left:
            cut = Span(span.path, span.compressed, span.offset + span.length - left, left, False)
            kept.insert(0, cut)
            return kept, True
        kept.insert(0, span)
        left -= span.length
    return kept, False


#: Bytes of a span taken before they are cut into lines: the column parser is for big
#: batches (an SSH packet of 32 KiB is ~200 lines, fewer than it takes).
PARSE_BYTES = 1 << 20


async def read_span(
    conn: asyncssh.SSHClientConnection,
    span: Span,
    start: float,
    end: float,
    *,
    host: str,
    service: str,
    max_line_bytes: int,
) -> tuple[list[LineBatch], int, str | None]:
    """The lines of `span` timed in `[start, end)` (in batches, in the file's order), the
    bytes read, and a problem if the host reported one (a corrupt .gz).

    As a history on connect is: one text per megabyte with no str per line, parsed by
    the column parser in a thread (`_parsed`), not line by line on the event loop."""
    command = read_span_command(span.path, span.offset, span.length, span.compressed)
    chan, session = await conn.create_session(StreamChannel, command, encoding=None)
    assert isinstance(session, StreamChannel)
    reader = LineReader(max_line_bytes, sanitize_chunk)
    stderr = LineReader(4096)
    parts: list[DenseLines] = []
    pending = bytearray()
    errors: list[str] = []
    count = 0
    skip_partial = not span.aligned and span.offset > 0
    try:
        while (item := await session.get()) is not None:
            kind, data = item
            if kind == 1:
                errors += [t for t in stderr.feed(data) if t.strip()]
                continue
            count += len(data)
            if skip_partial:
                newline = data.find(b"\n")
                if newline < 0:
                    continue
                data, skip_partial = data[newline + 1 :], False
            pending += data
            if len(pending) >= PARSE_BYTES:
                _cut(reader, pending, parts)
        _cut(reader, pending, parts)
        tail = reader.flush()
    finally:
        chan.close()
    if tail:
        parts.append(DenseLines.of(tail))
    problem = f"{sanitize(span.path)}: {sanitize(errors[0])}" if errors else None
    origin = (host, sanitize(span.path), service)
    batches = await asyncio.to_thread(
        _parsed, parts, span.compressed, start, end, time.time(), origin
    )
    return batches, count, problem


def _cut(reader: LineReader, pending: bytearray, parts: list[DenseLines]) -> None:
    """The lines `pending` completes, onto `parts`; `pending` is emptied."""
    if pending:
        lines = reader.feed_dense(bytes(pending))
        pending.clear()
        if lines is not None:
            parts.append(lines)


def _parsed(
    parts: list[DenseLines],
    compressed: bool,
    start: float,
    end: float,
    received: float,
    origin: tuple[str, str, str],
) -> list[LineBatch]:
    """`parts` parsed as one stream (a line without a time takes the one before it, across
    parts too), as batches of the lines timed in `[start, end)`."""
    if compressed:
        # `gzip -dc` of a member cut short pads with NULs: those are not lines (rare:
        # only rotated .gz files, so line by line).
        texts = [t.rstrip("\0") for lines in parts for t in lines.lines() if t.strip("\0")]
        parts = [DenseLines.of(texts)] if texts else []
    host, source, service = origin
    batches: list[LineBatch] = []
    previous: float | None = None
    for lines in parts:
        times, values = parse_dense(lines, received, inherit=True, previous=previous)
        if not len(times):
            continue
        previous = float(times[-1])
        inside = (times >= start) & (times < end)
        if inside.all():
            batches.append(
                LineBatch.of_dense(lines, times, values, received, host, source, service)
            )
        elif inside.any():  # the window's edges: the lines inside, as lists
            keep = np.flatnonzero(inside)
            batches.append(
                LineBatch(
                    lines.lines_at(keep),
                    times[keep].tolist(),
                    [Level(v) for v in values[keep].tolist()],
                    received,
                    host,
                    source,
                    service,
                )
            )
    return batches


async def fetch_files(
    conn: asyncssh.SSHClientConnection,
    files: list[tuple[str, str]],
    start: float,
    end: float,
    *,
    host: str,
    bound: int,
    max_line_bytes: int,
    timeout: float,
) -> FilesWindow:
    """`[start, end)` of each `(path, service)` in `files`. Raises the transport's errors
    (asyncssh.Error, OSError, ConnectionError, TimeoutError): the caller keeps nothing of
    a window it could not read whole."""
    window = FilesWindow()
    paths = [path for path, _ in files]
    names = [*paths, *(name for p in paths for name, _ in rotated_names(p))]
    reader = RangeReader(conn, names, timeout)
    await reader.open()
    plans: list[tuple[str, list[Span]]] = []
    try:
        for path, service in files:
            spans, problems = await plan_window(reader, path, start, end)
            window.problems += problems
            spans, cut = bound_spans(spans, bound)
            if cut:
                size = format_value(bound, "bytes")
                window.problems.append(f"{sanitize(path)}: window cut to its newest {size}")
            plans.append((service, spans))
    finally:
        reader.close()
        window.bytes_read += reader.bytes_read
    for service, spans in plans:
        for span in spans:
            batches, count, problem = await read_span(
                conn, span, start, end, host=host, service=service, max_line_bytes=max_line_bytes
            )
            window.bytes_read += count
            if problem:
                window.problems.append(problem)
            window.batches += batches
    return window


async def fetch_host_window(
    conn: asyncssh.SSHClientConnection | None,
    host: str,
    files: list[tuple[str, str]],
    journals: list[JournalStream],
    logs: LogsConfig,
    start: float,
    end: float,
) -> FetchedWindow:
    """`[start, end)` of a host's files and units on its live connection, all or nothing:
    a window cut short by a lost connection keeps no line (so none is lost or shown twice
    when it is fetched again); the reason is in `problem`."""
    window = FetchedWindow(host, start, end)
    if conn is None or conn.is_closed():
        window.problem = "window not loaded: not connected"
        window.failed = True
        return window
    try:
        read = await fetch_files(
            conn,
            files,
            start,
            end,
            host=host,
            bound=logs.max_bytes,
            max_line_bytes=logs.max_line_bytes,
            timeout=logs.connect_timeout,
        )
        window.batches += read.batches
        window.bytes_read = read.bytes_read
        for journal in journals:
            lines, count, problem = await read_journal_window(
                conn, journal, host, start, end, logs.max_line_bytes
            )
            window.bytes_read += count
            if problem:
                read.problems.append(problem)
            if lines:
                window.batches.append(lines)
    except (asyncssh.Error, OSError, ConnectionError, TimeoutError) as exc:
        plain = isinstance(exc, ConnectionError) and not isinstance(exc, OSError) and str(exc)
        text = str(exc) if plain else describe_transport_error(exc)
        lost = FetchedWindow(host, start, end, bytes_read=window.bytes_read, failed=True)
        lost.problem = f"window not loaded: {text or 'no answer'}"
        return lost
    if read.problems:
        window.problem = "; ".join(read.problems)
    return window
