"""The automatic alerts in the real app against a real, backfilled prometheus: checkout's
error ratio steps from 2 % to 20 % eight minutes before the data ends (now), with no
`[alerts]` rules in the config.

Without rules the what-changed finding raises "Error ratio jumped" through the rule state
machine: firing on the Alerts tab, a toast, the bell and a webhook message; `automatic = false`
sees the same finding and alerts on nothing. Notifications are on (`notifications=True`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from support.backfill import SCRAPE, Incident, standard_services
from support.binaries import require_binary
from support.http_receiver import HttpReceiver
from support.prometheus_fixtures import PrometheusData
from support.prometheus_server import backfilled_prometheus
from ui.harness import screen_text, wait_until

from pulse_tui.config import SecretRef, Webhook
from pulse_tui.config.alert_model import AlertsConfig
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.sources.prometheus.source import PrometheusSource
from pulse_tui.ui.app import PulseApp

pytestmark = pytest.mark.integration

SIZE = (200, 50)
#: The step: how long before the data's end checkout's error ratio went to 20 %.
STEP_AGO = 8 * 60
KEY = "pulse:Error ratio jumped:checkout"


@pytest.fixture(scope="module")
def error_step() -> Iterator[PrometheusData]:
    """The standard services, ending now (the alert is young enough to notify), with
    checkout at 20 % 5xx (of 1 % before) for the last STEP_AGO seconds."""
    end = int(time.time()) // SCRAPE * SCRAPE
    services = []
    for service in standard_services():
        if service.name == "checkout":
            incident = Incident(STEP_AGO, None, {"200": 48, "500": 12})
            service = replace(service, incident=incident)
        services.append(service)
    with backfilled_prometheus(
        require_binary("prometheus"), require_binary("promtool"), end, 2 * 3600, services
    ) as server:
        yield PrometheusData(url=server.url, end=end, server=server)


def make_app(data: PrometheusData, alerts: AlertsConfig) -> PulseApp:
    config = data.config()
    config = replace(
        config,
        dashboard=replace(config.dashboard, refresh=1.0),
        prometheus_defaulted=False,
        alerts=alerts,
    )
    return PulseApp(config, PrometheusSource(config), [])


def checkout_crit_found(app: PulseApp) -> bool:
    return any(
        f.service == "checkout" and f.signal is Signal.ERRORS and f.severity == "crit"
        for f in app.metrics.findings
    )


def firing(app: PulseApp) -> bool:
    return any(a.key == KEY and a.state == "firing" for a in app.alerts.book.current())


async def test_no_rules_the_error_step_fires_shows_toasts_and_sends_a_webhook(
    error_step: PrometheusData,
) -> None:
    receiver = HttpReceiver()
    try:
        alerts = AlertsConfig(webhooks=(Webhook("page", SecretRef(inline=receiver.url)),))
        app = make_app(error_step, alerts)
        bells: list[None] = []
        app.bell = lambda: bells.append(None)  # type: ignore[method-assign]
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_until(pilot, lambda: firing(app), timeout=30)
            alert = next(a for a in app.alerts.book.current() if a.key == KEY)
            # Pending from the change (to one chart step), firing the rule's 2m later.
            step = max(f.step for f in app.metrics.findings if f.service == "checkout")
            assert abs(alert.started_at - (error_step.end - STEP_AGO)) <= step  # type: ignore[operator]
            # At the first point at least 2m after (as Prometheus counts `for`).
            held = alert.fired_at - alert.started_at  # type: ignore[operator]
            assert 120 <= held < 120 + step
            assert alert.severity == "page" and alert.value == pytest.approx(0.2, rel=0.05)
            assert "→ 20% since" in alert.summary
            await pilot.pause(0.2)
            assert "PAGE firing: Error ratio jumped" in screen_text(app)
            assert len(bells) == 1  # dashboard.bell is on by default
            await pilot.press("a")
            await wait_until(pilot, lambda: "Error ratio jumped" in screen_text(app))
            text = screen_text(app)
            assert "Alerts (1)" in text
            row = next(line for line in text.splitlines() if "Error ratio jumped" in line)
            assert "checkout" in row and "firing" in row and "→ 20% since" in row
            # Only the changed service alerts: the steady ones are quiet.
            assert [a.service for a in app.alerts.book.firing()] == ["checkout"]
            await wait_until(pilot, lambda: receiver.texts != [], timeout=15)
        (text,) = receiver.texts
        assert "Error ratio jumped" in text and "checkout" in text and "20%" in text
    finally:
        receiver.stop()


async def test_automatic_false_sees_the_change_and_alerts_on_nothing(
    error_step: PrometheusData,
) -> None:
    app = make_app(error_step, AlertsConfig(automatic=False))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, lambda: checkout_crit_found(app), timeout=30)
        # Findings and the change rules are judged in the same call: nothing was raised.
        await pilot.pause(0.5)
        assert app.alerts.rules.rules == ()
        assert app.alerts.book.current() == [] and list(app.alerts.book.history) == []
        await pilot.press("a")
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "0 firing" in text and "Error ratio jumped" not in text, text


async def test_at_a_week_the_eight_minute_old_step_fires_from_its_start(
    error_step: PrometheusData,
) -> None:
    """At 7d one chart point is 2 h and the recent minutes are all at 20 %: only the young
    window (the last chart steps a minute at a time) sees the step, and the alert walks it,
    so it is pending from the step's start and fires the rule's 2m later, as at 1h, not
    from when the app started."""
    app = make_app(error_step, AlertsConfig())
    week = replace(app.config, dashboard=replace(app.config.dashboard, range=7 * 86400.0))
    app = PulseApp(week, PrometheusSource(week), [])
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: firing(app), timeout=30)
        result = app.metrics.results[Signal.ERRORS]
        assert result.window.step >= 3600 and result.young is not None
        alert = next(a for a in app.alerts.book.current() if a.key == KEY)
        assert abs(alert.started_at - (error_step.end - STEP_AGO)) <= 60  # type: ignore[operator]
        # At the first young point at least 2m after (as Prometheus counts `for`).
        held = alert.fired_at - alert.started_at  # type: ignore[operator]
        assert 120 <= held < 120 + result.young.window.step
        strip = screen_text(app).splitlines()[1]
        assert "checkout" in strip and "→ 20% since" in strip and "began earlier" not in strip
