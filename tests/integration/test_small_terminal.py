"""At 80×24 (a laptop over SSH) the one signal panel under the services table shows its
signal's shape on a stated scale, and the header keeps LIVE and the clock on screen.

The real app against a real prometheus whose checkout is 20 minutes into an incident where
the data ends (support/backfill.py, `incident_now_services`: p99 0.4 s → 2.5 s; api's p99
a steady 0.95 s), with the clock frozen there, so "now" is the data's end. Four services
fill the table, leaving the panel six rows: before, its chart was a single "…".
"""

from __future__ import annotations

import re
import time
from dataclasses import replace

import pytest
from support.prometheus_fixtures import PrometheusData
from support.prometheus_server import Canned, FaultProxy
from ui.harness import screen_segments, screen_text, wait_until

from pulse_tui.model.core import clock
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.sources.prometheus.source import PrometheusSource
from pulse_tui.ui.app import PulseApp
from pulse_tui.ui.widgets.palette import series_colour

pytestmark = pytest.mark.integration

SMALL = (80, 24)
BRAILLE = re.compile("[\u2801-\u28ff]")
#: The value label and the axis line left of the plot (line_chart.gutter_width).
GUTTER = 8


def make_app(data: PrometheusData) -> PulseApp:
    config = data.config()
    config = replace(
        config, dashboard=replace(config.dashboard, refresh=1.0), prometheus_defaulted=False
    )
    return PulseApp(config, PrometheusSource(config), [])


def panel_lines(app: PulseApp, signal: Signal) -> list[str]:
    region = app.dashboard.panel(signal).content_region
    rows = screen_text(app).splitlines()
    return [row[region.x : region.right] for row in rows[region.y : region.bottom]]


def braille_columns(plot: str) -> list[int]:
    return [i for i, char in enumerate(plot) if BRAILLE.match(char)]


async def test_the_short_latency_panel_draws_the_jump_on_a_stated_scale(
    incident_now_data: PrometheusData,
) -> None:
    clock.freeze(incident_now_data.end)
    app = make_app(incident_now_data)
    async with app.run_test(size=SMALL) as pilot:
        panel = app.dashboard.panel(Signal.LATENCY)
        await wait_until(
            pilot,
            lambda: (
                panel.result is not None
                and panel_lines(app, Signal.LATENCY)[0].startswith("2.5s  p99 checkout")
                and len(braille_columns(panel_lines(app, Signal.LATENCY)[1])) > 5
            ),
        )
        lines = [row.rstrip() for row in panel_lines(app, Signal.LATENCY)]
        # Six rows, as the table leaves (it fits 80 columns, long names cut: no
        # horizontal scrollbar takes one): the legend (the shared "p99" said once, by
        # the headline) goes into the headline's row, the status has its own.
        assert len(lines) == 6, lines
        assert lines[0].startswith("2.5s  p99 checkout  ━ api  ━ checkout"), lines
        assert lines[5] == "updated just now · step 30s", lines
        # Three rows of braille (12 dots high) between the scale's ends, then the times.
        high, middle, low, axis = lines[1:5]
        assert high.startswith("   2.5s┤") and low.startswith("     0s┤"), lines
        assert middle.startswith("       │"), lines
        assert axis.startswith("       └") and re.search(r"\d\d:\d\d", axis), axis
        assert "…" not in "".join(lines)
        # The shape: checkout at 2.5 s (the top row) only for the last 20 minutes of the
        # hour, before it at 0.4 s (the bottom row); api's 0.95 s across the middle row.
        plots = [row[GUTTER:] for row in (high, middle, low)]
        width = panel.content_region.width - GUTTER
        jump = braille_columns(plots[0])
        assert jump and 0.6 * width < jump[0] < 0.72 * width, plots[0]
        assert jump[-1] > 0.95 * width, plots[0]
        before = braille_columns(plots[2])
        assert before[0] < 0.05 * width and before[-1] < 0.72 * width, plots[2]
        across = braille_columns(plots[1])
        assert across[0] < 0.05 * width and across[-1] > 0.95 * width, plots[1]
        # Each line in its legend colour: api the first, checkout the second.
        styles = {seg.text: seg.style for seg in screen_segments(app) if seg.style}
        colours = {str(s.color.triplet.hex) for s in styles.values() if s and s.color}
        assert {series_colour(0), series_colour(1)} <= {c.lower() for c in colours}

        # 1–5 switch the one panel shown; each has the same three rows of braille.
        await pilot.press("3")
        errors = app.dashboard.panel(Signal.ERRORS)
        await wait_until(
            pilot,
            lambda: (
                errors.result is not None
                and errors.display
                and panel_lines(app, Signal.ERRORS)[0].startswith("20%  5xx checkout")
            ),
        )
        lines = [row.rstrip() for row in panel_lines(app, Signal.ERRORS)]
        assert lines[1].startswith("    20%┤") and lines[3].startswith("     0%┤"), lines
        assert all(braille_columns(row[GUTTER:]) for row in (lines[1], lines[3])), lines


