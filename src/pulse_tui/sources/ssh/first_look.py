"""What a host's files load on their first look: each one's history start, found through
one range-reader channel, and the rotated predecessors to load before it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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

    @property
    def cut(self) -> bool:
        """The history bound cut the range, in the file itself or in a rotated
        predecessor: the host holds older lines of the range than are loaded."""
        return self.start.outcome is Outcome.CUT or any(s.cut for s in self.segments)

    def loaded_from(self, since: float) -> float:
        """From when this history delivers every line (`since`: the range's start):
        the range's start, unless a bound cut it (then its first line). Claiming less
        than is loaded costs only a re-read of a window, claiming more would hide lines."""
        start = self.start
        if self.cut or start.outcome is Outcome.NONE:
            return max(since, start.first_stamp or since)
        return min(since, start.first_stamp or since)


@dataclass(slots=True)
class FirstLook:
    """The first looks of a host's files, and what finding them cost."""

    #: Path -> its first look; a path missing here gets a byte backlog.
    files: dict[str, FileHistory] = field(default_factory=dict)
    #: Why the searches ended early, if they did.
    problem: str | None = None
    #: Bytes of file content read, for every file and rotated file looked at.
    bytes_read: int = 0


async def search_files(
    conn: asyncssh.SSHClientConnection,
    paths: list[str],
    since: float,
    limit: int,
    timeout: float,
    after_open: Callable[[], Awaitable[object]] | None = None,
) -> FirstLook:
    """Each path's first look, through one range-reader channel. `after_open` is awaited
    once that channel is open (so it has its session whatever else opens then), before
    the first read."""
    look = FirstLook()
    names = [*paths, *(name for p in paths for name, _ in rotated_names(p))]
    reader = RangeReader(conn, names, timeout)
    try:
        await reader.open()
    except asyncssh.ChannelOpenError as exc:  # e.g. the server's MaxSessions
        look.problem = str(exc)
        return look
    try:
        if after_open is not None:
            await after_open()
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
            look.files[path] = history
    except (TimeoutError, ConnectionError) as exc:
        look.problem = str(exc) or f"no answer within {timeout:g}s"
    finally:
        reader.close()
        look.bytes_read = reader.bytes_read
    return look
