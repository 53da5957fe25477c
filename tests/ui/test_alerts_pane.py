"""The Alerts tab as a newcomer meets it (issue #14, item 6): rows at 80x24, the history
newest first, resolved rows worded as over."""

from __future__ import annotations

from textual.widgets import DataTable
from ui.harness import FROZEN_AT, frozen_demo_app, has_data, screen_text, wait_until

from pulse_tui.model.core import clock
from pulse_tui.ui.app import PulseApp


async def _alerts_tab(pilot, app: PulseApp) -> None:
    await wait_until(pilot, lambda: has_data(app))
    await pilot.press("a")
    await wait_until(pilot, lambda: app.query_one("#alert-table", DataTable).row_count > 0)
    await pilot.pause()


async def test_alert_rows_show_at_80x24() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _alerts_tab(pilot, app)
        table = app.query_one("#alert-table", DataTable)
        # The header and the firing alert's row, both on screen (not a header and a
        # scrollbar, as when the history took half of four rows).
        assert table.region.height >= 2 + 1
        screen = screen_text(app)
        assert "Severity" in screen and "High error ratio" in screen
        assert "in history (z shows it)" in screen
        await pilot.press("z")
        await pilot.pause()
        assert app.query_one("#alert-history", DataTable).region.height > 0


async def test_at_80x24_with_nothing_firing_the_history_shows_instead() -> None:
    app = frozen_demo_app()
    clock.freeze(FROZEN_AT + 300)  # the checkout incident is over: nothing current
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await pilot.press("a")
        history = app.query_one("#alert-history", DataTable)
        await wait_until(pilot, lambda: history.row_count > 0)
        await pilot.pause()
        assert app.query_one("#alert-table", DataTable).row_count == 0
        screen = screen_text(app)
        assert "When" in screen and "resolved  High error ratio" in screen
        assert "Severity" not in screen  # no empty table taking the rows


def _seconds_before_frozen_midnight(clock_text: str) -> int:
    """`23:54:00` -> -360, `00:04:00` -> 240: the frozen demo runs just after midnight."""
    hours, minutes, seconds = (int(part) for part in clock_text.split(":"))
    of_day = hours * 3600 + minutes * 60 + seconds
    return of_day - 86400 if hours >= 12 else of_day


async def test_history_is_newest_first_and_resolved_rows_say_what_held() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await _alerts_tab(pilot, app)
        await pilot.press("z")
        await pilot.pause()
        history = app.query_one("#alert-history", DataTable)
        rows = [[cell.plain for cell in history.get_row_at(i)] for i in range(history.row_count)]
        assert len(rows) > 5 and {row[1] for row in rows} == {"firing", "resolved"}
        times = [_seconds_before_frozen_midnight(row[0]) for row in rows]
        assert times == sorted(times, reverse=True), times
        for when, kind, name, service, value in rows:
            if kind == "resolved":
                # What held while it fired, said as past: its summary at firing.
                assert value.startswith("was "), value
                fired = next(
                    r
                    for r in rows
                    if r[1] == "firing"
                    and r[2:4] == [name, service]
                    and _seconds_before_frozen_midnight(r[0])
                    <= _seconds_before_frozen_midnight(when)
                )
                assert value == f"was {fired[4]}"
