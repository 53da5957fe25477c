"""The ad-hoc PromQL prompt (`:`) in the real app against the real backfilled prometheus:
completion lists as typed (metric, label, value), a rejected query's error shown inline
in Prometheus' words with the text kept, a chart and a table of known values, the series
cap, and keeping the result as a panel of the Ad-hoc dashboard."""

from __future__ import annotations

import tomllib
from dataclasses import replace

from support.backfill import HOSTILE
from support.prometheus_fixtures import PrometheusData
from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input
from ui.harness import screen_text, wait_until

from pulse_tui.config import SavedQuery, parse_config
from pulse_tui.model.dashboards.panels import DisplayUnit
from pulse_tui.sources.prometheus.source import PrometheusSource
from pulse_tui.ui.app import PulseApp
from pulse_tui.ui.widgets.dashboards.imports import ADHOC_TITLE
from pulse_tui.ui.widgets.dashboards.query_screen import QueryScreen
from pulse_tui.ui.widgets.dashboards.screen import GrafanaScreen

SIZE = (160, 48)
#: checkout's steady rates per code at the data's end (support/backfill.py).
CHECKOUT = {"200": 58.8 / 15, "500": 1.2 / 15}
API = {"200": 141 / 15, "404": 7.5 / 15, "500": 1.5 / 15}


def make_app(
    data: PrometheusData, max_series: int = 200, queries: tuple[SavedQuery, ...] = ()
) -> PulseApp:
    config = data.config()
    config = replace(
        config,
        dashboard=replace(config.dashboard, refresh=3600.0, max_series=max_series),
        prometheus_defaulted=False,
        queries=queries,
    )
    app = PulseApp(config, PrometheusSource(config), [])
    app.view.set(replace(app.view.state, end=float(data.end)))
    return app


async def open_prompt(app: PulseApp, pilot: Pilot) -> QueryScreen:  # type: ignore[type-arg]
    await pilot.press("colon")
    await wait_until(pilot, lambda: isinstance(app.screen, QueryScreen))
    screen = app.screen
    assert isinstance(screen, QueryScreen)
    return screen


def inside(app: PulseApp, widget: Widget) -> str:
    """The screen's text within `widget`'s content region."""
    region = widget.content_region
    lines = screen_text(app).splitlines()[region.y : region.bottom]
    return "\n".join(line[region.x : region.right] for line in lines)


def offered(screen: QueryScreen) -> list[str]:
    return [c.text for c in screen.completion.candidates]


async def type_and_wait(pilot: Pilot, screen: QueryScreen, text: str) -> None:  # type: ignore[type-arg]
    """Type `text` and wait for the completion of what it ends in."""
    before = screen.completion.lookups
    await pilot.press(*text)
    # The look-up of the whole text, not of a prefix whose pause (under load) started one.
    await wait_until(
        pilot,
        lambda: (
            screen.completion.lookups > before and not screen.workers and screen.completion.answered
        ),
    )


def value(number: float) -> str:
    return DisplayUnit("").format(number)


async def test_completion_as_typed_then_a_chart_of_the_backfilled_rates(
    prometheus_data: PrometheusData,
) -> None:
    app = make_app(prometheus_data)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_prompt(app, pilot)
        await type_and_wait(pilot, screen, "sum by (code) (rate(http_requests_t")
        assert offered(screen) == ["http_requests_total"]
        assert "http_requests_total  metric" in screen_text(app)
        await pilot.press("tab")
        assert screen.prompt.value == "sum by (code) (rate(http_requests_total"
        await type_and_wait(pilot, screen, "{")
        assert offered(screen) == ["code", "job"]
        await pilot.press("down", "tab")  # the second: job, and its `="` comes with it
        assert screen.prompt.value.endswith('http_requests_total{job="')
        await wait_until(pilot, lambda: HOSTILE in offered(screen))
        # A label value is the server's text: on screen as it is, no markup read in it.
        assert HOSTILE in screen_text(app)
        await type_and_wait(pilot, screen, "chec")
        assert offered(screen) == ["checkout"]
        await pilot.press("tab")
        assert screen.prompt.value.endswith('{job="checkout"')
        await pilot.press(*"}[5m]))", "enter")
        await wait_until(pilot, lambda: screen.shown is not None)
        result = screen.result.result
        assert result is not None and len(result.lines) == 2
        assert screen.result.has_focus  # the keys are the result's now: k, g, e
        text = screen_text(app)
        for code, rate in CHECKOUT.items():
            line = next(line for line in text.splitlines() if f'{{code="{code}"}}' in line)
            assert f"last {value(rate)}" in line, line


