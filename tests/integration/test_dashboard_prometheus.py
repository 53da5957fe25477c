"""The real app against a real prometheus: what the panels and the table show.

The panels, the table and the service picker are tried against each backend
(`metrics_backend`: Prometheus and VictoriaMetrics with the same data); faults against
Prometheus alone.

The backfilled dataset (support/backfill.py) has known steady-state values; the view is set
to a past range ending where the data ends, so the latest point of every panel is exact.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from support.backfill import EXPECTED, HOSTILE
from support.prometheus_fixtures import PrometheusData
from support.prometheus_server import FaultProxy
from ui.harness import screen_text, wait_until

from pulse_tui.config import Config, SignalConfig
from pulse_tui.model.core.units import format_value
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.sources.prometheus.source import PrometheusSource
from pulse_tui.ui.app import PulseApp
from pulse_tui.ui.screens.picker import PickerScreen
from pulse_tui.ui.widgets.metrics.service_table import ServiceTable

SIZE = (200, 50)


def exact(value: object) -> object:
    """Equal up to float rounding in PromQL's arithmetic (1e-9 relative)."""
    return pytest.approx(value, rel=1e-9, abs=1e-12)


def make_app(config: Config) -> PulseApp:
    config = replace(
        config, dashboard=replace(config.dashboard, refresh=1.0), prometheus_defaulted=False
    )
    return PulseApp(config, PrometheusSource(config), [])


def at_data_end(app: PulseApp, data: PrometheusData) -> None:
    app.view.set(replace(app.view.state, end=float(data.end)))


def all_panels_loaded(app: PulseApp) -> bool:
    return all(
        (r := app.dashboard.panel(s).result) is not None
        and r.window.end <= app.view.state.window_end()
        for s in Signal
    )


def table_cell(table: ServiceTable, service: str, column: str) -> str:
    return table.get_cell(service, column).plain


async def test_table_and_panels_show_the_backfilled_values(metrics_backend: PrometheusData) -> None:
    app = make_app(metrics_backend.config())
    async with app.run_test(size=SIZE) as pilot:
        at_data_end(app, metrics_backend)
        await wait_until(
            pilot, lambda: all_panels_loaded(app) and len(app.metrics.known_services) == 4
        )
        await pilot.pause(0.1)
        rows = {row.service: row for row in app.query_one(ServiceTable).rows_data}
        assert set(rows) == {"api", "checkout", "worker", HOSTILE}
        for service, rps in EXPECTED["traffic"].items():
            assert rows[service].traffic == exact(rps)
        for service, ratio in EXPECTED["errors"].items():
            assert rows[service].errors == exact(ratio)
        for service, quantiles in EXPECTED["latency"].items():
            assert rows[service].p50 == exact(quantiles["p50"])
            assert rows[service].p99 == exact(quantiles["p99"])
        for service, cores in EXPECTED["saturation"].items():
            assert rows[service].saturation == exact(cores)
        assert rows["worker"].queues == exact(EXPECTED["queue"])
        assert rows["worker"].queue == exact(max(EXPECTED["queue"].values()))

        table = app.query_one(ServiceTable)
        assert table_cell(table, "api", "traffic") == format_value(10.0, "req/s", compact=True)
        assert table_cell(table, "checkout", "errors") == format_value(0.02, "ratio", compact=True)
        assert table_cell(table, "checkout", "p99") == format_value(2.2, "s", compact=True)
        assert table_cell(table, "worker", "queue") == format_value(4.7, "s", compact=True)

        text = screen_text(app)
        # The hostile label value shows literally: markup in it is data, not style.
        assert HOSTILE in text
        assert "PAST RANGE" in text
        # Traffic headline: the total over all services.
        total = sum(EXPECTED["traffic"].values())
        assert format_value(total, "req/s") in text
        # Errors headline: the worst service's ratio, coloured crit (2% > 1% warn).
        assert format_value(0.02, "ratio") in text


