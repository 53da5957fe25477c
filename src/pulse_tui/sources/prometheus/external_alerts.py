"""Alerts that Prometheus and Alertmanager already know about, as pulse-tui `Alert`s.

Prometheus is asked with the same headers, credentials and TLS settings as the panels
(`auth_settings` and `TlsSettings.of` the `PrometheusConfig`); Alertmanager by its URL from
the config, whose user and password (if any) go as basic auth (httpx logs every request's
URL), with the default TLS settings unless given others. Any failure becomes a
`SourceError` with one readable line for the Alerts pane, naming the URL as `display_url`
shows it; the rest of the app carries on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from pulse_tui.config import PrometheusConfig
from pulse_tui.model.alerting.alerts import Alert, Severity, State
from pulse_tui.model.core.redact import display_url, split_credentials
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.prometheus.http import auth_settings, base_url
from pulse_tui.sources.transport.errors import describe_transport_error
from pulse_tui.sources.transport.tls import TlsSettings

_PAGE = frozenset({"critical", "page", "pager", "emergency", "error", "high"})
_WARN = frozenset({"warning", "warn", "medium"})


def map_severity(labels: dict[str, str]) -> Severity:
    """The `severity` label in pulse-tui's three levels (critical/page → page)."""
    value = labels.get("severity", "").strip().lower()
    if value in _PAGE:
        return "page"
    if value in _WARN:
        return "warn"
    return "info"


def _timestamp(text: str | None) -> float | None:
    if not text:
        return None
    try:
        # Go prints nanoseconds; fromisoformat (3.11) takes at most microseconds.
        head, dot, tail = text.replace("Z", "+00:00").partition(".")
        if dot:
            digits = "".join(ch for ch in tail if ch.isdigit())
            zone = tail[len(digits) :]
            head = f"{head}.{digits[:6]}{zone}"
        return datetime.fromisoformat(head).timestamp()
    except ValueError:
        return None


def _service(labels: dict[str, str], service_label: str) -> str:
    return labels.get(service_label) or labels.get("service") or ""


def _summary(annotations: dict[str, str]) -> str:
    text = annotations.get("summary") or annotations.get("description") or ""
    return " ".join(text.split())  # one line for the pane


async def _get_json(
    client_options: dict[str, Any], url: str, params: dict[str, Any], who: str
) -> Any:
    try:
        async with httpx.AsyncClient(**client_options) as client:
            response = await client.get(url, params=params)
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        timeout = client_options.get("timeout")
        raise SourceError(describe_transport_error(exc, who, timeout=timeout)) from None
    if response.status_code in (401, 403):
        raise SourceError(f"{who} refused access (HTTP {response.status_code})", retryable=False)
    if response.status_code != 200:
        raise SourceError(f"{who} answered HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise SourceError(f"{who} answered with something other than JSON") from None


async def fetch_prometheus_alerts(prometheus: PrometheusConfig) -> list[Alert]:
    """Pending and firing alerts of Prometheus' own rules (`GET /api/v1/alerts`)."""
    headers, auth = auth_settings(prometheus)
    who = f"Prometheus at {display_url(prometheus.url)}"
    options: dict[str, Any] = {
        "headers": headers,
        "auth": auth,
        "verify": TlsSettings.of(prometheus).ssl_context(who),
        "timeout": prometheus.timeout,
    }
    data = await _get_json(options, f"{base_url(prometheus)}/api/v1/alerts", {}, who)
    try:
        items = data["data"]["alerts"]
    except (KeyError, TypeError):
        raise SourceError(f"{who} answered without data.alerts (not the Prometheus API?)") from None
    alerts = []
    for item in items:
        labels = {str(k): str(v) for k, v in (item.get("labels") or {}).items()}
        name = labels.get("alertname", "unnamed")
        identity = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        state: State = "firing" if item.get("state") == "firing" else "pending"
        try:
            value = float(item.get("value"))
        except (TypeError, ValueError):
            value = None
        started = _timestamp(item.get("activeAt"))
        alerts.append(
            Alert(
                key=f"prometheus:{identity}",
                name=name,
                source="prometheus",
                severity=map_severity(labels),
                state=state,
                service=_service(labels, prometheus.service_label),
                value=value,
                summary=_summary(item.get("annotations") or {}),
                labels=labels,
                started_at=started,
                fired_at=started if state == "firing" else None,
            )
        )
    return alerts


async def fetch_alertmanager_alerts(
    url: str,
    *,
    service_label: str = "job",
    timeout: float = 10.0,
    tls: TlsSettings | None = None,
) -> list[Alert]:
    """Active alerts from Alertmanager (`GET /api/v2/alerts`). Silenced or inhibited ones
    are included and marked `silenced` (with the reason), so the pane can show them."""
    base, auth = split_credentials(url.rstrip("/"))
    who = f"Alertmanager at {display_url(url.rstrip('/'))}"
    params = {"active": "true", "silenced": "true", "inhibited": "true"}
    options: dict[str, Any] = {
        "timeout": timeout,
        "auth": auth,
        "verify": (tls or TlsSettings()).ssl_context(who),
    }
    data = await _get_json(options, f"{base}/api/v2/alerts", params, who)
    if not isinstance(data, list):
        raise SourceError(f"{who} answered without a list of alerts (not the v2 API?)")
    alerts = []
    for item in data:
        labels = {str(k): str(v) for k, v in (item.get("labels") or {}).items()}
        status = item.get("status") or {}
        silenced_by = status.get("silencedBy") or []
        inhibited_by = status.get("inhibitedBy") or []
        reason = ""
        if silenced_by:
            reason = "silenced in Alertmanager"
        elif inhibited_by:
            reason = "inhibited in Alertmanager"
        started = _timestamp(item.get("startsAt"))
        fingerprint = item.get("fingerprint") or ",".join(f"{k}={v}" for k, v in labels.items())
        alerts.append(
            Alert(
                key=f"alertmanager:{fingerprint}",
                name=labels.get("alertname", "unnamed"),
                source="alertmanager",
                severity=map_severity(labels),
                state="firing",
                service=_service(labels, service_label),
                summary=_summary(item.get("annotations") or {}),
                labels=labels,
                started_at=started,
                fired_at=started,
                silenced=bool(reason),
                silence_reason=reason,
            )
        )
    return alerts
