"""Secrets never reach the screen, stderr or the logs, whatever a server echoes back.

A real prometheus sits behind the FaultProxy; in "echo" mode the proxy answers 502 with a
body quoting the request's headers (Authorization, X-Api-Key …), as a misconfigured
gateway's error page may. Every credential form is tried: a bearer token, a basic-auth
password, a password in the URL, and header values from the environment, a file and a
command. Secrets reach the child processes through the environment and files, never argv.
"""

from __future__ import annotations

import base64
import logging
import os
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from support.process import free_port
from support.prometheus_fixtures import PrometheusData
from support.prometheus_server import Canned, FaultProxy
from ui.harness import screen_text, wait_until

from pulse_tui.cli import main
from pulse_tui.config import PrometheusConfig, SecretRef
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.model.metrics.step import compute_window
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.prometheus.http import RetryPolicy
from pulse_tui.sources.prometheus.source import PrometheusSource
from pulse_tui.ui.app import PulseApp

pytestmark = pytest.mark.integration

ONCE = RetryPolicy(attempts=1)
TOKEN = "tok-5a1c9e0d7b"
PASSWORD = "pw-8f3e21c4aa"
API_KEY = "key-0b7d55e912"
USER = "ops"


def forms(user: str | None = None, password: str | None = None) -> list[str]:
    """What must never be seen: every secret, and basic auth's base64 `user:password`."""
    shown = [TOKEN, PASSWORD, API_KEY]
    if user and password:
        shown.append(base64.b64encode(f"{user}:{password}".encode()).decode())
    return shown


def assert_clean(text: str, user: str | None = USER, password: str | None = PASSWORD) -> None:
    for secret in forms(user, password):
        assert secret not in text


@dataclass(frozen=True)
class Scenario:
    name: str
    #: PrometheusConfig fields, given the proxy URL and a temp dir for secret files.
    fields: dict[str, object]
    url: str


def scenarios(proxy_url: str, tmp_path: Path) -> dict[str, Scenario]:
    key_file = tmp_path / "api-key"
    key_file.write_text(API_KEY + "\n")
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORD + "\n")
    host = proxy_url.removeprefix("http://")
    return {
        "token and an inline header": Scenario(
            "inline",
            {"token": SecretRef(inline=TOKEN), "headers": {"X-Api-Key": API_KEY}},
            proxy_url,
        ),
        "token and header from env": Scenario(
            "env",
            {
                "token": SecretRef(env="PULSE_TEST_TOKEN"),
                "headers": {"X-Api-Key": SecretRef(env="PULSE_TEST_API_KEY")},
            },
            proxy_url,
        ),
        "password in the URL, header from a file": Scenario(
            "url",
            {"headers": {"X-Api-Key": SecretRef(file=str(key_file))}},
            f"http://{USER}:{PASSWORD}@{host}",
        ),
        "basic auth and header from commands": Scenario(
            "basic",
            {
                "username": USER,
                "password": SecretRef(command=f"cat {password_file}"),
                "headers": {"X-Api-Key": SecretRef(command=f"cat {key_file}")},
            },
            proxy_url,
        ),
    }


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULSE_TEST_TOKEN", TOKEN)
    monkeypatch.setenv("PULSE_TEST_API_KEY", API_KEY)


def source_for(data: PrometheusData, scenario: Scenario) -> PrometheusSource:
    return PrometheusSource(data.config(scenario.url, **scenario.fields), retry=ONCE)


