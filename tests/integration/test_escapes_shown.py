"""A control character in a label value is shown the same everywhere: in the services
table and the chart legends as in the log pane, its escape (`\\x1b`) set apart in
reverse video, the rest as the text it is. Against a real prometheus whose data has a
service named with an ESC in it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from rich.segment import Segment
from support.backfill import Service
from support.binaries import require_binary
from support.prometheus_server import PrometheusProcess, backfilled_prometheus
from textual.widget import Widget
from ui.harness import screen_text, wait_until

from pulse_tui.config import Config, PrometheusConfig
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.sources.prometheus.source import PrometheusSource
from pulse_tui.ui.app import PulseApp
from pulse_tui.ui.widgets.metrics.service_table import ServiceTable

pytestmark = pytest.mark.integration

#: A job label with an ESC in it: a terminal would turn what follows red, were it raw.
ESCAPED = "pay\x1b[31mments"
SHOWN = "pay\\x1b[31mments"  # what the sanitiser makes of it
SIZE = (200, 50)


@pytest.fixture(scope="module")
def escaped_data() -> Iterator[tuple[PrometheusProcess, int]]:
    prometheus, promtool = require_binary("prometheus"), require_binary("promtool")
    end = int(time.time()) // 300 * 300
    services = [
        Service("api", {"200": 141, "500": 1.5}, 7.5, 2),
        Service(ESCAPED, {"200": 75, "500": 7.5}, 0.75),
    ]
    with backfilled_prometheus(prometheus, promtool, end, 3600, services) as server:
        yield server, end


def segments_of(widget: Widget) -> list[Segment]:
    """The styled pieces the screen shows inside `widget`'s region, row after row."""
    region = widget.region
    strips = widget.screen._compositor.render_strips()[region.y : region.bottom]
    return [seg for strip in strips for seg in strip.crop(region.x, region.right)]


def escapes_marked(widget: Widget) -> list[bool]:
    """For every piece of `widget`'s rows holding the name's escape: is it the escape
    alone, in reverse video (as the log pane shows it)?"""
    return [
        seg.text == "\\x1b" and bool(seg.style and seg.style.reverse)
        for seg in segments_of(widget)
        if "\\x1b" in seg.text
    ]


async def test_an_escape_in_a_label_value_is_marked_in_the_table_and_the_legends(
    escaped_data: tuple[PrometheusProcess, int],
) -> None:
    server, end = escaped_data
    config = Config(prometheus=PrometheusConfig(url=server.url, timeout=5.0))
    config = replace(
        config, dashboard=replace(config.dashboard, refresh=1.0), prometheus_defaulted=False
    )
    app = PulseApp(config, PrometheusSource(config), [])
    async with app.run_test(size=SIZE) as pilot:
        app.view.set(replace(app.view.state, end=float(end)))
        table = app.query_one(ServiceTable)
        traffic = app.dashboard.panel(Signal.TRAFFIC)
        errors = app.dashboard.panel(Signal.ERRORS)
        await wait_until(
            pilot,
            lambda: (
                ESCAPED in {row.service for row in table.rows_data}
                and traffic.result is not None
                and errors.result is not None
            ),
        )
        await pilot.pause(0.2)
        assert SHOWN in screen_text(app)  # as data: nothing turned red, nothing hidden
        assert escapes_marked(table) == [True]
        # The traffic panel names each line in its legend; the errors panel names the
        # worst service in its headline too.
        assert escapes_marked(traffic) == [True]
        assert escapes_marked(errors) == [True, True]
