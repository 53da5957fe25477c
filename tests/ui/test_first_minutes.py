"""Issue #14, "the first ten minutes": what a newcomer meets on the first keys they press."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rich.color import ColorSystem
from textual.binding import Binding
from ui.harness import frozen_demo_app, has_data, screen_text, wait_until

from pulse_tui.ui.app import PulseApp

SMALL = (80, 24)
WIDE = (160, 48)


async def _loaded(pilot, app: PulseApp) -> None:
    await wait_until(pilot, lambda: has_data(app))


# ----------------------------------------------------------------- 1: no colour, 16 colours


@pytest.mark.parametrize("size", [SMALL, WIDE])
async def test_no_color_renders_every_tab_and_screen(monkeypatch, size) -> None:
    # Textual reads NO_COLOR when the app is made and then runs every strip through its
    # monochrome filter, which fails on a segment without a style.
    monkeypatch.setenv("NO_COLOR", "1")
    app = frozen_demo_app()
    assert app.no_color
    async with app.run_test(size=size) as pilot:
        await _loaded(pilot, app)
        for key, shows in [("7", "Logs"), ("a", "Alerts"), ("e", "Errors"), ("u", "Probes")]:
            await pilot.press(key)
            await pilot.pause()
            assert shows in screen_text(app)
        await pilot.press("7", "z")
        await pilot.pause()
        await pilot.press("z", "question_mark")
        await pilot.pause()
        assert "Key bindings" in screen_text(app)
        await pilot.press("escape", "t")
        await pilot.pause()
        assert "Time range" in screen_text(app)
        await pilot.press("escape", "s")
        await pilot.pause()
        assert "(all)" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "Latency" in screen_text(app)


async def test_an_empty_log_pane_renders_without_colour(monkeypatch) -> None:
    # The crash of `NO_COLOR=1 pulse-tui --demo`: the "no log lines yet" placeholder.
    from test_log_pane import ScriptedLogSource, app_with

    monkeypatch.setenv("NO_COLOR", "1")
    app = app_with(ScriptedLogSource("web-1", []))  # a log host, no lines yet
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("7")
        await pilot.pause()
        assert "no log lines yet" in screen_text(app)


def _border_colour(app: PulseApp, widget_id: str):
    widget = app.query_one(f"#{widget_id}")
    return widget.styles.border_top[1].rich_color


async def test_the_focused_border_does_not_read_as_an_error_in_16_colours() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE) as pilot:
        await _loaded(pilot, app)
        for key, widget_id in [("6", "services"), ("1", "panel-latency")]:
            await pilot.press(key)
            await pilot.pause()
            colour = _border_colour(app, widget_id).downgrade(ColorSystem.STANDARD)
            # 1 red, 9 bright red, 3/11 yellow (warnings): none of them for "has the keys".
            assert colour.number not in (1, 9, 3, 11), colour
        await pilot.press("question_mark")
        await pilot.pause()
        frame = app.screen.query_one("VerticalScroll").styles.border_top[1].rich_color
        assert frame.downgrade(ColorSystem.STANDARD).number not in (1, 9, 3, 11)


# ----------------------------------------------------------------- 2: `/` from anywhere


def _search_of(app: PulseApp) -> str:
    return app.dashboard.log_panel.query_state.state.search


async def test_slash_searches_the_logs_from_the_first_screen_typed_in_one_go() -> None:
    from pulse_tui.ui.screens.time_range import TimeRangeScreen

    app = frozen_demo_app()
    async with app.run_test(size=SMALL) as pilot:
        await _loaded(pilot, app)
        assert app.focused is app.dashboard.service_table  # where a newcomer starts
        # One press call: the keys are queued before the prompt could take focus later.
        await pilot.press("/", *"timeout", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, TimeRangeScreen)  # `t` did not open the dialog
        assert _search_of(app) == "timeout"
        assert app.dashboard.active_tab == "logs"
        assert "search 'timeout'" in screen_text(app)
        assert app.focused is app.dashboard.log_panel.view


async def test_slash_from_the_alerts_tab_and_from_help_opens_the_log_search() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE) as pilot:
        await _loaded(pilot, app)
        await pilot.press("a", "/", *"ship", "enter")
        await pilot.pause()
        assert (app.dashboard.active_tab, _search_of(app)) == ("logs", "ship")
        await pilot.press("6", "question_mark")
        await pilot.pause()
        await pilot.press("/", *"pay", "escape")  # Escape restores the search before
        await pilot.pause()
        assert app.screen is app.screen_stack[0]
        assert _search_of(app) == "ship"


async def test_slash_and_bang_typed_inside_the_prompt_are_text() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE) as pilot:
        await _loaded(pilot, app)
        await pilot.press("/", *"/v1/orders", "enter")
        await pilot.pause()
        assert _search_of(app) == "/v1/orders"
        # `!` opens the exclude prompt at once too; "tz" typed after it are its text.
        await pilot.press("!", *"healthz", "enter")
        await pilot.pause()
        assert app.dashboard.log_panel.query_state.state.excludes == ["healthz"]
        assert app.dashboard.maximized is None  # the `z` was text, not Maximise


# ----------------------------------------------------------------- 3: help from the bindings


def _every_declared_binding() -> list[tuple[str, Binding]]:
    """(class name, binding) for every Binding any pulse-tui UI class declares."""
    import importlib
    import inspect
    import pkgutil

    import pulse_tui.ui

    found = []
    for module_info in pkgutil.walk_packages(pulse_tui.ui.__path__, "pulse_tui.ui."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            for binding in cls.__dict__.get("BINDINGS", ()):
                found.append((cls.__name__, binding))
    return found


async def test_help_lists_every_binding_of_every_pane_once() -> None:
    from pulse_tui.ui.screens.help import SECTION_OF, HelpScreen

    app = frozen_demo_app()
    async with app.run_test(size=WIDE) as pilot:
        await _loaded(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        sections = dict(app.screen.sections)
        declared = _every_declared_binding()
        assert len(declared) > 50
        for owner, binding in declared:
            rows = sections[SECTION_OF.get(owner, owner)]
            for key in binding.key.split(","):
                shown = app.get_key_display(replace(binding, key=key.strip()))
                assert any(shown in keys.split(" ") for keys, _ in rows), (owner, key, rows)
        everything = [row for rows in sections.values() for row in rows]
        descriptions = [what for _, what in sections["Everywhere"]]
        assert len(descriptions) == len(set(descriptions))  # "Errors" once, 1-7 once each
        for rows in sections.values():  # (Esc "Cancel" is in each dialog's section)
            assert len(rows) == len(set(rows)), rows
        for keys in ("/", "n", "N", "f", "!", "l", "h", "x", "b", "space", "home", "end"):
            assert any(keys in shown.split(" ") for shown, _ in everything), keys


async def test_help_fits_80x24_with_its_close_hint_and_scrolls_to_the_end() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=SMALL) as pilot:
        await _loaded(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert "Esc close" in text and "Key bindings" in text
        last_title, last_rows = app.screen.sections[-1]
        assert last_title not in text  # below the fold at first
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert last_title in text and last_rows[-1][1] in text and "Esc close" in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]
