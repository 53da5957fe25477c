"""Keyboard triage as an on-call engineer does it: services, time ranges, log search."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from test_log_pane import ScriptedLogSource, app_with
from ui.harness import frozen_demo_app, has_data, screen_text, wait_until

from pulse_tui.model.logs.line import Level, LogLine
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.ui.screens.picker import PickerScreen
from pulse_tui.ui.screens.time_range import TimeRangeScreen
from pulse_tui.ui.widgets.logs.log_view import LogView

WIDE = (200, 50)
BASE = 1767225600


def lines(
    texts: Sequence[tuple[str, Level]], host: str = "web-1", service: str = "api"
) -> list[LogLine]:
    return [
        LogLine(BASE + n, BASE + n, host, "/var/log/app.log", service, level, text)
        for n, (text, level) in enumerate(texts)
    ]


STORY = lines(
    [
        ("GET /healthz 200", Level.INFO),
        ("payment timeout after 1234ms", Level.ERROR),
        ("GET /v1/orders 200", Level.INFO),
        ("slow query took 800ms", Level.WARN),
        ("payment Timeout after 98ms", Level.ERROR),
        ("GET /healthz 200", Level.INFO),
        ("cache warm", Level.DEBUG),
        ("upstream timeout after 3000ms", Level.WARN),
    ]
)


async def open_logs(pilot, app, count: int) -> LogView:
    await wait_until(pilot, lambda: app.dashboard.log_panel.view.count == count)
    await pilot.press("7")
    return app.dashboard.log_panel.view


async def type_text(pilot, text: str) -> None:
    await pilot.press(
        *[{"!": "exclamation_mark", "/": "slash", " ": "space"}.get(c, c) for c in text]
    )


async def test_pick_a_service_with_fuzzy_typing_then_escape_clears() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await type_text(pilot, "chk")
        await pilot.pause()
        assert (
            "checkout" in screen_text(app)
            and "worker" not in screen_text(app).split("Services")[-1]
        )
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: (
                (r := app.dashboard.panel(Signal.TRAFFIC).result) and r.services() == ["checkout"]
            ),
        )
        assert "checkout" in screen_text(app).splitlines()[0]
        view = app.dashboard.log_panel.view
        await wait_until(pilot, lambda: view.count > 0 and view._matches is not None)
        assert all(view._line(i).service == "checkout" for i in range(view.count))
        await pilot.press("escape")
        await wait_until(
            pilot, lambda: len(app.dashboard.panel(Signal.TRAFFIC).result.services()) == 3
        )
        assert "all services" in screen_text(app)


async def test_pick_several_services_with_tab() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("down", "tab", "tab", "enter")  # (all) → tick api, checkout
        await wait_until(pilot, lambda: app.view.state.services == {"api", "checkout"})
        await wait_until(
            pilot,
            lambda: app.dashboard.panel(Signal.TRAFFIC).result.services() == ["api", "checkout"],
        )
        assert "api, checkout" in screen_text(app).splitlines()[0]


async def test_time_range_preset_custom_and_invalid() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        before = app.dashboard.panel(Signal.TRAFFIC).result
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TimeRangeScreen)
        await type_text(pilot, "6h")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.dashboard.panel(Signal.TRAFFIC).result is not before)
        after = app.dashboard.panel(Signal.TRAFFIC).result
        assert after.window.end - after.window.start >= 6 * 3600 - after.window.step
        assert after.window.step > before.window.step
        assert "last 6h" in screen_text(app)
        # Invalid: an inline error, the range is unchanged.
        await pilot.press("t")
        await pilot.pause()
        await type_text(pilot, "now-30m..now-2h")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TimeRangeScreen)
        assert "before" in screen_text(app)  # "end is before start"-style message
        await pilot.press("escape")
        assert app.view.state.range_seconds == 6 * 3600
        # Custom relative range in the past: pauses live refresh and says so.
        await pilot.press("t")
        await pilot.pause()
        await type_text(pilot, "now-2h..now-30m")
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.view.state.range_seconds == 90 * 60
        assert app.view.state.end is not None
        assert "PAST RANGE" in screen_text(app)
        await pilot.press("0")
        await pilot.pause()
        assert "LIVE" in screen_text(app)


async def test_search_highlights_counts_and_n_moves() -> None:
    app = app_with(ScriptedLogSource("web-1", [STORY]))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await open_logs(pilot, app, len(STORY))
        await pilot.press("slash")
        await type_text(pilot, "timeout")
        await wait_until(pilot, lambda: len(view.hits) == 3)  # smart case: Timeout too
        await pilot.press("enter")
        await pilot.pause()
        assert "3 matches" in screen_text(app)
        await pilot.press("g", "n")
        await pilot.pause()
        assert view.current_hit == view.store.first_index + 1
        assert "1 of 3" in screen_text(app)
        await pilot.press("n", "n")
        await pilot.pause()
        assert "3 of 3" in screen_text(app)
        await pilot.press("N")
        await pilot.pause()
        assert "2 of 3" in screen_text(app)
        # The highlighted hit is drawn with a style; the text itself is unchanged.
        assert "payment Timeout after 98ms" in screen_text(app)


async def test_filter_mode_exclude_and_levels_combine() -> None:
    app = app_with(ScriptedLogSource("web-1", [STORY]))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await open_logs(pilot, app, len(STORY))
        await pilot.press("slash")
        await type_text(pilot, "timeout")
        await pilot.press("enter", "f")
        await wait_until(pilot, lambda: view.count == 3)
        assert "filter 'timeout'" in screen_text(app)
        await pilot.press("exclamation_mark")
        await type_text(pilot, "upstream")
        await pilot.press("enter")
        await wait_until(pilot, lambda: view.count == 2)
        texts = [view._line(i).text for i in range(view.count)]
        assert texts == ["payment timeout after 1234ms", "payment Timeout after 98ms"]
        await pilot.press("f")  # filter mode off: the exclude still applies
        await wait_until(pilot, lambda: view.count == 7)
        await pilot.press("l")  # ≥ ERROR
        await wait_until(pilot, lambda: view.count == 2)
        await pilot.press("l")  # ≥ WARN
        await wait_until(pilot, lambda: view.count == 3)
        assert "level ≥ WARN" in screen_text(app)
        # New lines keep being filtered as they arrive.
        app.logs.on_lines(lines([("disk full", Level.ERROR), ("hello", Level.INFO)]))
        await wait_until(pilot, lambda: view.count == 4)
        await pilot.press("escape")  # clears search and filters
        await wait_until(pilot, lambda: view.count == 10)


async def test_invalid_regex_shows_the_error_and_keeps_the_previous_search() -> None:
    app = app_with(ScriptedLogSource("web-1", [STORY]))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await open_logs(pilot, app, len(STORY))
        await pilot.press("slash")
        await type_text(pilot, "healthz")
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(view.hits) == 2)
        await pilot.press("slash", "ctrl+u")
        await type_text(pilot, "re:(unclosed")
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert "invalid regex" in screen_text(app)
        # The invalid pattern never replaces the search on screen (while typing, the last
        # valid prefix may have been shown), and the prompt stays open to fix it.
        assert view.search is None or "(unclosed" not in view.search.pattern
        assert app.dashboard.log_panel.search_bar.has_class("-open")
        await pilot.press("escape")  # give up: the committed search comes back
        await wait_until(pilot, lambda: view.search is not None and len(view.hits) == 2)
        assert view.search.pattern == "healthz"


async def test_catastrophic_regex_leaves_the_ui_responsive() -> None:
    evil = lines([("a" * 5000 + "!", Level.INFO)] * 20)
    app = app_with(ScriptedLogSource("web-1", [evil]))
    async with app.run_test(size=(160, 40)) as pilot:
        await open_logs(pilot, app, len(evil))
        await pilot.press("slash")
        await type_text(pilot, "re:(a+)+$")
        await pilot.pause(0.3)
        # Keys still work while (or instead of) that search: the help screen opens.
        await pilot.press("escape")
        await pilot.press("question_mark")
        await asyncio.wait_for(pilot.pause(0.2), timeout=30)
        assert "Key bindings" in screen_text(app)


async def test_host_filter() -> None:
    web = ScriptedLogSource("web-1", [lines([("from web", Level.INFO)] * 3)])
    db = ScriptedLogSource("db-1", [lines([("from db", Level.INFO)] * 2, host="db-1")])
    app = app_with(web, db)
    async with app.run_test(size=(160, 40)) as pilot:
        view = await open_logs(pilot, app, 5)
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await type_text(pilot, "db")
        await pilot.press("enter")
        await wait_until(pilot, lambda: view.count == 2)
        assert "hosts: db-1" in screen_text(app)


def _row_text(app, widget) -> str:
    """The screen's text on the widget's (first) row, within its columns."""
    region = widget.region
    row = screen_text(app).splitlines()[region.y]
    return row[region.x : region.x + region.width]


async def test_what_is_typed_in_a_prompt_shows_while_focused() -> None:
    # A focused Input draws a tall border; in a one-row prompt that left no room for
    # the text, so the picker, the range prompt and the log search showed nothing.
    from textual.widgets import Input

    app = app_with(ScriptedLogSource("web-1", [STORY]))
    async with app.run_test(size=WIDE) as pilot:
        await open_logs(pilot, app, len(STORY))
        await pilot.press("slash")
        await type_text(pilot, "timeout")
        await pilot.pause(0.2)
        assert "timeout" in _row_text(app, app.query_one("#log-search", Input))
        await pilot.press("escape", "s")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await type_text(pilot, "ap")
        await pilot.pause()
        assert "ap" in _row_text(app, app.screen.query_one(Input))
        await pilot.press("escape", "t")
        await pilot.pause()
        assert isinstance(app.screen, TimeRangeScreen)
        await type_text(pilot, "now-2h")
        await pilot.pause()
        assert "now-2h" in _row_text(app, app.screen.query_one(Input))
