"""An imported dashboard driven by the keyboard alone, in the real app against the real
backfilled prometheus: folding and unfolding a row (Tab to it, Enter), the panels it holds
appearing with their values and going again; ctrl+a in a variable's picker choosing All."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.backfill import EXPECTED
from support.prometheus_fixtures import PrometheusData
from test_grafana_dashboards import SIZE, loaded, make_app, open_dashboard, panel_text
from ui.harness import screen_text, wait_until

from pulse_tui.ui.screens.picker import PickerScreen
from pulse_tui.ui.widgets.dashboards.panel_view import RowHeader

DATA = Path(__file__).parent.parent / "data" / "grafana"


async def test_tab_reaches_a_folded_row_and_enter_unfolds_and_folds_it(
    prometheus_data: PrometheusData,
) -> None:
    app = make_app(prometheus_data, DATA / "current.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        seen = []
        for _ in range(8):
            await pilot.press("tab")
            seen.append(app.focused)
            focused = app.focused
            if isinstance(focused, RowHeader) and focused.panel.id == 5:
                break
        assert isinstance(app.focused, RowHeader) and app.focused.panel.id == 5, seen
        assert "p99 latency" not in screen_text(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: loaded(screen) and "p99 latency" in screen_text(app))
        await pilot.pause(0.1)
        assert "2.2s" in panel_text(app, "p99 latency")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "p99 latency" not in screen_text(app))
        assert "Latency and queues  folded" in screen_text(app)


async def test_ctrl_a_in_a_variables_picker_is_all(prometheus_data: PrometheusData) -> None:
    """The picker's filter Input has the focus and binds ctrl+a itself (to its start):
    the picker's All must win, as its footer and help say."""
    app = make_app(prometheus_data, DATA / "current.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        assert "$job=api,checkout" in screen_text(app)
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press(*"job", "enter")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, PickerScreen) and app.screen.title_text == "$job",
        )
        await pilot.press("ctrl+a")
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_until(
            pilot,
            lambda: screen.variables is not None and screen.variables.selections["job"].is_all,
        )
        # Every job's traffic: more series than the panel has legend lines, so its answer.
        requests = screen.panel_widgets[2]

        def traffic() -> dict[str, float | None]:
            lines = requests.result.lines if requests.result else ()
            return {line.legend: line.series.latest() for line in lines}

        await wait_until(pilot, lambda: "worker" in traffic())
        assert traffic() == pytest.approx(EXPECTED["traffic"])
        assert "$job=All" in screen_text(app)
        assert "more series" in panel_text(app, "Requests per job")  # and says so