@pytest.mark.parametrize(
    "which",
    [
        "token and an inline header",
        "token and header from env",
        "password in the URL, header from a file",
        "basic auth and header from commands",
    ],
)
async def test_an_echoing_gateway_gets_no_secret_onto_the_panel_or_the_logs(
    prometheus_data: PrometheusData,
    fault_proxy: FaultProxy,
    tmp_path: Path,
    secret_env: None,
    caplog: pytest.LogCaptureFixture,
    which: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    scenario = scenarios(fault_proxy.url, tmp_path)[which]
    source = source_for(prometheus_data, scenario)
    window = compute_window(3600, prometheus_data.end, 120, 15)
    # The credentials do reach Prometheus: the panel loads through the proxy.
    assert (await source.query_signal(Signal.TRAFFIC, window)).series
    fault_proxy.mode = "echo"
    try:
        with pytest.raises(SourceError) as info:
            await source.query_signal(Signal.TRAFFIC, window)
        with pytest.raises(SourceError) as probed:
            await source.probe()
    finally:
        await source.close()
    for message in (str(info.value), str(probed.value)):
        assert "HTTP 502 Bad Gateway" in message and "X-Api-Key: ***" in message
        assert_clean(message)
    assert_clean(source.label)
    assert_clean(caplog.text)
    if scenario.name == "url":
        assert source.label == f"http://{USER}:***@{fault_proxy.url.removeprefix('http://')}"
        assert f"Prometheus at {source.label} failed" in str(info.value)


async def test_a_secret_cut_by_the_excerpt_leaves_no_prefix(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy
) -> None:
    """A long echo puts the token right where the quoted excerpt is cut short."""
    window = compute_window(3600, prometheus_data.end, 120, 15)
    fault_proxy.mode = "canned"
    # The excerpt keeps 159 characters: the token starts at 150.
    fault_proxy.canned = Canned(503, b"upstream said: " + b"x" * 127 + f" Bearer {TOKEN}".encode())
    source = PrometheusSource(
        prometheus_data.config(fault_proxy.url, token=SecretRef(inline=TOKEN)), retry=ONCE
    )
    with pytest.raises(SourceError) as info:
        await source.query_signal(Signal.TRAFFIC, window)
    message = str(info.value)
    assert message.endswith(" Bearer ***")  # masked first, so it fits uncut
    assert TOKEN[:6] not in message


def write_config(tmp_path: Path, url: str, extra: str = "") -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[prometheus]\nurl = "{url}"\ntimeout = "5s"\n{extra}')
    config.chmod(0o600)  # credentials in the URL are refused in a file others can read
    return config


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The real entry point in a child; secrets only in `env` and files, never in argv."""
    return subprocess.run(
        [sys.executable, "-m", "pulse_tui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


def test_check_and_summary_mask_the_url_password_and_echoed_credentials(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, tmp_path: Path
) -> None:
    host = fault_proxy.url.removeprefix("http://")
    # An inline header in a chmod 600 file is a secret too.
    config = write_config(
        tmp_path, f"http://{USER}:{PASSWORD}@{host}", f'headers = {{ X-Api-Key = "{API_KEY}" }}\n'
    )
    env = {"HOME": str(tmp_path)}
    fault_proxy.mode = "echo"
    check = run_cli("check", "--config", str(config), env=env)
    assert check.returncode == 1
    failing = [line for line in check.stdout.splitlines() if line.startswith("FAIL")]
    assert len(failing) == 1 and f"http://{USER}:***@{host}" in failing[0]
    assert "HTTP 502" in failing[0] and "Basic ***" in failing[0]
    assert "X-Api-Key: ***" in failing[0]
    summary = run_cli("summary", "--config", str(config), env=env)
    assert summary.returncode == 1 and "HTTP 502" in summary.stderr
    assert f"http://{USER}:***@{host}" in summary.stderr
    for done in (check, summary):
        assert_clean(done.stdout + done.stderr)


def test_check_and_summary_mask_header_values_from_the_environment(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, tmp_path: Path
) -> None:
    config = write_config(
        tmp_path, fault_proxy.url, '[prometheus.headers]\nX-Api-Key = { env = "PULSE_TEST_KEY" }\n'
    )
    config.chmod(0o644)  # a header from the environment is fine in a shared file
    env = {"HOME": str(tmp_path), "PULSE_TEST_KEY": API_KEY}
    assert run_cli("check", "--config", str(config), env=env).returncode == 0
    fault_proxy.mode = "echo"
    for command in ("check", "summary"):
        done = run_cli(command, "--config", str(config), env=env)
        assert done.returncode == 1
        assert "X-Api-Key: ***" in done.stdout + done.stderr
        assert_clean(done.stdout + done.stderr)


def test_a_password_in_the_prometheus_flag_is_masked(capsys: pytest.CaptureFixture[str]) -> None:
    """In-process, so the test itself puts no password into a child's argv."""
    url = f"http://{USER}:{PASSWORD}@127.0.0.1:{free_port()}"
    assert main(["check", "--prometheus", url]) == 1
    assert main(["check", "--prometheus", url + ":bad"]) == 2
    out = capsys.readouterr()
    assert f"{USER}:***@127.0.0.1" in out.out and "connection refused" in out.out
    assert "invalid URL" in out.err and f"{USER}:***@" in out.err
    assert_clean(out.out + out.err)


async def test_the_dashboard_shows_the_url_masked_and_no_echoed_secret(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, tmp_path: Path, secret_env: None
) -> None:
    host = fault_proxy.url.removeprefix("http://")
    prometheus = replace(
        PrometheusConfig(url=f"http://{USER}:{PASSWORD}@{host}", timeout=5.0),
        headers={"X-Api-Key": SecretRef(env="PULSE_TEST_API_KEY")},
    )
    config = replace(prometheus_data.config(), prometheus=prometheus, prometheus_defaulted=False)
    config = replace(config, dashboard=replace(config.dashboard, refresh=1.0))
    fault_proxy.mode = "echo"
    app = PulseApp(config, PrometheusSource(config, retry=ONCE), [])
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_until(pilot, lambda: all(app.dashboard.panel(s).error for s in Signal))
        await pilot.pause(0.2)
        screen = screen_text(app)
        assert f"{USER}:***@{host}" in screen.splitlines()[0]
        for signal in Signal:
            error = app.dashboard.panel(signal).error or ""
            assert "X-Api-Key: ***" in error
            assert_clean(error)
        assert_clean(screen)
