"""What pulse-tui takes from ~/.ssh/config for a host, and what it never lets it change.

asyncssh applies ~/.ssh/config itself for whatever `connect()` is not given. For trust:

* `UserKnownHostsFile none` becomes `known_hosts=None` (asyncssh 2.18 and later): no
  host-key check at all. `UserKnownHostsFile /dev/null` checks against an empty file,
  so nothing is ever trusted (with ssh it is the classic half of "don't check"). Both
  are refused here, for hosts and jump hosts alike.
* Without `UserKnownHostsFile`, asyncssh checks only the `GlobalKnownHostsFile`
  entries if there are any, else ~/.ssh/known_hosts. `GlobalKnownHostsFile none` just
  means no global file.
* `ForwardAgent yes` forwards the agent; `ConnectionPool` always passes
  `agent_forwarding=False`.
* `StrictHostKeyChecking` is not read by asyncssh at all: an unknown key is refused
  whatever it says. We read it only to say so in the refusal, since ssh itself would
  have connected.

So the files a host is checked against are decided here and always passed as
`known_hosts=` (see `HostKeys.argument`), never left to asyncssh's defaults: see
`host_keys` for which files.
"""

from __future__ import annotations

import getpass
import shlex
from dataclasses import dataclass
from pathlib import Path

import asyncssh
from asyncssh.config import SSHClientConfig, SSHConfig

from pulse_tui.sources.base import SourceError

DEFAULT_KNOWN_HOSTS = "~/.ssh/known_hosts"

#: Values with which ssh would connect to a host whose key it has not seen.
_ACCEPTS_UNKNOWN = {"no", "off", "accept-new"}


class _ClientConfig(SSHClientConfig):
    """asyncssh's config parser, plus what ssh does and asyncssh does not.

    It keeps StrictHostKeyChecking (which asyncssh skips) and expands %-tokens (%d, %u,
    %h, ...) in the known-hosts options, as ssh does. Whatever it reads, some file is
    checked: `ConnectionPool` passes the files explicitly.
    """

    _percent_expand = SSHClientConfig._percent_expand | {
        "UserKnownHostsFile",
        "GlobalKnownHostsFile",
    }
    _handlers = {
        **SSHClientConfig._handlers,
        "stricthostkeychecking": ("StrictHostKeyChecking", SSHConfig._set_string),
    }


@dataclass(frozen=True, slots=True)
class Resolved:
    """An alias as ~/.ssh/config resolves it: names for messages, and the trust settings.

    For the known-hosts options, None means the option is not set and () that it is
    `none`; entries are as written (`~` not expanded).
    """

    alias: str
    hostname: str
    port: int
    user: str
    proxy_jump: str | None
    user_known_hosts: tuple[str, ...] | None = None
    global_known_hosts: tuple[str, ...] | None = None
    strict_host_key_checking: str | None = None
    #: `Ciphers` from ~/.ssh/config, as written (None: not set): a user's choice of
    #: ciphers is asyncssh's to apply, so `ConnectionPool` then states no preference.
    ciphers: str | None = None


def ssh_config_paths() -> list[Path]:
    path = Path("~/.ssh/config").expanduser()
    return [path] if path.exists() else []


def _files(value: object) -> tuple[str, ...] | None:
    return tuple(str(entry) for entry in value) if isinstance(value, list) else None


def resolve_alias(alias: str, port: int | None = None, user: str | None = None) -> Resolved:
    """HostName/Port/User/ProxyJump and trust settings for `alias` (explicit values win)."""
    local_user = getpass.getuser()
    try:
        config = _ClientConfig.load(
            None,
            ssh_config_paths(),
            False,
            False,
            False,
            local_user,
            user if user else (),
            alias,
            port if port else (),
        )
        get = config.get
    except (OSError, asyncssh.Error, ValueError):
        # A broken config is reported by asyncssh.connect itself; here we only want names.
        def get(option: str, default: object = None) -> object:
            return default

    jump = get("ProxyJump", None)
    strict = get("StrictHostKeyChecking", None)
    ciphers = get("Ciphers", None)
    return Resolved(
        alias=alias,
        hostname=str(get("Hostname", alias)),
        port=int(str(port or get("Port", 22))),
        user=str(user or get("User", local_user)),
        proxy_jump=None if jump in (None, "none") else str(jump),
        user_known_hosts=_files(get("UserKnownHostsFile", None)),
        global_known_hosts=_files(get("GlobalKnownHostsFile", None)),
        strict_host_key_checking=None if strict is None else str(strict).lower(),
        ciphers=None if ciphers is None else str(ciphers),
    )


@dataclass(frozen=True, slots=True)
class HostKeys:
    """The known_hosts files one host's key is checked against.

    `primary` is where a key the user decides to trust belongs (what the hints name);
    `files` is every file checked, `primary` first.
    """

    primary: Path
    files: tuple[Path, ...]
    #: The StrictHostKeyChecking value that would have let ssh connect, for the hint.
    lenient: str | None = None

    def existing(self) -> list[Path]:
        """The files that exist (a listed file that does not is no error, as with ssh)."""
        return [path for path in self.files if path.is_file()]

    def argument(self) -> list[str] | asyncssh.SSHKnownHosts:
        """For `asyncssh.connect(known_hosts=...)`: never None, empty or a missing file.

        None would turn checking off, and an empty value makes asyncssh fall back to
        ~/.ssh/known_hosts, which may not be this host's file. With no file yet, an empty
        known-hosts list trusts nothing.
        """
        existing = self.existing()
        return [str(path) for path in existing] if existing else asyncssh.SSHKnownHosts()

    @staticmethod
    def quoted(path: Path) -> str:
        """`path` as a shell word, for the commands in hints."""
        return shlex.quote(str(path))


def host_keys(name: str, resolved: Resolved, explicit: str | None) -> HostKeys:
    """The files `name` is checked against: `logs.known_hosts` if set, else ssh's.

    ssh's are every UserKnownHostsFile entry (~/.ssh/known_hosts if unset), then the
    GlobalKnownHostsFile entries given (unlike ssh, no default global file, as before).
    The first is where the hints append a key.

    Raises a non-retryable SourceError when ~/.ssh/config would have turned checking
    off for this host (and `logs.known_hosts` does not override it).
    """
    strict = resolved.strict_host_key_checking
    lenient = strict if strict in _ACCEPTS_UNKNOWN else None
    if explicit:
        path = Path(explicit).expanduser()
        return HostKeys(path, (path,), lenient)
    user = resolved.user_known_hosts
    if user is None:
        user = (DEFAULT_KNOWN_HOSTS,)
    # /dev/null trusts nothing ever: it is how ssh users switch checking off.
    kept = [entry for entry in user if entry != "/dev/null"]
    if not kept:
        setting = "none" if not user else " ".join(user)
        raise SourceError(
            f"{name}: ~/.ssh/config disables host-key checking for this host "
            f"(UserKnownHostsFile {setting}); pulse-tui always verifies host keys — remove "
            "it or point UserKnownHostsFile at a file holding the key",
            retryable=False,
        )
    files = [Path(entry).expanduser() for entry in kept]
    files += [Path(entry).expanduser() for entry in resolved.global_known_hosts or ()]
    return HostKeys(files[0], tuple(dict.fromkeys(files)), lenient)
