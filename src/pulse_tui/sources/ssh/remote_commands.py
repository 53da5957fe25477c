"""The commands run on log hosts, built only from fixed scripts and `shlex.quote`d values.

Nothing typed in the UI ever reaches these: paths and units come from the config, and
each is passed to `sh -c SCRIPT sh ARG...` as a positional argument, so the remote
shell sees it as data, never as code.

Every long-running command runs under a *lifeline*: the real command (`tail`,
`journalctl`) runs in the background, and a watcher reads the channel's stdin; when
the channel closes (we stop, or the connection drops), stdin hits EOF and the watcher
kills the command. We cannot rely on signals: OpenSSH's sshd ignores the SSH "signal"
request, and closing a channel only closes the pipes, which an idle `tail -F` never
notices.

The one command that is not long-running is the range reader (`range_reader_command`): it
answers requests on its stdin, so it ends when the channel does, with nothing to kill.
"""

from __future__ import annotations

import shlex

#: Header the file script prints first on stdout: `PULSE <inode|-> <start offset>`.
HEADER = b"PULSE "
#: On a first connection, how much of an existing file to show (from a line start).
BACKLOG_BYTES = 8192

# stdin is fd 0 of the script; duplicated to fd 3 because POSIX sh gives background
# jobs /dev/null as stdin unless they redirect explicitly. The watcher's own output goes
# to /dev/null so it does not hold the channel open after the command exits.
_LIFELINE = """
exec 3<&0
{cmd} </dev/null &
pulse_pid=$!
{{ cat >/dev/null <&3; kill "$pulse_pid" 2>/dev/null; }} >/dev/null 2>&1 &
exec 3<&-
wait "$pulse_pid"
"""

# $1 path, $2 offset already received ("new" on a first connection), $3 its inode or "".
# Resume at the offset unless the file was replaced (inode differs) or shrank
# (truncated): then from the start, since every byte in it is new to us.
# $2 "stdin": the offset and inode come as the first line of stdin (`tail_start_line`),
# so the channel (and the login shell the host starts for it) can be opened while the
# history search still looks for the offset. Digits only, or the script ends.
_TAIL_FILE = """
f=$1 off=$2 ino=$3
if [ "$off" = stdin ]; then
  read -r off ino || exit 2
  case $off in new) ;; ''|*[!0-9]*) exit 2 ;; esac
  case $ino in -) ino= ;; *[!0-9]*) exit 2 ;; esac
fi
cur=$(stat -L -c %i -- "$f" 2>/dev/null) || cur=
size=$(stat -L -c %s -- "$f" 2>/dev/null) || size=0
if [ -z "$cur" ]; then off=0
elif [ "$off" = new ]; then
  if [ "$size" -gt {backlog} ]; then off=$((size - {backlog})); else off=0; fi
elif [ -n "$ino" ] && [ "$ino" != "$cur" ]; then off=0
elif [ "$size" -lt "$off" ]; then off=0
fi
printf 'PULSE %s %s\\n' "${{cur:--}}" "$off"
"""
_TAIL = _LIFELINE.format(cmd='tail -c "+$((off + 1))" -F -- "$f"')

# Expand globs on the remote side, NUL-separated. IFS is emptied so a pattern with
# spaces is not split; a pattern that matches nothing is printed as is (tail -F then
# waits for it and says so on stderr).
_EXPAND = """
IFS=
for pattern in "$@"; do
  for f in $pattern; do printf '%s\\0' "$f"; done
done
"""

#: The journal fields a line is made of (`model/journald.py`); journalctl adds its cursor
#: and timestamps to them.
JOURNAL_FIELDS = "MESSAGE,PRIORITY,_SYSTEMD_UNIT,SYSLOG_IDENTIFIER,_PID"

# "$@" is the journalctl command line. From systemd 236 on, journalctl can leave out the
# fields we never read: an entry is ~1 KB with all ~25 of them and ~0.3 KB with ours, so
# less to send and to parse. Older versions refuse the option, so it is tried first.
_JOURNAL = f"""
if journalctl --output-fields=MESSAGE --lines=0 --quiet >/dev/null 2>&1; then
  shift; set -- journalctl --output-fields={JOURNAL_FIELDS} "$@"
fi
{_LIFELINE.format(cmd='"$@"')}"""


