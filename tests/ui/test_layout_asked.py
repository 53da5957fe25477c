"""What takes the screen follows what was asked for: logs only, metrics only, or both."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_log_pane import ScriptedLogSource, line
from ui.harness import screen_text, wait_until

from pulse_tui.config import Config, Overrides, apply_overrides
from pulse_tui.sources.prometheus.source import PrometheusSource
from pulse_tui.ui.app import PulseApp
from pulse_tui.ui.dashboard import NO_METRICS_HINT


def logs_only_app() -> PulseApp:
    """`pulse-tui --logs web-1:/var/log/app.log`: no file, no --prometheus."""
    config = apply_overrides(Config(), Overrides(logs=["web-1:/var/log/app.log"]))
    source = ScriptedLogSource("web-1", [[line(n) for n in range(200)]])
    # The real Prometheus source, at the default URL nobody asked for: never queried.
    return PulseApp(config, PrometheusSource(config), [source])


def test_the_default_url_does_not_count_as_asking_for_metrics() -> None:
    logs = Overrides(logs=["web-1:/var/log/app.log"])
    assert not apply_overrides(Config(), logs).metrics_wanted
    assert Config().metrics_wanted  # nothing asked at all: the default is all there is
    assert apply_overrides(Config(), replace(logs, prometheus="http://prom:9090")).metrics_wanted
    assert apply_overrides(Config(), replace(logs, service_label="service")).metrics_wanted
    assert apply_overrides(replace(Config(), prometheus_asked=True), logs).metrics_wanted


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_logs_only_the_logs_take_the_screen_and_one_line_says_how_to_add_metrics(
    size: tuple[int, int],
) -> None:
    app = logs_only_app()
    async with app.run_test(size=size) as pilot:
        view = app.dashboard.log_panel.view
        await wait_until(pilot, lambda: view.count == 200)
        await pilot.pause(0.3)
        text = screen_text(app)
        assert NO_METRICS_HINT in text
        assert "cannot connect" not in text and "localhost:9090" not in text
        assert "─ Latency" not in text and "─ Services" not in text  # no panel, no table
        assert "logs only" in text.splitlines()[0]
        # Header, hint, tabs, pane border and status, key bar: the rest is log rows.
        assert view.size.height >= size[1] - 9
        assert "line number 00199" in text
        # The log view has the keys; the panel keys say why there is nothing to show.
        assert app.focused is view
        await pilot.press("1")
        await pilot.pause()
        assert app.focused is view
        assert app.metrics.results == {}


async def test_metrics_only_no_empty_log_pane_takes_rows() -> None:
    from pulse_tui.sources.demo import DemoMetricsSource

    config = replace(Config(), prometheus_defaulted=False)
    app = PulseApp(config, DemoMetricsSource(config), [])
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: app.query_one("#services").row_count > 0)
        await pilot.pause(0.3)
        text = screen_text(app)
        assert "Logs" not in text and "no log sources configured" not in text
        assert app.dashboard.active_tab == "alerts"
        assert app.dashboard.bottom.size.height <= 12
        strip = app.query_one("#changes").size.height  # what changed, above the panels
        assert app.query_one("#panels").size.height >= 48 - 12 - 3 - strip
        await pilot.press("7")  # the Logs key: nothing to show, and it says so
        await pilot.pause()
        assert app.dashboard.active_tab == "alerts"
