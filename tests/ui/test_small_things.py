"""Issue #14, item 10: the services sparkline, the time dialog's own example form."""

from __future__ import annotations

from test_triage import type_text
from ui.harness import FROZEN_AT, frozen_demo_app, has_data, screen_text, wait_until

from pulse_tui.ui.charts.sparkline import BARS
from pulse_tui.ui.screens.time_range import TimeRangeScreen
from pulse_tui.ui.widgets.metrics.service_table import ServiceTable


async def test_the_services_sparkline_shows_each_services_own_movement() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:  # the table on top, every row shown
        await wait_until(pilot, lambda: has_data(app))
        await pilot.pause()
        table = app.query_one("#services", ServiceTable)
        trends = {
            row.service: table.get_cell(row.service, "spark").plain for row in table.rows_data
        }
        assert len(trends) >= 3
        for service, trend in trends.items():
            # Against zero, every steady service was a row of full bars; on its own range
            # its lowest point is the lowest bar and its highest the highest.
            assert trend != BARS[-1] * len(trend), (service, trend)
            assert BARS[0] in trend and BARS[-1] in trend, (service, trend)
        await wait_until(pilot, lambda: all(t in screen_text(app) for t in trends.values()))


async def test_the_time_dialog_accepts_its_own_example_form() -> None:
    app = frozen_demo_app()  # 2026-01-01 00:11:40 UTC, read in UTC
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await pilot.press("t")
        await pilot.pause()
        assert "..11:30" in screen_text(app)  # the placeholder's example: date..time
        await type_text(pilot, "2025-12-31T22:00..23:30")
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, TimeRangeScreen))
        assert app.view.state.range_seconds == 90 * 60
        assert app.view.state.end == FROZEN_AT - 700 - 1800  # 2025-12-31 23:30 UTC
        assert "PAST RANGE" in screen_text(app)
