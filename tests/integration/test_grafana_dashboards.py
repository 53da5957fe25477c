"""Imported Grafana dashboards in the real app against the real backfilled prometheus:
the values the panels show (support/backfill.py's known steady state), rows folding,
and one request per shown target per refresh, counted at a proxy."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from support.backfill import EXPECTED, HOSTILE
from support.big_digits import read_big
from support.prometheus_fixtures import PrometheusData
from support.prometheus_server import Canned, FaultProxy
from ui.harness import screen_text, wait_until

from pulse_tui.config import Config
from pulse_tui.model.core.units import format_value
from pulse_tui.model.metrics.step import compute_window
from pulse_tui.sources.prometheus.source import PrometheusSource
from pulse_tui.ui.app import PulseApp
from pulse_tui.ui.screens.picker import PickerScreen
from pulse_tui.ui.widgets.dashboards.screen import GrafanaScreen

DATA = Path(__file__).parent.parent / "data" / "grafana"
SIZE = (160, 48)


def make_app(data: PrometheusData, *files: Path, url: str | None = None) -> PulseApp:
    config: Config = data.config(url)
    config = replace(
        config,
        # No timer refresh during a test: each refresh is pressed, so requests can be counted.
        dashboard=replace(config.dashboard, refresh=3600.0),
        prometheus_defaulted=False,
        dashboards=files,
    )
    app = PulseApp(config, PrometheusSource(config), [])
    app.view.set(replace(app.view.state, end=float(data.end)))
    return app


def loaded(screen: GrafanaScreen) -> bool:
    return screen.variables is not None and all(
        w.result is not None
        for w in screen.shown_panels()
        if not w.panel.unsupported and w.panel.queries
    )


def panel_text(app: PulseApp, title: str) -> str:
    """The lines of the screen crossing the panel titled `title`, that panel's cells only."""
    screen = app.screen
    assert isinstance(screen, GrafanaScreen)
    widget = next(w for w in screen.panel_widgets.values() if w.panel.title == title)
    region = widget.content_region
    lines = screen_text(app).splitlines()[region.y : region.bottom]
    # A single stat is drawn in big digits: read back as the text it stands for.
    return read_big("\n".join(line[region.x : region.right] for line in lines))


def colours_of(app: PulseApp, title: str) -> set[str]:
    """The foreground colours drawn inside the panel titled `title`."""
    screen = app.screen
    assert isinstance(screen, GrafanaScreen)
    widget = next(w for w in screen.panel_widgets.values() if w.panel.title == title)
    region = widget.content_region
    colours = set()
    for y, strip in enumerate(screen._compositor.render_strips()):
        if region.y <= y < region.bottom:
            x = 0
            for segment in strip:
                inside = region.x <= x < region.right
                if inside and segment.style and segment.style.color and segment.text.strip():
                    colours.add(segment.style.color.name)
                x += len(segment.text)
    return colours


def flat(text: str) -> str:
    """A panel's text with its line breaks undone (messages wrap at the panel's width)."""
    return " ".join(text.split())


async def open_dashboard(app: PulseApp, pilot) -> GrafanaScreen:  # type: ignore[no-untyped-def]
    await pilot.press("d")
    await wait_until(pilot, lambda: isinstance(app.screen, GrafanaScreen))
    screen = app.screen
    assert isinstance(screen, GrafanaScreen)
    await wait_until(pilot, lambda: loaded(screen))
    await pilot.pause(0.1)
    return screen


