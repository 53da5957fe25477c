"""Label names from Prometheus' `/api/v1/labels`: what Grafana's `label_names()`
variable lists. PromQL cannot enumerate label names, so this one call is not a range
query; it goes through the source's client, retries and bounds all the same."""

from __future__ import annotations

from typing import Any

from prometheus_api_client import PrometheusConnect

from pulse_tui.sources.prometheus.source import PrometheusSource


async def label_names(
    source: PrometheusSource, start: float, end: float, match: str = ""
) -> list[str]:
    """The label names of the series between `start` and `end` (of those `match`
    selects, when given), sorted, as the API answers them. Raises SourceError."""
    params: dict[str, Any] = {"start": start, "end": end}
    if match:
        params["match[]"] = match

    def call(client: PrometheusConnect) -> list[str]:
        return [str(name) for name in client.get_label_names(params=params)]

    names, _ = await source._call("label names", call)
    return sorted(names)
