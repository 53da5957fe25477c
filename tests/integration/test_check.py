"""`pulse-tui check` tells the truth about every target: the metrics backend proven with a
query (Prometheus and VictoriaMetrics alike), every `[[probes]]` endpoint and Alertmanager."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.alertmanager_server import run_alertmanager
from support.binaries import require_binary
from support.process import free_port
from support.prometheus_fixtures import PrometheusData

from pulse_tui.cli import main

pytestmark = pytest.mark.integration


def check(
    capsys: pytest.CaptureFixture[str], config: Path, *flags: str
) -> tuple[int, dict[str, str]]:
    """Exit code, and each target's line by its first two words ("OK    config" ...)."""
    code = main(["check", "--config", str(config), *flags])
    lines = capsys.readouterr().out.splitlines()
    by_target = {}
    for line in lines:
        status, kind, *rest = line.split()
        by_target[f"{kind} {rest[0]}" if kind == "probe" else kind] = f"{status} {line}"
    return code, by_target


def write_config(tmp_path: Path, url: str, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[prometheus]\nurl = "{url}"\n{extra}')
    path.chmod(0o600)
    return path


def test_every_backend_passes_with_a_query(
    metrics_backend: PrometheusData, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # VictoriaMetrics answers buildinfo with empty data; the check must not call that a
    # foreign API when the dashboard works there.
    code, lines = check(capsys, write_config(tmp_path, metrics_backend.url))
    assert code == 0, lines
    assert lines["prometheus"].startswith("OK ")
    assert metrics_backend.url in lines["prometheus"] and "4 services" in lines["prometheus"]


def test_a_dead_probe_fails_the_check_and_a_live_one_passes(
    prometheus_data: PrometheusData, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/healthz"
    probes = (
        f'[[probes]]\nname = "prom ready"\nurl = "{prometheus_data.url}/-/ready"\n'
        f'[[probes]]\nname = "gone"\nurl = "{dead}"\ntimeout = "2s"\n'
    )
    code, lines = check(capsys, write_config(tmp_path, prometheus_data.url, probes))
    assert code == 1
    assert lines["probe prom"].startswith("OK ") and "HTTP 200" in lines["probe prom"]
    assert lines["probe gone"].startswith("FAIL ") and "connection refused" in lines["probe gone"]
    assert lines["prometheus"].startswith("OK ")


def test_a_probe_with_an_unexpected_status_fails(
    prometheus_data: PrometheusData, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    probes = f'[[probes]]\nname = "wrong"\nurl = "{prometheus_data.url}/no-such-page"\n'
    code, lines = check(capsys, write_config(tmp_path, prometheus_data.url, probes))
    assert code == 1
    assert lines["probe wrong"].startswith("FAIL ") and "(expected 200)" in lines["probe wrong"]


def test_alertmanager_is_probed(
    prometheus_data: PrometheusData, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with run_alertmanager(require_binary("prometheus-alertmanager")) as alertmanager:
        extra = f'[alerts]\nalertmanager_url = "{alertmanager.url}"\n'
        code, lines = check(capsys, write_config(tmp_path, prometheus_data.url, extra))
    assert code == 0, lines
    assert lines["alertmanager"].startswith("OK ") and alertmanager.url in lines["alertmanager"]
    assert "Alertmanager API v2" in lines["alertmanager"]


def test_a_dead_alertmanager_fails_the_check(
    prometheus_data: PrometheusData, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    extra = f'[alerts]\nalertmanager_url = "{dead}"\n'
    code, lines = check(capsys, write_config(tmp_path, prometheus_data.url, extra))
    assert code == 1
    assert lines["alertmanager"].startswith("FAIL ") and dead in lines["alertmanager"]
