"""Alerts, error groups and probes in the real app, as the on-call engineer sees them.

Notifications are ON here (`run_test(notifications=True)`): toasts carry untrusted text
(service names, alert summaries), so they are part of what is tested.
"""

from __future__ import annotations

from dataclasses import replace

from support.http_receiver import HttpReceiver
from ui.harness import frozen_demo_app, has_data, screen_text, wait_until

from pulse_tui.config import Probe, SecretRef, Webhook
from pulse_tui.model.core import clock
from pulse_tui.model.logs.line import Level, LogLine
from pulse_tui.sources.demo import DemoMetricsSource
from pulse_tui.ui.app import PulseApp, demo_config
from pulse_tui.ui.screens.silence import SilenceScreen

WIDE = (200, 50)
BASE = 1767225600


class LinesOnce:
    """Delivers fixed lines once (the thing under test is grouping, not transport)."""

    def __init__(self, host: str, lines: list[LogLine]) -> None:
        self.host = host
        self.service = ""
        self.loads_history = False
        self.fetches_windows = False
        self.loaded_since = None
        self.lines = lines
        self.stopped = False

    async def fetch_window(self, start: float, end: float):
        from pulse_tui.sources.base import cannot_fetch

        return cannot_fetch(self.host, start, end)

    async def run(self, sink) -> None:
        import asyncio

        sink.on_lines(self.lines)
        while not self.stopped:
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        self.stopped = True


async def test_demo_incident_fires_toasts_lists_and_silences() -> None:
    app = frozen_demo_app()  # 100 s into a checkout incident
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await wait_until(
            pilot,
            lambda: any(
                a.name == "High error ratio" and a.service == "checkout" and a.state == "firing"
                for a in app.alerts.book.current()
            ),
        )
        await pilot.pause(0.2)
        assert "PAGE firing: High error ratio" in screen_text(app)
        await pilot.press("a")
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "Alerts (" in text and "High error ratio" in text and "checkout" in text
        assert "firing" in text
        table = app.query_one("#alert-table")
        table.move_cursor(row=table.get_row_index("pulse:High error ratio:checkout"))
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, SilenceScreen)
        await pilot.press("down", "enter")  # 1 hour
        await pilot.pause(0.2)
        alert = next(
            a for a in app.alerts.book.current() if a.key == "pulse:High error ratio:checkout"
        )
        assert alert.silenced
        assert "(silenced)" in screen_text(app)


async def test_webhook_gets_exactly_one_firing_message() -> None:
    receiver = HttpReceiver()
    try:
        config = demo_config()
        hook = Webhook("page", SecretRef(inline=receiver.url))
        config = replace(config, alerts=replace(config.alerts, webhooks=(hook,)))
        app = frozen_demo_app(config)
        async with app.run_test(size=WIDE) as pilot:
            await wait_until(pilot, lambda: any("High error ratio" in t for t in receiver.texts))
            await pilot.pause(0.5)
            app.metrics.refresh(force=True)  # a second evaluation of the same data
            await pilot.pause(0.5)
            sent = [t.split(" (at")[0] for t in receiver.texts if "High error ratio" in t]
            # One firing (and, once over, one resolved) per alert, however often evaluated.
            assert sorted(sent) == sorted(set(sent))
            assert sum(t.startswith("[FIRING]") and "checkout" in t for t in sent) == 1
            assert receiver.url not in screen_text(app)  # the URL is a secret
    finally:
        receiver.stop()


async def test_error_groups_pane_groups_variable_messages_and_enter_filters_the_logs() -> None:
    texts = [
        ("payment timeout after 1234ms", Level.ERROR),
        ("GET /healthz 200", Level.INFO),
        ("payment timeout after 98ms", Level.ERROR),
        ("disk /dev/sda1 91% full", Level.WARN),
        ("payment timeout after 5000ms [link=http://x]", Level.ERROR),
    ]
    lines = [
        LogLine(BASE + n, BASE + n, "web-1", "/var/log/app", "api", level, text)
        for n, (text, level) in enumerate(texts)
    ]
    config = demo_config()
    clock.freeze(BASE - 120)  # watching for two minutes when the lines come: they are new
    app = PulseApp(config, DemoMetricsSource(config), [LinesOnce("web-1", lines)])
    app.view.set(replace(app.view.state, end=BASE + 600.0))
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await wait_until(pilot, lambda: len(app.alerts.error_groups) == 3)
        await pilot.press("e")
        await wait_until(pilot, lambda: app.query_one("#error-group-table").row_count == 3)
        text = screen_text(app)
        assert "payment timeout after <duration>" in text
        assert "payment timeout after <duration> [link=<url>" in text  # markup shown as text
        groups = {g.fingerprint: g for g in app.alerts.error_groups.groups()}
        timeout_group = next(g for fp, g in groups.items() if fp.startswith("payment timeout"))
        assert timeout_group.count == 2  # the [link=…] line differs after the duration
        assert "NEW" in text
        assert "payment timeout after 1234ms" in text  # the group's example line
        table = app.query_one("#error-group-table")
        table.move_cursor(row=table.get_row_index(timeout_group.fingerprint))
        await pilot.press("enter")
        view = app.dashboard.log_panel.view
        await wait_until(pilot, lambda: view._matches is not None and 0 < view.count < 5)
        shown = [view._line(i).text for i in range(view.count)]
        # The group's search finds its lines (and may also find longer look-alikes).
        assert shown[:2] == ["payment timeout after 1234ms", "payment timeout after 98ms"]
        assert not any("disk" in t or "healthz" in t for t in shown)


