"""A file's first look goes back to the start of the dashboard's range, over a real sshd.

Each file here is written with ISO timestamps ending now; the source is told the range
(`history_range`, the dashboard's `range` in the app) and must deliver the lines from the
one at or just before now - range, found by a binary search of small reads on the host.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support.fake_journalctl import install_fake_journalctl, journal_argvs
from support.ssh_sources import finish as stop_source
from support.ssh_sources import run_source
from support.sshd_server import RecordingSink, SshdServer

from pulse_tui.config import Config, DashboardConfig, JournalUnit, LogFile, LogHost, LogsConfig
from pulse_tui.model.logs.line import LineKind
from pulse_tui.sources.ssh.history import Outcome
from pulse_tui.sources.ssh.range_reader import RangeReader
from pulse_tui.sources.ssh.tail import SshLogSource, build_log_sources

pytestmark = pytest.mark.integration

LOGS = LogsConfig(connect_timeout=5, keepalive_interval=1)
HALF_HOUR = 1800.0


def iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


def write_log(path: Path, stamps: list[float], pad: int = 0, first: int = 0) -> list[int]:
    """One line per stamp, numbered from `first` (`pad` more bytes each); returns each
    line's offset."""
    offsets, chunks, at = [], [], 0
    for i, t in enumerate(stamps, first):
        line = f"{iso(t)} INFO GET /api/v1/items/{i} 200 {'x' * pad}\n".encode()
        offsets.append(at)
        chunks.append(line)
        at += len(line)
    with path.open("wb") as f:
        f.write(b"".join(chunks))
    return offsets


def an_hour(now: float, step: float = 0.05) -> list[float]:
    """An hour of stamps ending at `now`, one every `step` seconds."""
    count = int(3600 / step)
    return [now - 3600 + i * step for i in range(count + 1)]


async def follow(
    host: LogHost, logs: LogsConfig = LOGS, history_range: float | None = HALF_HOUR
) -> tuple[SshLogSource, RecordingSink, asyncio.Task[None]]:
    return await run_source(host, logs, history_range)


async def finish(source: SshLogSource, task: asyncio.Task[None]) -> None:
    # History streams take a little longer to wind down than the fault tests allow.
    await stop_source(source, task, timeout=3)


def lines_of(sink: RecordingSink) -> list:
    return [line for line in sink.lines if line.kind == LineKind.LINE]


