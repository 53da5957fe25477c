"""Imported dashboards of other Grafana generations and an interval variable's `auto`
option, in the real app and against the real backfilled prometheus (support/backfill.py's
known steady state)."""

from __future__ import annotations

import json
from pathlib import Path

from support.prometheus_fixtures import PrometheusData
from test_grafana_dashboards import SIZE, make_app, open_dashboard, panel_text
from ui.harness import screen_text

from pulse_tui.model.dashboards.variables import parse_variables
from pulse_tui.sources.dashboards import Span, resolve_variables
from pulse_tui.sources.prometheus.source import PrometheusSource

DATA = Path(__file__).parent.parent / "data" / "grafana"


async def test_a_grafana_6_dashboard_shows_the_backfilled_values(
    prometheus_data: PrometheusData,
) -> None:
    """Schema 18 (Grafana 5-6): `graph` and `singlestat` panels on gridPos, a string or
    null datasource and a `$ds` one, the legacy `[[job]]` syntax, yaxes formats,
    singlestat thresholds "a,b" and valueName, the old `table` panel, a folded row."""
    app = make_app(prometheus_data, DATA / "grafana6.json")
    async with app.run_test(size=SIZE) as pilot:
        await open_dashboard(app, pilot)
        text = screen_text(app)
        assert "$job=api,worker" in text and "$ds=Prometheus" in text
        traffic = panel_text(app, "Traffic")
        assert "10 req/s" in traffic and "1 req/s" in traffic  # api and worker
        assert "checkout" not in traffic  # [[job]] is (api|worker)
        assert "1.00%" in panel_text(app, "API error ratio")  # percentunit, decimals 2
        assert "1.5" in panel_text(app, "Worker CPU avg")  # the avg of a steady 1.5 cores
        codes = panel_text(app, "API codes").splitlines()
        rows = {line.split()[0]: " ".join(line.split()[1:]) for line in codes[1:] if line.strip()}
        assert rows == {"200": "9.4 req/s", "404": "0.5 req/s", "500": "0.1 req/s"}, codes
        assert "Folded p99" not in text and "Details  folded" in text


AUTO_INTERVAL = {
    "name": "interval",
    "type": "interval",
    "query": "1m,10m,30m",
    "auto": True,
    "auto_count": 30,
    "auto_min": "10s",
    "current": {"text": "auto", "value": "$__auto_interval_interval"},
    "options": [
        {"text": "auto", "value": "$__auto_interval_interval", "selected": True},
        {"text": "1m", "value": "1m"},
        {"text": "10m", "value": "10m"},
        {"text": "30m", "value": "30m"},
    ],
}


async def test_an_auto_interval_is_the_range_over_auto_count_and_the_panel_uses_it(
    prometheus_data: PrometheusData, tmp_path: Path
) -> None:
    """Grafana's `auto` (saved as `$__auto_interval_interval`) used to reach Prometheus as
    written, a parse error; it is the range / 30 rounded as Grafana rounds it: 1h -> 2m."""
    board = {
        "title": "Auto interval",
        "schemaVersion": 39,
        "templating": {"list": [AUTO_INTERVAL]},
        "panels": [
            {
                "type": "stat", "title": "API traffic", "id": 1,
                "gridPos": {"x": 0, "y": 0, "w": 12, "h": 6},
                "fieldConfig": {"defaults": {"unit": "reqps"}},
                "targets": [{"refId": "A", "instant": True,
                             "expr": 'sum(rate(http_requests_total{job="api"}[$interval]))'}],
            }
        ],
    }  # fmt: skip
    path = tmp_path / "auto.json"
    path.write_text(json.dumps(board))
    app = make_app(prometheus_data, path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        assert "$interval=2m" in screen_text(app)
        assert screen.variables is not None
        assert screen.variables.options["interval"] == ["auto", "1m", "10m", "30m"]
        assert "10 req/s" in panel_text(app, "API traffic")
    # Other ranges, and auto_min: resolved as the dashboard's would be.
    source = PrometheusSource(prometheus_data.config())
    try:
        for range_seconds, shown in ((6 * 3600, "10m"), (24 * 3600, "1h"), (120, "10s")):
            span = Span(range_seconds, prometheus_data.end, 15)
            state = await resolve_variables(source, parse_variables([AUTO_INTERVAL]), span)
            assert state.selections["interval"].values == (shown,), range_seconds
    finally:
        await source.close()
