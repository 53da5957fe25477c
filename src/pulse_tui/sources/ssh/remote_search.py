"""A search on the log hosts themselves, for when they hold more of the range than the
buffer keeps: `grep` over each configured file and its rotated predecessors, `journalctl
--grep` for each unit, the matches streamed back into a `RemoteResults`.

The term is never shell code: it is a positional argument of a fixed `sh -c` script
(`remote_commands.sh_command`), handed to `grep -F`/`-E` after `-e`, so a leading dash is
a pattern too. Which bytes of which files hold the range is found as the history's start
is (`first_look.search_files`, a binary search on line timestamps, rotated `.1`/`.N.gz`
included), with no byte bound; each match's time is then read from its own text here,
and a match outside the range, or without a time, is counted, not shown.

A search shares the host's live tail connection when there is one (one more channel) and
opens its own otherwise (closed after). The remote script runs under a lifeline like the
tail's, but one that ends the whole process group: sshd starts every session in its own
group, so `kill 0` ends `grep`, `gzip` and `tail` however deep in a pipeline, when the
search is cancelled or has enough (the channel closes).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence

import asyncssh

from pulse_tui.config import JournalUnit, LogsConfig
from pulse_tui.model.core.sanitize import sanitize, sanitize_chunk
from pulse_tui.model.logs.journald import journal_line
from pulse_tui.model.logs.parse import timestamp_and_level
from pulse_tui.model.search.remote import RemoteResults, RemoteTerm
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.ssh.connect import StreamChannel
from pulse_tui.sources.ssh.first_look import search_files
from pulse_tui.sources.ssh.history import Outcome
from pulse_tui.sources.ssh.line_reader import LineReader
from pulse_tui.sources.ssh.remote_commands import expand_globs_command, sh_command
from pulse_tui.sources.ssh.tail import SshLogSource
from pulse_tui.sources.transport.errors import describe_transport_error

#: No byte bound on where a search starts: the whole range is searched.
UNBOUNDED = 1 << 62
#: Matches handed to the results at once (fewer sorts, fewer repaints).
BATCH = 256

# Like the tail's lifeline (remote_commands._LIFELINE), but the watcher ends the whole
# process group: the search is a pipeline per file, and killing the subshell alone
# would leave its grep running on the host.
_LIFELINE = """
exec 3<&0
( {cmd} ) </dev/null &
pulse_pid=$!
{{ cat >/dev/null <&3; kill 0; }} >/dev/null 2>&1 &
exec 3<&-
wait "$pulse_pid"
"""

# $1 grep's mode (from a fixed set), $2 the term, then (path, offset, "z" or "") for each
# part: the bytes from offset of the file (of its decompressed content, with z). Output:
# `F<path>` before each part, `L<line>` for each matching line, so no line can pass for
# a path.
_FILES = """
mode=$1 term=$2
shift 2
case $mode in -F|-Fi|-E|-Ei) ;; *) exit 2 ;; esac
""" + _LIFELINE.format(
    cmd="""
while [ "$#" -ge 3 ]; do
  f=$1 off=$2 z=$3
  shift 3
  case $off in ''|*[!0-9]*) exit 2 ;; esac
  printf 'F%s\\n' "$f"
  if [ "$z" = z ]; then
    gzip -dc -- "$f" | tail -c "+$((off + 1))" | grep "$mode" -e "$term" | sed 's/^/L/'
  else
    tail -c "+$((off + 1))" -- "$f" | grep "$mode" -e "$term" | sed 's/^/L/'
  fi
done"""
)

# "$@" is the journalctl command line; a journalctl that cannot --grep (before systemd
# 237, or built without PCRE2) says so on the first line.
_JOURNAL = """
if ! journalctl --grep=x --lines=0 --quiet >/dev/null 2>&1; then
  echo 'journalctl here cannot --grep'; exit 3
fi
""" + _LIFELINE.format(cmd='"$@"')


def files_search_command(term: RemoteTerm, parts: Sequence[tuple[str, int, bool]]) -> str:
    """`grep` for `term` in each (path, offset, compressed) part, in order."""
    args = [a for path, offset, z in parts for a in (path, str(offset), "z" if z else "")]
    return sh_command(_FILES, term.grep_mode, term.pattern, *args)


def journal_search_command(unit: str, term: RemoteTerm, since: float, until: float) -> str:
    """`journalctl --grep` for `term` in `unit`'s entries from `since` to `until`."""
    argv = [
        "journalctl",
        "--output=json",
        "--quiet",
        "--no-pager",
        f"--since=@{int(since)}",
        f"--until=@{int(until) + 1}",
        f"--grep={term.journal_pattern}",
        f"--case-sensitive={'false' if term.ignore_case else 'true'}",
    ]
    if unit:
        argv.append(f"--unit={unit}")
    return sh_command(_JOURNAL, *argv)


