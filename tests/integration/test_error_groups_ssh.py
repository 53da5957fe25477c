"""Error groups after connect, over a real sshd: the Errors tab counts the hour loaded.

Two hosts write the same error in two formats; the incident began 30 minutes ago, and an
older burst of it (70 minutes ago) lies outside the dashboard's hour. After connect the
group's count equals the matching lines of the files' hour, first seen is the incident's
start (not when the lines arrived), and it is not NEW.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.text import Text
from support.sshd_server import SshdServer
from ui.harness import screen_text, wait_until

from pulse_tui.config import Config, DashboardConfig, LogFile, LogHost, LogsConfig
from pulse_tui.sources.demo import DemoMetricsSource
from pulse_tui.sources.factory import log_sources
from pulse_tui.ui.app import PulseApp

pytestmark = pytest.mark.integration

SIZE = (200, 50)
TIMEOUT = "upstream timeout after <duration>"


def iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


def write_log(path: Path, now: float, error_line: Callable[[float, int], str]) -> list[float]:
    """70 minutes of INFO lines every 0.5 s, the error every 2 s from 72 to 70 minutes ago
    and from 30 minutes ago on; returns the error lines' times."""
    lines: list[tuple[float, str]] = []
    t = now - 72 * 60
    while t < now:
        lines.append((t, f"{iso(t)} INFO api: GET /cart 200"))
        t += 0.5
    errors = [now - 72 * 60 + 2 * i + 0.25 for i in range(60)]
    errors += [now - 1800 + 2 * i + 0.25 for i in range(899)]
    lines += [(e, error_line(e, n)) for n, e in enumerate(errors)]
    lines.sort()
    path.write_text("".join(text + "\n" for _, text in lines))
    return errors


def row(app: PulseApp, key: str) -> list[str]:
    table = app.query_one("#error-group-table")
    return [c.plain if isinstance(c, Text) else str(c) for c in table.get_row(key)]


async def test_after_connect_the_count_is_the_matching_lines_of_the_hour(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()
    ssh_home(["web-1", "web-2"])
    now = time.time()
    one = write_log(
        tmp_path / "api.log",
        now,
        lambda t, n: f"{iso(t)} ERROR api: upstream timeout after {n % 30 + 1}s",
    )
    two = write_log(
        tmp_path / "client.log",
        now,
        lambda t, n: f"[{iso(t)}] [error] checkout.client: upstream timeout after {n % 7 + 1}s",
    )
    web1 = LogHost("web-1", files=(LogFile(str(tmp_path / "api.log")),))
    web2 = LogHost("web-2", files=(LogFile(str(tmp_path / "client.log")),))
    config = Config(
        dashboard=DashboardConfig(range=3600.0),
        logs=LogsConfig(hosts=(web1, web2), connect_timeout=5),
    )
    app = PulseApp(config, DemoMetricsSource(config), log_sources(config))
    in_hour = [t for t in one + two if t >= now - 3600]
    assert len(in_hour) == 2 * 899
    async with app.run_test(size=SIZE) as pilot:
        order = app.logs.order
        assert order is not None
        await wait_until(pilot, lambda: not order.settling and not order.loading, timeout=30)
        await wait_until(pilot, lambda: not app.logs.rebuilding)
        await pilot.press("e")
        table = app.query_one("#error-group-table")
        await wait_until(pilot, lambda: table.row_count >= 1)
        await wait_until(pilot, lambda: row(app, TIMEOUT)[1] == f"{len(in_hour):,}")
        assert table.row_count == 1  # one error in two formats: one group
        [new, _, _, first, _, _, example, hosts, _] = row(app, TIMEOUT)
        assert new == ""  # it occurred in the loaded history
        assert first == time.strftime("%H:%M:%S", time.gmtime(min(in_hour)))
        assert hosts == "web-1, web-2"
        assert example.startswith("upstream timeout after ")  # the message, no time stamp
        assert "NEW" not in screen_text(app)
