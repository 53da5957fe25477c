"""A search on the hosts themselves (`H`), over a real sshd: the term is searched for as
data, never run; the range's files and rotated predecessors are searched; the bounds and
a cancel end the remote grep; a host that is down fails alone."""

from __future__ import annotations

import asyncio
import gzip
import json
import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support.process import free_port
from support.ssh_sources import finish, run_source
from support.sshd_server import SshdServer, remote_processes

from pulse_tui.config import JournalUnit, LogFile, LogHost, LogsConfig
from pulse_tui.model.search.remote import HostState, RemoteResults, RemoteTerm
from pulse_tui.sources.ssh.connect import ConnectionPool
from pulse_tui.sources.ssh.remote_search import HostSearcher
from pulse_tui.sources.ssh.tail import SshLogSource

pytestmark = pytest.mark.integration

LOGS = LogsConfig(connect_timeout=5, keepalive_interval=1)
HOUR = 3600.0


def iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


def lines(start: float, count: int, step: float, text: str) -> str:
    return "".join(f"{iso(start + i * step)} INFO {text} {i}\n" for i in range(count))


def idle_source(host: LogHost, logs: LogsConfig = LOGS) -> SshLogSource:
    """A source that is not streaming: a search opens a connection of its own."""
    return SshLogSource(host, logs, ConnectionPool(logs), HOUR)


async def search(
    sources: list[SshLogSource],
    typed: str,
    since: float,
    until: float,
    *,
    max_matches: int = 10_000,
    max_bytes: int = 16 << 20,
) -> RemoteResults:
    searcher = HostSearcher(sources, LOGS)
    results = RemoteResults(
        RemoteTerm.parse(typed), searcher.hosts, since, until, max_matches, max_bytes
    )
    await asyncio.wait_for(searcher.run(results), 30)
    return results