async def test_a_rejected_query_shows_prometheus_words_and_keeps_the_text(
    prometheus_data: PrometheusData,
) -> None:
    app = make_app(prometheus_data)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_prompt(app, pilot)
        await pilot.press(*"sum(rate(http_requests_total[5m]", "enter")
        await wait_until(pilot, lambda: screen.error is not None)
        assert screen.error is not None
        assert "Prometheus rejected the query A (HTTP 400 Bad Request): bad_data:" in screen.error
        assert "parse error" in screen.error
        text = " ".join(screen_text(app).split())
        assert "parse error" in text and "bad_data" in text
        assert screen.prompt.value == "sum(rate(http_requests_total[5m]"
        assert app.focused is screen.prompt and not screen.result.display
        # Fixed in place and run again: the error goes, the chart comes.
        await pilot.press("end", ")", ")", "enter")
        await wait_until(pilot, lambda: screen.shown is not None)
        assert screen.error is None and "parse error" not in screen_text(app)


async def test_a_table_of_instant_values(prometheus_data: PrometheusData) -> None:
    app = make_app(prometheus_data)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_prompt(app, pilot)
        await pilot.press(*'rate(http_requests_total{job="api"}[5m])', "enter")
        await wait_until(pilot, lambda: screen.shown is not None)
        await pilot.press("g")  # a table: one value per series at the range's end
        await wait_until(pilot, lambda: screen.shown is not None and screen.shown.type == "table")
        await wait_until(pilot, lambda: "series" in screen_text(app))
        rows = {
            code: line
            for line in screen_text(app).splitlines()
            for code in API
            if f'code="{code}"' in line
        }
        assert set(rows) == set(API)
        for code, rate in API.items():
            assert rows[code].rstrip(" │╯╮").endswith(value(rate)), rows[code]


async def test_the_series_cap_says_how_many_there_were(prometheus_data: PrometheusData) -> None:
    app = make_app(prometheus_data, max_series=2)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_prompt(app, pilot)
        await pilot.press(*"http_requests_total", "enter")
        await wait_until(pilot, lambda: screen.shown is not None)
        result = screen.result.result
        assert result is not None and len(result.lines) == 2
        await wait_until(pilot, lambda: "showing 2 of 7 series" in screen_text(app))


async def test_keep_puts_the_result_on_the_adhoc_dashboard(prometheus_data: PrometheusData) -> None:
    app = make_app(prometheus_data)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_prompt(app, pilot)
        expr = 'sum by (code) (rate(http_requests_total{job="checkout"}[5m]))'
        await pilot.press(*expr, "enter")
        await wait_until(pilot, lambda: screen.shown is not None)
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(app.screen, GrafanaScreen))
        board = app.screen
        assert isinstance(board, GrafanaScreen) and board.dashboard is not None
        assert board.dashboard.title == ADHOC_TITLE
        (panel,) = board.panel_widgets.values()
        assert panel.panel.title == expr
        await wait_until(pilot, lambda: panel.result is not None)
        assert panel.result is not None and len(panel.result.lines) == 2
        text = screen_text(app)
        assert ADHOC_TITLE in text and f"last {value(CHECKOUT['200'])}" in text
        # For the next runs: the config entry, on the clipboard, that reads back as it.
        pasted = parse_config(tomllib.loads(app.clipboard), "pasted.toml")
        assert pasted.queries == (SavedQuery(expr),)
        # `d` goes back to the main dashboard, and again to the Ad-hoc one.
        await pilot.press("d")
        await wait_until(pilot, lambda: app.screen is app.screen_stack[0])
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, GrafanaScreen))
        # The prompt opens again with the last query, and a second one is kept beside it.
        screen = await open_prompt(app, pilot)
        assert screen.query_one(Input).value == expr
        await pilot.press("ctrl+u", *"cpu_limit_cores", "enter")
        await wait_until(pilot, lambda: screen.shown is not None)
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(app.screen, GrafanaScreen))
        board = app.screen
        assert isinstance(board, GrafanaScreen)
        titles = [w.panel.title for w in board.panel_widgets.values()]
        assert titles == [expr, "cpu_limit_cores"]


