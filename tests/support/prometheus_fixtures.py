"""Fixtures for a real prometheus server (see prometheus_server.py and backfill.py).

`prometheus_data` is session-scoped: one server with the known dataset (support/backfill.py)
for every integration test. `data_end` is the Unix time the data ends at; query there to
see the exact steady-state values. `incident_now_data` and `young_incident_data` are two
more, started only by the tests that ask for them, whose checkout incident is still going
on where the data ends: after days of history, and with nothing but those hours.

`victoria_metrics_data` is the same dataset in a real VictoriaMetrics (imported through its
API, support/victoria_metrics.py), and `metrics_backend` runs a test once against each
backend: the tests of panels, table, picker, `summary` and `check` use it, so both Prometheus
APIs are held to the same exact values.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest

from pulse_tui.config import Config, PrometheusConfig
from support.backfill import incident_now_services, standard_services
from support.binaries import require_binary
from support.prometheus_server import FaultProxy, PrometheusProcess, backfilled_prometheus
from support.victoria_metrics import VictoriaMetricsProcess, backfilled_victoria_metrics

#: Hours of backfilled history (the incident sits 90 minutes before the end).
DATA_HOURS = 3
#: `incident_now_data`: dense hours, then sparse days before them (enough for every point
#: of a 30-day chart's last day, whatever the time of day the tests run at).
INCIDENT_NOW_HOURS = 3
INCIDENT_NOW_HISTORY_DAYS = 3


@dataclass(frozen=True)
class PrometheusData:
    """The session's backfilled server: its URL and where the data ends."""

    url: str
    end: int
    server: PrometheusProcess | VictoriaMetricsProcess
    #: Which server speaks the API: "prometheus" or "victoria-metrics".
    backend: str = "prometheus"

    def config(self, url: str | None = None, **prometheus: object) -> Config:
        """A Config pointing at this server (or `url`), with PrometheusConfig overrides."""
        base = PrometheusConfig(url=url or self.url, timeout=5.0)
        return Config(prometheus=replace(base, **prometheus))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def prometheus_data() -> Iterator[PrometheusData]:
    """A real prometheus serving the known dataset, for the whole session."""
    prometheus = require_binary("prometheus")
    promtool = require_binary("promtool")
    # A 5-minute boundary a little in the past: steps up to 5m align with it exactly.
    end = int(time.time()) // 300 * 300
    with backfilled_prometheus(
        prometheus, promtool, end, DATA_HOURS * 3600, standard_services()
    ) as server:
        yield PrometheusData(url=server.url, end=end, server=server)


@pytest.fixture(scope="session")
def victoria_metrics_data() -> Iterator[PrometheusData]:
    """A real VictoriaMetrics serving the same known dataset, for the whole session."""
    binary = require_binary("victoria-metrics")
    end = int(time.time()) // 300 * 300
    with backfilled_victoria_metrics(binary, end, DATA_HOURS * 3600, standard_services()) as server:
        yield PrometheusData(url=server.url, end=end, server=server, backend="victoria-metrics")


#: The servers speaking the Prometheus HTTP API that the tests run against.
BACKENDS = {"prometheus": "prometheus_data", "victoria-metrics": "victoria_metrics_data"}


@pytest.fixture(params=sorted(BACKENDS))
def metrics_backend(request: pytest.FixtureRequest) -> PrometheusData:
    """The known dataset on each backend in turn (started once per session, on first use)."""
    data: PrometheusData = request.getfixturevalue(BACKENDS[request.param])
    return data


def _incident_now(end: int, history: int) -> Iterator[PrometheusData]:
    prometheus = require_binary("prometheus")
    promtool = require_binary("promtool")
    with backfilled_prometheus(
        prometheus,
        promtool,
        end,
        INCIDENT_NOW_HOURS * 3600,
        incident_now_services(),
        history=history,
    ) as server:
        yield PrometheusData(url=server.url, end=end, server=server)


@pytest.fixture(scope="session")
def incident_now_data() -> Iterator[PrometheusData]:
    """A real prometheus whose checkout is in an incident up to where the data ends
    (support/backfill.py, `incident_now_services`), with days of sparse history before."""
    end = int(time.time()) // 300 * 300
    yield from _incident_now(end, INCIDENT_NOW_HISTORY_DAYS * 86400)


#: Where `young_incident_data` ends: this long after a 12-hour boundary (UTC).
YOUNG_END_OFFSET = 4 * 3600 + 1800


@pytest.fixture(scope="session")
def young_incident_data() -> Iterator[PrometheusData]:
    """The same incident on a prometheus holding only its INCIDENT_NOW_HOURS (a fresh
    install, a backfill), ending 4.5 h after a 12-hour boundary: every step of 6 h, 12 h or
    a day then ends before the data begins, whatever the time of day the tests run at."""
    now = int(time.time())
    end = (now - YOUNG_END_OFFSET) // 43200 * 43200 + YOUNG_END_OFFSET
    yield from _incident_now(end, 0)


@pytest.fixture
def fault_proxy(prometheus_data: PrometheusData) -> Iterator[FaultProxy]:
    """A proxy in front of the session's prometheus that tests can break and mend."""
    proxy = FaultProxy(prometheus_data.url)
    try:
        yield proxy
    finally:
        proxy.close()
