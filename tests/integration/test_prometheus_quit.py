"""Quitting never waits on the network (issue 15, row 5): the real command, in a terminal,
against the real prometheus behind a proxy that never answers the latency panel's query.

Measured on the whole process, because that is where a wait hid: a blocking query in a
worker thread kept the interpreter alive after the app had exited, for the query's whole
timeout (8.5-9.1 s with the default 10 s). The bound is a behaviour, not a benchmark.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from support.app_process import pulse_tui_in_terminal
from support.prometheus_fixtures import PrometheusData
from support.prometheus_server import FaultProxy

pytestmark = pytest.mark.integration

#: "q" to the process gone; what the issue asks for.
QUIT_WITHIN = 2.0


def latency_query(path: str) -> bool:
    return "query_range" in path and "http_request_duration" in urllib.parse.unquote(path)


def test_q_exits_within_two_seconds_with_a_query_hung(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, tmp_path: Path
) -> None:
    fault_proxy.hang_if = latency_query
    args = ["--prometheus", fault_proxy.url, "--range", "1h"]
    with pulse_tui_in_terminal(args, tmp_path) as app:
        # Drawn with the other panels' data: they refreshed while latency hangs.
        app.wait_for_text("Traffic")
        app.wait_for_text("updated")
        assert any(latency_query(p) for p in fault_proxy.paths), "the latency query was sent"
        app.type("q")
        took = app.wait_exit(timeout=20)
    assert app.process.returncode == 0
    assert took < QUIT_WITHIN, f"quit took {took:.1f}s with a query hung"
