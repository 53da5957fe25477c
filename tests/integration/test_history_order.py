"""Two hosts' histories, loaded on connect over a real sshd, enter the pane in one time
order: not file after file and host after host as they arrive."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support.fake_journalctl import install_fake_journalctl
from support.sshd_server import SshdServer
from ui.harness import screen_text, wait_until

from pulse_tui.config import (
    Config,
    DashboardConfig,
    JournalUnit,
    LogFile,
    LogHost,
    LogsConfig,
)
from pulse_tui.model.logs.line import LineKind
from pulse_tui.sources.demo import DemoMetricsSource
from pulse_tui.sources.factory import log_sources
from pulse_tui.ui.app import PulseApp
from pulse_tui.ui.widgets.metrics.signal_panel import SignalPanel

pytestmark = pytest.mark.integration

SIZE = (160, 40)


def iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


def write_log(path: Path, name: str, stamps: list[float]) -> None:
    path.write_text("".join(f"{iso(t)} INFO {name} line {i}\n" for i, t in enumerate(stamps)))


def an_hour(now: float, offset: float, step: float) -> list[float]:
    return [now - 3600 + offset + i * step for i in range(int(3600 / step))]


# 2,000: lines below the watermark are merged while the files still stream
# (`logs.release`); the default (100,000) is more than these files hold.
@pytest.mark.parametrize("release_lines", [None, 2_000])
async def test_two_hosts_histories_are_interleaved_in_time_order_and_jump_to_time_finds_both(
    sshd: SshdServer,
    ssh_home: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    release_lines: int | None,
) -> None:
    if release_lines is not None:
        monkeypatch.setattr("pulse_tui.ui.feeds.logs.RELEASE_LINES", release_lines)
    ssh_home(["web-1", "web-2"])
    now = time.time()
    # An hour each, interleaved: web-1 has two files, web-2 one (~5 MB in all).
    files = {
        "a.log": an_hour(now, 0.0, 0.1),
        "c.log": an_hour(now, 0.05, 0.2),
        "b.log": an_hour(now, 0.025, 0.1),
    }
    for name, stamps in files.items():
        write_log(tmp_path / name, name, stamps)
    web1 = LogHost(
        "web-1", files=(LogFile(str(tmp_path / "a.log")), LogFile(str(tmp_path / "c.log")))
    )
    web2 = LogHost("web-2", files=(LogFile(str(tmp_path / "b.log")),))
    config = Config(
        dashboard=DashboardConfig(range=1800.0),
        logs=LogsConfig(hosts=(web1, web2), connect_timeout=5),
    )
    app = PulseApp(config, DemoMetricsSource(config), log_sources(config))
    # Lines in the range (the source takes its start a moment later: a few fewer).
    wanted = sum(len([t for t in s if t >= now - 1800]) for s in files.values())
    async with app.run_test(size=SIZE) as pilot:
        order = app.logs.order
        assert order is not None and order.loading == ["web-1", "web-2"]
        await wait_until(
            pilot,
            lambda: (
                not order.settling and not order.loading and len(app.logs.buffer) >= wanted - 100
            ),
            timeout=30,
        )
        await wait_until(pilot, lambda: not app.logs.rebuilding)
        lines = [x for x in app.logs.buffer if x.kind == LineKind.LINE]
        assert wanted - 100 <= len(lines) <= wanted + 10  # `since` is a bit after `now`
        stamps = [x.timestamp for x in lines]
        assert stamps == sorted(stamps)
        assert {x.host for x in lines[:20]} == {"web-1", "web-2"}
        assert {x.source.rsplit("/", 1)[1] for x in lines[:20]} == set(files)
        # Each file keeps its own order.
        for name in files:
            mine = [int(x.text.rsplit(" ", 1)[1]) for x in lines if x.source.endswith(name)]
            assert mine == sorted(mine)
        assert "loading history" not in screen_text(app)
        # Enter on a chart's cursor 20 minutes back: lines from then, from both hosts.
        at = now - 1200
        app.post_message(SignalPanel.JumpToTime(at))
        await pilot.pause(0.3)
        view = app.dashboard.log_panel.view
        assert not view.follow
        # Rows show each line's own stamp (UTC here), after the host tag.
        second = iso(at)[:19]
        rows = [row for row in screen_text(app).splitlines() if " INFO " in row]
        assert any(second in row for row in rows)
        assert any("web-1" in row for row in rows) and any("web-2" in row for row in rows)
        assert abs(view.top_line_time() - at) < 5


async def test_a_journald_only_host_ends_the_wait_by_saying_its_history_is_in(
    sshd: SshdServer,
    ssh_home: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the quiet fallback out of reach (10 minutes), only each host's
    `on_history_done` can end the wait: a unit's history counts like a file's."""
    monkeypatch.setattr("pulse_tui.ui.feeds.logs.HISTORY_QUIET", 600.0)
    journal = tmp_path / "journal.jsonl"
    install_fake_journalctl(sshd.bin_dir, journal)
    ssh_home(["web-1", "web-2"])
    now = time.time()
    write_log(tmp_path / "a.log", "a.log", an_hour(now, 0.0, 1.0))
    journal.write_text(
        "".join(
            json.dumps(
                {
                    "__CURSOR": f"c{n}",
                    "__REALTIME_TIMESTAMP": str(int((now - 3590 + n * 20) * 1e6)),
                    "PRIORITY": "6",
                    "_SYSTEMD_UNIT": "app.service",
                    "MESSAGE": f"entry {n}",
                }
            )
            + "\n"
            for n in range(180)
        )
    )
    web1 = LogHost("web-1", files=(LogFile(str(tmp_path / "a.log")),))
    web2 = LogHost("web-2", journal=(JournalUnit("app.service"),))
    config = Config(
        dashboard=DashboardConfig(range=1800.0),
        logs=LogsConfig(hosts=(web1, web2), connect_timeout=5),
    )
    app = PulseApp(config, DemoMetricsSource(config), log_sources(config))
    async with app.run_test(size=SIZE) as pilot:
        order = app.logs.order
        assert order is not None and order.loading == ["web-1", "web-2"]
        # Well before the order's own 30 s limit: only the hosts' word can end it.
        await wait_until(pilot, lambda: not order.settling and not order.loading, timeout=20)
        await wait_until(pilot, lambda: not app.logs.rebuilding)
        lines = [x for x in app.logs.buffer if x.kind == LineKind.LINE]
        entries = [x.text for x in lines if x.host == "web-2"]
        assert entries == [f"entry {n}" for n in range(180) if now - 3590 + n * 20 >= now - 1800]
        stamps = [x.timestamp for x in lines]
        assert stamps == sorted(stamps)  # one time order, the unit's history included
        assert {x.host for x in lines[:20]} == {"web-1", "web-2"}
