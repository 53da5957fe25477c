"""`pulse-tui check`: probe every target the config names, concurrently, with a verdict each."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from pulse_tui.config import Config, LogHost
from pulse_tui.model.core.redact import display_url, scrub
from pulse_tui.sources.base import SourceError


@dataclass(frozen=True, slots=True)
class CheckResult:
    target: str
    ok: bool
    detail: str


async def _check_prometheus(config: Config) -> CheckResult:
    from pulse_tui.sources.factory import metrics_source

    target = f"prometheus  {'DEMO' if config.demo else display_url(config.prometheus.url)}"
    source = metrics_source(config)
    try:
        detail = await source.probe()
        return CheckResult(target, True, detail)
    except SourceError as exc:
        return CheckResult(target, False, str(exc))
    except Exception as exc:
        return CheckResult(target, False, scrub(f"{type(exc).__name__}: {exc}"))
    finally:
        await source.close()


async def _check_host(config: Config, host: LogHost) -> CheckResult:
    from pulse_tui.sources.ssh.check import probe_host

    port = f":{host.port}" if host.port else ""
    target = f"ssh         {host.label}{port}"
    try:
        return CheckResult(target, True, await probe_host(host, config.logs))
    except SourceError as exc:
        return CheckResult(target, False, str(exc))
    except Exception as exc:
        return CheckResult(target, False, scrub(f"{type(exc).__name__}: {exc}"))


async def run_checks(config: Config) -> list[CheckResult]:
    """One result per target: Prometheus first, then each SSH host in config order."""
    jobs = [_check_prometheus(config)]
    if not config.demo:
        jobs += [_check_host(config, host) for host in config.logs.hosts]
    return list(await asyncio.gather(*jobs))