async def test_probes_go_down_alert_and_come_back() -> None:
    target = HttpReceiver(path="/health")
    try:
        probe = Probe(name="api health", url=target.url, interval=0.2, timeout=1.0, down_after=2)
        config = demo_config()
        config = replace(config, alerts=replace(config.alerts, probes=(probe,)))
        app = frozen_demo_app(config)
        async with app.run_test(size=WIDE, notifications=True) as pilot:
            await pilot.press("u")
            await wait_until(pilot, lambda: "api health" in app.alerts.probe_statuses)
            await wait_until(pilot, lambda: app.alerts.probe_statuses["api health"].up is True)
            await pilot.pause(0.2)
            assert " up " in screen_text(app)
            target.stop()
            await wait_until(pilot, lambda: app.alerts.probe_statuses["api health"].down)
            await pilot.pause(0.2)
            assert "DOWN" in screen_text(app)
            assert any(
                a.key == "probe:api health" and a.state == "firing"
                for a in app.alerts.book.current()
            )
            target.start()
            await wait_until(pilot, lambda: app.alerts.probe_statuses["api health"].up is True)
            await wait_until(
                pilot,
                lambda: not any(a.key == "probe:api health" for a in app.alerts.book.firing()),
            )
            assert [
                e.kind for e in app.alerts.book.history if e.alert.key == "probe:api health"
            ] == [
                "firing",
                "resolved",
            ]
    finally:
        target.stop()


async def test_alertmanager_alerts_appear_beside_ours_and_a_dead_one_is_shown(
    prometheus_data,
) -> None:
    from datetime import UTC, datetime, timedelta

    from support.alertmanager_server import run_alertmanager
    from support.binaries import require_binary
    from support.process import free_port

    from pulse_tui.sources.prometheus.source import PrometheusSource

    with run_alertmanager(require_binary("prometheus-alertmanager")) as alertmanager:
        started = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
        stamp = started.isoformat().replace("+00:00", "Z")
        alertmanager.post(
            "/api/v2/alerts",
            [
                {
                    "labels": {"alertname": "DiskFull", "severity": "critical", "job": "db"},
                    "annotations": {"summary": "disk 97% full [bold]on /var[/bold]"},
                    "startsAt": stamp,
                }
            ],
        )

        async def watch(url: str, expect_error: bool) -> None:
            config = prometheus_data.config()
            config = replace(
                config,
                prometheus_defaulted=False,
                alerts=replace(config.alerts, alertmanager_url=url, prometheus_alerts=True),
            )
            app = PulseApp(config, PrometheusSource(config), [])
            async with app.run_test(size=WIDE, notifications=True) as pilot:
                await pilot.press("a")
                if expect_error:
                    await wait_until(pilot, lambda: "alertmanager" in app.alerts.external_errors)
                    await pilot.pause(0.2)
                    assert "alertmanager:" in screen_text(app)
                    # The rest of the app is unaffected: panels still get their data.
                    await wait_until(pilot, lambda: len(app.metrics.results) == 5)
                else:
                    await wait_until(
                        pilot, lambda: any(a.name == "DiskFull" for a in app.alerts.book.current())
                    )
                    await pilot.pause(0.2)
                    text = screen_text(app)
                    assert "DiskFull" in text and "alertmanager" in text
                    assert "[bold]on /var[/bold]" in text  # label/annotation text is data
                    assert "alertname=DiskFull" in text and "severity=critical" in text

        await watch(alertmanager.url, expect_error=False)
        await watch(f"http://127.0.0.1:{free_port()}", expect_error=True)


async def test_new_error_pattern_alerts_and_resolves_when_acknowledged() -> None:
    lines = [
        LogLine(
            BASE, BASE, "web-1", "/var/log/app", "api", Level.ERROR, "db pool exhausted after 30s"
        )
    ]
    config = demo_config()
    config = replace(config, alerts=replace(config.alerts, new_error_groups=True))
    clock.freeze(BASE - 120)  # the line comes two minutes into the session: a new pattern
    app = PulseApp(config, DemoMetricsSource(config), [LinesOnce("web-1", lines)])
    app.view.set(replace(app.view.state, end=BASE + 600.0))
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        key = "newerror:db pool exhausted after <duration>"
        await wait_until(pilot, lambda: any(a.key == key for a in app.alerts.book.firing()))
        await pilot.press("e")
        await wait_until(pilot, lambda: app.query_one("#error-group-table").row_count == 1)
        await pilot.press("enter")
        await wait_until(pilot, lambda: not any(a.key == key for a in app.alerts.book.firing()))
        assert [e.kind for e in app.alerts.book.history if e.alert.key == key] == [
            "firing",
            "resolved",
        ]
