"""Which known_hosts files a host is checked against, read from a real ~/.ssh/config.

The connection side (refusals, hints, agent) is in tests/integration/test_ssh_security.py.
"""

from __future__ import annotations

from pathlib import Path

import asyncssh
import pytest

from pulse_tui.sources.base import SourceError
from pulse_tui.sources.ssh.policy import HostKeys, host_keys, resolve_alias


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".ssh").mkdir()
    return tmp_path


def keys_for(home: Path, config: str, explicit: str | None = None) -> HostKeys:
    (home / ".ssh/config").write_text(config)
    return host_keys("web-1", resolve_alias("web-1"), explicit)


def test_without_settings_only_the_default_file(home: Path) -> None:
    keys = keys_for(home, "Host other\n  Port 2222\n")
    assert keys.files == (home / ".ssh/known_hosts",) and keys.lenient is None


def test_global_none_changes_nothing_and_global_files_add_to_the_user_default(
    home: Path,
) -> None:
    # asyncssh alone would check only the global file here, not ~/.ssh/known_hosts.
    keys = keys_for(home, "Host web-1\n  GlobalKnownHostsFile none\n")
    assert keys.files == (home / ".ssh/known_hosts",)
    keys = keys_for(home, "Host web-1\n  GlobalKnownHostsFile /etc/ssh/site_hosts\n")
    assert keys.files == (home / ".ssh/known_hosts", Path("/etc/ssh/site_hosts"))
    assert keys.primary == home / ".ssh/known_hosts"


def test_user_files_expand_tilde_and_tokens_and_the_first_is_primary(home: Path) -> None:
    keys = keys_for(home, "Host web-1\n  UserKnownHostsFile %d/.ssh/hosts_%n ~/.ssh/more\n")
    assert keys.files == (home / ".ssh/hosts_web-1", home / ".ssh/more")
    assert keys.primary == home / ".ssh/hosts_web-1"


@pytest.mark.parametrize("setting", ["none", "/dev/null", "/dev/null /dev/null"])
def test_files_that_switch_checking_off_are_refused(home: Path, setting: str) -> None:
    with pytest.raises(SourceError, match=rf"\(UserKnownHostsFile {setting}\)") as caught:
        keys_for(home, f"Host web-1\n  UserKnownHostsFile {setting}\n")
    assert not caught.value.retryable


def test_dev_null_beside_a_real_file_is_dropped(home: Path) -> None:
    keys = keys_for(home, "Host web-1\n  UserKnownHostsFile /dev/null ~/.ssh/real\n")
    assert keys.files == (home / ".ssh/real",)


def test_explicit_known_hosts_wins_over_every_ssh_setting(home: Path) -> None:
    mine = home / "mine"
    keys = keys_for(home, "Host web-1\n  UserKnownHostsFile none\n", explicit=str(mine))
    assert keys.files == (mine,)


@pytest.mark.parametrize(
    ("value", "lenient"),
    [("no", "no"), ("accept-new", "accept-new"), ("Off", "off"), ("yes", None), ("ask", None)],
)
def test_lenient_strict_host_key_checking_is_remembered_for_the_hint(
    home: Path, value: str, lenient: str | None
) -> None:
    assert keys_for(home, f"Host *\n  StrictHostKeyChecking {value}\n").lenient == lenient


def test_the_argument_is_never_empty_none_or_a_missing_file(home: Path) -> None:
    keys = keys_for(home, "Host web-1\n  UserKnownHostsFile ~/.ssh/a ~/.ssh/b\n")
    empty = keys.argument()
    # An empty list or b"" would make asyncssh fall back to ~/.ssh/known_hosts.
    assert (
        isinstance(empty, asyncssh.SSHKnownHosts) and empty.match("h", "127.0.0.1", None)[0] == []
    )
    (home / ".ssh/b").write_text("")
    assert keys.argument() == [str(home / ".ssh/b")]