async def test_tab_typed_before_the_list_is_in_completes_what_is_typed_now(
    prometheus_data: PrometheusData,
) -> None:
    app = make_app(prometheus_data)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_prompt(app, pilot)
        # No wait between the keys: each Tab completes the text as it is when pressed.
        await pilot.press(*"cpu_limit_co", "tab", "{", "jo", "tab")
        await wait_until(pilot, lambda: screen.prompt.value == 'cpu_limit_cores{job="')
        await pilot.press("w", "tab")
        await wait_until(pilot, lambda: screen.prompt.value == 'cpu_limit_cores{job="worker"')


async def test_keys_arriving_in_one_burst_complete_as_typed(
    prometheus_data: PrometheusData,
) -> None:
    """As from a terminal: every key queued before any is handled (the app reads Tab
    before the input has the letters typed just before it)."""
    app = make_app(prometheus_data)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_prompt(app, pilot)
        keys = [*"sum by (code) (rate(http_requests_t", "\t", *"{jo", "\t", *"che", "\t"]
        keys += [*"}[5m]))"]
        for key in keys:
            name = "tab" if key == "\t" else _character_to_key(key)
            app.post_message(events.Key(name, key))
        expected = 'sum by (code) (rate(http_requests_total{job="checkout"}[5m]))'
        await wait_until(pilot, lambda: screen.prompt.value == expected)


async def test_escape_hides_the_candidates_then_goes_back(prometheus_data: PrometheusData) -> None:
    app = make_app(prometheus_data)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_prompt(app, pilot)
        await type_and_wait(pilot, screen, "cpu_")
        assert offered(screen) == ["cpu_limit_cores", "process_cpu_seconds_total"]
        assert "cpu_limit_cores  metric" in screen_text(app)
        await pilot.press("escape")
        assert offered(screen) == [] and isinstance(app.screen, QueryScreen)
        await wait_until(pilot, lambda: "cpu_limit_cores  metric" not in screen_text(app))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.screen_stack[0])


async def test_the_configs_queries_start_the_adhoc_dashboard(
    prometheus_data: PrometheusData,
) -> None:
    queries = (
        SavedQuery('sum by (code) (rate(http_requests_total{job="checkout"}[5m]))', "checkout"),
        SavedQuery('rate(http_requests_total{job="api"}[5m])', table=True),
    )
    app = make_app(prometheus_data, queries=queries)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, GrafanaScreen))
        board = app.screen
        assert isinstance(board, GrafanaScreen)
        chart, table = board.panel_widgets.values()
        assert chart.panel.title == "checkout" and table.panel.type == "table"
        await wait_until(pilot, lambda: chart.result is not None and table.result is not None)
        await pilot.pause(0.1)
        assert f"last {value(CHECKOUT['500'])}" in inside(app, chart)
        rows = inside(app, table).splitlines()
        assert rows[0].split() == ["series", "value"]
        for code, rate in API.items():
            row = next(line for line in rows if f'code="{code}"' in line)
            assert row.rstrip().endswith(value(rate)), row
