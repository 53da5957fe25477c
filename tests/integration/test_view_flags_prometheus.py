"""Issue #14, items 12 and 13 against a real prometheus: `summary --service --range A..B`,
a dashboard started on a past view by the flags, and its export, which says what `summary`
says for the same flags."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import pytest
from support.prometheus_fixtures import PrometheusData
from ui.harness import screen_text, wait_until

from pulse_tui.cli.main import _start_view, build_parser, main
from pulse_tui.cli.summary import export_json
from pulse_tui.config import Config, PrometheusConfig
from pulse_tui.model.core.view_command import format_range
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.sources.prometheus.source import PrometheusSource
from pulse_tui.ui.app import PulseApp

pytestmark = pytest.mark.integration


async def summary_json(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict]:
    """`pulse-tui summary ... --format json` as the CLI runs it (its own event loop: in a
    thread, this test's loop is running)."""
    assert await asyncio.to_thread(main, ["summary", *argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def past_hour(data: PrometheusData) -> str:
    """The hour the data ends with, as `y` writes a past range."""
    return format_range(3600.0, float(data.end))


async def test_summary_takes_service_and_a_past_range(
    prometheus_data: PrometheusData, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = await summary_json(
        capsys,
        "--prometheus",
        prometheus_data.url,
        "--service",
        "api",
        "--service",
        "worker",
        "--range",
        past_hour(prometheus_data),
    )
    assert [row["service"] for row in rows] == ["api", "worker"]
    assert rows[0]["traffic_rps"] == pytest.approx(10.0, rel=1e-9)  # at the range's end
    assert rows[1]["queue_p99_s"] == pytest.approx(4.7, rel=1e-9)


async def test_a_dashboard_started_on_a_past_view_exports_what_summary_says(
    prometheus_data: PrometheusData, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    flags = ["--service", "api", "--range", past_hour(prometheus_data)]
    expected = await summary_json(capsys, "--prometheus", prometheus_data.url, *flags)
    start = _start_view(build_parser().parse_args(flags))

    config = prometheus_data.config()
    config = replace(
        config,
        dashboard=replace(config.dashboard, export_dir=str(tmp_path)),
        prometheus_defaulted=False,
    )
    app = PulseApp(
        config, PrometheusSource(config), [], start=start, origin=[], summary_json=export_json
    )
    async with app.run_test(size=(160, 48)) as pilot:
        # A past range is not refreshed: these results are the first fetch's.
        await wait_until(
            pilot,
            lambda: all(
                (r := app.dashboard.panel(s).result) is not None
                and r.window.end <= prometheus_data.end
                for s in Signal
            ),
        )
        assert app.view.state.end == prometheus_data.end
        assert app.dashboard.panel(Signal.TRAFFIC).result.services() == ["api"]
        await pilot.press("E")
        await wait_until(pilot, lambda: app.exporter.last is not None)
        exported = json.loads((app.exporter.last / "summary.json").read_text())
        command = (app.exporter.last / "command.txt").read_text().strip()
    assert exported == expected
    assert command == f"pulse-tui --service api --range {past_hour(prometheus_data)}"


async def test_an_export_whose_summary_query_fails_says_so_and_keeps_the_screen(
    tmp_path: Path,
) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on: every query is refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = Config(prometheus=PrometheusConfig(url=f"http://127.0.0.1:{port}", timeout=5.0))
    config = replace(
        config,
        dashboard=replace(config.dashboard, export_dir=str(tmp_path)),
        prometheus_defaulted=False,
    )
    app = PulseApp(config, PrometheusSource(config), [], summary_json=export_json)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await wait_until(pilot, lambda: "connection refused" in screen_text(app))
        await pilot.press("E")
        await wait_until(pilot, lambda: app.exporter.last is not None)
        names = sorted(p.name for p in app.exporter.last.iterdir())
        assert names == ["command.txt", "screen.svg"]  # no summary.json of old or no data
        await wait_until(pilot, lambda: "summary.json not written" in screen_text(app))
