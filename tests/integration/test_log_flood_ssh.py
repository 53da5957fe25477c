"""A flood through the real sshd (issue 15, "strengthen the weak ones"): a writer appends
20,000 lines a second to a file the real app tails over SSH, and the app stays usable,
bounded and honest about what it let go.

`tests/ui/test_log_pane.py` floods `on_lines` directly, which proves the feed's bound; this
one goes through everything a real flood does: `tail -F` on the host, the channel,
the line reader, the parser, the feed, the buffer and the pane.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from support.log_writer import FloodWriter
from support.sshd_server import SshdServer
from ui.harness import screen_text, wait_until

from pulse_tui.config import Config, Overrides, apply_overrides
from pulse_tui.sources.demo import DemoMetricsSource
from pulse_tui.sources.factory import log_sources
from pulse_tui.ui.app import PulseApp

pytestmark = pytest.mark.integration

SIZE = (160, 40)
#: Lines a second: what the architecture promises a key press still gets through.
RATE = 20_000
#: Small, so the flood passes it many times over.
MAX_LINES = 5_000
#: Lines written before the writer stops (10 s at RATE): the keys are pressed meanwhile.
FLOOD_LINES = 200_000
#: Generous: a loaded machine may take a while to drain what sshd has queued.
DRAIN_TIMEOUT = 120.0


def received(app: PulseApp) -> int:
    """Lines that reached the app: in the buffer, rotated out of it, or dropped before it."""
    buffer = app.logs.buffer
    return len(buffer) + buffer.rotated_out + app.dashboard.log_panel.ui_dropped


async def test_a_flood_through_sshd_is_bounded_counted_and_never_freezes_the_keys(
    sshd: SshdServer, ssh_home: Callable[..., Path], tmp_path: Path
) -> None:
    ssh_home(["web-1"])
    log = tmp_path / "flood.log"
    log.write_text("ready\n")
    config = apply_overrides(Config(), Overrides(logs=[f"web-1:{log}"]))
    config = replace(config, logs=replace(config.logs, max_lines=MAX_LINES))
    app = PulseApp(config, DemoMetricsSource(config), log_sources(config))
    writer = FloodWriter(log, rate=RATE)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "ready" in screen_text(app), timeout=30)
        writer.start()
        try:
            # The flood is through sshd and past the buffer's bound...
            await wait_until(pilot, lambda: app.logs.buffer.rotated_out > 0, timeout=30)
            # ...and keys still work: help opens and closes while lines pour in.
            await pilot.press("question_mark")
            await wait_until(pilot, lambda: "Key bindings" in screen_text(app), timeout=20)
            await pilot.press("escape")
            await wait_until(pilot, lambda: "Key bindings" not in screen_text(app), timeout=20)
            assert len(app.logs.buffer) <= MAX_LINES
            # The app goes on taking the flood after the keys (it did not stall on them).
            after_keys = received(app)
            await wait_until(pilot, lambda: received(app) > after_keys + 10_000, timeout=30)
            assert len(app.logs.buffer) <= MAX_LINES
            await wait_until(pilot, lambda: writer.written >= FLOOD_LINES, timeout=60)
        finally:
            writer.stop()
        last = writer.last_line
        await wait_until(pilot, lambda: last in screen_text(app), timeout=DRAIN_TIMEOUT)
        await pilot.pause(0.3)  # the status row repaints with the flush that showed it

        buffer, panel = app.logs.buffer, app.dashboard.log_panel
        assert len(buffer) <= MAX_LINES
        assert buffer[len(buffer) - 1].text == last
        # Every line written is accounted for: kept, rotated out or dropped (counted).
        assert received(app) == writer.written + 1  # + "ready"
        text = screen_text(app)
        assert f"({buffer.rotated_out:,} older beyond logs.max_" in text, text
        if panel.ui_dropped:
            assert f"{panel.ui_dropped:,} dropped (UI behind)" in text, text
