"""`pulse-tui summary`: the latest panel values per service, from a real Prometheus and a
real VictoriaMetrics."""

from __future__ import annotations

import csv
import io
import json

import pytest
from support.backfill import EXPECTED, HOSTILE
from support.prometheus_fixtures import PrometheusData

from pulse_tui.cli.summary import JSON_KEYS, SUMMARY_KEYS, collect_summary, format_summary
from pulse_tui.config import Config
from pulse_tui.sources.demo import DemoMetricsSource
from pulse_tui.sources.prometheus.source import PrometheusSource

pytestmark = pytest.mark.integration


@pytest.fixture
async def rows(metrics_backend: PrometheusData) -> list[dict]:
    source = PrometheusSource(metrics_backend.config())
    try:
        return await collect_summary(source, 3600, now=metrics_backend.end)
    finally:
        await source.close()


def by_service(rows: list[dict]) -> dict[str, dict]:
    return {row["service"]: row for row in rows}


async def test_one_row_per_service_with_exact_values(rows: list[dict]) -> None:
    table = by_service(rows)
    assert list(table) == sorted(["api", "checkout", "worker", HOSTILE])
    api = table["api"]
    assert api["traffic_rps"] == pytest.approx(10.0, rel=1e-9)
    assert api["error_ratio"] == pytest.approx(0.01, rel=1e-9)
    assert api["latency_p50_s"] == pytest.approx(0.1375, rel=1e-9)
    assert api["latency_p90_s"] == pytest.approx(0.40625, rel=1e-9)
    assert api["latency_p99_s"] == pytest.approx(0.95, rel=1e-9)
    assert api["saturation"] == pytest.approx(0.5, rel=1e-9)
    assert api["saturation_unit"] == "cores"
    assert api["queue_p99_s"] is None
    assert api["queues"] == {}
    for service, ratio in EXPECTED["errors"].items():
        assert table[service]["error_ratio"] == pytest.approx(ratio, rel=1e-9, abs=1e-12)


async def test_worst_queue_and_every_queue(rows: list[dict]) -> None:
    worker = by_service(rows)["worker"]
    assert worker["queue_p99_s"] == pytest.approx(4.7, rel=1e-9)
    assert worker["queues"] == {
        "emails": pytest.approx(1.5, rel=1e-9),
        "payments": pytest.approx(4.7, rel=1e-9),
    }
    assert worker["latency_p99_s"] is None  # worker has no latency histogram


async def test_json_has_exactly_the_documented_keys(rows: list[dict]) -> None:
    decoded = json.loads(format_summary(rows, "json"))
    assert [tuple(row) for row in decoded] == [JSON_KEYS] * len(rows)
    assert all(row["findings"] == [] for row in decoded)  # steady data: nothing changed
    hostile = next(row for row in decoded if row["service"] == HOSTILE)
    assert hostile["traffic_rps"] == pytest.approx(0.5)
    assert hostile["latency_p50_s"] is None


async def test_csv_round_trips_hostile_names(rows: list[dict]) -> None:
    text = format_summary(rows, "csv")
    # CSV stays flat: the columns it always had, no findings.
    assert tuple(next(csv.reader(io.StringIO(text)))) == SUMMARY_KEYS
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert [row["service"] for row in parsed] == [row["service"] for row in rows]
    worker = next(row for row in parsed if row["service"] == "worker")
    assert worker["queues"].startswith("emails=1.5")
    assert worker["latency_p50_s"] == ""


async def test_table_is_aligned_text(rows: list[dict]) -> None:
    lines = format_summary(rows, "table", range_seconds=3600).splitlines()
    assert lines[0].split()[:3] == ["SERVICE", "REQ/S", "ERR"]
    api = next(line for line in lines if line.startswith("api "))
    assert api.split()[1:3] == ["10", "1"]  # 10 req/s, 1 % errors
    assert lines[-1] == "WHAT CHANGED: no change in the last 1h"


async def test_works_with_the_demo_source() -> None:
    rows = await collect_summary(DemoMetricsSource(Config(demo=True)), 3600)
    assert rows
    assert all(tuple(row) == JSON_KEYS for row in rows)
    assert all(row["traffic_rps"] is not None for row in rows)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="table, json or csv"):
        format_summary([], "xml")
