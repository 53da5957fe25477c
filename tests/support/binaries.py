"""Find the real binaries integration tests need; skip loudly locally, fail in CI."""

from __future__ import annotations

import os
import shutil

import pytest

#: Set by .ci/run: a missing binary there is a broken CI, not a reason to skip.
REQUIRE_ENV = "PULSE_TUI_REQUIRE_INTEGRATION"


def require_binary(name: str, *extra_dirs: str) -> str:
    """The path of `name`, or skip (locally) / fail (in CI) saying how to install it."""
    search = os.pathsep.join([os.environ.get("PATH", ""), *extra_dirs, "/usr/sbin", "/sbin"])
    path = shutil.which(name, path=search)
    if path:
        return path
    reason = (
        f"!!! integration test needs the real `{name}` binary, which is not installed "
        f"(Debian: apt-get install {_PACKAGES.get(name, name)}) !!!"
    )
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(reason + f" and {REQUIRE_ENV} is set, so this is an error", pytrace=False)
    pytest.skip(reason)


_PACKAGES = {
    "prometheus": "prometheus",
    "promtool": "prometheus",
    "sshd": "openssh-server",
    "ssh-keygen": "openssh-client",
    "ssh-keyscan": "openssh-client",
    "ssh-agent": "openssh-client",
    "ssh-add": "openssh-client",
    "alertmanager": "prometheus-alertmanager",
    "prometheus-alertmanager": "prometheus-alertmanager",
    "victoria-metrics": "victoria-metrics",
    "setpriv": "util-linux",
}
