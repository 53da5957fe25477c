"""Pick the sources a config asks for: the demo generators, or the real backends."""

from __future__ import annotations

from pulse_tui.config import Config
from pulse_tui.sources.base import LogSource, MetricsSource


def metrics_source(config: Config) -> MetricsSource:
    if config.demo:
        from pulse_tui.sources.demo import DemoMetricsSource

        return DemoMetricsSource(config)
    from pulse_tui.sources.prometheus.source import PrometheusSource

    return PrometheusSource(config)


def log_sources(config: Config) -> list[LogSource]:
    if config.demo and not config.logs.hosts:
        from pulse_tui.sources.demo import demo_log_sources

        return list(demo_log_sources())
    if not config.logs.hosts:
        return []
    from pulse_tui.sources.ssh.tail import build_log_sources

    return list(build_log_sources(config))