async def wait_for(condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_shell_metacharacters_are_searched_for_literally_and_nothing_runs(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    home = ssh_home(["web-1"])
    canary = tmp_path / "canary"
    now = time.time()
    terms = [
        f"$(touch {canary})",
        f"; touch {canary}",
        f"'; touch {canary}; '",
        f'"; touch {canary}; "',
        f"`touch {canary}`",
        "-e",
        "--help",
        "\\re:literal",
    ]
    log = tmp_path / "app.log"
    body = lines(now - 600, 50, 1, "GET /plain")
    body += "".join(f"{iso(now - 60 + i)} WARN odd input {t} here\n" for i, t in enumerate(terms))
    log.write_text(body)
    host = LogHost("web-1", files=(LogFile(str(log)),))
    for typed in terms:
        results = await search([idle_source(host)], typed, now - HOUR, now + 60)
        literal = typed[1:] if typed.startswith("\\") else typed
        assert [m.text for m in results.matches] == [
            line for line in body.splitlines() if literal.lower() in line.lower()
        ], typed
        assert results.hosts["web-1"].state is HostState.DONE
    # A regex term is a regex for grep -E, and still only data to the shell.
    results = await search([idle_source(host)], f"re:touch {canary}.*here$", now - HOUR, now)
    assert len(results.matches) == 5
    assert not canary.exists() and not (home / "canary").exists()


async def test_the_range_spans_rotated_files_and_only_matches_in_it_are_shown(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    now = time.time()
    log = tmp_path / "app.log"
    # Oldest first: .3.gz is corrupt, .2.gz holds the range's start, .1 and the file
    # the rest; a match before the range and one without a timestamp are not shown.
    (tmp_path / "app.log.3.gz").write_bytes(b"\x1f\x8b\x08\x00garbage, not gzip")
    old = lines(now - 3 * HOUR, 10, 60, "payment timeout") + lines(now - 2400, 10, 60, "ok")
    old += lines(now - 1900, 5, 10, "payment timeout")
    (tmp_path / "app.log.2.gz").write_bytes(gzip.compress(old.encode()))
    (tmp_path / "app.log.1").write_text(
        lines(now - 1200, 5, 10, "payment timeout") + "  at payment timeout (no stamp)\n"
    )
    log.write_text(lines(now - 300, 5, 10, "payment timeout") + lines(now - 200, 100, 1, "ok"))
    host = LogHost("web-1", files=(LogFile(str(log)),))
    results = await search([idle_source(host)], "Payment", now - 1800, now + 60)
    assert results.matches == []  # smart case: "Payment" is case-sensitive
    results = await search([idle_source(host)], "payment timeout", now - 2000, now + 60)
    sources = [m.source.rsplit("/", 1)[1] for m in results.matches]
    assert sources == ["app.log.2.gz"] * 5 + ["app.log.1"] * 5 + ["app.log"] * 5
    stamps = [m.timestamp for m in results.matches]
    assert stamps == sorted(stamps) and stamps[0] >= now - 2000
    state = results.hosts["web-1"]
    assert state.state is HostState.DONE and state.untimed == 1 and state.outside == 10
    assert state.problems == []  # .3.gz, corrupt, is older than the range: not read
    assert "1 without a timestamp not shown" in results.progress()


async def test_a_corrupt_gz_in_the_range_is_named_and_the_rest_is_searched(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    now = time.time()
    log = tmp_path / "app.log"
    good = lines(now - 3000, 5, 10, "payment timeout")
    # Its head is a real gzip stream (the range lookup reads it), its tail is cut off.
    (tmp_path / "app.log.1.gz").write_bytes(gzip.compress(good.encode() * 200)[:-40])
    log.write_text(lines(now - 300, 5, 10, "payment timeout"))
    host = LogHost("web-1", files=(LogFile(str(log)),))
    results = await search([idle_source(host)], "payment timeout", now - HOUR, now + 60)
    state = results.hosts["web-1"]
    assert state.state is HostState.DONE
    assert any("gzip" in p or "unexpected end" in p for p in state.problems), state.problems
    assert [m.source.rsplit("/", 1)[1] for m in results.matches][-5:] == ["app.log"] * 5


class Watching(RemoteResults):
    """Results that look at the host's processes when the first matches arrive: the
    remote grep is still running then (far more output than the channel buffers)."""

    term_text = ""
    running_at_first: bool | None = None
    on_first: Callable[[], None] | None = None

    def received(self, host: str, lines: list, size: int) -> bool:  # type: ignore[override]
        if self.running_at_first is None:
            self.running_at_first = bool(remote_processes(self.term_text))
            if self.on_first is not None:
                self.on_first()
        return super().received(host, lines, size)


def watching(term: str, hosts: list[str], since: float, until: float, cap: int) -> Watching:
    results = Watching(RemoteTerm.parse(term), hosts, since, until, cap, 1 << 40)
    results.term_text = term
    return results


async def test_the_match_bound_stops_the_remote_grep(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    now = time.time()
    log = tmp_path / "big.log"
    term = "needle-cap-7f3a"
    log.write_text(lines(now - 1800, 400_000, 0.004, term))  # ~24 MB, every line a match
    host = LogHost("web-1", files=(LogFile(str(log)),))
    searcher = HostSearcher([idle_source(host)], LOGS)
    results = watching(term, searcher.hosts, now - HOUR, now, 500)
    await asyncio.wait_for(searcher.run(results), 30)
    assert len(results.matches) == 500
    assert results.hosts["web-1"].state is HostState.STOPPED
    assert "stopped at 500 matches (logs.remote_search_max_matches)" in results.progress()
    assert results.running_at_first  # it was still going when the bound was reached ...
    assert results.bytes_received < log.stat().st_size // 2
    await wait_for(lambda: not remote_processes(term), "the remote grep to end")  # ... and ended


async def test_the_byte_bound_stops_the_search_too(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    now = time.time()
    log = tmp_path / "big.log"
    term = "needle-bytes-91c2"
    log.write_text(lines(now - 3600, 200_000, 0.01, term))
    host = LogHost("web-1", files=(LogFile(str(log)),))
    # A past range of 10 s: nearly every match after it is received and not shown.
    since = now - 3000
    results = await search([idle_source(host)], term, since, since + 10, max_bytes=256 * 1024)
    assert 900 <= len(results.matches) <= 1001
    assert results.hosts["web-1"].outside > 0
    assert "of matching lines (logs.remote_search_max_bytes)" in results.progress()
    await wait_for(lambda: not remote_processes(term), "the remote grep to end")


async def test_cancel_kills_the_remote_grep_on_a_shared_live_connection(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    now = time.time()
    log = tmp_path / "big.log"
    term = "needle-cancel-c0de"
    log.write_text(lines(now - 1800, 400_000, 0.004, term))
    host = LogHost("web-1", files=(LogFile(str(log)),))
    source, sink, streaming = await run_source(host, LOGS, None)
    try:
        await sink.wait_for(lambda: source.connection is not None, what="a live connection")

        async def no_new_connection(*_: object, **__: object) -> None:
            raise AssertionError("the search opened a connection of its own")

        source.pool.connect = no_new_connection  # type: ignore[method-assign, assignment]
        searcher = HostSearcher([source], LOGS)
        results = watching(term, searcher.hosts, now - HOUR, now, 10**9)
        task = asyncio.create_task(searcher.run(results))
        # The user presses Escape as the first matches arrive.
        results.on_first = lambda: (task.cancel(), results.cancel())
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 30)
        assert results.running_at_first
        await wait_for(lambda: not remote_processes(term), "the remote grep to end")
        assert results.hosts["web-1"].state is HostState.STOPPED
        assert results.progress().startswith("cancelled")
        assert source.connection is not None  # the tail's connection lives on
    finally:
        await finish(source, streaming)


async def test_a_host_that_is_down_shows_its_error_while_the_others_return(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    down = f"Host down-1\n  HostName 127.0.0.1\n  Port {free_port()}\n\n"
    ssh_home(["web-1", "web-2"], extra_config=down)
    now = time.time()
    log = tmp_path / "app.log"
    log.write_text(lines(now - 600, 20, 10, "payment timeout"))
    hosts = [LogHost(name, files=(LogFile(str(log)),)) for name in ("web-1", "down-1", "web-2")]
    results = await search([idle_source(h) for h in hosts], "timeout", now - HOUR, now + 60)
    assert results.hosts["web-1"].state is HostState.DONE
    assert results.hosts["web-2"].state is HostState.DONE
    assert results.hosts["down-1"].state is HostState.FAILED
    assert "refused" in " ".join(results.hosts["down-1"].problems)
    assert len(results.matches) == 40
    assert {m.host for m in results.matches} == {"web-1", "web-2"}
    assert results.progress() == "searched 3 hosts · 1 failed · 40 matches"


# A journalctl that knows --since/--until/--grep/--case-sensitive/--unit over a JSON-lines
# file (the shared fake follows; this one only answers a search), or refuses --grep as
# systemd before 237 does. Each command line is appended to <journal>.argv.
_JOURNALCTL = r"""#!/usr/bin/env python3
import json, re, sys
args = sys.argv[1:]
with open("{journal}.argv", "a") as log:
    log.write(json.dumps(args) + "\n")
def opt(name, default=None):
    return next((a.split("=", 1)[1] for a in args if a.startswith(name + "=")), default)
if opt("--grep") is not None and not {grep}:
    sys.exit("journalctl: unrecognized option '--grep'")
since, until, unit = opt("--since"), opt("--until"), opt("--unit", "")
flags = re.IGNORECASE if opt("--case-sensitive") == "false" else 0
pattern = re.compile(opt("--grep", ""), flags)
for raw in open("{journal}").read().splitlines():
    e = json.loads(raw)
    t = int(e["__REALTIME_TIMESTAMP"]) / 1e6
    if unit and e.get("_SYSTEMD_UNIT") != unit:
        continue
    if since and t < float(since[1:]) or until and t >= float(until[1:]):
        continue
    if pattern.search(e["MESSAGE"]):
        print(json.dumps(e))
"""


def journalctl(sshd: SshdServer, journal: Path, *, grep: bool) -> None:
    fake = sshd.bin_dir / "journalctl"
    script = _JOURNALCTL.replace("{journal}", str(journal)).replace("{grep}", str(grep))
    fake.write_text(script)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)


def write_journal(path: Path, now: float) -> None:
    entries = []
    for i in range(40):
        message = f"Payment timeout (a.b) $(touch x) {i}" if i % 4 == 0 else f"ok {i}"
        entries.append(
            {
                "__CURSOR": f"c{i}",
                "__REALTIME_TIMESTAMP": str(int((now - 3950 + i * 100) * 1e6)),
                "MESSAGE": message,
                "PRIORITY": "3",
                "_SYSTEMD_UNIT": "pay.service",
            }
        )
    path.write_text("".join(json.dumps(e) + "\n" for e in entries))


async def test_journald_units_are_searched_with_journalctl_grep_over_the_range(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    now = time.time()
    journal = tmp_path / "journal.jsonl"
    write_journal(journal, now)
    journalctl(sshd, journal, grep=True)
    host = LogHost("web-1", journal=(JournalUnit("pay.service"),))
    results = await search([idle_source(host)], "timeout (a.b) $(touch", now - HOUR, now)
    # Entries 4..36 step 4 are inside the last hour (the first, at now - 3950, is not).
    assert [m.text.rsplit(" ", 1)[1] for m in results.matches] == [str(i) for i in range(4, 40, 4)]
    assert {m.source for m in results.matches} == {"journal:pay.service"}
    assert results.hosts["web-1"].state is HostState.DONE
    argv = json.loads(Path(f"{journal}.argv").read_text().splitlines()[-1])
    # Literal: escaped for journalctl's regex; smart case: lower case ignores case.
    assert "--grep=timeout\\ \\(a\\.b\\)\\ \\$\\(touch" in argv
    assert "--case-sensitive=false" in argv and "--unit=pay.service" in argv
    assert not (tmp_path / "x").exists()


async def test_a_journalctl_without_grep_is_said_to_be_unsupported(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    now = time.time()
    journal = tmp_path / "journal.jsonl"
    write_journal(journal, now)
    journalctl(sshd, journal, grep=False)
    log = tmp_path / "app.log"
    log.write_text(lines(now - 300, 3, 10, "payment timeout"))
    host = LogHost("web-1", files=(LogFile(str(log)),), journal=(JournalUnit("pay.service"),))
    results = await search([idle_source(host)], "timeout", now - HOUR, now)
    assert len(results.matches) == 3  # the file's
    state = results.hosts["web-1"]
    assert state.state is HostState.DONE
    assert state.problems == ["journal:pay.service: journalctl here cannot --grep"]
