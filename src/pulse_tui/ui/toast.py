"""Toasts whose text is data: one place where notification text is sanitised."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.notifications import SeverityLevel

from pulse_tui.model.core.sanitize import sanitize


def toast(
    app: App[Any],
    message: str,
    *,
    title: str = "",
    severity: SeverityLevel = "information",
    timeout: float = 5,
) -> None:
    """A notification carrying untrusted text (service names, log text, server errors):
    sanitised, and never parsed as markup."""
    app.notify(
        sanitize(message),
        title=sanitize(title),
        severity=severity,
        timeout=timeout,
        markup=False,
    )