async def test_current_dashboard_shows_the_backfilled_values(
    prometheus_data: PrometheusData,
) -> None:
    app = make_app(prometheus_data, DATA / "current.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        text = screen_text(app)
        # Variables: the saved multi value kept, $code's All is its custom all value.
        assert "$job=api,checkout" in text and "$code=All" in text
        assert app.view.state.describe_range() in text  # "1h to 12-02 10:00": a past range
        requests = panel_text(app, "Requests per job")
        for job in ("api", "checkout"):
            assert format_value(EXPECTED["traffic"][job], "req/s") in requests, requests
        assert "worker" not in requests  # $job is api|checkout
        assert "1%" in panel_text(app, "API 5xx")  # 5xx of api: 1 %, over the 0.5 % threshold
        assert "#f2495c" in colours_of(app, "API 5xx")  # Grafana's red, the threshold's colour
        assert "0.50" in panel_text(app, "CPU api")  # 0.5 cores, decimals 2
        # The table: one row per series of its instant target, in its unit and decimals.
        table = panel_text(app, "API by code").splitlines()
        assert table[0].split() == ["series", "value"], table
        rows = {line.split()[0]: " ".join(line.split()[1:]) for line in table[1:] if line.strip()}
        assert rows == {"200": "9.40 req/s", "404": "0.50 req/s", "500": "0.10 req/s"}, table
        assert "panel type 'logs' is not supported yet" in flat(panel_text(app, "Loki logs"))
        assert "datasource type 'loki' is not supported" in flat(panel_text(app, "Loki rate"))
        # The folded row's panels are not on screen (and not fetched) until unfolded.
        assert "p99 latency" not in text
        row = screen.row_headers[5]
        row.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: loaded(screen))
        await pilot.pause(0.1)
        assert "2.2s" in panel_text(app, "p99 latency")  # checkout p99 in ms, shown as s
        queues = panel_text(app, "Queue p99")
        assert "1.5s" in queues and "4.7s" in queues
        await pilot.press("escape")
        assert not isinstance(app.screen, GrafanaScreen)


async def test_legacy_rows_and_export_wrapper(prometheus_data: PrometheusData) -> None:
    app = make_app(prometheus_data, DATA / "legacy.json", DATA / "export.json")
    async with app.run_test(size=SIZE) as pilot:
        await open_dashboard(app, pilot)
        requests = panel_text(app, "Requests")
        for job, rps in EXPECTED["traffic"].items():
            if job.isalnum():
                assert job in requests and format_value(rps, "req/s") in requests
        assert "1.5" in panel_text(app, "Worker CPU")
        assert "Hidden graph" not in screen_text(app)
        await pilot.press("d")  # the second file
        await wait_until(pilot, lambda: "Wrapped export" in screen_text(app))
        screen = app.screen
        assert isinstance(screen, GrafanaScreen)
        await wait_until(pilot, lambda: loaded(screen))
        await pilot.pause(0.1)
        assert "4 req/s" in panel_text(app, "Checkout traffic")
        assert "37.5%" in panel_text(app, "Worker CPU")  # 1.5 of 4 cores, decimals 1
        # A heatmap whose query answers no `le` buckets says so rather than drawing one.
        assert "the query answers no le buckets" in flat(panel_text(app, "Heat"))
        await pilot.press("d")  # after the last: back to the main dashboard
        assert not isinstance(app.screen, GrafanaScreen)


def dashboard_queries(proxy: FaultProxy, start: int) -> list[str]:
    """The PromQL of the requests the proxy saw since `start` that came from the dashboard
    (the main panels' queries are told apart by their text)."""
    out = []
    for path in proxy.paths[start:]:
        query = parse_qs(urlsplit(path).query).get("query", [""])[0]
        if "$" not in query and (
            "process_cpu" in query or 'job="api"' in query or "(api|checkout)" in query
        ):
            out.append(query)
    return out


