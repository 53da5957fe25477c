"""A stand-in for `journalctl` (no journald in containers), put first in the sshd
session's PATH (`SshdServer.bin_dir`, via sshd_config SetEnv).

It follows a JSON-lines file of entries as `journalctl -o json` would, and appends each
command line it was run with to `<journal>.argv`. `install_fake_journalctl` writes it.
"""

from __future__ import annotations

import stat
from pathlib import Path

_SCRIPT = r'''#!/usr/bin/env python3
"""Stands in for journalctl (no journald in containers): follows {journal} as JSON.

As systemd {version}: `--output-fields` (236 and later) keeps only those fields and the
ones journalctl always adds; before 236 the option is refused. `--after-cursor`,
`--since=@EPOCH` (with `--no-tail`: all of them; without it, the first 10, as old
journalctl's -f does) and `--lines` pick the first entries shown; `--until=@EPOCH` drops
the entries after it. While {journal}.fail exists, it fails as a broken journal would:
its content on stderr, exit status 1. Each command line is appended to {journal}.argv.
"""
import os
import json, sys, time
args = sys.argv[1:]
with open("{journal}.argv", "a") as log:
    log.write(json.dumps(args) + "\n")
def opt(name, default=None):
    return next((a.split("=", 1)[1] for a in args if a.startswith(name + "=")), default)
if os.path.exists("{journal}.fail"):
    sys.stderr.write(open("{journal}.fail").read())
    sys.exit(1)
fields = opt("--output-fields")
if fields is not None and {version} < 236:
    sys.exit("journalctl: unrecognized option '--output-fields=" + fields + "'")
keep = None if fields is None else set(fields.split(",")) | {"__CURSOR", "__REALTIME_TIMESTAMP"}
after, unit, since = opt("--after-cursor"), opt("--unit", ""), opt("--since")
until = opt("--until")
for name, value in (("--since", since), ("--until", until)):
    if value is not None and not value.startswith("@"):
        sys.exit("fake journalctl: only " + name + "=@EPOCH is understood, got " + value)
lines = int(opt("--lines", "10"))
def mine(raw):
    e = json.loads(raw)
    return not unit or e.get("_SYSTEMD_UNIT") == unit
def show(raw):
    e = json.loads(raw)
    print(json.dumps({k: v for k, v in e.items() if keep is None or k in keep}), flush=True)
with open("{journal}") as f:
    entries = [l for l in f.read().splitlines() if l and mine(l)]
    if after is not None:
        cursors = [json.loads(l)["__CURSOR"] for l in entries]
        entries = entries[cursors.index(after) + 1:] if after in cursors else entries
    elif since is not None:
        usec = float(since[1:]) * 1e6
        entries = [l for l in entries if int(json.loads(l)["__REALTIME_TIMESTAMP"]) >= usec]
        if "--no-tail" not in args and "--follow" in args:
            entries = entries[:10]
    else:
        entries = entries[len(entries) - lines:] if lines else []
    if until is not None:
        usec = float(until[1:]) * 1e6
        entries = [l for l in entries if int(json.loads(l)["__REALTIME_TIMESTAMP"]) <= usec]
    for e in entries:
        show(e)
    if "--follow" not in args:
        sys.exit(0)
    buf = ""
    while True:
        chunk = f.read()
        if not chunk:
            time.sleep(0.05)
            continue
        buf += chunk
        *done, buf = buf.split("\n")
        for l in done:
            if l and mine(l):
                show(l)
'''


def install_fake_journalctl(bin_dir: Path, journal: Path, version: int = 252) -> Path:
    """Writes the fake as `bin_dir/journalctl`, following `journal`, as systemd `version`."""
    fake = bin_dir / "journalctl"
    fake.write_text(_SCRIPT.replace("{journal}", str(journal)).replace("{version}", str(version)))
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return fake


def journal_argvs(journal: Path) -> list[list[str]]:
    """Every command line the fake was run with, in order."""
    import json

    path = Path(f"{journal}.argv")
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text().splitlines()]
