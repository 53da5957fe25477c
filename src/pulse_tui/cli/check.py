"""`pulse-tui check`: probe every target the config names, concurrently, with a verdict each.

Each target is tried the way the dashboard uses it: the metrics backend with a query (not
its build info, which VictoriaMetrics leaves empty), each SSH host by logging in, each
`[[probes]]` endpoint with one check as the Probes tab makes it, and `alertmanager_url` by
listing its alerts. A target that is not configured is not listed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass

from pulse_tui.config import Config, LogHost
from pulse_tui.config.alert_model import Probe
from pulse_tui.model.core.redact import display_url, scrub
from pulse_tui.sources.base import SourceError


@dataclass(frozen=True, slots=True)
class CheckResult:
    target: str
    ok: bool
    detail: str


def _target(kind: str, what: str) -> str:
    return f"{kind:<11} {what}"


async def _verdict(target: str, job: Awaitable[str]) -> CheckResult:
    """OK with the job's line, or FAIL with why (a library's exception scrubbed)."""
    try:
        return CheckResult(target, True, await job)
    except SourceError as exc:
        return CheckResult(target, False, str(exc))
    except Exception as exc:
        return CheckResult(target, False, scrub(f"{type(exc).__name__}: {exc}"))


async def _check_prometheus(config: Config) -> CheckResult:
    from pulse_tui.sources.factory import metrics_source

    target = _target("prometheus", "DEMO" if config.demo else display_url(config.prometheus.url))
    source = metrics_source(config)
    try:
        return await _verdict(target, source.probe())
    finally:
        await source.close()


async def _check_host(config: Config, host: LogHost) -> CheckResult:
    from pulse_tui.sources.ssh.check import probe_host

    port = f":{host.port}" if host.port else ""
    return await _verdict(_target("ssh", f"{host.label}{port}"), probe_host(host, config.logs))


async def _check_probes(probes: tuple[Probe, ...]) -> list[CheckResult]:
    """One check of every probe, concurrently, judged as the Probes tab judges it."""
    from pulse_tui.sources.probes import Prober

    statuses = await Prober(probes).check_all_once()
    results = []
    for status in statuses:
        target = _target("probe", f"{status.name} {status.url}")
        if status.up:
            latency = f" in {status.last_latency * 1000:.0f} ms" if status.last_latency else ""
            results.append(CheckResult(target, True, f"HTTP {status.last_status_code}{latency}"))
        else:
            results.append(CheckResult(target, False, status.last_error or "failed"))
    return results


async def _check_alertmanager(url: str, service_label: str) -> CheckResult:
    from pulse_tui.sources.prometheus.external_alerts import fetch_alertmanager_alerts

    async def line() -> str:
        count = len(await fetch_alertmanager_alerts(url, service_label=service_label))
        return f"Alertmanager API v2, {count} active alert{'s' if count != 1 else ''}"

    return await _verdict(_target("alertmanager", display_url(url)), line())


async def _one(job: Awaitable[CheckResult]) -> list[CheckResult]:
    return [await job]


async def run_checks(config: Config) -> list[CheckResult]:
    """Every target at once; the results in order: the metrics backend, each SSH host in
    config order, each probe, Alertmanager."""
    alerts = config.alerts
    groups: list[Awaitable[list[CheckResult]]] = [_one(_check_prometheus(config))]
    if not config.demo:  # the demo makes up its logs and external alerts; its probes are real
        groups += [_one(_check_host(config, host)) for host in config.logs.hosts]
    if alerts.probes:
        groups.append(_check_probes(alerts.probes))
    if alerts.alertmanager_url and not config.demo:
        url, label = alerts.alertmanager_url, config.prometheus.service_label
        groups.append(_one(_check_alertmanager(url, label)))
    return [result for group in await asyncio.gather(*groups) for result in group]
