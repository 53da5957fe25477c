"""The dashboard as a user drives it: keys pressed with the Pilot, the screen read back."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from textual.command import CommandPalette
from ui.harness import choose_service, frozen_demo_app, has_data, screen_text, wait_until

from pulse_tui.model.metrics.signals import Signal
from pulse_tui.ui.app import PulseApp, build_app, demo_config
from pulse_tui.ui.screens.help import HelpScreen
from pulse_tui.ui.widgets.logs.log_view import LogView
from pulse_tui.ui.widgets.metrics.signal_panel import SignalPanel

WIDE = (200, 50)
NARROW = (80, 24)


async def test_demo_shows_every_panel_table_and_logs_within_a_second() -> None:
    app = build_app(demo_config())
    started = time.monotonic()
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app), timeout=10)
        elapsed = time.monotonic() - started
        text = screen_text(app)
        for title in ("Latency", "Traffic", "Errors", "Saturation", "Queue tail latency"):
            assert title in text
        for service in ("api", "checkout", "worker"):
            assert service in text
        assert "DEMO" in text and "LIVE" in text
        assert "web-1" in text and "lines" in text
        # Not a timing assertion on a shared machine: a generous bound that catches a
        # demo that waits on a refresh interval before its first frame.
        assert elapsed < 10


async def test_wide_layout_shows_all_five_panels() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        panels = list(app.query(SignalPanel))
        assert all(p.display and p.region.width > 40 for p in panels)
        assert app.query_one("#logs").region.width == WIDE[0]


async def test_narrow_layout_collapses_to_table_and_one_panel() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=NARROW) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await pilot.pause()
        shown = [p for p in app.query(SignalPanel) if p.region.height > 0]
        assert [p.signal for p in shown] == [Signal.LATENCY]
        text = screen_text(app)
        assert "Services" in text and "Latency" in text and "Logs" in text
        assert "Traffic" not in text.splitlines()[8]  # only one panel's title on screen
        # The focused panel's chart is drawn, not squeezed to an ellipsis.
        assert "p99" in text and "updated" in text


async def test_tab_cycles_panes_and_reveals_panels_in_narrow_layout() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=NARROW) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        assert app.focused is app.query_one("#services")
        await pilot.press("tab")
        assert app.focused is app.dashboard.panel(Signal.LATENCY)
        await pilot.press("tab")
        assert app.focused is app.dashboard.panel(Signal.TRAFFIC)
        await pilot.pause()
        assert "Traffic" in screen_text(app)
        assert app.dashboard.panel(Signal.LATENCY).region.height == 0
        await pilot.press("shift+tab", "shift+tab")
        assert app.focused is app.query_one("#services")
        await pilot.press("shift+tab")
        assert isinstance(app.focused, LogView)


async def test_number_keys_jump_to_panels() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=NARROW) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await pilot.press("4")
        await pilot.pause()
        assert app.focused is app.dashboard.panel(Signal.SATURATION)
        assert "Saturation" in screen_text(app)
        await pilot.press("7")
        assert isinstance(app.focused, LogView)


async def test_enter_maximises_the_focused_pane_and_restores() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await pilot.press("2")  # Traffic
        await pilot.press("enter")
        await pilot.pause()
        traffic = app.dashboard.panel(Signal.TRAFFIC)
        assert traffic.region.height >= WIDE[1] - 4
        assert app.dashboard.panel(Signal.LATENCY).region.height == 0
        await pilot.press("enter")
        await pilot.pause()
        assert app.dashboard.panel(Signal.LATENCY).region.height > 0
        await pilot.press("7", "z")
        await pilot.pause()
        assert app.dashboard.log_panel.region.height >= WIDE[1] - 4
        await pilot.press("escape")
        await pilot.pause()
        assert app.dashboard.panel(Signal.TRAFFIC).region.height > 0


async def test_escape_with_nothing_to_clear_in_a_pane_clears_the_service_filter() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await choose_service(pilot, "checkout")
        await wait_until(pilot, lambda: app.view.state.services == {"checkout"})
        await pilot.press("2", "escape")  # on a panel with no cursor
        await wait_until(pilot, lambda: not app.view.state.services)
        await pilot.press("6", "enter")  # the table's cursor is still on checkout
        await wait_until(pilot, lambda: app.view.state.services == {"checkout"})
        await pilot.press("7", "escape")  # on the logs with no search
        await wait_until(pilot, lambda: not app.view.state.services)


async def test_keys_typed_faster_than_focus_moves_act_on_the_chosen_pane() -> None:
    # Focus lands a message after the key that moves it: "7z" typed in one go (both
    # keys queued before either is handled) must maximise the logs, not the table.
    app = frozen_demo_app()
    async with app.run_test(size=NARROW) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        app.simulate_key("7")
        app.simulate_key("z")
        await pilot.pause(0.2)
        assert app.dashboard.maximized is app.query_one("#bottom")
        assert "Services" not in screen_text(app)
        app.simulate_key("z")
        app.simulate_key("2")
        app.simulate_key("z")
        await pilot.pause(0.2)
        assert app.dashboard.maximized is app.dashboard.panel(Signal.TRAFFIC)
        assert "Traffic" in screen_text(app) and "Services" not in screen_text(app)


async def test_help_screen_lists_bindings_and_closes() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Key bindings" in text
        assert "Pause or resume live updates" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_the_header_shows_the_configured_range_from_the_start() -> None:
    config = demo_config()
    config = replace(config, dashboard=replace(config.dashboard, range=6 * 3600.0))
    app = frozen_demo_app(config)
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        assert "last 6h" in screen_text(app).splitlines()[0]


async def test_a_view_set_before_the_app_runs_is_where_it_starts() -> None:
    app = frozen_demo_app()
    app.view.set(replace(app.view.state, services=frozenset({"checkout"})))
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        assert "checkout" in screen_text(app).splitlines()[0]
        view = app.dashboard.log_panel.view
        await wait_until(pilot, lambda: view.narrowed and 0 < view.count < len(view.store))
        assert app.dashboard.panel(Signal.TRAFFIC).result.services() == ["checkout"]


async def test_pause_stops_refresh_and_says_so() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await pilot.press("p")
        await pilot.pause()
        assert "PAUSED" in screen_text(app)
        fetched = app.dashboard.panel(Signal.TRAFFIC).result
        app.metrics.refresh()  # what the refresh timer does
        await pilot.pause(0.2)
        assert app.dashboard.panel(Signal.TRAFFIC).result is fetched
        await pilot.press("p")
        await wait_until(pilot, lambda: app.dashboard.panel(Signal.TRAFFIC).result is not fetched)
        assert "LIVE" in screen_text(app)


async def test_zoom_changes_the_range_and_step() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        before = app.dashboard.panel(Signal.TRAFFIC).result
        assert before is not None
        await pilot.press("plus")
        await wait_until(pilot, lambda: app.dashboard.panel(Signal.TRAFFIC).result is not before)
        after = app.dashboard.panel(Signal.TRAFFIC).result
        assert after is not None
        assert "last 3h" in screen_text(app)
        assert after.window.step > before.window.step
        await pilot.press("minus", "minus")
        await pilot.pause(0.2)
        assert "last 15m" in screen_text(app)


async def test_enter_on_a_service_focuses_panels_and_logs_escape_clears() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await choose_service(pilot, "checkout")
        await wait_until(
            pilot,
            lambda: (
                (r := app.dashboard.panel(Signal.LATENCY).result) is not None
                and r.services() == ["checkout"]
            ),
        )
        text = screen_text(app)
        assert "checkout" in text.splitlines()[0]  # header shows the filter
        assert "checkout p50" in text  # latency legend: the service's quantiles
        # The table keeps every service's row, but only checkout was queried: it says so,
        # rather than showing the others as "—" (no data).
        await wait_until(pilot, lambda: "Services · checkout only" in screen_text(app))
        api_row = app.dashboard.service_table.get_row("api")
        assert [cell.plain for cell in api_row[1:-1]] == ["·"] * (len(api_row) - 2)
        view = app.dashboard.log_panel.view
        assert view.count and all(
            view.store[i - view.store.first_index].service == "checkout"
            for i in range(view.store.first_index, view.store.first_index + len(view.store))
            if view.predicate is not None and view.predicate(view.store[i - view.store.first_index])
        )
        assert view.count < len(view.store)
        await pilot.press("escape")
        await wait_until(
            pilot,
            lambda: (
                (r := app.dashboard.panel(Signal.LATENCY).result) is not None
                and len(r.services()) == 3
            ),
        )
        assert "all services" in screen_text(app)
        await wait_until(pilot, lambda: "checkout only" not in screen_text(app))


async def test_command_palette_lists_every_action() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE) as pilot:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for description in app.ACTION_HELP.values():
            assert description in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"pause")
        await pilot.pause(0.5)
        assert "Pause or resume live updates" in screen_text(app)


async def test_tiny_terminal_asks_to_enlarge_and_does_not_crash() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=(50, 12)) as pilot:
        await pilot.pause(0.3)
        text = screen_text(app)
        assert "Enlarge it to at least 60×16" in text
        await pilot.resize_terminal(*NARROW)
        await pilot.pause(0.3)
        assert "Enlarge" not in screen_text(app)


async def test_q_quits() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


@pytest.mark.parametrize("glyphs", ["block", "ascii"])
async def test_glyph_sets_for_fonts_without_braille(glyphs: str) -> None:
    from dataclasses import replace

    config = demo_config()
    config = replace(config, dashboard=replace(config.dashboard, glyphs=glyphs))
    app = frozen_demo_app(config)
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        text = screen_text(app)
        assert not any(0x2800 <= ord(ch) <= 0x28FF for ch in text)


async def test_pan_back_pauses_refresh_and_zero_returns_live() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        live = app.dashboard.panel(Signal.TRAFFIC).result
        assert live is not None
        await pilot.press("left_square_bracket")
        await wait_until(pilot, lambda: app.dashboard.panel(Signal.TRAFFIC).result is not live)
        panned = app.dashboard.panel(Signal.TRAFFIC).result
        assert panned is not None
        assert panned.window.end <= live.window.end - 1800 + panned.window.step
        assert "PAST RANGE" in screen_text(app)
        await pilot.press("right_square_bracket")  # forward past now: live again
        await pilot.pause(0.2)
        assert "LIVE" in screen_text(app)
        await pilot.press("left_square_bracket", "left_square_bracket", "0")
        await pilot.pause(0.2)
        assert app.view.state.end is None and "LIVE" in screen_text(app)


async def test_compare_overlays_a_day_earlier_with_the_difference() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await pilot.press("c")
        await wait_until(
            pilot, lambda: bool((r := app.dashboard.panel(Signal.TRAFFIC).result) and r.compare)
        )
        text = screen_text(app)
        assert "vs 1d earlier" in text
        assert "vs before" in text  # the headline's change against the overlay
        await pilot.press("c", "c")
        await wait_until(
            pilot, lambda: not (r := app.dashboard.panel(Signal.TRAFFIC).result) or not r.compare
        )
        assert "earlier" not in screen_text(app).splitlines()[0]


async def test_chart_cursor_shows_values_and_enter_jumps_the_logs_there() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await pilot.press("2")  # Traffic
        await pilot.press("left")  # cursor appears on the newest point
        panel = app.dashboard.panel(Signal.TRAFFIC)
        assert panel.result is not None and panel.cursor == panel.result.window.end
        await pilot.press("left", "left")
        assert panel.cursor == panel.result.window.end - 2 * panel.result.window.step
        await pilot.pause()
        text = screen_text(app)
        stamp = time.strftime("%H:%M:%S", time.gmtime(panel.cursor))
        assert f"◆ {stamp}" in text and "Enter: logs here" in text
        values = dict(panel.values_at_cursor())
        assert set(values) == {"api", "checkout", "worker"}
        assert all(v is not None and v > 0 for v in values.values())
        target = app.dashboard.log_panel.view.store[0].timestamp + 10
        panel.cursor = target
        await pilot.press("enter")
        await pilot.pause()
        view = app.dashboard.log_panel.view
        assert isinstance(app.focused, LogView)
        assert not view.follow
        top = view.store[view.top - view.store.first_index]
        assert top.timestamp <= target
        await pilot.press("escape")  # on the log pane: nothing breaks


async def test_key_bindings_come_from_the_config() -> None:
    config = replace(demo_config(), keys={"pause": "P", "pick_range": "T"})
    app = frozen_demo_app(config)
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await pilot.press("p")
        await pilot.pause()
        assert not app.view.state.paused  # the old key no longer pauses
        await pilot.press("P")
        await pilot.pause()
        assert app.view.state.paused and "PAUSED" in screen_text(app)


async def test_the_errors_tab_keeps_its_key_name_in_the_config() -> None:
    # `[keys] pane_errors` names the key of the tab labelled "Errors" (the error groups).
    config = replace(demo_config(), keys={"pane_errors": "E"})
    app = frozen_demo_app(config)
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await pilot.press("E")
        await pilot.pause()
        assert app.dashboard.active_tab == "error-groups"
        assert app.focused is app.query_one("#error-group-table")


async def test_header_warns_when_tls_verification_is_off() -> None:
    from pulse_tui.config import Config
    from pulse_tui.sources.prometheus.source import PrometheusSource

    config = Config()
    insecure = replace(config.prometheus, url="https://127.0.0.1:9", tls_insecure=True)
    config = replace(config, prometheus=insecure)
    app = PulseApp(config, PrometheusSource(config), [])
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause(0.2)
        assert "TLS NOT VERIFIED" in screen_text(app).splitlines()[0]