def sh_command(script: str, *args: str) -> str:
    """`sh -c SCRIPT sh ARGS...`, every part quoted for the remote login shell."""
    return shlex.join(["sh", "-c", script.strip(), "sh", *args])


def expand_globs_command(patterns: list[str]) -> str:
    """Prints every file the patterns match, NUL-separated."""
    return sh_command(_EXPAND, *patterns)


def tail_file_command(
    path: str, offset: int | None, inode: str | None, backlog: int = BACKLOG_BYTES
) -> str:
    """Follow `path` by name from byte `offset`, a resume if `inode` is still the file's.

    `offset` None is a first look: the last `backlog` bytes (0: from the end).
    """
    script = _TAIL_FILE.format(backlog=backlog) + _TAIL
    return sh_command(script, path, "new" if offset is None else str(offset), inode or "")


def tail_file_later_command(path: str, backlog: int = BACKLOG_BYTES) -> str:
    """`tail_file_command` for `path`, waiting for its offset and inode on stdin: the
    first line written to the channel must be `tail_start_line(offset, inode)`."""
    script = _TAIL_FILE.format(backlog=backlog) + _TAIL
    return sh_command(script, path, "stdin", "")


def tail_start_line(offset: int | None, inode: str | None) -> bytes:
    """What `tail_file_later_command` waits for: where to start, as `tail_file_command`'s
    `offset` and `inode` say it."""
    if inode is not None and not inode.isdigit():
        raise ValueError(f"not an inode: {inode!r}")
    return f"{'new' if offset is None else int(offset)} {inode or '-'}\n".encode("ascii")


# "$@" are the paths. Each request on stdin is a line `INDEX OFFSET LENGTH [z]` (INDEX
# counts the paths from 1); each answer is a line `INODE SIZE COUNT` and then COUNT bytes
# of the file from OFFSET, COUNT = min(LENGTH, SIZE - OFFSET). If the file shrank between
# the stat and the read, the answer is padded with NUL bytes to COUNT, so it stays framed
# (the next answer's SIZE shows the change). With `z` the bytes are the file's gzip-
# decompressed content, always LENGTH of them (NUL-padded past its end, or all NUL if it
# does not decompress). A missing or unreadable file answers `- 0 0`. Requests are
# digits only: anything else ends the loop before reaching arithmetic.
_READ_RANGES = """
while read -r i off len z; do
  for v in "$i" "$off" "$len"; do
    case $v in ''|*[!0-9]*) exit 2 ;; esac
  done
  case $z in ''|z) ;; *) exit 2 ;; esac
  n=0 f=
  for a in "$@"; do n=$((n + 1)); [ "$n" -eq "$i" ] && f=$a; done
  if [ -n "$f" ] && [ -r "$f" ] && st=$(stat -L -c '%i %s' -- "$f" 2>/dev/null); then
    if [ -n "$z" ]; then
      count=$len
      printf '%s %s\n' "$st" "$count"
      { gzip -dc -- "$f" 2>/dev/null | tail -c "+$((off + 1))" | head -c "$count"
        head -c "$count" /dev/zero; } </dev/null | head -c "$count"
      continue
    fi
    count=$((${st#* } - off))
    [ "$count" -gt "$len" ] && count=$len
    [ "$count" -lt 0 ] && count=0
    printf '%s %s\n' "$st" "$count"
    { tail -c "+$((off + 1))" -- "$f" 2>/dev/null | head -c "$count"
      head -c "$count" /dev/zero; } </dev/null | head -c "$count"
  else
    printf -- '- 0 0\n'
  fi
done
"""


def range_reader_command(paths: list[str]) -> str:
    """Serves `INDEX OFFSET LENGTH [z]` reads of `paths` until its stdin closes."""
    return sh_command(_READ_RANGES, *paths)


