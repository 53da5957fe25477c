"""The CLI contract: help, version, init, check, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from pulse_tui import __version__
from pulse_tui.cli import main


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real entry point in a child process, as a user's shell would run it."""
    return subprocess.run(
        [sys.executable, "-m", "pulse_tui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_help_shows_flags_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--config", "--prometheus", "--service-label", "--logs", "--journal", "--range"):
        assert flag in out
    assert "--refresh" in out and "--demo" in out and "--glyphs" in out
    assert "examples:" in out and "pulse-tui summary --format json" in out


def test_version() -> None:
    done = run_cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"pulse-tui {__version__}"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--range", "5x"], "--range: 5x: invalid duration"),
        (["--prometheus", "not a url"], "--prometheus"),
        (["--logs", "host-without-path"], "--logs"),
        (["--config", "/nonexistent/pulse.toml"], "/nonexistent/pulse.toml: file not found"),
    ],
)
def test_bad_input_is_one_line_exit_2_no_traceback(args: list[str], fragment: str) -> None:
    done = run_cli(*args)
    assert done.returncode == 2
    assert fragment in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) <= 2  # the error, and maybe a --help hint


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[prometheus\n")
    done = run_cli("--config", str(bad))
    assert done.returncode == 2
    assert f"{bad}: invalid TOML" in done.stderr
    assert "Traceback" not in done.stderr


def test_init_writes_a_loadable_private_file_and_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "conf" / "pulse.toml"
    assert main(["init", str(target)]) == 0
    data = tomllib.loads(target.read_text())
    assert data["prometheus"]["url"] == "http://localhost:9090"
    assert target.stat().st_mode & 0o077 == 0
    target.write_text("# mine\n")
    assert main(["init", str(target)]) == 1
    assert target.read_text() == "# mine\n"
    assert main(["init", str(target), "--force"]) == 0
    assert "[prometheus]" in target.read_text()


def test_init_default_path_uses_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert main(["init"]) == 0
    assert (tmp_path / "pulse-tui" / "config.toml").exists()


def test_check_against_an_unreachable_prometheus_fails(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    done = run_cli("check", "--prometheus", url, env={"HOME": str(tmp_path)})
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("OK") and "config" in lines[0]
    failing = [line for line in lines if line.startswith("FAIL")]
    assert len(failing) == 1 and url in failing[0]


def test_missing_named_config_fails_and_demo_summary_works(tmp_path: Path) -> None:
    done = run_cli("check", "--config", str(tmp_path / "none.toml"))
    assert done.returncode == 2  # a named config that does not exist is an error
    ok = run_cli("summary", "--demo", "--format", "json", env={"HOME": str(tmp_path)})
    assert ok.returncode == 0, ok.stderr
    rows = json.loads(ok.stdout)
    assert [row["service"] for row in rows] == ["api", "checkout", "worker"]


def test_check_warns_when_tls_verification_is_off(tmp_path: Path) -> None:
    config = tmp_path / "insecure.toml"
    config.write_text(
        f'[prometheus]\nurl = "https://127.0.0.1:{free_port()}"\ntls_insecure = true\n'
    )
    done = run_cli("check", "--config", str(config))
    assert "WARN  tls" in done.stdout and "tls_insecure" in done.stdout
