"""Alert rules on real Prometheus data, and Prometheus' own alerts from a rule file."""

from __future__ import annotations

import asyncio
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from support.backfill import EXPECTED, INCIDENT, INCIDENT_LENGTH, Service, write_openmetrics
from support.binaries import require_binary
from support.process import free_port
from support.prometheus_fixtures import PrometheusData
from support.prometheus_server import create_blocks, run_prometheus

from pulse_tui.config import PrometheusConfig
from pulse_tui.model.alerting.alerts import AlertBook
from pulse_tui.model.alerting.definitions import AlertRule
from pulse_tui.model.alerting.rules import RuleEvaluator
from pulse_tui.model.metrics.signals import QueryWindow, Series, Signal
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.prometheus.external_alerts import fetch_prometheus_alerts
from pulse_tui.sources.prometheus.source import PrometheusSource

pytestmark = pytest.mark.integration

HIGH_ERRORS = AlertRule("High errors", "page", ">", 0.05, for_seconds=120, signal=Signal.ERRORS)


async def test_error_rule_fires_on_the_backfilled_incident_and_resolves_after_it(
    prometheus_data: PrometheusData,
) -> None:
    end = prometheus_data.end
    incident_start, incident_end = end - INCIDENT, end - INCIDENT + INCIDENT_LENGTH
    # One result covering the incident with 10 minutes either side, as a panel would fetch
    # it; a 1-minute rate window so every point is a whole minute of scrapes.
    window = QueryWindow(incident_start - 600, incident_end + 600, step=60, rate_window=60)
    source = PrometheusSource(prometheus_data.config())
    try:
        result = await source.query_signal(Signal.ERRORS, window)
        evaluator = RuleEvaluator([HIGH_ERRORS])
        events = evaluator.observe(Signal.ERRORS, result, time.time())
        # The next refresh fetches the same minutes again: nothing new.
        assert evaluator.observe(Signal.ERRORS, result, time.time()) == []
        # A PromQL rule over the same query gives the same answer (one extra query).
        query_rule = AlertRule(
            "High errors (PromQL)",
            "page",
            ">",
            0.05,
            120,
            query=source.panel_query(Signal.ERRORS, window).expr,
        )
        series = await source.query_expr(query_rule.query or "", window)
        query_events = RuleEvaluator([query_rule]).observe_query(query_rule, series, 0, 60)
    finally:
        await source.close()

    assert [(e.kind, e.alert.service) for e in events] == [
        ("firing", "checkout"),
        ("resolved", "checkout"),
    ]
    firing, resolved = events
    # The first point whose minute holds an incident scrape is at the incident start;
    # two minutes later the condition has held for 2m (as Prometheus counts `for`).
    assert firing.alert.started_at == incident_start
    assert firing.alert.fired_at == incident_start + 120
    assert firing.alert.value == pytest.approx(EXPECTED["incident_error_ratio"])
    assert firing.alert.summary == "error ratio 50% > 5% for 2m"
    # Resolved at the first point whose minute has no incident scrape left.
    assert resolved.alert.resolved_at == incident_end + 60
    assert resolved.alert.value == pytest.approx(EXPECTED["errors"]["checkout"])
    assert [(e.kind, e.at, e.alert.value) for e in query_events] == [
        (e.kind, e.at, e.alert.value) for e in events
    ]
    # An incident 90 minutes old is history in the book, not a notification.
    book = AlertBook()
    assert book.apply(events, None, end) == []
    assert book.firing() == [] and len(book.history) == 2


RULES = """\
groups:
  - name: pulse-tests
    interval: 1s
    rules:
      - alert: CheckoutErrors
        expr: >-
          sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))
          / sum by (job) (rate(http_requests_total[5m])) > 0.05
        labels:
          severity: critical
        annotations:
          summary: "checkout error ratio is {{ $value }}"
"""


