"""Byte ranges of a host's files, read through one channel: what the history search sees.

One `sh` loop on the host (`remote_commands.range_reader_command`) answers `INDEX OFFSET
LENGTH` requests on its stdin with the file's inode and size and those bytes; nothing is
installed or written there, and the loop ends when the channel closes. Requests go one at
a time (a lock), so several files' searches can share the channel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import asyncssh

from pulse_tui.sources.ssh.history import HistoryStart, plan_history
from pulse_tui.sources.ssh.remote_commands import range_reader_command

_T = TypeVar("_T")
#: Reads `length` bytes at `offset` of the file being searched.
ReadAt = Callable[[int, int], Awaitable[bytes]]


class FileChanged(Exception):
    """The file was replaced or truncated while it was being read."""


@dataclass(frozen=True, slots=True)
class FileState:
    """A file's inode (None: missing or unreadable) and size, as of one answer."""

    inode: str | None
    size: int


class RangeReader:
    """`read(path, offset, length)` for the paths it was opened with."""

    def __init__(self, conn: asyncssh.SSHClientConnection, paths: list[str], timeout: float):
        self._conn = conn
        self._paths = paths
        self._index = {path: i + 1 for i, path in enumerate(paths)}
        self._timeout = timeout
        self._lock = asyncio.Lock()
        self._process: asyncssh.SSHClientProcess[bytes] | None = None
        #: Bytes of file content received so far (the answers' headers not counted).
        self.bytes_read = 0

    async def open(self) -> RangeReader:
        command = range_reader_command(self._paths)
        self._process = await self._conn.create_process(command, encoding=None)
        return self

    async def stat(self, path: str) -> FileState:
        """The file's inode and size now."""
        state, _ = await self.read(path, 0, 0)
        return state

    async def read(
        self, path: str, offset: int, length: int, *, compressed: bool = False
    ) -> tuple[FileState, bytes]:
        """Up to `length` bytes of `path` from `offset`, and the file's state then.

        `compressed`: of its gzip-decompressed content, always `length` bytes, NUL-padded
        past its end (all NUL if it does not decompress)."""
        process = self._process
        assert process is not None, "open() first"
        mode = " z" if compressed else ""
        async with self._lock:
            process.stdin.write(f"{self._index[path]} {offset} {length}{mode}\n".encode())
            header = await asyncio.wait_for(process.stdout.readline(), self._timeout)
            parts = header.decode("ascii", "replace").split()
            if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
                raise ConnectionError(f"range reader: unexpected answer {header[:80]!r}")
            inode, size, count = parts[0], int(parts[1]), int(parts[2])
            data = b""
            if count:
                try:
                    data = await asyncio.wait_for(process.stdout.readexactly(count), self._timeout)
                except asyncio.IncompleteReadError as exc:
                    raise ConnectionError("range reader: the channel closed") from exc
            self.bytes_read += len(data)
        return FileState(None if inode == "-" else inode, size), data

    def close(self) -> None:
        if self._process is not None:
            self._process.stdin.write_eof()
            self._process.close()
            self._process = None


async def search_stable(
    reader: RangeReader, path: str, search: Callable[[ReadAt, int], Awaitable[_T]]
) -> tuple[_T, FileState] | None:
    """`search(read, size)` over `path` as one file: a read that finds the file replaced
    or truncated during the search starts it again, once. None if it changes again, or
    is missing or unreadable."""
    for _ in range(2):
        state = await reader.stat(path)
        if state.inode is None:
            return None

        async def read(offset: int, length: int, state: FileState = state) -> bytes:
            now, data = await reader.read(path, offset, length)
            if now.inode != state.inode or now.size < state.size:
                raise FileChanged(path)
            return data

        try:
            return await search(read, state.size), state
        except FileChanged:
            continue
    return None


async def search_file(
    reader: RangeReader, path: str, since: float, limit: int
) -> tuple[HistoryStart, FileState] | None:
    """Where `path`'s history starts (see `history.plan_history`) and the file it is in,
    searched as one file (`search_stable`); None: the caller falls back to a byte backlog.
    """
    return await search_stable(
        reader, path, lambda read, size: plan_history(read, size, since, limit)
    )
