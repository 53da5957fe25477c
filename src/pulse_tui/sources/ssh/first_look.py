"""What a host's files load on their first look: each one's history start, found through
one range-reader channel, and the rotated predecessors to load before it."""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncssh

from pulse_tui.sources.ssh.history import HistoryStart, Outcome
from pulse_tui.sources.ssh.range_reader import FileState, RangeReader, search_file
from pulse_tui.sources.ssh.rotated import Segment, find_predecessors, rotated_names


@dataclass(frozen=True, slots=True)
class FileHistory:
    """One file's first look: where its tail starts, in which file (inode), and the
    rotated files to load before it, oldest first."""

    start: HistoryStart
    state: FileState
    segments: list[Segment] = field(default_factory=list)
    #: What to tell the user about rotated files that could not be read.
    problems: list[str] = field(default_factory=list)


async def search_files(
    conn: asyncssh.SSHClientConnection, paths: list[str], since: float, limit: int, timeout: float
) -> tuple[dict[str, FileHistory], str | None]:
    """Each path's first look, and why the searches ended early, if they did (the paths
    not in the result then get a byte backlog)."""
    found: dict[str, FileHistory] = {}
    names = [*paths, *(name for p in paths for name, _ in rotated_names(p))]
    reader = RangeReader(conn, names, timeout)
    try:
        await reader.open()
    except asyncssh.ChannelOpenError as exc:  # e.g. the server's MaxSessions
        return found, str(exc)
    try:
        for path in paths:
            result = await search_file(reader, path, since, limit)
            if result is None:  # missing or unreadable: the tail says why
                continue
            start, state = result
            history = FileHistory(start, state)
            # The range starts before the file's first line: its predecessors hold more.
            if start.outcome is Outcome.ALL and state.size < limit:
                budget = limit - state.size
                segments, problems = await find_predecessors(reader, path, since, budget)
                history = FileHistory(start, state, segments, problems)
            found[path] = history
    except (TimeoutError, ConnectionError) as exc:
        return found, str(exc) or f"no answer within {timeout:g}s"
    finally:
        reader.close()
    return found, None