class HostSearcher:
    """Searches the hosts of the SSH log sources; one search at a time per call of `run`."""

    def __init__(self, sources: Sequence[object], logs: LogsConfig) -> None:
        #: The hosts that can be searched (SSH sources; the demo's cannot).
        self.targets = [s for s in sources if isinstance(s, SshLogSource)]
        self.logs = logs

    @property
    def hosts(self) -> list[str]:
        return [t.host for t in self.targets]

    @property
    def history_cut(self) -> bool:
        """Some host's history was cut by `logs.history_bytes`: it holds older lines."""
        return any(t.history_cut for t in self.targets)

    async def run(self, results: RemoteResults) -> None:
        """Search every host into `results`, all at once; one failing or slow host never
        holds back the others. Cancelling it (or `results` filling up) ends every remote
        search."""
        tasks = [asyncio.create_task(self._one(t, results)) for t in self.targets]
        try:
            pending = set(tasks)
            while pending:
                _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                if results.full:
                    break  # enough: the others stop too
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _one(self, source: SshLogSource, results: RemoteResults) -> None:
        host = source.host
        own: asyncssh.SSHClientConnection | None = None
        try:
            conn = source.connection
            if conn is None:  # not connected now: a connection of its own, for this search
                conn = own = await source.pool.connect(source.config)
            try:
                await _search_host(conn, source, results)
            except asyncssh.ChannelOpenError:
                if own is not None:
                    raise
                # The live connection has no channel to spare (MaxSessions): one of its own.
                conn = own = await source.pool.connect(source.config)
                await _search_host(conn, source, results)
            results.finished(host)
        except SourceError as exc:
            results.failed(host, str(exc))
        except (OSError, asyncssh.Error) as exc:
            results.failed(host, describe_transport_error(exc, host))
        except (TimeoutError, ConnectionError) as exc:
            results.failed(host, f"{host}: {exc or 'no answer'}")
        finally:
            if own is not None:
                own.close()


async def _search_host(
    conn: asyncssh.SSHClientConnection, source: SshLogSource, results: RemoteResults
) -> None:
    host, logs = source.host, source.logs
    parts = await _file_parts(conn, source, results)
    if parts:
        command = files_search_command(results.term, parts)
        await _stream(conn, command, host, results, logs.max_line_bytes)
    for unit in source.config.journal:
        if results.full:
            return
        await _search_journal(conn, source, unit, results)


async def _file_parts(
    conn: asyncssh.SSHClientConnection, source: SshLogSource, results: RemoteResults
) -> list[tuple[str, int, bool]]:
    """(path, offset, compressed) of every file part that holds the range, oldest first
    per file; a file without timestamps is named as not searched."""
    patterns = [f.path for f in source.config.files]
    if not patterns:
        return []
    done = await conn.run(expand_globs_command(patterns), encoding=None)
    raw = done.stdout if isinstance(done.stdout, bytes) else b""
    paths = [p.decode("utf-8", "replace") for p in raw.split(b"\0") if p]
    timeout = source.logs.connect_timeout
    look = await search_files(conn, paths, results.since, UNBOUNDED, timeout)
    if look.problem:
        raise SourceError(f"{source.host}: cannot find the range in its files: {look.problem}")
    parts: list[tuple[str, int, bool]] = []
    for path in paths:
        found = look.files.get(path)
        if found is None:
            results.problem(source.host, f"{sanitize(path)}: missing or not readable")
            continue
        for text in found.problems:
            results.problem(source.host, sanitize(text))
        start = found.start
        if start.offset is None or start.outcome is Outcome.NO_STAMPS:
            results.problem(source.host, f"{sanitize(path)}: no timestamps; not searched")
            continue
        parts += [(s.path, s.offset, s.compressed) for s in found.segments]
        if start.outcome is not Outcome.NONE:
            parts.append((path, start.offset, False))
    return parts


async def _stream(
    conn: asyncssh.SSHClientConnection,
    command: str,
    host: str,
    results: RemoteResults,
    max_line_bytes: int,
) -> None:
    """Runs the files search, handing its matches to `results` until it ends or they are
    full (then the channel closes, and the lifeline ends the remote grep)."""
    chan, session = await conn.create_session(StreamChannel, command, encoding=None)
    assert isinstance(session, StreamChannel)
    reader = LineReader(max_line_bytes, sanitize_chunk)
    errors = LineReader(4096)
    source = ""
    try:
        while (item := await session.get()) is not None:
            kind, data = item
            if kind == 1:
                for text in errors.feed(data):
                    if text.strip():
                        results.problem(host, text)
                continue
            batch: list[tuple[float | None, str, str]] = []
            for text in reader.feed(data):
                if text.startswith("F"):
                    source = text[1:]
                elif text.startswith("L"):
                    batch.append((timestamp_and_level(text[1:])[0], source, text[1:]))
            if not results.received(host, batch, len(data)):
                return
        status = session.exit_status
        if status not in (None, 0):
            results.problem(host, f"search exited with status {status}")
    finally:
        chan.close()


async def _search_journal(
    conn: asyncssh.SSHClientConnection,
    source: SshLogSource,
    unit: JournalUnit,
    results: RemoteResults,
) -> None:
    command = journal_search_command(unit.unit, results.term, results.since, results.until)
    name = f"journal:{unit.unit}" if unit.unit else "journal"
    chan, session = await conn.create_session(StreamChannel, command, encoding=None)
    assert isinstance(session, StreamChannel)
    reader = LineReader(source.logs.max_line_bytes, None)
    errors = LineReader(4096)
    service = unit.service or source.service
    try:
        while (item := await session.get()) is not None:
            kind, data = item
            if kind == 1:
                for text in errors.feed(data):
                    if text.strip():
                        results.problem(source.host, f"{name}: {text}")
                continue
            received = time.time()
            texts = reader.feed(data)
            batch: list[tuple[float | None, str, str]] = []
            for raw in texts:
                try:
                    entry = json.loads(raw)
                except ValueError:
                    if raw.strip():
                        results.problem(source.host, f"{name}: {sanitize(raw)}")
                    continue
                if isinstance(entry, dict):
                    line = journal_line(entry, received, source.host, name, service)
                    stamped = "__REALTIME_TIMESTAMP" in entry
                    batch.append((line.timestamp if stamped else None, name, line.text))
            if not results.received(source.host, batch, len(data)):
                return
    finally:
        chan.close()
