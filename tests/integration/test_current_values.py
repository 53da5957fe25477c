"""Current values are current at any range: checkout is 20 minutes into an incident (20 %
5xx, p99 2.5 s) where the data ends, and the table, the headlines, alert rules and
`summary` say so at 7d and 30d exactly as at 1h, while the charts keep their aligned steps.

Two datasets (support/backfill.py, `incident_now_services`; support/prometheus_fixtures.py):
"history", three dense hours after three sparse days, and "young", the three hours alone,
ending 4.5 h after a 12-hour boundary. The clock is frozen where the data ends, so "now" is
there. Before, the values were each chart's newest point: at 7d a 2-3 h step whose point
fell before the incident (1 %, 0.4 s); at 30d a 6-12 h step, its point before the incident
too ("history") or before the data began, so that every panel said "no data" ("young").
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from support.backfill import EXPECTED, EXPECTED_NOW, HOSTILE
from support.prometheus_fixtures import (
    INCIDENT_NOW_HISTORY_DAYS,
    INCIDENT_NOW_HOURS,
    PrometheusData,
)
from ui.harness import screen_text, wait_until

from pulse_tui.cli import main
from pulse_tui.config import AlertRule, AlertsConfig
from pulse_tui.model.core import clock
from pulse_tui.model.core.units import format_value
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.model.metrics.step import compute_window
from pulse_tui.sources.prometheus.source import PrometheusSource
from pulse_tui.ui.app import PulseApp
from pulse_tui.ui.widgets.metrics.service_table import ServiceTable

pytestmark = pytest.mark.integration

SIZE = (200, 50)
RANGES = {"1h": 3600, "7d": 7 * 86400, "30d": 30 * 86400}
CHECKOUT = EXPECTED_NOW["checkout"]
DATASETS = {"history": "incident_now_data", "young": "young_incident_data"}
#: One signal rule and one PromQL rule on the incident; both must fire at every range.
RULES = (
    AlertRule("High errors", "page", ">", 0.05, for_seconds=120, signal=Signal.ERRORS),
    AlertRule(
        "High errors (PromQL)",
        "page",
        ">",
        0.05,
        for_seconds=120,
        query=(
            'sum by (job) (rate(http_requests_total{code=~"5.."}[1m]))'
            " / sum by (job) (rate(http_requests_total[1m]))"
        ),
    ),
)


def exact(value: object) -> object:
    """Equal up to float rounding in PromQL's arithmetic (1e-9 relative)."""
    return pytest.approx(value, rel=1e-9, abs=1e-12)


@pytest.fixture(params=list(DATASETS))
def data(request: pytest.FixtureRequest) -> Iterator[PrometheusData]:
    """Each dataset in turn, with now frozen where it ends (conftest unfreezes it)."""
    found: PrometheusData = request.getfixturevalue(DATASETS[request.param])
    clock.freeze(float(found.end))
    yield found


# ------------------------------------------------------------------ summary


