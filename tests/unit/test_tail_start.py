"""The tail script that waits for its start on stdin (opened during the history search):
run here with `sh`, as sshd would run it."""

from __future__ import annotations

import os
import select
import shlex
import subprocess
import time
from pathlib import Path

import pytest

from pulse_tui.sources.ssh.remote_commands import tail_file_later_command, tail_start_line


def read_exactly(proc: subprocess.Popen[bytes], count: int, timeout: float = 10) -> bytes:
    """`count` bytes of the script's stdout (fewer only if it ends first)."""
    assert proc.stdout is not None
    data = b""
    deadline = time.monotonic() + timeout
    while len(data) < count and time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.1)
        if ready:
            chunk = os.read(proc.stdout.fileno(), count - len(data))
            if not chunk:
                break
            data += chunk
    return data


def start(path: Path, line: bytes, backlog: int = 8192) -> subprocess.Popen[bytes]:
    argv = shlex.split(tail_file_later_command(str(path), backlog))
    # Run where the file is: a `touch pwned` that ran would leave its file there.
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=path.parent)
    assert proc.stdin is not None
    proc.stdin.write(line)
    proc.stdin.flush()
    return proc


def stop(proc: subprocess.Popen[bytes]) -> int:
    """Close its stdin, as a closed channel does: the lifeline ends the tail."""
    assert proc.stdin is not None
    proc.stdin.close()
    return proc.wait(10)


def test_the_start_line_is_where_the_tail_starts(tmp_path: Path) -> None:
    log = tmp_path / "a b $(x).log"
    log.write_bytes(b"line one\nline two\n")
    inode = log.stat().st_ino
    proc = start(log, tail_start_line(9, str(inode)))
    header = f"PULSE {inode} 9\n".encode()
    assert read_exactly(proc, len(header) + 9) == header + b"line two\n"
    assert stop(proc) in (0, 143)


def test_a_first_look_without_an_offset_gets_the_backlog(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(b"x" * 100 + b"last\n")
    inode = log.stat().st_ino
    proc = start(log, tail_start_line(None, None), backlog=5)
    header = f"PULSE {inode} 100\n".encode()
    assert read_exactly(proc, len(header) + 5) == header + b"last\n"
    assert stop(proc) in (0, 143)


def test_another_inode_starts_the_file_over(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(b"new file\n")
    inode = log.stat().st_ino
    proc = start(log, tail_start_line(4, str(inode + 1)))
    header = f"PULSE {inode} 0\n".encode()
    assert read_exactly(proc, len(header) + 9) == header + b"new file\n"
    assert stop(proc) in (0, 143)


@pytest.mark.parametrize(
    "line", [b"1;touch pwned -\n", b"$(touch pwned) -\n", b"0 1$(touch pwned)\n", b"\n"]
)
def test_anything_but_digits_ends_the_script_before_the_tail(tmp_path: Path, line: bytes) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(b"data\n")
    proc = start(log, line)
    assert read_exactly(proc, 1, timeout=5) == b""  # no header, no bytes
    assert stop(proc) == 2
    assert not (tmp_path / "pwned").exists()


def test_the_start_line_refuses_an_inode_that_is_not_digits() -> None:
    assert tail_start_line(12, "345") == b"12 345\n"
    assert tail_start_line(None, None) == b"new -\n"
    with pytest.raises(ValueError):
        tail_start_line(0, "1 2")
