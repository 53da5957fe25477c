"""The set-up a newcomer runs: `make test` installs what the tests need and says what it
skipped; `.ci/run` on a developer's checkout leaves their .venv alone."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def dry_run(target: str, tmp_path: Path) -> str:
    """What `make TARGET` would run (make -n; the sub-make for test-deps is shown too)."""
    if shutil.which("make") is None:
        pytest.skip("needs make")
    done = subprocess.run(
        ["make", "-n", target, f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout


def test_make_test_installs_the_integration_packages_and_prints_skip_reasons(
    tmp_path: Path,
) -> None:
    commands = dry_run("test", tmp_path)
    assert "apt-get install" in commands and "sudo -E" in commands
    for package in ("prometheus", "prometheus-alertmanager", "victoria-metrics", "openssh-server"):
        assert f'missing="$missing {package}"' in commands
    assert "pytest -q -rs" in commands


def test_ci_run_on_a_checkout_keeps_the_developers_venv(tmp_path: Path) -> None:
    # A copy of the checkout's script, with a `make` that only records what it was asked.
    checkout = tmp_path / "checkout"
    (checkout / ".ci").mkdir(parents=True)
    shutil.copy(ROOT / ".ci/run", checkout / ".ci/run")
    own = checkout / ".venv"
    own.mkdir()
    (own / "mine").write_text("the developer's packages\n")
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    calls = tmp_path / "make-calls"
    make = fake_bin / "make"
    make.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    make.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = f"{fake_bin}{os.pathsep}{env['PATH']}"
    subprocess.run(
        ["bash", str(checkout / ".ci/run")], env=env, check=True, capture_output=True, timeout=30
    )
    assert (own / "mine").read_text() == "the developer's packages\n"
    made = calls.read_text().splitlines()
    assert made[0] == "test-deps"
    # Every python step ran in a venv of its own, made fresh.
    assert made[1:] == [
        "VENV=.venv-ci .venv-ci/.installed",
        "VENV=.venv-ci lint",
        "VENV=.venv-ci test",
    ]
