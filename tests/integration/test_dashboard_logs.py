"""The real app tailing real files over a real sshd: what the log pane shows.

Metrics come from the demo source here; the thing under test is the log path from the
`--logs` flag through asyncssh, the sanitiser and the buffer to the pane on screen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from support.sshd_server import SshdServer, remote_processes
from ui.harness import screen_text, wait_until

from pulse_tui.config import Config, Overrides, apply_overrides
from pulse_tui.sources.demo import DemoMetricsSource
from pulse_tui.sources.factory import log_sources
from pulse_tui.ui.app import PulseApp

pytestmark = pytest.mark.integration

SIZE = (160, 40)


def app_for(*specs: str) -> PulseApp:
    config = apply_overrides(Config(), Overrides(logs=list(specs)))
    return PulseApp(config, DemoMetricsSource(config), log_sources(config))


def pane_text(app: PulseApp) -> str:
    return screen_text(app)


async def test_two_hosts_stream_into_the_pane_and_hostile_lines_stay_data(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1", "web-2"])
    first, second = tmp_path / "a.log", tmp_path / "b.log"
    first.write_text("hello from a\n")
    second.write_text("hello from b\n")
    app = app_for(f"web-1:{first}", f"web-2:{tmp_path}/b*.log")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(
            pilot, lambda: "hello from a" in pane_text(app) and "hello from b" in pane_text(app)
        )
        with first.open("a") as f:
            f.write("ERROR payment timeout after 1234ms\n")
            f.write("[bold]not bold[/bold] [link=http://evil]click[/link] ")
            f.write("\x1b[2J\x1b]0;pwned\x07\n")
        await wait_until(pilot, lambda: "[link=http://evil]click[/link]" in pane_text(app))
        text = pane_text(app)
        assert "[bold]not bold[/bold]" in text
        assert "payment timeout after 1234ms" in text
        assert "\x1b" not in text and "\x07" not in text
        assert "\\x1b[2J" in text  # the escape is shown, not obeyed
        assert "web-1" in text and "web-2" in text and "live" in text


async def test_quit_while_streaming_leaves_no_remote_tail(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "quit-test.log"
    log.write_text("first\n")
    app = app_for(f"web-1:{log}")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "first" in pane_text(app))
        assert remote_processes(str(log)), "the remote tail should be running while streaming"
        await pilot.press("q")
        await pilot.pause(0.2)

    # The remote side exits when its stdin (the lifeline) closes; give sshd a moment.
    for _ in range(40):
        if not remote_processes(str(log)):
            break
        await asyncio.sleep(0.05)
    assert remote_processes(str(log)) == []
    assert app.return_code == 0


async def test_a_log_rule_fires_on_lines_tailed_over_ssh(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    from dataclasses import replace

    from pulse_tui.config import LogRule
    from pulse_tui.model.logs.line import Level

    ssh_home(["web-1"])
    log = tmp_path / "payments.log"
    log.write_text("service started\n")
    config = apply_overrides(Config(), Overrides(logs=[f"web-1:{log}"]))
    rule = LogRule(
        name="Payment timeouts",
        severity="warn",
        count=3,
        window_seconds=600,
        pattern="payment timeout",
        min_level=Level.ERROR,
    )
    config = replace(config, alerts=replace(config.alerts, log_rules=(rule,)))
    app = PulseApp(config, DemoMetricsSource(config), log_sources(config))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "service started" in pane_text(app))
        with log.open("a") as f:
            for n in range(3):
                f.write(f"ERROR payment timeout after {100 + n}ms\n")
        await wait_until(pilot, lambda: app.dashboard.log_panel.view.count == 4)
        await pilot.pause(1.2)  # one evaluation tick: 3 is not MORE than 3
        assert not app.alerts.book.firing()
        with log.open("a") as f:
            f.write("ERROR payment timeout after 999ms\n")
        await wait_until(
            pilot, lambda: any(a.name == "Payment timeouts" for a in app.alerts.book.firing())
        )
        await pilot.press("a")
        await pilot.pause(0.2)
        assert "Payment timeouts" in pane_text(app)
