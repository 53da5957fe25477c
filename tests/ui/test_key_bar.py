"""The footer while typing (issue #14, item 8): an input's keys, never the dashboard's."""

from __future__ import annotations

import pytest
from ui.harness import frozen_demo_app, has_data, screen_text, wait_until

DASHBOARD_KEYS = ("Quit", "Maximise", "Pause")


def _footer(app) -> str:
    return screen_text(app).splitlines()[-1]


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_the_footer_shows_the_keys_of_the_input_being_typed_in(size) -> None:
    app = frozen_demo_app()
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        assert "Quit" in _footer(app)
        for opens, says in [
            ("slash", ("⏎ Keep", "esc Cancel", "↑ Older search")),
            ("t", ("⏎ Apply", "esc Cancel", "↓ Down")),
            ("s", ("⏎ Apply", "esc Cancel", "^a All")),
        ]:
            await pilot.press(opens)
            await wait_until(pilot, lambda: "esc Cancel" in _footer(app))
            footer = _footer(app)
            assert all(hint in footer for hint in says), footer
            assert not any(word in footer for word in DASHBOARD_KEYS), footer
            await pilot.press("escape")
            await wait_until(pilot, lambda: "Quit" in _footer(app))
