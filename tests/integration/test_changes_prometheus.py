"""What changed, against a real prometheus backfilled with scenarios of known truth
(support/change_scenarios.py): each change found with its start within one step and its
levels within 5 %, the steady, diurnal, spiky, reset, gappy and idle services quiet, and
the findings worst first, each with its own start.

The series are the panels' own: `PrometheusSource.query_signal` at a 1 h range, 120
points (a 30 s step), as the dashboard and `summary` fetch them.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import pytest
from support.binaries import require_binary
from support.change_scenarios import SCENARIOS, TRUTH, changes_prometheus

from pulse_tui.cli.summary import FINDING_KEYS, collect_summary, format_summary
from pulse_tui.config import Config, PrometheusConfig
from pulse_tui.model.metrics.changes import Finding, detect_changes
from pulse_tui.model.metrics.signals import Signal, SignalResult
from pulse_tui.model.metrics.step import compute_window, young_window
from pulse_tui.sources.prometheus.source import PrometheusSource

pytestmark = pytest.mark.integration

RANGE = 3600
POINTS = 120
HOURS = 3


@pytest.fixture(scope="module")
def scenario_data() -> Iterator[tuple[Config, int]]:
    end = int(time.time()) // 300 * 300
    with changes_prometheus(
        require_binary("prometheus"), require_binary("promtool"), end, HOURS * 3600
    ) as server:
        yield Config(prometheus=PrometheusConfig(url=server.url, timeout=10.0)), end


def fetch(config: Config, end: int) -> dict[Signal, SignalResult]:
    source = PrometheusSource(config)
    window = compute_window(RANGE, end, POINTS, config.prometheus.scrape_interval)

    async def all_panels() -> list[SignalResult]:
        return await asyncio.gather(*(source.query_signal(s, window) for s in Signal))

    return {result.signal: result for result in asyncio.run(all_panels())}


@pytest.fixture(scope="module")
def findings(scenario_data: tuple[Config, int]) -> list[Finding]:
    config, end = scenario_data
    return detect_changes(fetch(config, end), config.thresholds)


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_each_change_is_found_with_its_start_and_levels(
    name: str, findings: list[Finding], scenario_data: tuple[Config, int]
) -> None:
    _, end = scenario_data
    truth = TRUTH[name]
    mine = [f for f in findings if f.service == name]
    assert [f.signal.value for f in mine] == [truth.signal], mine
    (found,) = mine
    step = found.step
    # A ramp has no one instant; it must be found where it began, to within two steps.
    slack = 2 * step if name == "ramp" else step
    assert abs(found.start - (end - truth.start)) <= slack, (found.start - end, truth.start)
    assert found.before == pytest.approx(truth.before, rel=0.05, abs=1e-9)
    assert found.after == pytest.approx(truth.after, rel=0.05, abs=1e-9)
    assert found.severity == truth.severity
    assert found.detail == truth.detail
    if truth.end is None:
        assert found.ongoing
    else:
        assert found.end is not None and abs(found.end - (end - truth.end)) <= step


def test_no_finding_where_nothing_changed(findings: list[Finding]) -> None:
    quiet = {s.name for s in SCENARIOS} - set(TRUTH)
    assert quiet == {"diurnal", "spike", "reset", "gaps", "idle"}
    assert [f for f in findings if f.service in quiet] == []


def test_findings_come_ongoing_and_worst_first(findings: list[Finding]) -> None:
    order = [(f.ongoing, f.severity) for f in findings]
    assert order == sorted(order, key=lambda o: (not o[0], ("crit", "warn", "info").index(o[1])))
    # Two services changing at different times: each keeps its own start.
    starts = {f.service: f.start for f in findings}
    assert starts["errstep"] > starts["early"]


def test_summary_gives_scripts_the_same_findings(scenario_data: tuple[Config, int]) -> None:
    """`pulse-tui summary --format json`: each row's findings, with the documented keys,
    start in Unix seconds within one step, levels within 5 %; the table lists them."""
    config, end = scenario_data

    async def summary() -> list[dict]:
        source = PrometheusSource(config)
        try:
            return await collect_summary(source, RANGE, now=end, thresholds=config.thresholds)
        finally:
            await source.close()

    rows = asyncio.run(summary())
    decoded = {row["service"]: row for row in json.loads(format_summary(rows, "json"))}
    for name, truth in TRUTH.items():
        [finding] = decoded[name]["findings"]
        assert tuple(finding) == FINDING_KEYS
        assert finding["signal"] == truth.signal and finding["service"] == name
        step = RANGE / 120
        slack = 2 * step if name == "ramp" else step
        assert abs(finding["start"] - (end - truth.start)) <= slack
        assert finding["before"] == pytest.approx(truth.before, rel=0.05, abs=1e-9)
        assert finding["after"] == pytest.approx(truth.after, rel=0.05, abs=1e-9)
        assert finding["severity"] == truth.severity
        assert finding["ongoing"] is (truth.end is None)
        assert finding["top_log_group"] is None  # summary reads no logs
    quiet = {s.name for s in SCENARIOS} - set(TRUTH)
    assert all(decoded[name]["findings"] == [] for name in quiet if name in decoded)
    table = format_summary(rows, "table", now=end, range_seconds=RANGE).splitlines()
    changed = table[table.index("WHAT CHANGED") + 1 :]
    assert len(changed) == len(TRUTH)
    assert changed[0].split()[:3] == ["errstep", "crit", "errors"]
    assert any(line.startswith("recovered") and line.endswith(", recovered") for line in changed)


@pytest.mark.parametrize("range_seconds", [7 * 86400, 30 * 86400])
def test_a_long_range_still_names_what_changed_minutes_ago(
    range_seconds: int, scenario_data: tuple[Config, int]
) -> None:
    """At 7d one chart point is 2 h, at 30d 6 h: every ongoing change (15 to 45 minutes
    old) is shorter than a point, and only the young window (the last chart steps at a
    finer step) can find it; `summary` must still name each, with its start within that
    window's step and its levels, the one that recovered 35 minutes ago with its end, and
    still none where nothing changed."""
    config, end = scenario_data

    async def summary() -> list[dict]:
        source = PrometheusSource(config)
        try:
            return await collect_summary(
                source, range_seconds, now=end, thresholds=config.thresholds
            )
        finally:
            await source.close()

    rows = {row["service"]: row for row in asyncio.run(summary())}
    chart = compute_window(range_seconds, end, 120, config.prometheus.scrape_interval)
    young = young_window(end, chart, range_seconds, config.prometheus.scrape_interval)
    assert young is not None and young.step < chart.step / 10
    for name, truth in TRUTH.items():
        found = rows[name]["findings"]
        assert len(found) == 1, (name, found)
        [finding] = found
        assert finding["signal"] == truth.signal
        assert finding["ongoing"] is (truth.end is None)
        if truth.end is not None:
            # Over within a chart point, seen only by the young window's minutes.
            assert finding["end"] is not None
            assert abs(finding["end"] - (end - truth.end)) <= young.step, (name, finding)
        slack = 2 * young.step if name == "ramp" else young.step
        assert abs(finding["start"] - (end - truth.start)) <= slack, (name, finding["start"] - end)
        # A ramp has no one level before or after: what it is measured as depends on the step.
        if name != "ramp":
            assert finding["before"] == pytest.approx(truth.before, rel=0.05, abs=1e-9)
            assert finding["after"] == pytest.approx(truth.after, rel=0.05, abs=1e-9)
        assert finding["severity"] == truth.severity
    quiet = {s.name for s in SCENARIOS} - set(TRUTH)
    assert all(rows[name]["findings"] == [] for name in quiet if name in rows)


@pytest.mark.parametrize("range_seconds", [3 * 3600, 6 * 3600, 12 * 3600])
def test_a_change_the_chart_finds_on_coarse_points_is_dated_to_the_minute(
    range_seconds: int, scenario_data: tuple[Config, int]
) -> None:
    """At 3 h to 12 h a chart point is 2 to 10 minutes and the chart itself finds every
    change; its first point at the new level is up to a step late ("since 09:05" of a change
    that began at 09:00:25). The young window's minutes over the last hour pin the start:
    each change (15 to 50 minutes old) within a minute with its levels (the chart's newest
    points average the old level with the new), and the table says one time, not a span."""
    config, end = scenario_data

    async def summary() -> list[dict]:
        source = PrometheusSource(config)
        try:
            return await collect_summary(
                source, range_seconds, now=end, thresholds=config.thresholds
            )
        finally:
            await source.close()

    rows = asyncio.run(summary())
    decoded = {row["service"]: row for row in json.loads(format_summary(rows, "json"))}
    chart = compute_window(range_seconds, end, 120, config.prometheus.scrape_interval)
    young = young_window(end, chart, range_seconds, config.prometheus.scrape_interval)
    assert young is not None and young.step == 60 and chart.step >= 2 * young.step
    for name, truth in TRUTH.items():
        [finding] = decoded[name]["findings"]
        # A ramp has no one instant to pin: the chart's two steps, as at 1 h.
        slack = 2 * chart.step if name == "ramp" else young.step
        assert abs(finding["start"] - (end - truth.start)) <= slack, (name, finding["start"] - end)
        assert finding["ongoing"] is (truth.end is None)
        if name != "ramp":
            assert finding["before"] == pytest.approx(truth.before, rel=0.05, abs=1e-9)
            assert finding["after"] == pytest.approx(truth.after, rel=0.05, abs=1e-9)
    table = format_summary(rows, "table", now=end, range_seconds=range_seconds).splitlines()
    changed = table[table.index("WHAT CHANGED") + 1 :]
    errstep = next(line for line in changed if line.startswith("errstep"))
    assert "since " in errstep and "–" not in errstep.split("since ", 1)[1], errstep