def summary_json(url: str, range_flag: str, capsys: pytest.CaptureFixture) -> list:
    """`pulse-tui summary --range R --format json`, run in-process."""
    assert main(["summary", "--prometheus", url, "--range", range_flag, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("range_flag", ["7d", "30d"])
def test_summary_json_shows_the_incident_now_as_at_1h(
    data: PrometheusData,
    range_flag: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # no user config file
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    url = data.url
    hour = {row["service"]: row for row in summary_json(url, "1h", capsys)}
    long = {row["service"]: row for row in summary_json(url, range_flag, capsys)}

    checkout = long["checkout"]
    assert checkout["traffic_rps"] == exact(CHECKOUT["traffic"])
    assert checkout["error_ratio"] == exact(CHECKOUT["errors"])
    assert checkout["latency_p50_s"] == exact(CHECKOUT["latency"]["p50"])
    assert checkout["latency_p90_s"] == exact(CHECKOUT["latency"]["p90"])
    assert checkout["latency_p99_s"] == exact(CHECKOUT["latency"]["p99"])
    assert checkout["saturation"] == exact(CHECKOUT["saturation"])
    assert long["worker"]["queues"] == exact(EXPECTED["queue"])
    # Every key of every service, as at 1h (the keys are the documented contract).
    assert list(long) == list(hour) == sorted(["api", "checkout", "worker", HOSTILE])
    for service, row in long.items():
        assert list(row) == list(hour[service])
        # Findings are what changed over the range (its step), not values now: not compared.
        now_only = {key: value for key, value in row.items() if key != "findings"}
        assert_same(now_only, hour[service])


def assert_same(row: dict, other: dict) -> None:
    """Rows equal key by key, numbers up to PromQL's rounding."""
    for key, value in row.items():
        if isinstance(value, float):
            assert other[key] is not None and math.isclose(value, other[key], rel_tol=1e-9), key
        elif isinstance(value, dict):
            assert value == exact(other[key]), key
        else:
            assert value == other[key], key


# ------------------------------------------------------------------ dashboard


def make_app(data: PrometheusData, range_seconds: float) -> PulseApp:
    config = data.config()
    config = replace(
        config,
        dashboard=replace(config.dashboard, refresh=1.0, range=range_seconds),
        alerts=AlertsConfig(rules=RULES, prometheus_alerts=False),
        prometheus_defaulted=False,
    )
    return PulseApp(config, PrometheusSource(config), [])


def loaded(app: PulseApp) -> bool:
    return all(app.dashboard.panel(s).result is not None for s in Signal) and any(
        row.service == "checkout" and row.errors is not None
        for row in app.query_one(ServiceTable).rows_data
    )


@pytest.mark.parametrize("range_flag", ["7d", "30d"])
async def test_table_headlines_and_alerts_show_the_incident_now_at_long_ranges(
    data: PrometheusData, range_flag: str, request: pytest.FixtureRequest
) -> None:
    end = data.end
    app = make_app(data, RANGES[range_flag])
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await pilot.pause(0.1)

        # The table: checkout as it is now, 20 minutes into its incident.
        table = app.query_one(ServiceTable)
        row = next(r for r in table.rows_data if r.service == "checkout")
        assert row.traffic == exact(CHECKOUT["traffic"])
        assert row.errors == exact(CHECKOUT["errors"])
        assert row.p50 == exact(CHECKOUT["latency"]["p50"])
        assert row.p99 == exact(CHECKOUT["latency"]["p99"])
        assert row.saturation == exact(CHECKOUT["saturation"])
        assert table.get_cell("checkout", "errors").plain == format_value(
            0.2, "ratio", compact=True
        )
        assert table.get_cell("checkout", "p99").plain == format_value(2.5, "s", compact=True)

        # The headlines: the worst service now is checkout, at its incident's values.
        text = screen_text(app)
        assert f"{format_value(0.2, 'ratio')}  5xx checkout" in text
        assert f"{format_value(2.5, 's')}  p99 checkout" in text
        total = sum(EXPECTED["traffic"].values())
        assert f"{format_value(total, 'req/s')}  total" in text

        # Both rules fire on checkout now, as they would at 1h.
        await wait_until(
            pilot, lambda: {a.name for a in app.alerts.book.firing()} >= {r.name for r in RULES}
        )
        firing = {(a.name, a.service) for a in app.alerts.book.firing()}
        assert firing == {(rule.name, "checkout") for rule in RULES}

        # The charts keep their aligned steps, hours long, and still draw the data.
        for signal in Signal:
            panel = app.dashboard.panel(signal)
            assert panel.result is not None
            window = panel.result.window
            assert window == compute_window(RANGES[range_flag], end, panel.plot_points(), 15)
            assert window.step >= 3600 and window.end % window.step == 0 and window.end <= end
        errors = app.dashboard.panel(Signal.ERRORS).result
        assert errors is not None
        # Where the data begins: the dense hours, after days of sparse history or not.
        history = (
            INCIDENT_NOW_HISTORY_DAYS * 86400
            if request.node.callspec.params["data"] == "history"
            else 0
        )
        data_start = data.end - INCIDENT_NOW_HOURS * 3600 - history
        if errors.window.end >= data_start:
            assert errors.series  # a point of the chart's falls on the data: it is drawn
        else:
            # Young data at 30d: every 6 h point ends before the data begins, so the chart
            # is empty, and says why. No panel says "no data": each has its value now.
            assert errors.series == ()
            assert "no data" not in text
            assert "data newer than the last 6h step" in text


async def test_the_table_shows_the_value_now_at_7d_as_at_1h(data: PrometheusData) -> None:
    """A user story: at 1h the table says 20 %; zooming out to 7d (`+` through the presets
    would take long, so the range is set) it still says 20 %, not the 1 % before it."""
    app = make_app(data, RANGES["1h"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        table = app.query_one(ServiceTable)
        at_1h = table.get_cell("checkout", "errors").plain
        assert at_1h == format_value(0.2, "ratio", compact=True)

        app.view.set(app.view.state.with_range(RANGES["7d"], None))
        await wait_until(
            pilot,
            lambda: all(
                (r := app.dashboard.panel(s).result) is not None and r.window.step >= 3600
                for s in Signal
            ),
        )
        await pilot.pause(0.2)
        assert table.get_cell("checkout", "errors").plain == at_1h
        assert table.get_cell("checkout", "p99").plain == format_value(2.5, "s", compact=True)
        assert app.view.state.describe_range() in screen_text(app)
