"""The range reader: its sh loop run here with `sh` (the same script sshd would run), and
the search redone when the file changes under it."""

from __future__ import annotations

import shlex
import subprocess
import time
from pathlib import Path

from pulse_tui.sources.ssh.history import Outcome
from pulse_tui.sources.ssh.range_reader import FileState, search_file
from pulse_tui.sources.ssh.remote_commands import range_reader_command


def serve(paths: list[str], requests: str) -> subprocess.CompletedProcess[bytes]:
    argv = shlex.split(range_reader_command(paths))
    return subprocess.run(argv, input=requests.encode(), capture_output=True, timeout=10)


def test_each_answer_is_framed_by_inode_size_and_count(tmp_path: Path) -> None:
    log = tmp_path / "a b $(x).log"
    log.write_bytes(b"0123456789")
    inode = log.stat().st_ino
    done = serve([str(tmp_path / "other"), str(log)], "2 3 4\n2 8 100\n2 20 5\n1 0 5\n")
    assert done.stdout == (
        f"{inode} 10 4\n".encode()
        + b"3456"
        + f"{inode} 10 2\n".encode()
        + b"89"
        + f"{inode} 10 0\n".encode()
        + b"- 0 0\n"  # missing
    )
    assert done.returncode == 0


def test_anything_but_digits_ends_the_loop(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_bytes(b"data\n")
    done = serve([str(log)], "1 0 4\n1 a[$(touch pwned)] 4\n1 0 4\n")
    assert done.stdout.endswith(b"data") and done.stdout.count(b"data") == 1
    assert done.returncode == 2 and not (tmp_path / "pwned").exists()


class ChangingFile:
    """A RangeReader stand-in whose file is replaced after `replace_after` reads."""

    def __init__(self, old: bytes, new: bytes, replace_after: int, again: bool = False) -> None:
        self.files = [("1", old), ("2", new)] + ([("3", new)] if again else [])
        self.reads = 0
        self.replace_after = replace_after
        self.again = again

    def _current(self) -> tuple[str, bytes]:
        index = min(self.reads // self.replace_after, len(self.files) - 1)
        return self.files[index]

    async def stat(self, path: str) -> FileState:
        inode, data = self._current()
        return FileState(inode, len(data))

    async def read(self, path: str, offset: int, length: int) -> tuple[FileState, bytes]:
        self.reads += 1
        inode, data = self._current()
        return FileState(inode, len(data)), data[offset : offset + length]


def stamped(count: int, start: float) -> bytes:
    out = []
    for i in range(count):
        t = start + i
        out.append(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)) + f" INFO {i}\n")
    return "".join(out).encode()


async def test_a_file_replaced_during_the_search_is_searched_again() -> None:
    base = 1_700_000_000.0
    old, new = stamped(50_000, base), stamped(100, base + 60_000)
    reader = ChangingFile(old, new, replace_after=3)
    found = await search_file(reader, "app.log", base + 1000, 2**30)  # type: ignore[arg-type]
    assert found is not None
    start, state = found
    assert state == FileState("2", len(new)) and (start.outcome, start.offset) == (Outcome.ALL, 0)


async def test_a_file_that_keeps_changing_falls_back_to_the_backlog() -> None:
    base = 1_700_000_000.0
    old, new = stamped(50_000, base), stamped(50_000, base)
    reader = ChangingFile(old, new, replace_after=2, again=True)
    assert await search_file(reader, "app.log", base + 1000, 2**30) is None  # type: ignore[arg-type]
