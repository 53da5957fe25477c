"""What files really contain: rotation, truncation, garbage, huge lines, terminal attacks."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from support.sshd_server import RecordingSink, SshdServer

from pulse_tui.config import LogFile, LogHost, LogsConfig
from pulse_tui.model.core.sanitize import is_safe
from pulse_tui.model.logs.line import LineKind
from pulse_tui.sources.ssh.connect import ConnectionPool
from pulse_tui.sources.ssh.tail import SshLogSource

pytestmark = pytest.mark.integration

LOGS = LogsConfig(connect_timeout=3, keepalive_interval=1, max_line_bytes=4096)


async def follow(
    ssh_home: Callable[..., Path], *files: Path
) -> tuple[SshLogSource, RecordingSink, asyncio.Task[None]]:
    ssh_home(["web-1"])
    sink = RecordingSink()
    source = SshLogSource(
        LogHost("web-1", files=tuple(LogFile(str(f)) for f in files)), LOGS, ConnectionPool(LOGS)
    )
    return source, sink, asyncio.create_task(source.run(sink))


async def test_rotation_and_truncation_lose_nothing(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    log = tmp_path / "rot.log"
    log.write_text("a1\n")
    source, sink, task = await follow(ssh_home, log)
    await sink.wait_for(lambda: sink.texts() == ["a1"])
    with log.open("a") as f:
        f.write("a2\n")
    await sink.wait_for(lambda: sink.texts() == ["a1", "a2"])
    os.rename(log, tmp_path / "rot.log.1")  # logrotate's default: move, create anew
    log.write_text("b1\nb2\n")
    await sink.wait_for(lambda: sink.texts()[-2:] == ["b1", "b2"], what="rotated file")
    log.write_text("")  # copytruncate
    await asyncio.sleep(1.2)  # tail -F notices truncation on its next poll of the size
    with log.open("a") as f:
        f.write("c1\n")
    await sink.wait_for(lambda: sink.texts()[-1:] == ["c1"], what="after truncation")
    assert sink.texts() == ["a1", "a2", "b1", "b2", "c1"]
    await source.stop()
    await asyncio.wait_for(task, 2)


async def test_garbage_huge_lines_and_escapes_arrive_safe(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    log = tmp_path / "nasty.log"
    log.write_bytes(b"ready\n")
    source, sink, task = await follow(ssh_home, log)
    # Wait for the tail to run: a first look at a big file shows only its last 8 KiB.
    await sink.wait_for(lambda: sink.texts() == ["ready"])
    hostile = (
        "\x1b[31mred\x1b[0m \x1b[2J \x1b]0;title\x07 \x1b]8;;http://x/\x1b\\link\x1b]8;;\x1b\\ "
        "\x1b]52;c;QUFBQQ==\x07 \u009b31m bell\x07 cr\r bs\b "
        "\u202eevil\u2066 [bold]b[/bold] [link=x]"
    )
    with log.open("ab") as f:
        f.write(b"bad utf8 \xff\xfe\xc3\x28 binary \x00\x01\x02\x7f\n")
        f.write(hostile.encode() + b"\n")
        f.write(b"x" * 10_000 + b"\n")
        f.write(b"after long\n")
        f.write(b"y" * (5 * 1024 * 1024))  # 5 MiB, no newline
    await sink.wait_for(lambda: len(sink.texts()) == 6, what="6 lines")
    with log.open("ab") as f:
        f.write(b"\nfinal\n")
    await sink.wait_for(lambda: sink.texts()[-1:] == ["final"], what="line after 5 MiB")
    texts = sink.texts()[1:]
    assert all(is_safe(t) for t in texts)
    assert texts[0].startswith("bad utf8 \ufffd\ufffd\ufffd( binary \\x00\\x01\\x02\\x7f")
    assert "[bold]b[/bold] [link=x]" in texts[1] and "\\x1b[31mred" in texts[1]
    assert len(texts[2]) < 4200 and "truncated" in texts[2]
    assert texts[3] == "after long"
    assert texts[4].startswith("yyyy") and "truncated" in texts[4] and len(texts[4]) < 4200
    assert len(texts) == 6
    await source.stop()
    await asyncio.wait_for(task, 2)


async def test_several_files_and_globs_per_host(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    (tmp_path / "d").mkdir()
    for name in ("a.log", "b c.log", "skip.txt"):
        (tmp_path / "d" / name).write_text(f"from {name}\n")
    single = tmp_path / "single.log"
    single.write_text("single\n")
    ssh_home(["web-1"])
    host = LogHost(
        "web-1",
        service="default",
        files=(LogFile(str(tmp_path / "d/*.log"), service="globbed"), LogFile(str(single))),
    )
    sink = RecordingSink()
    source = SshLogSource(host, LOGS, ConnectionPool(LOGS))
    task = asyncio.create_task(source.run(sink))
    await sink.wait_for(lambda: len(sink.texts()) == 3)
    by_text = {line.text: line for line in sink.lines if line.kind == LineKind.LINE}
    assert by_text["from b c.log"].service == "globbed"
    assert by_text["from b c.log"].source == str(tmp_path / "d/b c.log")
    assert by_text["single"].service == "default"  # falls back to LogHost.service
    await source.stop()
    await asyncio.wait_for(task, 2)
