"""Compare (`c`) against a real prometheus that holds less history than the offset: the
panels say there is nothing a day back instead of saying nothing (issue #14, item 10)."""

from __future__ import annotations

import re

from support.prometheus_fixtures import PrometheusData
from test_dashboard_prometheus import SIZE, all_panels_loaded, at_data_end, make_app
from ui.harness import screen_text, wait_until

from pulse_tui.model.metrics.signals import Signal

#: A panel's compare note ("no data 1d earlier", "12 req/s 1w earlier"); not the strip's
#: "began earlier?".
COMPARE_NOTE = re.compile(r"\b\d+[mhdw] earlier")


async def test_compare_with_no_data_a_day_back_says_so(prometheus_data: PrometheusData) -> None:
    app = make_app(prometheus_data.config())  # three hours of data: nothing a day back
    async with app.run_test(size=SIZE) as pilot:
        at_data_end(app, prometheus_data)
        await wait_until(pilot, lambda: all_panels_loaded(app))
        assert not COMPARE_NOTE.search(screen_text(app))
        await pilot.press("c")
        assert app.view.state.compare_offset == 86400
        panel = app.dashboard.panel(Signal.TRAFFIC)
        await wait_until(pilot, lambda: "no data 1d earlier" in screen_text(app))
        assert panel.result is not None and panel.result.series  # the data now is there
        await pilot.press("c", "c")  # 1w, then off
        await wait_until(pilot, lambda: app.view.state.compare_offset is None)
        await wait_until(pilot, lambda: not COMPARE_NOTE.search(screen_text(app)))
