"""Integration tests without their binaries skip with the reason (locally) or fail (in CI),
all through one guard; none fails on its own with a FileNotFoundError."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: A test that starts its own sshd, and one on the VictoriaMetrics fixture.
OWN_SERVERS = [
    "tests/integration/test_ssh_faults.py::test_permission_denied_is_shown",
    "tests/integration/test_summary.py::test_table_is_aligned_text[victoria-metrics]",
]


def run_pytest_without_binaries(
    tmp_path: Path, *tests: str, require: bool = False
) -> subprocess.CompletedProcess[str]:
    """pytest on `tests` in a child whose PATH holds no ssh-keygen, prometheus, ...

    (sshd itself is still found in /usr/sbin, where the guard also looks: the point is the
    ssh-keygen the test used to call by name.)
    """
    env = {k: v for k, v in os.environ.items() if k != "PULSE_TUI_REQUIRE_INTEGRATION"}
    env["PATH"] = str(tmp_path)  # an empty directory
    if require:
        env["PULSE_TUI_REQUIRE_INTEGRATION"] = "1"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            *tests,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("test", OWN_SERVERS)
def test_a_missing_binary_skips_with_its_package(tmp_path: Path, test: str) -> None:
    done = run_pytest_without_binaries(tmp_path, test)
    assert "1 skipped" in done.stdout, done.stdout + done.stderr
    assert "integration test needs the real `" in done.stdout  # -rs prints the reason


@pytest.mark.parametrize("test", OWN_SERVERS)
def test_a_missing_binary_fails_when_integration_is_required(tmp_path: Path, test: str) -> None:
    done = run_pytest_without_binaries(tmp_path, test, require=True)
    # "failed" from a test body, "error" from a fixture: either way not a pass or a skip.
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed" in done.stdout or "1 error" in done.stdout
    assert "PULSE_TUI_REQUIRE_INTEGRATION is set" in done.stdout
