"""The one wall clock the app reads, so tests and screenshots can freeze time."""

from __future__ import annotations

import time

_frozen: float | None = None


def now() -> float:
    """Unix time now, or the frozen instant while `freeze` is in effect."""
    return _frozen if _frozen is not None else time.time()


def freeze(at: float | None) -> None:
    """Pin `now()` to `at` (None unfreezes). For tests and screenshot generation only."""
    global _frozen
    _frozen = at
