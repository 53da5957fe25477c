"""Drive the real app the way a user does, and read back what the screen shows."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from rich.segment import Segment
from textual.app import App
from textual.pilot import Pilot

from pulse_tui.config import Config
from pulse_tui.model.core import clock
from pulse_tui.sources.demo import DemoMetricsSource, demo_log_sources
from pulse_tui.ui.app import PulseApp, demo_config

#: 2026-01-01 00:11:40 UTC: 100 s into a checkout incident, so every panel has a story.
FROZEN_AT = 1767225600 + 600 + 100


def screen_text(app: App) -> str:
    """The characters on screen right now, one line per terminal row."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


def screen_segments(app: App) -> list[Segment]:
    """The styled pieces of the screen right now, row after row."""
    return [seg for strip in app.screen._compositor.render_strips() for seg in strip]


def frozen_demo_app(config: Config | None = None) -> PulseApp:
    """The demo with time stood still and only the opening log backlog: same pixels each run."""
    os.environ["TZ"] = "UTC"
    time.tzset()
    clock.freeze(FROZEN_AT)
    config = config or demo_config()
    app = PulseApp(config, DemoMetricsSource(config), demo_log_sources(live=False))
    # Tab underlines slide when a label changes ("Alerts" -> "Alerts (1)"): no animation,
    # so a snapshot never catches one half-way.
    app.animation_level = "none"
    return app


async def wait_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until `condition` holds; fail the test if it never does."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {condition}")
        await pilot.pause(0.05)


def has_data(app: PulseApp) -> bool:
    """Every panel holds a result, the table has rows, and log lines are showing."""
    from pulse_tui.model.metrics.signals import Signal

    return (
        all(app.dashboard.panel(s).result is not None for s in Signal)
        and app.query_one("#services").row_count > 0
        and app.dashboard.log_panel.view.count > 0
    )


async def settled(pilot: Pilot) -> None:
    """The demo has data on screen and its incident's alert fired (alert rules run after
    the repaint that shows data), so the tab labels and the change strip are settled:
    what the snapshot tests and the README's screenshots wait for."""
    app = pilot.app
    assert isinstance(app, PulseApp)
    await wait_until(pilot, lambda: has_data(app))
    await wait_until(pilot, lambda: bool(app.alerts.book.firing()))
    await pilot.pause(0.3)


async def choose_service(pilot: Pilot, name: str) -> None:
    """Focus the services table (6), walk its cursor to `name`'s row with the arrow keys,
    and press Enter: the table sorts worst first, so a row's place depends on the data."""
    from pulse_tui.ui.widgets.metrics.service_table import ServiceTable

    await pilot.press("6")
    table = pilot.app.query_one("#services", ServiceTable)
    moves = table.get_row_index(name) - table.cursor_row
    await pilot.press(*(["down"] * moves if moves >= 0 else ["up"] * -moves), "enter")
