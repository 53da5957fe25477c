"""Alerts from a real Alertmanager appear beside ours; an unreachable one is an error line."""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from support.alertmanager_server import AlertmanagerProcess, run_alertmanager
from support.binaries import require_binary
from support.process import free_port
from support.prometheus_server import Canned, FaultProxy

from pulse_tui.sources.base import SourceError
from pulse_tui.sources.prometheus.external_alerts import fetch_alertmanager_alerts

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def alertmanager() -> Iterator[AlertmanagerProcess]:
    with run_alertmanager(require_binary("prometheus-alertmanager")) as server:
        yield server


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def test_a_posted_alert_comes_back_with_its_labels(alertmanager: AlertmanagerProcess) -> None:
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
    alertmanager.post(
        "/api/v2/alerts",
        [
            {
                "labels": {"alertname": "DiskFull", "severity": "critical", "service": "db"},
                "annotations": {"summary": "disk 97% full\non /var"},
                "startsAt": iso(started),
                "endsAt": iso(started + timedelta(hours=1)),
            }
        ],
    )
    alerts = await fetch_alertmanager_alerts(alertmanager.url)
    [alert] = [a for a in alerts if a.name == "DiskFull"]
    assert alert.source == "alertmanager" and alert.state == "firing"
    assert alert.severity == "page"
    assert alert.service == "db"
    assert alert.labels == {"alertname": "DiskFull", "severity": "critical", "service": "db"}
    assert alert.summary == "disk 97% full on /var"
    assert alert.started_at == started.timestamp()
    assert alert.key.startswith("alertmanager:") and not alert.silenced


async def test_an_alert_silenced_in_alertmanager_is_marked(
    alertmanager: AlertmanagerProcess,
) -> None:
    now = datetime.now(UTC)
    alertmanager.post(
        "/api/v2/alerts",
        [{"labels": {"alertname": "Noisy", "severity": "warning", "job": "api"}}],
    )
    alertmanager.post(
        "/api/v2/silences",
        {
            "matchers": [{"name": "alertname", "value": "Noisy", "isRegex": False}],
            "startsAt": iso(now - timedelta(minutes=1)),
            "endsAt": iso(now + timedelta(hours=1)),
            "createdBy": "pulse-tui tests",
            "comment": "deploy",
        },
    )
    deadline = time.monotonic() + 10
    while True:  # silences apply on Alertmanager's next evaluation of the alert
        [alert] = [
            a for a in await fetch_alertmanager_alerts(alertmanager.url) if a.name == "Noisy"
        ]
        if alert.silenced or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert alert.silenced and alert.silence_reason == "silenced in Alertmanager"
    assert (alert.severity, alert.service) == ("warn", "api")


async def test_unreachable_alertmanager_is_a_clear_source_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(SourceError, match=f"Alertmanager at {url}: connection refused"):
        await fetch_alertmanager_alerts(url, timeout=2)


async def test_credentials_in_the_url_go_as_basic_auth_and_are_never_shown(
    alertmanager: AlertmanagerProcess, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx logs every request's URL at INFO
    password = "am-pw-6c0f1e2b"
    proxy = FaultProxy(alertmanager.url)
    seen: list[str] = []
    original = proxy._handle

    def record(handler) -> None:
        seen.append(handler.headers.get("Authorization", ""))
        original(handler)

    proxy._handle = record  # type: ignore[method-assign]
    try:
        host = proxy.url.removeprefix("http://")
        assert isinstance(await fetch_alertmanager_alerts(f"http://ops:{password}@{host}"), list)
        assert seen == ["Basic " + base64.b64encode(f"ops:{password}".encode()).decode()]
        proxy.mode = "canned"
        proxy.canned = Canned(500, f"echo {password}".encode())
        with pytest.raises(SourceError) as info:
            await fetch_alertmanager_alerts(f"http://ops:{password}@{host}")
        assert str(info.value) == f"Alertmanager at http://ops:***@{host} answered HTTP 500"
    finally:
        proxy.close()
    down = f"ops:{password}@127.0.0.1:{free_port()}"
    with pytest.raises(
        SourceError, match=r"^Alertmanager at http://ops:\*\*\*@[^ ]+: connection refused"
    ):
        await fetch_alertmanager_alerts(f"http://{down}", timeout=2)
    assert "HTTP Request: GET" in caplog.text  # the log was captured, and it is clean
    assert password not in caplog.text
