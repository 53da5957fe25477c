"""A control character in a label value is shown the same everywhere: in the services
table and the chart legends as in the log pane, its escape (`\\x1b`) set apart in
reverse video, the rest as the text it is; and a long hostile name is cut to fit, not
left to widen the table. Against a real prometheus whose data has such services."""

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
SMALL = (80, 24)
#: A job label far longer than the table is wide, with an escape near its end.
LONG = "checkout-" + "very-" * 20 + "long-\x1b[7m-name"


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


@pytest.fixture(scope="module")
def long_name_data() -> Iterator[tuple[PrometheusProcess, int]]:
    prometheus, promtool = require_binary("prometheus"), require_binary("promtool")
    end = int(time.time()) // 300 * 300
    services = [
        Service("api", {"200": 141, "500": 1.5}, 7.5, 2),
        Service(LONG, {"200": 75, "500": 7.5}, 0.75),
    ]
    with backfilled_prometheus(prometheus, promtool, end, 3600, services) as server:
        yield server, end


def make_app(server: PrometheusProcess) -> PulseApp:
    config = Config(prometheus=PrometheusConfig(url=server.url, timeout=5.0))
    config = replace(
        config, dashboard=replace(config.dashboard, refresh=1.0), prometheus_defaulted=False
    )
    return PulseApp(config, PrometheusSource(config), [])


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
    app = make_app(server)
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


async def test_a_long_hostile_name_is_cut_with_an_ellipsis_so_the_table_fits_80_columns(
    long_name_data: tuple[PrometheusProcess, int],
) -> None:
    server, end = long_name_data
    app = make_app(server)
    async with app.run_test(size=SMALL) as pilot:
        app.view.set(replace(app.view.state, end=float(end)))
        table = app.query_one(ServiceTable)
        await wait_until(pilot, lambda: table.row_count == 2 and traffic_shown(table))
        await pilot.pause(0.2)
        # Every column fits: nothing to scroll sideways to, the last column on screen.
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert "Traffic" in screen_text(app)
        name = table.get_cell(LONG, "service")
        assert name.plain.startswith("checkout-very-") and name.plain.endswith("…")
        assert LONG not in screen_text(app)
        # The full name is still the row's: Enter focuses that service.
        assert table.get_row_index(LONG) >= 0


def traffic_shown(table: ServiceTable) -> bool:
    return all(row.traffic is not None for row in table.rows_data)
