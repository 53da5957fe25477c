"""Grafana dashboard files -> panels and their places on the terminal (pure logic)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from pulse_tui.model.dashboards.grafana import DashboardError, load_dashboard, parse_dashboard
from pulse_tui.model.dashboards.layout import layout, total_height
from pulse_tui.model.dashboards.panels import (
    cap_series,
    display_unit,
    legend,
    reduce,
    target_window,
    threshold_color,
)
from pulse_tui.model.metrics.signals import Series

DATA = Path(__file__).parent.parent / "data" / "grafana"


def test_current_schema_panels_in_grafana_order_with_their_options() -> None:
    board = load_dashboard(DATA / "current.json")
    assert board.title == "Team golden signals" and board.schema_version == 39
    assert [p.id for p in board.panels] == [1, 2, 3, 4, 5, 8, 9, 10, 11]
    requests = board.panels[1]
    assert requests.type == "timeseries" and requests.unit == "reqps"
    assert [t.ref_id for t in requests.queries] == ["A"]  # B is hidden
    stat = board.panels[2]
    assert stat.targets[0].instant and stat.thresholds.steps[1].value == 0.005
    gauge = board.panels[3]
    assert (gauge.min, gauge.max, gauge.decimals, gauge.thresholds.mode) == (0, 2, 2, "percentage")
    folded = board.panels[4]
    assert folded.is_row and folded.collapsed and [c.id for c in folded.children] == [6, 7]


def test_unknown_types_and_other_datasources_say_why_and_the_rest_import() -> None:
    board = load_dashboard(DATA / "current.json")
    by_id = {p.id: p for p in board.panels}
    assert by_id[9].type == "table" and by_id[9].unsupported is None
    assert by_id[10].unsupported == "panel type 'logs' is not supported yet"
    assert by_id[11].unsupported == "datasource type 'loki' is not supported (Prometheus only)"
    assert by_id[2].unsupported is None


def test_export_wrapper_is_unwrapped() -> None:
    board = load_dashboard(DATA / "export.json")
    assert board.title == "Wrapped export"
    assert [p.type for p in board.panels] == ["stat", "stat", "heatmap"]
    assert board.panels[0].unsupported is None  # "${DS_PROMETHEUS}": pulse-tui's Prometheus


def test_legacy_rows_become_grid_positions() -> None:
    board = load_dashboard(DATA / "legacy.json")
    assert board.schema_version == 14
    row, graph, single, folded = board.panels
    assert row.is_row and row.title == "Golden"
    # span 8 of 12 -> 16 of 24 columns; 360px -> 12 units of 30px, under the row's line.
    assert (graph.grid.x, graph.grid.y, graph.grid.w, graph.grid.h) == (0, 1, 16, 12)
    assert (single.grid.x, single.grid.w) == (16, 8)
    assert graph.unit == "reqps" and graph.min == 0
    assert graph.targets[0].interval_factor == 2 and graph.targets[0].interval == "30s"
    assert single.thresholds.steps[2].value == 2 and single.calc == "lastNotNull"
    assert folded.collapsed and [c.title for c in folded.children] == ["Hidden graph"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a Grafana dashboard"),
        ('{"title": "x"}', "not a Grafana dashboard"),
        ('{"dashboard": {"panels": "nope"}}', "not a Grafana dashboard"),
    ],
)
def test_bad_files_are_one_line_naming_the_file(text: str, problem: str) -> None:
    with pytest.raises(DashboardError) as info:
        parse_dashboard(text, "team.json")
    message = str(info.value)
    assert message.startswith("team.json: ") and problem in message and "\n" not in message


def test_a_missing_file_and_a_variable_cycle_are_dashboard_errors(tmp_path: Path) -> None:
    with pytest.raises(DashboardError, match="cannot read it"):
        load_dashboard(tmp_path / "absent.json")
    cyclic = {
        "panels": [],
        "templating": {
            "list": [
                {"name": "a", "type": "query", "query": 'label_values(x{b="$b"}, a)'},
                {"name": "b", "type": "query", "query": 'label_values(x{a="$a"}, b)'},
            ]
        },
    }
    path = tmp_path / "cycle.json"
    path.write_text(json.dumps(cyclic))
    with pytest.raises(DashboardError, match=r"cycle\.json: variable cycle"):
        load_dashboard(path)


def test_layout_maps_the_24_columns_onto_the_width_without_gaps() -> None:
    board = load_dashboard(DATA / "current.json")
    places = {p.panel.id: p for p in layout(board.panels, 100)}
    assert (places[2].x, places[2].width) == (0, 50)
    assert (places[3].x, places[3].width) == (50, 25)
    assert (places[4].x, places[4].width) == (75, 25)
    assert places[2].y == places[3].y == 1 and places[2].height == 9
    # The folded row hides its panels; the next row moves up under it.
    assert 6 not in places and 7 not in places
    assert places[5].y == 10 and places[8].y == 11 and places[9].y == 12


def test_unfolding_a_row_pushes_what_follows_down() -> None:
    board = load_dashboard(DATA / "current.json")
    places = {p.panel.id: p for p in layout(board.panels, 100, {5: False})}
    assert places[6].y == 11 and places[7].x == 50
    assert places[8].y == 11 + 8
    assert total_height(list(places.values())) == 11 + 8 + 1 + 6


def test_units_map_to_pulse_tui_formatting() -> None:
    board = load_dashboard(DATA / "current.json")
    stat, gauge = board.panels[2], board.panels[3]
    assert display_unit(stat).format(0.01) == "1%"
    assert display_unit(gauge).format(0.5) == "0.50"  # short with decimals 2
    ms = display_unit(board.panels[4].children[0])
    assert ms.format(2200.0) == "2.2s"  # 2,200 ms


def test_decimals_hold_with_a_unit_as_grafana_writes_them() -> None:
    """`decimals` is a fixed number of digits after the point, trailing zeros kept, in
    whatever unit and scale the value is shown (it used to apply to unit-less panels only)."""
    table = next(p for p in load_dashboard(DATA / "current.json").panels if p.id == 9)
    assert display_unit(table).format(9.4) == "9.40 req/s"  # reqps, decimals 2
    assert display_unit(table).format(0.1) == "0.10 req/s"
    cases = [("percentunit", 1, 0.01, "1.0%"), ("ms", 2, 2200.0, "2.20s"),
             ("bytes", 1, 1.5 * 1024**3, "1.5 GiB"), ("s", 0, 3.4, "3s"),
             ("s", 1, 0.95, "950.0ms")]  # fmt: skip
    for unit, decimals, value, shown in cases:
        panel = replace(table, unit=unit, decimals=decimals)
        assert display_unit(panel).format(value) == shown, (unit, decimals, value)
    # Not a number: said as such, whatever the decimals.
    assert display_unit(replace(table, unit="s", decimals=2)).format(float("nan")) == "NaN"


def test_legend_format_and_default_legend() -> None:
    target = load_dashboard(DATA / "current.json").panels[1].targets[0]
    assert legend(target, {"job": "api", "code": "200"}) == "api"
    bare = load_dashboard(DATA / "current.json").panels[2].targets[0]
    assert legend(bare, {"job": "api"}) == '{job="api"}'


def test_interval_and_interval_factor_set_the_step() -> None:
    graph = load_dashboard(DATA / "legacy.json").panels[1]
    target = graph.targets[0]
    # 1h over 240 points is 15s; the 30s minimum wins, and intervalFactor 2 halves the points.
    window = target_window(target, 3600, 10_000, 240, 15)
    assert window.step == 30
    window = target_window(target, 3600, 10_000, 60, 15)
    assert window.step == 120  # 3600 / (60 // 2) = 120
    instant = load_dashboard(DATA / "current.json").panels[2].targets[0]
    one = target_window(instant, 3600, 10_000.5, 240, 15)
    assert one.start == one.end == 10_000


def test_thresholds_colour_and_reductions() -> None:
    stat = load_dashboard(DATA / "current.json").panels[2]
    assert threshold_color(stat.thresholds, 0.001) == "#73bf69"
    assert threshold_color(stat.thresholds, 0.01) == "#f2495c"
    gauge = load_dashboard(DATA / "current.json").panels[3]
    assert threshold_color(gauge.thresholds, 0.5, 0, 2) == "#ff9830"  # 25 % of 0..2
    assert reduce([1.0, float("nan"), 3.0], "mean") == 2.0
    assert reduce([1.0, 3.0, float("nan")], "lastNotNull") == 3.0


def test_series_beyond_the_cap_are_dropped_and_said_so() -> None:
    many = [Series(str(i), [0.0], [1.0]) for i in range(10_000)]
    kept, note = cap_series(many, 200)
    assert len(kept) == 200 and note == "showing 200 of 10,000 series"
    assert cap_series(many[:5], 200) == (many[:5], None)
    # Already cut by the source: the total is the one it answered.
    assert cap_series(many[:200], 200, 10_000) == (many[:200], "showing 200 of 10,000 series")
    assert cap_series(many[:150], 200, 50_000)[1] == "showing 150 of 50,000 series"
    assert cap_series(many[:5], 200, 5) == (many[:5], None)


def test_the_series_kept_are_the_top_ones_by_value_now_in_their_order() -> None:
    values = [3.0, 9.0, float("nan"), 1.0, 7.0]
    series = [Series(f"s{i}", [1.0], [v]) for i, v in enumerate(values)]
    kept, note = cap_series(series, 2)
    assert [s.service for s in kept] == ["s1", "s4"]  # 9 and 7, not the first two listed
    assert note == "showing 2 of 5 series"


def test_titles_from_the_file_are_made_safe_where_they_enter() -> None:
    board = parse_dashboard(
        json.dumps(
            {
                "title": "evil\x1b[2J",
                "panels": [{"type": "x\x1b]8;;", "title": "[b]bold[/b]\u202e", "id": 1}],
            }
        ),
        "evil.json",
    )
    assert "\x1b" not in board.title
    panel = board.panels[0]
    assert "\u202e" not in panel.title and "[b]bold[/b]" in panel.title  # markup stays text
    assert panel.unsupported is not None and "\x1b" not in panel.unsupported


def test_a_datasource_variable_of_another_type_makes_its_panels_say_so() -> None:
    """`"datasource": "$logs"` (or `{"uid": "${logs}"}`) where $logs picks Loki sources:
    that panel says it is Loki; panels on a Prometheus datasource variable work."""
    board = parse_dashboard(
        json.dumps(
            {
                "templating": {"list": [
                    {"name": "logs", "type": "datasource", "query": "loki"},
                    {"name": "ds", "type": "datasource", "query": "prometheus"},
                ]},
                "panels": [
                    {"id": 1, "type": "timeseries", "datasource": "$logs",
                     "targets": [{"expr": 'rate({job="api"}[1m])'}]},
                    {"id": 2, "type": "stat", "datasource": {"uid": "${logs}"},
                     "targets": [{"expr": 'count_over_time({job="api"}[1m])'}]},
                    {"id": 3, "type": "timeseries", "datasource": "${ds}",
                     "targets": [{"expr": "up"}]},
                    {"id": 4, "type": "row", "collapsed": True, "panels": [
                        {"id": 5, "type": "graph", "targets": [
                            {"expr": "up", "datasource": {"uid": "$logs"}}]},
                    ]},
                ],
            }
        ),
        "team.json",
    )  # fmt: skip
    by_id = {p.id: p for p in board.panels}
    loki = "datasource type 'loki' is not supported (Prometheus only)"
    assert by_id[1].unsupported == loki and by_id[2].unsupported == loki
    assert by_id[3].unsupported is None
    assert by_id[4].children[0].unsupported == loki