async def test_an_hour_of_lines_with_a_half_hour_range_starts_at_the_range(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "app.log"
    now = time.time()
    stamps = an_hour(now)  # 72 000 lines, ~4 MB
    write_log(log, stamps)
    before = time.time()
    source, sink, task = await follow(LogHost("web-1", files=(LogFile(str(log)),)))
    last = f"/items/{len(stamps) - 1} "
    await sink.wait_for(lambda: sink.lines and last in sink.lines[-1].text, what="last line")
    after = time.time()
    await finish(source, task)
    got = lines_of(sink)
    first = got[0].timestamp
    # At or just before the range's start (the source took `since` between the two).
    assert first <= after - HALF_HOUR and first >= before - HALF_HOUR - 0.2
    # The source chose its start between `before` and `after`: every line from the later
    # bound must be there, and no more than a probe's landing slack before the earlier one.
    at_least = sum(1 for t in stamps if t >= after - HALF_HOUR)
    at_most = sum(1 for t in stamps if t >= before - HALF_HOUR - 0.2)
    assert at_least <= len(got) <= at_most + 30
    assert [line.timestamp for line in got] == sorted(line.timestamp for line in got)
    start = source.history_start(str(log))
    assert start is not None and start.outcome is Outcome.FOUND
    assert 0 < source.history_bytes_read < 512 * 1024
    assert sink.texts(LineKind.NOTICE) == []
    assert source.loads_history and sink.history_done == ["web-1"]  # past it, said once
    assert sink.history_done_after == [len(sink.lines)]  # after the whole history


async def test_a_2gib_sparse_file_is_searched_reading_at_most_1mib(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    # A 2 GiB file that holds 1 MiB of real lines at its end, after the hole a
    # copytruncate leaves when the writer keeps its offset.
    ssh_home(["web-1"])
    log = tmp_path / "sparse.log"
    size = 2 * 1024**3
    now = time.time()
    stamps = [now - 2000 + i * 0.25 for i in range(8000)]
    lines = [f"{iso(t)} INFO tick {i}\n".encode() for i, t in enumerate(stamps)]
    body = b"".join(lines)
    hole = size - len(body)
    with log.open("wb") as f:
        f.truncate(hole)
        f.seek(hole)
        f.write(body)
    offsets = [hole]
    for line in lines[:-1]:
        offsets.append(offsets[-1] + len(line))
    source, sink, task = await follow(LogHost("web-1", files=(LogFile(str(log)),)))
    await sink.wait_for(lambda: sink.lines and "tick 7999" in sink.lines[-1].text)
    await finish(source, task)
    start = source.history_start(str(log))
    assert start is not None and start.outcome is Outcome.FOUND
    since = now - HALF_HOUR
    expected = next(i for i, t in enumerate(stamps) if t >= since - 1)  # `since` is a bit later
    assert start.offset in offsets[expected - 1 : expected + 8]
    assert source.history_bytes_read <= 1024 * 1024
    assert lines_of(sink)[0].timestamp <= time.time() - HALF_HOUR


async def test_a_file_without_timestamps_shows_the_byte_backlog(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "plain.log"
    log.write_bytes(b"".join(b"plain line %05d with no time\n" % i for i in range(10_000)))
    source, sink, task = await follow(LogHost("web-1", files=(LogFile(str(log)),)))
    await sink.wait_for(lambda: sink.texts()[-1:] == ["plain line 09999 with no time"])
    await asyncio.sleep(0.2)
    await finish(source, task)
    texts = sink.texts()
    assert 8192 // 30 - 1 <= len(texts) <= 8192 // 30  # the last 8 KiB, whole lines only
    assert texts[0].startswith("plain line ")
    start = source.history_start(str(log))
    assert start is not None and start.outcome is Outcome.NO_STAMPS


async def test_lines_out_of_order_land_at_or_before_the_range(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "threads.log"
    rnd = random.Random(3)
    now = time.time()
    # Threads that write late: each line up to 4 s older than its place in the file.
    stamps = [t - rnd.random() * 4 for t in an_hour(now, step=0.1)]
    write_log(log, stamps)
    source, sink, task = await follow(LogHost("web-1", files=(LogFile(str(log)),)))
    last = f"/items/{len(stamps) - 1} "
    await sink.wait_for(lambda: sink.lines and last in sink.lines[-1].text, what="last line")
    after = time.time()
    await finish(source, task)
    got = {line.text.split()[3] for line in lines_of(sink)}
    # Every line of the range arrived, wherever it sits; the first shown is before it.
    in_range = {f"/api/v1/items/{i}" for i, t in enumerate(stamps) if t >= after - HALF_HOUR}
    assert in_range <= got
    assert lines_of(sink)[0].timestamp <= after - HALF_HOUR


async def test_a_line_longer_than_a_probe_read(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "long.log"
    now = time.time()
    # Lines of 40 KiB, more than one 16 KiB probe: most probes land inside one.
    stamps = [now - 3600 + i * 2 for i in range(1801)]
    write_log(log, stamps, pad=40 * 1024)
    before = time.time()
    source, sink, task = await follow(LogHost("web-1", files=(LogFile(str(log)),)))
    await sink.wait_for(lambda: sink.lines and "/items/1800 " in sink.lines[-1].text)
    after = time.time()
    await finish(source, task)
    got = lines_of(sink)
    # The range starts at connect, between `before` and `after`: the lines from it (a
    # line or two before it, where the search lands) to the end.
    assert before - HALF_HOUR - 10 <= got[0].timestamp <= after - HALF_HOUR
    at_least = sum(1 for t in stamps if t >= after - HALF_HOUR)
    at_most = sum(1 for t in stamps if t >= before - HALF_HOUR - 10)
    assert at_least <= len(got) <= at_most
    assert source.history_bytes_read < 1024 * 1024


async def test_history_bytes_0_shows_only_new_lines(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "live.log"
    write_log(log, an_hour(time.time(), step=1))
    logs = LogsConfig(connect_timeout=5, history_bytes=0)
    source, sink, task = await follow(LogHost("web-1", files=(LogFile(str(log)),)), logs)
    await sink.wait_for(lambda: "live" in sink.states())
    # "Live" comes before the remote tail has looked at the file's size, so a line written
    # at once may fall before its start: keep writing until one arrives (no fixed sleep).
    deadline = time.monotonic() + 15
    while not sink.texts() and time.monotonic() < deadline:
        with log.open("a") as f:
            f.write(f"{iso(time.time())} INFO written after the start\n")
        await asyncio.sleep(0.2)
    await finish(source, task)
    assert sink.texts(), "no line written after the start arrived"
    assert all(text.endswith("written after the start") for text in sink.texts())
    assert source.history_start(str(log)) is None and source.history_bytes_read == 0


async def test_a_file_smaller_than_the_limit_and_all_in_range_loads_whole(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "young.log"
    now = time.time()
    stamps = [now - 600 + i for i in range(600)]  # ten minutes, all in the range
    write_log(log, stamps)
    source, sink, task = await follow(LogHost("web-1", files=(LogFile(str(log)),)))
    await sink.wait_for(lambda: len(sink.texts()) == 600)
    await finish(source, task)
    start = source.history_start(str(log))
    assert start is not None and (start.outcome, start.offset) == (Outcome.ALL, 0)
    assert sink.texts(LineKind.NOTICE) == []


async def test_history_bytes_cutting_the_range_says_from_when(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "busy.log"
    now = time.time()
    stamps = an_hour(now, step=0.1)
    offsets = write_log(log, stamps)
    size = log.stat().st_size
    logs = LogsConfig(connect_timeout=5, history_bytes=256 * 1024)
    source, sink, task = await follow(LogHost("web-1", files=(LogFile(str(log)),)), logs)
    last = f"/items/{len(stamps) - 1} "
    await sink.wait_for(lambda: sink.lines and last in sink.lines[-1].text, what="last line")
    await finish(source, task)
    first_index = next(i for i, o in enumerate(offsets) if o >= size - 256 * 1024)
    got = lines_of(sink)
    assert got[0].text.split()[3] == f"/api/v1/items/{first_index}"
    clock = time.strftime("%H:%M:%S", time.localtime(got[0].timestamp))
    notice = sink.lines[0]
    assert notice.kind == LineKind.NOTICE and notice.source == str(log)
    assert notice.text == (
        f"{log}: logs from {clock} · older lines beyond logs.history_bytes (256 KiB)"
    )
    assert notice.timestamp == got[0].timestamp  # sorts just before the file's first line
    assert sink.texts(LineKind.NOTICE) == [notice.text]


async def test_a_reconnect_resumes_and_does_not_replay_the_history(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "resume.log"
    stamps = an_hour(time.time(), step=1)
    write_log(log, stamps)
    source, sink, task = await follow(LogHost("web-1", files=(LogFile(str(log)),)))
    await sink.wait_for(lambda: sink.lines and "/items/3600 " in sink.lines[-1].text)
    history = sink.texts()
    searched = source.history_bytes_read
    source._conn.close()  # type: ignore[union-attr]
    await sink.wait_for(lambda: sink.texts(LineKind.GAP), what="GAP line")
    with log.open("a") as f:
        f.write(f"{iso(time.time())} INFO after the reconnect\n")
    await sink.wait_for(lambda: sink.texts()[-1:] != history[-1:], timeout=20)
    await asyncio.sleep(0.3)
    await finish(source, task)
    assert sink.texts() == [*history, sink.texts()[-1]]
    assert sink.texts()[-1].endswith("after the reconnect")
    assert source.history_bytes_read == searched  # searched once
    assert sink.history_done == ["web-1"]  # and said once
    assert sink.states().count("live") == 2


async def test_a_path_with_spaces_and_shell_metacharacters(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    odd = tmp_path / "we ird $(touch pwned) `touch pwned2`; 'q' \"d\" & | * ?"
    odd.mkdir()
    log = odd / "a b;$HOME.log"
    write_log(log, an_hour(time.time(), step=2))
    source, sink, task = await follow(LogHost("web-1", files=(LogFile(str(log)),)))
    await sink.wait_for(lambda: sink.lines and "/items/1800 " in sink.lines[-1].text)
    await finish(source, task)
    start = source.history_start(str(log))
    assert start is not None and start.outcome is Outcome.FOUND
    assert 899 <= len(sink.texts()) <= 902
    assert not list(tmp_path.rglob("pwned*")) and not (Path.cwd() / "pwned").exists()


async def test_the_dashboard_range_reaches_the_sources(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "dash.log"
    write_log(log, an_hour(time.time(), step=1))
    host = LogHost("web-1", files=(LogFile(str(log)),))
    config = Config(dashboard=DashboardConfig(range=600.0), logs=LogsConfig(hosts=(host,)))
    (source,) = build_log_sources(config)
    sink = RecordingSink()
    task = asyncio.create_task(source.run(sink))
    await sink.wait_for(lambda: sink.lines and "/items/3600 " in sink.lines[-1].text)
    await finish(source, task)
    assert 600 <= len(sink.texts()) <= 603


async def test_journald_starts_at_the_range(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    journal = tmp_path / "journal.jsonl"
    install_fake_journalctl(sshd.bin_dir, journal)
    ssh_home(["web-1"])
    now = time.time()

    def entry(n: int, at: float) -> str:
        fields = {
            "__CURSOR": f"c{n}",
            "__REALTIME_TIMESTAMP": str(int(at * 1e6)),
            "PRIORITY": "6",
            "_SYSTEMD_UNIT": "app.service",
            "MESSAGE": f"entry {n}",
        }
        return json.dumps(fields) + "\n"

    # An entry a minute for an hour, on the half minutes: entries 30 to 60 are in range.
    journal.write_text("".join(entry(n, now - 3570 + n * 60) for n in range(61)))
    host = LogHost("web-1", journal=(JournalUnit("app.service"),))
    source, sink, task = await follow(host)
    await sink.wait_for(lambda: sink.texts()[-1:] == ["entry 60"])
    await sink.wait_for(
        lambda: any("--follow" in a for a in journal_argvs(journal)),
        what="the unit followed after its history",
    )
    await asyncio.sleep(0.3)
    source._conn.close()  # type: ignore[union-attr]  # a reconnect resumes by cursor
    await sink.wait_for(lambda: sink.texts(LineKind.GAP), what="GAP line")
    with journal.open("a") as f:
        f.write(entry(61, time.time()))
    await sink.wait_for(lambda: sink.texts()[-1:] == ["entry 61"], timeout=20)
    await finish(source, task)
    assert sink.texts() == [f"entry {n}" for n in range(30, 62)]
    # The history is read once, to its end; both follows resume after its last cursor.
    (history,) = [a for a in journal_argvs(journal) if "--lines=0" not in a and "--follow" not in a]
    since = next(a for a in history if a.startswith("--since=@"))
    assert now - HALF_HOUR - 1 <= int(since.removeprefix("--since=@")) <= time.time()
    assert not any(a.startswith(("--lines", "--until")) for a in history)
    first, second = [a for a in journal_argvs(journal) if "--follow" in a]
    for follow_argv in (first, second):
        assert "--after-cursor=c60" in follow_argv
        assert not any(a.startswith("--since") for a in follow_argv)


def journal_entry(n: int, at: float, message: str = "") -> str:
    fields = {
        "__CURSOR": f"c{n}",
        "__REALTIME_TIMESTAMP": str(int(at * 1e6)),
        "PRIORITY": "6",
        "_SYSTEMD_UNIT": "app.service",
        "MESSAGE": message or f"entry {n}",
    }
    return json.dumps(fields) + "\n"


async def test_a_journald_only_host_says_when_its_history_is_delivered(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    """Without it the log feed holds every line until its 5 s quiet fallback: a unit's
    history is said done once all of it arrived, and what follows is live."""
    journal = tmp_path / "journal.jsonl"
    install_fake_journalctl(sshd.bin_dir, journal)
    ssh_home(["web-1"])
    now = time.time()
    # An entry a minute for an hour: entries 30 to 60 are in the half hour's range.
    journal.write_text("".join(journal_entry(n, now - 3570 + n * 60) for n in range(61)))
    host = LogHost("web-1", journal=(JournalUnit("app.service"),))
    source, sink, task = await follow(host)
    assert source.loads_history
    await sink.wait_for(lambda: sink.history_done, what="on_history_done")
    assert sink.history_done == ["web-1"]
    assert sink.history_done_after == [31]  # all of the range's entries, before it
    assert sink.texts() == [f"entry {n}" for n in range(30, 61)]
    with journal.open("a") as f:  # the unit is followed from there: live lines
        f.write(journal_entry(61, time.time(), "live entry"))
    await sink.wait_for(lambda: sink.texts()[-1:] == ["live entry"], what="the live entry")
    await stop_source(source, task)
    assert sink.history_done == ["web-1"]  # once
    assert sink.texts() == [*(f"entry {n}" for n in range(30, 61)), "live entry"]


async def test_a_host_with_files_and_a_unit_is_done_when_both_histories_are(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    journal = tmp_path / "journal.jsonl"
    install_fake_journalctl(sshd.bin_dir, journal)
    ssh_home(["web-1"])
    now = time.time()
    journal.write_text("".join(journal_entry(n, now - 3570 + n * 60) for n in range(61)))
    log = tmp_path / "app.log"
    write_log(log, an_hour(now, step=1))
    host = LogHost("web-1", files=(LogFile(str(log)),), journal=(JournalUnit("app.service"),))
    source, sink, task = await follow(host)
    await sink.wait_for(lambda: sink.history_done, what="on_history_done")
    await stop_source(source, task)
    (before,) = sink.history_done_after
    delivered = [line.text for line in sink.lines[:before]]
    assert [t for t in delivered if t.startswith("entry ")] == [f"entry {n}" for n in range(30, 61)]
    assert any("/items/3600 " in t for t in delivered)  # the file's last history line
    assert sink.history_done == ["web-1"]


def rotated_set(
    root: Path, now: float, *, corrupt: str = ""
) -> tuple[Path, dict[str, list[float]]]:
    """app.log.2.gz (60 to 40 minutes ago), app.log.1 (40 to 20), app.log (20 to now),
    a line every 2 s, numbered on from file to file (the last is 1799). `corrupt`:
    "truncated" cuts the .gz in half, "garbage" is no gzip at all."""
    import gzip

    log = root / "app.log"
    spans = {
        f"{log}.2.gz": (now - 3600, now - 2400),
        f"{log}.1": (now - 2400, now - 1200),
        str(log): (now - 1200, now),
    }
    stamps = {name: [a + i * 2 for i in range(int((b - a) / 2))] for name, (a, b) in spans.items()}
    first = 0
    for name, times in stamps.items():
        path = Path(name)
        write_log(path, times, first=first)
        first += len(times)
        if name.endswith(".gz"):
            raw = gzip.compress(path.read_bytes())
            if corrupt == "truncated":
                raw = raw[: len(raw) // 2]
            path.write_bytes(b"not a gzip file\n" * 50 if corrupt == "garbage" else raw)
    return log, stamps


async def test_rotated_files_before_the_range_are_loaded_older_first(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log, stamps = rotated_set(tmp_path, time.time())
    before = time.time()
    source, sink, task = await follow(LogHost("web-1", files=(LogFile(str(log)),)))
    await sink.wait_for(lambda: sink.lines and "/items/1799 " in sink.lines[-1].text)
    after = time.time()
    await finish(source, task)
    got = lines_of(sink)
    sources = [line.source for line in got]
    # Half an hour: the end of app.log.1, then all of app.log; the .gz is not even read.
    assert sources == sorted(sources, key=[f"{log}.1", str(log)].index)
    older = [line for line in got if line.source == f"{log}.1"]
    # The range starts when the source connects, between `before` and `after`; the
    # search lands on the line at or just before it (a line every 2 s).
    assert before - HALF_HOUR - 2 <= older[0].timestamp <= after - HALF_HOUR
    assert len([x for x in got if x.source == str(log)]) == len(stamps[str(log)])
    assert sink.texts(LineKind.NOTICE) == []


async def test_a_longer_range_reaches_into_the_gzipped_ones(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log, stamps = rotated_set(tmp_path, time.time())
    host = LogHost("web-1", files=(LogFile(str(log)),))
    before = time.time()
    source, sink, task = await follow(host, history_range=3000.0)
    await sink.wait_for(lambda: sink.lines and "/items/1799 " in sink.lines[-1].text)
    after = time.time()
    await finish(source, task)
    got = lines_of(sink)
    order = [f"{log}.2.gz", f"{log}.1", str(log)]
    assert [line.source for line in got] == sorted((x.source for x in got), key=order.index)
    gz = [line for line in got if line.source == f"{log}.2.gz"]
    # Older lines were dropped: it starts at the range's start (taken at connect).
    assert before - 3000 - 2 <= gz[0].timestamp <= after - 3000
    assert len([x for x in got if x.source == f"{log}.1"]) == len(stamps[f"{log}.1"])
    assert [line.timestamp for line in got] == sorted(line.timestamp for line in got)


@pytest.mark.parametrize("corrupt", ["truncated", "garbage"])
async def test_a_corrupt_gzip_is_a_notice_not_a_crash(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path, corrupt: str
) -> None:
    ssh_home(["web-1"])
    log, stamps = rotated_set(tmp_path, time.time(), corrupt=corrupt)
    host = LogHost("web-1", files=(LogFile(str(log)),))
    source, sink, task = await follow(host, history_range=3000.0)
    await sink.wait_for(lambda: sink.lines and "/items/1799 " in sink.lines[-1].text)
    await finish(source, task)
    notices = sink.texts(LineKind.NOTICE)
    assert len(notices) == 1
    if corrupt == "truncated":  # what decompressed is shown, then gzip's own words
        assert "unexpected end of file" in notices[0]
    else:
        assert notices[0] == f"{log}.2.gz: not readable as gzip; older history not loaded"
    got = lines_of(sink)
    assert len([x for x in got if x.source == f"{log}.1"]) == len(stamps[f"{log}.1"])
    assert len([x for x in got if x.source == str(log)]) == len(stamps[str(log)])


def numbered(sink: RecordingSink) -> list[int]:
    """The `/items/N` numbers of the lines delivered, in delivery order."""
    return [int(line.text.split("/items/")[1].split()[0]) for line in lines_of(sink)]


@pytest.mark.parametrize("change", ["rotated", "copytruncate", "truncated"])
async def test_a_file_changed_on_the_host_during_the_history_search(
    sshd: SshdServer,
    ssh_home: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    """The file is rotated (renamed, a new one in its place), copied and truncated
    (logrotate's copytruncate) or truncated while the binary search is reading it: the
    change is made on the host between two of the search's reads (the reader's read is
    hooked; its bytes still come from the real sshd). The search starts over on the file
    as it is now; no line is lost or shown twice, and the first is at or before the
    range's start wherever the host still holds one."""
    ssh_home(["web-1"])
    log = tmp_path / "app.log"
    now = time.time()
    old = [now - 3660 + i for i in range(3600)]  # lines 0-3599: an hour, to a minute ago
    new = [now - 59 + i for i in range(60)]  # lines 3600-3659: the last minute
    write_log(log, old)
    reads: list[tuple[str, int]] = []
    stats: list[str] = []  # a search begins with one (a read of 0 bytes)
    real_read = RangeReader.read

    async def read(self: RangeReader, path: str, offset: int, length: int, **kw: bool):
        if path == str(log) and not length:
            stats.append(path)
        if path == str(log) and length:
            reads.append((path, offset))
            if len(reads) == 3:  # mid-search: the host's logrotate runs now
                if change == "rotated":
                    log.rename(f"{log}.1")
                elif change == "copytruncate":
                    shutil.copyfile(log, f"{log}.1")
                write_log(log, new, first=len(old))  # truncates, then the new lines
        return await real_read(self, path, offset, length, **kw)

    monkeypatch.setattr(RangeReader, "read", read)
    before = time.time()
    source, sink, task = await follow(LogHost("web-1", files=(LogFile(str(log)),)))
    await sink.wait_for(lambda: sink.history_done, what="on_history_done")
    await sink.wait_for(lambda: numbered(sink)[-1:] == [3659], what="the last line")
    after = time.time()
    await finish(source, task)
    assert len(stats) == 2 and len(reads) > 3  # the change was seen: searched again
    got = numbered(sink)
    if change == "truncated":  # the old lines are gone from the host: the new file, whole
        assert got == list(range(3600, 3660))
    else:  # the old file's range from `app.log.1`, then the new one: each line once
        assert got == list(range(got[0], 3660))
        first = lines_of(sink)[0].timestamp
        assert first <= after - HALF_HOUR and first >= before - HALF_HOUR - 2
    start = source.history_start(str(log))
    assert start is not None and (start.outcome, start.offset) == (Outcome.ALL, 0)
    assert sink.history_done == ["web-1"]