async def test_at_80_columns_the_header_keeps_live_and_the_clock(
    incident_now_data: PrometheusData,
) -> None:
    end = incident_now_data.end
    clock.freeze(end)
    app = make_app(incident_now_data)
    port = incident_now_data.url.rsplit(":", 1)[1].rstrip("/")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        stamp = time.strftime("%H:%M:%S", time.localtime(end))

        def header() -> str:
            return screen_text(app).splitlines()[0].rstrip()

        await wait_until(pilot, lambda: header().endswith(stamp))
        # The scheme is what gave way: the host and port say where the data is from.
        assert header().startswith(f" pulse-tui 127.0.0.1:{port}  │ last 1h"), header()
        assert "● LIVE" in header() and "http://" not in header()
        await pilot.press("p")  # paused
        await wait_until(pilot, lambda: "❚❚ PAUSED" in header())
        assert header().endswith(stamp), header()
        await pilot.press("p", "left_square_bracket")  # live again, then half a range back
        await wait_until(pilot, lambda: "PAST" in header())
        # The longest state: the app's name, spaces and the state's hint give way, not
        # the host and port.
        assert header().startswith(f" 127.0.0.1:{port} │ 1h to "), header()
        assert re.search(f"│ all services │ ◷ PAST +{stamp}$", header()), header()
        assert len(header()) <= 80


async def test_a_failing_short_panel_says_so_in_its_status_row(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy
) -> None:
    """Short, the panel still says what failed, when we retry and how old the data is,
    and keeps the data it has on its stated scale. (With the table fitting 80 columns,
    long names cut, the panel has six rows: the status keeps a row of its own. The
    five-row fold, where it takes the legend's room, is tests/unit/test_folded_row.py.)"""
    clock.freeze(prometheus_data.end)  # now where the data ends: every value current
    app = make_app(replace(prometheus_data, url=fault_proxy.url))
    async with app.run_test(size=SMALL) as pilot:
        panel = app.dashboard.panel(Signal.LATENCY)
        await wait_until(pilot, lambda: panel.result is not None and bool(panel.result.current()))
        fault_proxy.mode = "canned"
        fault_proxy.canned = Canned(503, b"down for maintenance")
        await wait_until(pilot, lambda: panel.error is not None)
        await wait_until(
            pilot,
            lambda: (
                len(panel_lines(app, Signal.LATENCY)) == 6
                and "✖ retry in" in panel_lines(app, Signal.LATENCY)[5]
            ),
        )
        lines = [row.rstrip() for row in panel_lines(app, Signal.LATENCY)]
        # The headline's number and legend stay; the status says what failed below.
        assert lines[0].startswith("2.2s  p99 checkout  ━ api  ━ checkout"), lines
        assert re.search(r"^✖ retry in \d+s · data \d+s old · Prometheus at ", lines[5]), lines
        # The data kept, its scale stated: checkout's steady 2.2 s in the top row.
        assert lines[1].startswith("   2.5s┤") and lines[3].startswith("     0s┤"), lines
        assert braille_columns(lines[1][GUTTER:]), lines
