"""The queue panel against a real prometheus with two queues of different p99
(support/backfill.py: worker's emails 1.5 s and payments 4.7 s): each queue's own p99 and
worst on screen, a row each where there is room, sharing the legend row at 80×24."""

from __future__ import annotations

from dataclasses import replace

import pytest
from support.prometheus_fixtures import PrometheusData
from ui.harness import screen_text, wait_until

from pulse_tui.model.metrics.signals import Signal
from pulse_tui.sources.prometheus.source import PrometheusSource
from pulse_tui.ui.app import PulseApp

EMAILS = "━ worker emails 1.5s worst 1.5s"
PAYMENTS = "━ worker payments 4.7s worst 4.7s"


def panel_lines(app: PulseApp) -> list[str]:
    region = app.dashboard.panel(Signal.QUEUE).content_region
    rows = screen_text(app).splitlines()
    return [row[region.x : region.right].rstrip() for row in rows[region.y : region.bottom]]


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_each_queue_shows_its_own_p99_and_worst(
    prometheus_data: PrometheusData, size: tuple[int, int]
) -> None:
    config = prometheus_data.config()
    config = replace(config, dashboard=replace(config.dashboard, refresh=1.0))
    app = PulseApp(replace(config, prometheus_defaulted=False), PrometheusSource(config), [])
    async with app.run_test(size=size) as pilot:
        end = float(prometheus_data.end)
        app.view.set(replace(app.view.state, end=end))
        panel = app.dashboard.panel(Signal.QUEUE)
        await pilot.press("5")  # at 80×24: the one panel shown, a few rows high
        await wait_until(
            pilot,
            lambda: (
                panel.result is not None
                and end - 300 < panel.result.window.end <= end
                and any(EMAILS in line for line in panel_lines(app))
            ),
        )
        lines = panel_lines(app)
        # The headline's "worst" is its own queue's, not the worst of every queue.
        assert lines[0].startswith("4.7s  p99 worker payments  worst 4.7s")
        if size == (160, 48):
            assert lines[1] == EMAILS and lines[2] == PAYMENTS  # a row each
        else:
            assert lines[1] == f"{EMAILS}  {PAYMENTS}"  # no room: one row for both
            assert len(lines) < 8
