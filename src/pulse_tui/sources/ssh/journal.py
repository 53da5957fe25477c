"""Following a journald unit over SSH: `journalctl --output=json --follow` on one channel.

A unit's first look reads its history from the range's start (`--since`, once, so the
source can say when the history is all there), then follows after the last entry's cursor;
a reconnect resumes after it too, and cursors already delivered are skipped, so an entry
shows once.
Entries become lines in the model (`logs.journald.journal_line`); whatever is not an entry
(journalctl's own words) becomes a NOTICE.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import asyncssh

from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.logs.journald import journal_line
from pulse_tui.model.logs.line import LogLine
from pulse_tui.sources.base import LogSink
from pulse_tui.sources.ssh.connect import StreamChannel
from pulse_tui.sources.ssh.line_reader import LineReader
from pulse_tui.sources.ssh.remote_commands import (
    journal_command,
    journal_history_command,
    journal_window_command,
)

#: Makes a NOTICE line: (text, source, service).
Notice = Callable[[str, str, str], LogLine]

#: Cursors remembered to skip entries delivered before a reconnect.
MAX_SEEN = 4096


@dataclass(slots=True)
class JournalStream:
    """Where one followed unit stands: the last cursor delivered, and those seen."""

    unit: str
    service: str
    reader: LineReader
    cursor: str | None = None
    seen: set[str] = field(default_factory=set)


async def follow_journal(
    conn: asyncssh.SSHClientConnection,
    journal: JournalStream,
    sink: LogSink,
    host: str,
    notice: Notice,
    *,
    since: float | None,
    backlog: int,
    on_history_done: Callable[[], None] | None = None,
) -> None:
    """Delivers `journal`'s entries until the channel closes.

    A first look with `since` reads the unit's history first, once (`journalctl --since`
    to the journal's end, a command that ends), calls `on_history_done` when all of it was
    delivered (or journalctl failed, which a NOTICE says), then follows after its last
    cursor: nothing is lost or shown twice between the two. A later look resumes after the
    cursor; a first look without `since` starts at the last `backlog` entries."""
    source = f"journal:{journal.unit}" if journal.unit else "journal"
    if journal.cursor is None and since is not None:
        command = journal_history_command(journal.unit, since)
        delivered = await _deliver(conn, command, journal, sink, host, source, notice)
        if on_history_done is not None:
            on_history_done()
        if not delivered or conn.is_closed():
            return  # said (or the GAP line will); a reconnect tries again
    command = journal_command(journal.unit, journal.cursor, since=since, backlog=backlog)
    await _deliver(conn, command, journal, sink, host, source, notice)


async def _deliver(
    conn: asyncssh.SSHClientConnection,
    command: str,
    journal: JournalStream,
    sink: LogSink,
    host: str,
    source: str,
    notice: Notice,
) -> bool:
    """Runs one journalctl `command`, delivering its entries until its channel closes;
    False when it failed (its stderr and exit status are said in NOTICEs)."""
    chan, session = await conn.create_session(StreamChannel, command, encoding=None)
    assert isinstance(session, StreamChannel)
    stderr = LineReader(4096)
    while (item := await session.get()) is not None:
        kind, data = item
        if kind == 1:
            texts = stderr.feed(data)
            if texts:
                sink.on_lines([notice(t, source, journal.service) for t in texts])
            continue
        lines = []
        received = time.time()
        for raw in journal.reader.feed(data):
            line = entry_line(raw, journal, host, source, received, notice)
            if line is not None:
                lines.append(line)
        if lines:
            sink.on_lines(lines)
    failed = session.exit_status not in (None, 0, 143) and not conn.is_closed()
    if failed:
        text = f"journalctl exited with status {session.exit_status}"
        sink.on_lines([notice(text, source, "")])
    chan.close()
    return not failed


def entry_line(
    raw: str, journal: JournalStream, host: str, source: str, received: float, notice: Notice
) -> LogLine | None:
    """The line for one line of journalctl's JSON output (None: nothing to show)."""
    try:
        entry = json.loads(raw)
    except ValueError:
        return notice(sanitize(raw), source, journal.service) if raw.strip() else None
    if not isinstance(entry, dict):
        return None
    cursor = entry.get("__CURSOR")
    if isinstance(cursor, str):
        if cursor in journal.seen or cursor == journal.cursor:
            return None  # already delivered before a reconnect
        journal.cursor = cursor
        journal.seen.add(cursor)
        if len(journal.seen) > MAX_SEEN:
            journal.seen = {cursor}
    return journal_line(entry, received, host, source, journal.service)


async def read_journal_window(
    conn: asyncssh.SSHClientConnection,
    journal: JournalStream,
    host: str,
    start: float,
    end: float,
    max_line_bytes: int,
) -> tuple[list[LogLine], int, str | None]:
    """The unit's entries timed in `[start, end)` (a past window, `journalctl --since
    --until`, once), the bytes read, and what went wrong if journalctl failed (its exit
    status and first words on stderr). The followed stream's cursor is not touched."""
    source = f"journal:{journal.unit}" if journal.unit else "journal"
    command = journal_window_command(journal.unit, start, end)
    chan, session = await conn.create_session(StreamChannel, command, encoding=None)
    assert isinstance(session, StreamChannel)
    reader = LineReader(max_line_bytes, None)
    stderr = LineReader(4096)
    errors: list[str] = []
    lines: list[LogLine] = []
    count = 0
    received = time.time()
    try:
        while (item := await session.get()) is not None:
            kind, data = item
            if kind == 1:  # journalctl's own words about a window are not lines of it
                errors += [t for t in stderr.feed(data) if t.strip()]
                continue
            count += len(data)
            for raw in [*reader.feed(data)]:
                line = _window_line(raw, journal, host, source, received)
                if line is not None and start <= line.timestamp < end:
                    lines.append(line)
    finally:
        chan.close()
    status = session.exit_status
    if status in (None, 0) or conn.is_closed():
        return lines, count, None  # closed: the caller hears of the lost connection
    said = f": {sanitize(errors[0])}" if errors else ""
    return lines, count, f"{source}: journalctl exited with status {status}{said}"


def _window_line(
    raw: str, journal: JournalStream, host: str, source: str, received: float
) -> LogLine | None:
    try:
        entry = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(entry, dict):
        return None
    return journal_line(entry, received, host, source, journal.service)