async def test_prometheus_rule_file_alert_shows_up() -> None:
    prometheus, promtool = require_binary("prometheus"), require_binary("promtool")
    with tempfile.TemporaryDirectory(prefix="pulse-prom-rules-") as tmp:
        root = Path(tmp)
        # An ongoing incident: half of checkout's requests fail, up to now.
        services = [Service("checkout", {"200": 30, "500": 30}, 3.75)]
        write_openmetrics(str(root / "data.om"), int(time.time()), 1800, services)
        create_blocks(promtool, root / "data.om", root)
        (root / "rules.yml").write_text(RULES)
        # run_prometheus writes its own prometheus.yml; `rule_files` rides along at the
        # end of it (the scrape_configs slot is the last thing in the file).
        extra = f"  []\nrule_files:\n  - {root / 'rules.yml'}\n"
        with run_prometheus(prometheus, root, scrape_configs=extra) as server:
            config = PrometheusConfig(url=server.url, timeout=5.0)
            deadline = time.monotonic() + 30
            alerts = []
            while time.monotonic() < deadline:
                alerts = [a for a in await fetch_prometheus_alerts(config) if a.state == "firing"]
                if alerts:
                    break
                await asyncio.sleep(0.2)
    [alert] = alerts
    assert (alert.name, alert.source, alert.severity, alert.service) == (
        "CheckoutErrors",
        "prometheus",
        "page",
        "checkout",
    )
    assert alert.labels == {
        "alertname": "CheckoutErrors",
        "job": "checkout",
        "severity": "critical",
    }
    assert alert.value == pytest.approx(0.5)
    assert alert.summary == "checkout error ratio is 0.5"
    assert alert.started_at is not None and alert.started_at <= time.time()


async def test_unreachable_prometheus_alerts_is_a_source_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(SourceError, match=f"Prometheus at {url}: connection refused"):
        await fetch_prometheus_alerts(PrometheusConfig(url=url, timeout=2.0))


PROMTOOL_RULES = """\
groups:
  - name: pulse-for
    rules:
      - alert: HighErrors
        expr: errors > 0.05
        for: {hold}
"""

PROMTOOL_TEST = """\
rule_files: [rules.yml]
evaluation_interval: {step}s
tests:
  - interval: {step}s
    input_series:
      - series: 'errors{{service="checkout"}}'
        values: '{values}'
    alert_rule_test:
      - eval_time: {before}s
        alertname: HighErrors
        exp_alerts: []
      - eval_time: {fired}s
        alertname: HighErrors
        exp_alerts:
          - exp_labels: {{service: checkout}}
"""


@pytest.mark.parametrize("for_seconds", [0, 30, 120, 125])
def test_a_rule_fires_at_the_evaluation_prometheus_fires_at(for_seconds: int) -> None:
    """`for` counted as Prometheus counts it: pending at the first true evaluation t0,
    firing at the first one at or after t0 + for. promtool evaluates the same points with
    the same rule; our firing time is its first evaluation with the alert firing, and the
    one before it has none firing."""
    promtool = require_binary("promtool")
    step = 15
    values = [0.01] * 4 + [0.06, 0.07, 0.072, 0.08, 0.09, 0.1, 0.11, 0.12, 0.13, 0.14, 0.2]
    rule = AlertRule("HighErrors", "page", ">", 0.05, for_seconds, query="errors")
    stamps = [float(i * step) for i in range(len(values))]
    events = RuleEvaluator([rule]).observe_query(
        rule, [Series("checkout", stamps, values)], 0, step
    )
    [firing] = events
    fired = firing.alert.fired_at
    assert fired is not None
    with tempfile.TemporaryDirectory(prefix="pulse-promtool-for-") as tmp:
        root = Path(tmp)
        (root / "rules.yml").write_text(PROMTOOL_RULES.format(hold=f"{for_seconds}s"))
        (root / "test.yml").write_text(
            PROMTOOL_TEST.format(
                step=step,
                values=" ".join(str(v) for v in values),
                before=int(fired) - step,
                fired=int(fired),
            )
        )
        done = subprocess.run(
            [promtool, "test", "rules", "test.yml"], cwd=root, capture_output=True, text=True
        )
    assert done.returncode == 0, f"we fire at {fired:.0f}s; promtool:\n{done.stdout}{done.stderr}"