async def test_enter_on_a_service_refetches_only_that_service(
    metrics_backend: PrometheusData,
) -> None:
    app = make_app(metrics_backend.config())
    async with app.run_test(size=SIZE) as pilot:
        at_data_end(app, metrics_backend)
        await wait_until(pilot, lambda: all_panels_loaded(app))
        table = app.query_one(ServiceTable)
        table.focus()
        table.move_cursor(row=table.get_row_index("checkout"))
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: (
                (r := app.dashboard.panel(Signal.LATENCY).result) is not None
                and r.services() == ["checkout"]
            ),
        )
        latency = app.dashboard.panel(Signal.LATENCY).result
        assert latency is not None
        by_quantile = {s.labels["quantile"]: s.latest() for s in latency.series}
        assert by_quantile == exact(EXPECTED["latency"]["checkout"])
        assert "checkout p50" in screen_text(app)


async def test_service_picker_lists_the_backends_services_and_narrows_the_panels(
    metrics_backend: PrometheusData,
) -> None:
    app = make_app(metrics_backend.config())
    async with app.run_test(size=SIZE) as pilot:
        at_data_end(app, metrics_backend)
        await wait_until(
            pilot, lambda: all_panels_loaded(app) and len(app.metrics.known_services) == 4
        )
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        assert isinstance(app.screen, PickerScreen)
        assert app.screen.items == sorted(["api", "checkout", "worker", HOSTILE])
        await pilot.press("w", "o", "r", "k")
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: (
                (r := app.dashboard.panel(Signal.TRAFFIC).result) is not None
                and r.services() == ["worker"]
            ),
        )
        traffic = app.dashboard.panel(Signal.TRAFFIC).result
        assert traffic is not None
        assert [s.latest() for s in traffic.series] == [exact(EXPECTED["traffic"]["worker"])]
        assert "worker" in screen_text(app).splitlines()[0]


async def test_a_bad_template_breaks_only_its_own_panel(prometheus_data: PrometheusData) -> None:
    config = prometheus_data.config()
    signals = dict(config.signals)
    signals[Signal.SATURATION] = SignalConfig(
        query="sum by ($service_label) (rate(process_cpu_seconds_total{$filter}[$window])",
        unit="cores",
    )
    app = make_app(replace(config, signals=signals))
    async with app.run_test(size=SIZE) as pilot:
        at_data_end(app, prometheus_data)
        await wait_until(pilot, lambda: app.dashboard.panel(Signal.SATURATION).error is not None)
        await wait_until(pilot, lambda: app.dashboard.panel(Signal.TRAFFIC).result is not None)
        error = app.dashboard.panel(Signal.SATURATION).error
        assert error is not None and "parse error" in error
        assert app.dashboard.panel(Signal.TRAFFIC).error is None
        assert "parse error" in screen_text(app)


async def test_prometheus_down_then_back(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy
) -> None:
    fault_proxy.stop_listening()
    app = make_app(prometheus_data.config(url=fault_proxy.url))
    async with app.run_test(size=SIZE) as pilot:
        at_data_end(app, prometheus_data)
        await wait_until(pilot, lambda: all(app.dashboard.panel(s).error for s in Signal))
        text = screen_text(app)
        assert "retry in" in text
        fault_proxy.start_listening()
        app.action_refresh_now()  # what `r` does; backoff would get there on its own too
        await wait_until(pilot, lambda: all(app.dashboard.panel(s).error is None for s in Signal))
        assert app.dashboard.panel(Signal.TRAFFIC).result is not None


async def test_a_hung_backend_never_freezes_the_ui(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy
) -> None:
    fault_proxy.mode = "hang"
    config = prometheus_data.config(url=fault_proxy.url, timeout=1.0)
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        at_data_end(app, prometheus_data)
        # While every query hangs, keys still work: help opens and closes.
        await pilot.press("question_mark")
        await pilot.pause(0.1)
        assert "Key bindings" in screen_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.dashboard.panel(Signal.TRAFFIC).error is not None)
        assert "no answer within 1s" in (app.dashboard.panel(Signal.TRAFFIC).error or "")