async def test_one_request_per_shown_target_per_refresh(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy
) -> None:
    app = make_app(prometheus_data, DATA / "current.json", url=fault_proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        for _ in range(2):
            before, sent = len(fault_proxy.paths), screen.queries_sent
            await pilot.press("r")
            await wait_until(pilot, lambda sent=sent: screen.queries_sent >= sent + 4)
            await pilot.pause(0.2)
            # Requests (A; B is hidden), API 5xx, CPU api, API by code: four targets, four
            # requests, whatever the number of series or variable values.
            assert screen.queries_sent == sent + 4
            queries = dashboard_queries(fault_proxy, before)
            assert len(queries) == 4, queries
            assert len(set(queries)) == 4


async def test_bad_files_are_one_line_each_and_the_app_runs(
    prometheus_data: PrometheusData, tmp_path: Path
) -> None:
    not_json = tmp_path / "broken.json"
    not_json.write_text("{ this is not json")
    not_board = tmp_path / "list.json"
    not_board.write_text(json.dumps([1, 2, 3]))
    app = make_app(prometheus_data, not_json, not_board, DATA / "export.json")
    async with app.run_test(size=SIZE) as pilot:
        assert app.grafana.errors == [
            f"{not_json}: not JSON (Expecting property name enclosed in double quotes at line 1)",
            f"{not_board}: not a Grafana dashboard (no 'panels' or 'rows' list)",
        ]
        await pilot.press("d")
        await wait_until(pilot, lambda: "not JSON" in screen_text(app))
        await pilot.press("d", "d")
        await wait_until(pilot, lambda: "Wrapped export" in screen_text(app))


# Every distinct sample value of every series at every step is a series of its own
# (about 6,000 from the backfilled counters and buckets), under three label names.
_VALUES = '{__name__=~"http_.*|process_.*|queue_.*"}'
FLOOD = " or ".join(f'count_values("{name}", {_VALUES})' for name in ("a", "b", "c"))


async def test_the_source_cuts_a_dashboard_query_to_the_top_series_and_counts_them(
    prometheus_data: PrometheusData,
) -> None:
    source = PrometheusSource(prometheus_data.config())
    window = compute_window(3600, prometheus_data.end, 120, 15)
    try:
        every = await source.query_expr(FLOOD, window)
        kept, total = await source.query_expr_top(FLOOD, window, 200)
    finally:
        await source.close()
    assert total == len(every) >= 5_000
    assert len(kept) == 200
    # The highest now, as the panels keep them: none left out is higher than one kept.
    lowest_kept = min(s.latest() or 0.0 for s in kept)
    left_out = [s for s in every if s not in kept]
    assert max(s.latest() or 0.0 for s in left_out) <= lowest_kept


async def test_a_query_answering_thousands_of_series_is_capped_and_says_so(
    prometheus_data: PrometheusData, tmp_path: Path
) -> None:
    flood = FLOOD
    board = {
        "title": "Flood",
        "panels": [
            {
                "type": "timeseries",
                "title": "Too many",
                "gridPos": {"x": 0, "y": 0, "w": 24, "h": 10},
                "targets": [{"refId": "A", "expr": flood}],
            }
        ],
    }
    path = tmp_path / "flood.json"
    path.write_text(json.dumps(board))
    app = make_app(prometheus_data, path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        result = next(iter(screen.panel_widgets.values())).result
        assert result is not None and result.note is not None
        total = int(result.note.split(" of ")[1].split()[0].replace(",", ""))
        assert total >= 10_000
        assert len(result.lines) == 200
        assert f"showing 200 of {total:,} series" in flat(panel_text(app, "Too many"))


async def test_all_of_a_variable_matches_every_value_even_a_hostile_one(
    prometheus_data: PrometheusData, tmp_path: Path
) -> None:
    board = {
        "title": "All jobs",
        "templating": {
            "list": [
                {
                    "name": "job",
                    "type": "query",
                    "query": "label_values(http_requests_total, job)",
                    "includeAll": True,
                    "multi": True,
                    "current": {"value": "$__all"},
                },
                {
                    "name": "one",
                    "type": "query",
                    "query": "label_values(http_requests_total, job)",
                    "regex": "/ird/",
                },
            ]
        },
        "panels": [
            {
                "type": "timeseries",
                "title": "Traffic",
                "gridPos": {"x": 0, "y": 0, "w": 24, "h": 12},
                "fieldConfig": {"defaults": {"unit": "reqps"}},
                "targets": [
                    {
                        "refId": "A",
                        "expr": 'sum by (job) (rate(http_requests_total{job=~"$job"}[5m]))',
                        "legendFormat": "{{job}}",
                    }
                ],
            },
            {
                "type": "stat",
                "title": "Hostile alone",
                "gridPos": {"x": 0, "y": 12, "w": 24, "h": 4},
                "fieldConfig": {"defaults": {"unit": "reqps"}},
                "targets": [
                    {"refId": "A", "expr": 'sum(rate(http_requests_total{job="$one"}[5m]))'}
                ],
            },
        ],
    }
    path = tmp_path / "all.json"
    path.write_text(json.dumps(board))
    app = make_app(prometheus_data, path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        widgets = list(screen.panel_widgets.values())
        traffic, alone = (w.result for w in widgets)
        assert traffic is not None and alone is not None
        assert traffic.errors == () and alone.errors == ()
        latest = {line.legend: line.series.latest() for line in traffic.lines}
        assert latest == pytest.approx(EXPECTED["traffic"], rel=1e-9)
        assert HOSTILE in panel_text(app, "Traffic")  # shown as the text it is
        assert alone.lines[0].series.latest() == pytest.approx(EXPECTED["traffic"][HOSTILE])


async def test_v_picks_a_variable_value_and_the_panels_follow(
    prometheus_data: PrometheusData,
) -> None:
    app = make_app(prometheus_data, DATA / "current.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        assert "worker" not in panel_text(app, "Requests per job")
        await pilot.press("v")  # three variables to pick from: $job, $code, $window
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press(*"job", "enter")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, PickerScreen) and app.screen.title_text == "$job",
        )
        # $job is multi: api and checkout start ticked; tick worker too.
        await pilot.press(*"worker", "tab", "enter")
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_until(
            pilot,
            lambda: (
                screen.variables is not None
                and screen.variables.selections["job"].values == ("api", "checkout", "worker")
            ),
        )
        await wait_until(pilot, lambda: "worker" in panel_text(app, "Requests per job"))
        assert format_value(EXPECTED["traffic"]["worker"], "req/s") in panel_text(
            app, "Requests per job"
        )
        assert "$job=api,checkout,worker" in screen_text(app)


async def test_variable_functions_against_prometheus(prometheus_data: PrometheusData) -> None:
    from pulse_tui.model.dashboards.variables import parse_variables
    from pulse_tui.sources.dashboards import Span, resolve_variables

    variables = parse_variables(
        [
            {"name": "metric", "type": "query", "query": "metrics(http_.*_total)"},
            {"name": "jobs", "type": "query", "query": "label_values(job)", "regex": "/^[a-z]+$/"},
            {
                "name": "limited",
                "type": "query",
                "query": "query_result(cpu_limit_cores)",
                "regex": '/job="(?<value>[a-z]+)"/',
            },
            {
                "name": "codes",
                "type": "query",
                "query": 'label_values($metric{job="$limited"}, code)',
            },
            {"name": "names", "type": "query", "query": "label_names()", "current": {"value": "x"}},
            {
                "name": "queue_labels",
                "type": "query",
                "query": "label_names(queue_processing_latency_seconds_bucket)",
                "regex": "/^[a-z]+$/",
            },
            {"name": "c", "type": "constant", "query": "prod"},
            {"name": "i", "type": "interval", "query": "1m,5m", "current": {"value": "5m"}},
        ]
    )
    config = prometheus_data.config()
    source = PrometheusSource(config)
    try:
        state = await resolve_variables(source, variables, Span(3600, prometheus_data.end, 15))
    finally:
        await source.close()
    assert state.options["metric"] == ["http_requests_total"]
    # Every series' job (odd_gauge's too), the hostile name filtered out by the regex.
    assert state.options["jobs"] == ["api", "checkout", "inf", "nan", "ninf", "worker"]
    assert state.options["limited"] == ["api", "checkout", "worker"]
    # Chained: $metric and $limited (its first option, api) inside the query.
    assert state.options["codes"] == ["200", "404", "500"]
    # /api/v1/labels over the range: every label name, or those of the series matched.
    assert state.options["names"] == ["__name__", "code", "job", "le", "queue"]
    assert state.selections["names"].values == ("__name__",)  # "x" is gone: the first
    assert state.options["queue_labels"] == ["job", "le", "queue"]
    assert state.problems == {}
    assert state.selections["c"].values == ("prod",) and state.selections["i"].values == ("5m",)


async def test_a_rejected_query_shows_its_error_not_old_data(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy
) -> None:
    app = make_app(prometheus_data, DATA / "export.json", url=fault_proxy.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        assert "4 req/s" in panel_text(app, "Checkout traffic")
        fault_proxy.canned = Canned(
            400, b'{"status":"error","errorType":"bad_data","error":"nope"}', "application/json"
        )
        fault_proxy.mode = "canned"  # Prometheus rejects every query from now on
        sent = screen.queries_sent
        await pilot.press("r")
        await wait_until(pilot, lambda: screen.queries_sent >= sent + 2, timeout=30)
        await pilot.pause(0.1)
        traffic = flat(panel_text(app, "Checkout traffic"))
        assert "4 req/s" not in traffic and "A: " in traffic  # the target's error, no value
        widget = next(w for w in screen.panel_widgets.values() if w.panel.title == "Worker CPU")
        assert widget.result is not None and widget.result.lines == ()
        assert widget.result.errors and "nope" in widget.result.errors[0]


async def test_a_heatmap_panel_draws_its_le_buckets(prometheus_data: PrometheusData) -> None:
    """api's buckets per second (support/backfill.py: per 15 s scrape 30 30 60 24 5 1 0):
    2 2 4 1.6 0.33 0.067 0 /s; the busiest (100-250 ms) is the darkest, +Inf is empty."""
    app = make_app(prometheus_data, DATA / "heatmap.json")
    async with app.run_test(size=SIZE) as pilot:
        await open_dashboard(app, pilot)
        lines = panel_text(app, "API latency").splitlines()
        labels = {line[:7].strip(): i for i, line in enumerate(lines) if line[7:8] == "┤"}
        assert list(labels) == ["+Inf", "2.5s", "1s", "500ms", "250ms", "100ms", "50ms"]
        assert lines[labels["+Inf"]][8:].strip() == ""
        busiest = range(labels["250ms"], labels["100ms"])
        assert {c for i in busiest for c in lines[i][8:].strip()} == {"█"}
        assert {c for c in lines[labels["100ms"]][8:].strip()} == {"▒"}  # 2 of 4 /s
        assert lines[-1].startswith("0 ░▒▓█ 4")  # the ramp's top: 4 observations/s


async def test_a_capped_panel_keeps_the_top_series_by_value(
    prometheus_data: PrometheusData, tmp_path: Path
) -> None:
    """Seven (job, code) request rates, two kept: the busiest two now (api 200 at 9.4/s,
    checkout 200 at 3.92/s), as the main panels keep theirs, not the first two listed."""
    board = {
        "title": "Top",
        "panels": [
            {
                "type": "stat",
                "title": "Rates",
                "gridPos": {"x": 0, "y": 0, "w": 24, "h": 10},
                "fieldConfig": {"defaults": {"unit": "reqps"}},
                "targets": [
                    {
                        "refId": "A",
                        "expr": "sum by (job, code) (rate(http_requests_total[5m]))",
                        "legendFormat": "{{job}} {{code}}",
                    }
                ],
            }
        ],
    }
    path = tmp_path / "top.json"
    path.write_text(json.dumps(board))
    config = prometheus_data.config()
    config = replace(
        config,
        dashboard=replace(config.dashboard, refresh=3600.0, max_series=2),
        prometheus_defaulted=False,
        dashboards=(path,),
    )
    app = PulseApp(config, PrometheusSource(config), [])
    app.view.set(replace(app.view.state, end=float(prometheus_data.end)))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        result = next(iter(screen.panel_widgets.values())).result
        assert result is not None
        assert [line.legend for line in result.lines] == ["api 200", "checkout 200"]
        text = flat(panel_text(app, "Rates"))
        assert "api 200 9.4 req/s" in text and "checkout 200 3.92 req/s" in text
        assert "showing 2 of 7 series" in text


async def test_overrides_and_value_mappings(prometheus_data: PrometheusData) -> None:
    """Overrides by name and by regex (display name, unit, decimals, colour; an unknown
    matcher ignored) and value/range mappings (Grafana 8 and legacy `valueMaps`), on the
    backfilled api 10 req/s, checkout 4 req/s, CPU limits api 2, checkout 1, worker 4."""
    app = make_app(prometheus_data, DATA / "fields.json")
    async with app.run_test(size=SIZE) as pilot:
        await open_dashboard(app, pilot)
        rates = flat(panel_text(app, "Rates by job"))
        assert "API edge 10 req/s" in rates  # byName: renamed, the panel's unit kept
        assert "checkout 4.00" in rates  # byRegex: unit short with 2 decimals
        assert "#f2495c" in colours_of(app, "Rates by job")  # and fixed red
        assert "B" not in rates.replace("API", "")  # byType (not simple) is ignored: no bytes
        limits = flat(panel_text(app, "CPU limits"))
        assert "api two cores" in limits and "checkout small" in limits
        assert {"#73bf69", "#ff9830"} <= colours_of(app, "CPU limits")  # green, orange
        assert "four" in panel_text(app, "Worker limit")


async def test_refresh_2_variables_follow_the_time_range(
    prometheus_data: PrometheusData, tmp_path: Path
) -> None:
    """`refresh: 2` asks its query again when the range changes (two days before the data:
    no job has series there), `refresh: 1` keeps what it had on load; one query only."""
    board = {
        "title": "Ranges",
        "templating": {
            "list": [
                {
                    "name": "job",
                    "type": "query",
                    "refresh": 2,
                    "multi": True,
                    "query": "label_values(http_requests_total, job)",
                },
                {
                    "name": "code",
                    "type": "query",
                    "refresh": 1,
                    "query": "label_values(http_requests_total, code)",
                },
            ]
        },
        "panels": [
            {
                "type": "stat",
                "title": "Rate",
                "gridPos": {"x": 0, "y": 0, "w": 24, "h": 6},
                "targets": [
                    {"refId": "A", "expr": 'sum(rate(http_requests_total{job=~"$job"}[5m]))'}
                ],
            }
        ],
    }
    path = tmp_path / "ranges.json"
    path.write_text(json.dumps(board))
    app = make_app(prometheus_data, path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        assert screen.variables is not None
        assert screen.variables.options["job"] == sorted(EXPECTED["traffic"])
        codes = screen.variables.options["code"]
        assert codes == ["200", "404", "500"]
        sent = screen.queries_sent
        app.view.set(replace(app.view.state, end=float(prometheus_data.end - 2 * 86400)))
        await wait_until(
            pilot,
            lambda: screen.variables is not None and screen.variables.options["job"] == [],
        )
        assert screen.variables.options["code"] is codes  # kept, not asked again
        # One variable query (job) and the panel's one target: nothing for $code.
        await wait_until(pilot, lambda: screen.queries_sent - sent >= 2)
        await wait_until(pilot, lambda: not screen._in_flight and not screen._resolving)
        assert screen.queries_sent - sent == 2
