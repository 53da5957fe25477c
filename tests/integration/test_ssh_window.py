"""History on demand over a real sshd: a past window `[start, end)` of a host's files,
found by the history's binary search (start and end offsets), rotated files included."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support.fake_journalctl import install_fake_journalctl, journal_argvs
from support.ssh_sources import finish as stop_source
from support.ssh_sources import run_source
from support.sshd_server import SshdServer
from test_ssh_history import an_hour, iso, rotated_set, write_log

from pulse_tui.config import JournalUnit, LogFile, LogHost, LogsConfig
from pulse_tui.sources.ssh import window as window_module

pytestmark = pytest.mark.integration

LOGS = LogsConfig(connect_timeout=5, keepalive_interval=1)
FIVE_MINUTES = 300.0


async def connected(host: LogHost, logs: LogsConfig = LOGS, history: float = FIVE_MINUTES):
    source, sink, task = await run_source(host, logs, history)
    await sink.wait_for(lambda: sink.history_done == [host.label], what="history loaded")
    return source, sink, task


def numbers(window) -> list[int]:
    """The line numbers (`/items/N`) of a fetched window, in its batches' order."""
    return [int(line.text.split("/items/")[1].split()[0]) for b in window.batches for line in b]


async def test_a_past_window_holds_exactly_its_lines_and_reads_little(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "app.log"
    now = time.time()
    stamps = an_hour(now, step=0.05)  # 72 000 lines, ~4 MB
    write_log(log, stamps)
    source, _sink, task = await connected(LogHost("web-1", files=(LogFile(str(log)),)))
    loaded = source.loaded_since
    assert loaded is not None and now - FIVE_MINUTES - 1 <= loaded <= time.time() - FIVE_MINUTES
    # Between two lines' (millisecond) stamps, so the expectation is unambiguous.
    start, end = stamps[36_000] + 0.025, stamps[48_000] + 0.025
    window = await source.fetch_window(start, end)
    await stop_source(source, task, timeout=3)
    assert window.problem is None
    wanted = [i for i, t in enumerate(stamps) if start <= t < end]
    assert numbers(window) == wanted  # every line of the window, once, in file order
    assert all(start <= line.timestamp < end for b in window.batches for line in b)
    size = log.stat().st_size
    # Ten of the sixty minutes, plus a few probes: far less than the file.
    assert window.bytes_read < size * 10 / 60 + 512 * 1024
    assert source.window_bytes_read == window.bytes_read


@pytest.mark.parametrize("cut_every", [window_module.PARSE_BYTES, 4096])
async def test_a_window_of_many_megabytes_keeps_each_trace_with_its_head(
    sshd: SshdServer,
    ssh_home: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cut_every: int,
) -> None:
    """A window is cut into lines a megabyte at a time: a stack trace (lines with no time
    of their own) that straddles a cut still takes its head's time, and the lines come in
    the file's order, exactly those of the window (cut every 4 KiB too, so that cuts fall
    inside traces and the small parts take the row parser)."""
    monkeypatch.setattr(window_module, "PARSE_BYTES", cut_every)
    ssh_home(["web-1"])
    log = tmp_path / "app.log"
    now = time.time()
    stamps = an_hour(now, step=0.05)
    heads: list[tuple[int, float]] = []  # (line number, time) of each line with a time
    with log.open("w") as f:
        for i, t in enumerate(stamps):
            f.write(f"{iso(t)} ERROR GET /api/v1/items/{i} failed {'x' * 60}\n")
            heads.append((i, t))
            if i % 7 == 0:  # a trace of three lines with no time
                f.write("".join(f"    at frame{k} /items/{i} (app.py:{k})\n" for k in range(3)))
    source, _sink, task = await connected(LogHost("web-1", files=(LogFile(str(log)),)))
    start, end = stamps[20_000] + 0.025, stamps[50_000] + 0.025  # 25 minutes, ~4 MB
    window = await source.fetch_window(start, end)
    await stop_source(source, task, timeout=3)
    assert window.problem is None and len(window.batches) > 1  # cut more than once
    lines = [line for batch in window.batches for line in batch]
    wanted = [(i, t) for i, t in heads if start <= t < end]
    got_heads = [line for line in lines if not line.text.startswith("    at ")]
    assert [numbers_of(line.text) for line in got_heads] == [i for i, _ in wanted]
    assert [line.timestamp for line in got_heads] == pytest.approx([t for _, t in wanted])
    time_of = dict(wanted)
    traces = [line for line in lines if line.text.startswith("    at ")]
    assert len(traces) == 3 * sum(1 for i, _ in wanted if i % 7 == 0)
    for line in traces:  # each at its head's time, wherever the cuts fell
        assert line.timestamp == pytest.approx(time_of[numbers_of(line.text)])


def numbers_of(text: str) -> int:
    return int(text.split("/items/")[1].split()[0])


async def test_a_window_older_than_the_file_reads_its_rotated_predecessors(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    now = time.time()
    log, stamps = rotated_set(tmp_path, now)  # .2.gz 60-40 min ago, .1 40-20, app.log 20-0
    source, _sink, task = await connected(LogHost("web-1", files=(LogFile(str(log)),)))
    start, end = now - 2699, now - 599  # 45 to 10 minutes ago (between lines): all three files
    window = await source.fetch_window(start, end)
    await stop_source(source, task, timeout=3)
    assert window.problem is None
    every = [t for name in stamps for t in stamps[name]]  # numbered on file after file
    assert numbers(window) == [i for i, t in enumerate(every) if start <= t < end]
    assert [b.source for b in window.batches] == [f"{log}.2.gz", f"{log}.1", str(log)]


def write_journal(path: Path, now: float) -> list[float]:
    """An entry a minute for an hour, on the half minutes, as the fake journalctl reads
    them; returns their times."""
    stamps = [now - 3570 + n * 60 for n in range(60)]
    path.write_text(
        "".join(
            json.dumps(
                {
                    "__CURSOR": f"c{n}",
                    "__REALTIME_TIMESTAMP": str(int(at * 1e6)),
                    "PRIORITY": "6",
                    "_SYSTEMD_UNIT": "app.service",
                    "MESSAGE": f"entry {n}",
                }
            )
            + "\n"
            for n, at in enumerate(stamps)
        )
    )
    return stamps


async def test_a_journald_window_is_read_with_since_and_until(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    journal = tmp_path / "journal.jsonl"
    install_fake_journalctl(sshd.bin_dir, journal)
    ssh_home(["web-1"])
    now = time.time()
    stamps = write_journal(journal, now)
    host = LogHost("web-1", journal=(JournalUnit("app.service"),))
    source, sink, task = await run_source(host, LOGS, FIVE_MINUTES)
    await sink.wait_for(lambda: sink.texts()[-1:] == ["entry 59"], what="the unit followed")
    start, end = now - 2400, now - 1200  # 40 to 20 minutes ago: entries 20 to 39
    window = await source.fetch_window(start, end)
    await stop_source(source, task, timeout=3)
    assert window.problem is None and not window.failed
    texts = [line.text for batch in window.batches for line in batch]
    assert texts == [f"entry {n}" for n, t in enumerate(stamps) if start <= t < end]
    assert texts[0] == "entry 20" and texts[-1] == "entry 39"
    # The window's own command (the first look's history has no --until).
    ranged = [a for a in journal_argvs(journal) if any(x.startswith("--until") for x in a)]
    (once,) = ranged
    assert f"--since=@{int(start)}" in once and f"--until=@{int(end) + 1}" in once
    assert "--unit=app.service" in once


async def test_a_journalctl_failing_in_a_window_fetch_is_said_and_the_files_still_come(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    journal = tmp_path / "journal.jsonl"
    install_fake_journalctl(sshd.bin_dir, journal)
    ssh_home(["web-1"])
    now = time.time()
    write_journal(journal, now)
    log = tmp_path / "app.log"
    stamps = an_hour(now, step=1.0)
    write_log(log, stamps)
    host = LogHost("web-1", files=(LogFile(str(log)),), journal=(JournalUnit("app.service"),))
    source, _sink, task = await connected(host)
    # The journal breaks after the follow started: the window's journalctl fails.
    (tmp_path / "journal.jsonl.fail").write_text("Failed to open journal: Permission denied\n")
    start, end = now - 2400.5, now - 1200.5
    window = await source.fetch_window(start, end)
    await stop_source(source, task, timeout=3)
    assert window.problem == (
        "journal:app.service: journalctl exited with status 1: "
        "Failed to open journal: Permission denied"
    )
    assert not window.failed  # the host answered: asking again would fail the same way
    assert [b.source for b in window.batches] == [str(log)]  # the file's part is there
    assert numbers(window) == [i for i, t in enumerate(stamps) if start <= t < end]