# $1 path, $2 offset, $3 "z" for a gzip file: the file from the offset (of its
# decompressed content), once. Not under a lifeline: it ends by itself, and a closed
# channel ends it at its next write.
_READ_ONCE = """
f=$1 off=$2
if [ "$3" = z ]; then
  gzip -dc -- "$f" | tail -c "+$((off + 1))"
else
  tail -c "+$((off + 1))" -- "$f"
fi
"""


def read_once_command(path: str, offset: int, compressed: bool) -> str:
    """`path` from byte `offset` to its end (a rotated file's part of the history)."""
    return sh_command(_READ_ONCE, path, str(offset), "z" if compressed else "")


# $1 path, $2 offset, $3 length, $4 "z" for a gzip file: `length` bytes of the file (of
# its decompressed content) from the offset, once: one part of a past window. Not under a
# lifeline: it ends by itself, and a closed channel ends it at its next write.
_READ_SPAN = """
f=$1 off=$2 len=$3
if [ "$4" = z ]; then
  gzip -dc -- "$f" | tail -c "+$((off + 1))" | head -c "$len"
else
  tail -c "+$((off + 1))" -- "$f" | head -c "$len"
fi
"""


def read_span_command(path: str, offset: int, length: int, compressed: bool) -> str:
    """`length` bytes of `path` from byte `offset` (a past window's part of a file)."""
    return sh_command(_READ_SPAN, path, str(offset), str(length), "z" if compressed else "")


def journal_window_command(unit: str, start: float, end: float) -> str:
    """`journalctl -o json` of the entries from Unix time `start` until `end`, once."""
    argv = ["journalctl", "--output=json", "--quiet", "--no-pager"]
    argv += [f"--since=@{int(start)}", f"--until=@{int(end) + 1}"]
    if unit:
        argv += [f"--unit={unit}"]
    return sh_command(_JOURNAL_ONCE, *argv)


def journal_history_command(unit: str, since: float) -> str:
    """`journalctl -o json` of every entry from Unix time `since` to the journal's end,
    once: a first look's history, followed after its last cursor by `journal_command`."""
    argv = ["journalctl", "--output=json", "--quiet", "--no-pager", f"--since=@{int(since)}"]
    if unit:
        argv += [f"--unit={unit}"]
    return sh_command(_JOURNAL_ONCE, *argv)


# As _JOURNAL, without the lifeline: it ends by itself after the last entry.
_JOURNAL_ONCE = f"""
if journalctl --output-fields=MESSAGE --lines=0 --quiet >/dev/null 2>&1; then
  shift; set -- journalctl --output-fields={JOURNAL_FIELDS} "$@"
fi
exec "$@"
"""


def journal_command(
    unit: str, cursor: str | None, *, since: float | None = None, backlog: int = 20
) -> str:
    """`journalctl -f -o json`: after `cursor` if we have one, else every entry from Unix
    time `since` (`@` timestamps: systemd 212 and later), else the last `backlog`."""
    argv = ["journalctl", "--follow", "--output=json", "--quiet"]
    if cursor:
        argv += [f"--after-cursor={cursor}"]
    elif since is not None:
        # --no-tail: older journalctl take -f for -n 10 even with --since, and show only
        # the range's first 10 entries until the next one is written.
        argv += [f"--since=@{int(since)}", "--no-tail"]
    else:
        argv += [f"--lines={backlog}"]
    if unit:
        argv += [f"--unit={unit}"]
    return sh_command(_JOURNAL, *argv)


def probe_command(patterns: list[str], journal: bool) -> str:
    """Reports, one per line, `ok PATH`, `missing PATTERN`, `denied PATH`, journal state."""
    script = """
IFS=
j=$1; shift
for pattern in "$@"; do
  for f in $pattern; do
    if [ ! -e "$f" ]; then echo "missing $f"
    elif [ -r "$f" ]; then echo "ok $f"
    else echo "denied $f"; fi
  done
done
if [ "$j" = 1 ]; then
  if command -v journalctl >/dev/null 2>&1; then echo "journal ok"; else echo "journal missing"; fi
fi
"""
    return sh_command(script, "1" if journal else "0", *patterns)
