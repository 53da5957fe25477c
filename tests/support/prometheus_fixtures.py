"""Fixtures for a real prometheus server (see prometheus_server.py and backfill.py).

`prometheus_data` is session-scoped: one server with the known dataset (support/backfill.py)
for every integration test. `data_end` is the Unix time the data ends at; query there to
see the exact steady-state values.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest

from pulse_tui.config import Config, PrometheusConfig
from support.backfill import standard_services
from support.binaries import require_binary
from support.prometheus_server import FaultProxy, PrometheusProcess, backfilled_prometheus

#: Hours of backfilled history (the incident sits 90 minutes before the end).
DATA_HOURS = 3


@dataclass(frozen=True)
class PrometheusData:
    """The session's backfilled server: its URL and where the data ends."""

    url: str
    end: int
    server: PrometheusProcess

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


@pytest.fixture
def fault_proxy(prometheus_data: PrometheusData) -> Iterator[FaultProxy]:
    """A proxy in front of the session's prometheus that tests can break and mend."""
    proxy = FaultProxy(prometheus_data.url)
    try:
        yield proxy
    finally:
        proxy.close()
