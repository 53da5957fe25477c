"""Reading the numbers and objects of a hand-edited or old dashboard file leniently: a
missing or malformed value takes its default (Grafana itself is just as forgiving)."""

from __future__ import annotations

import math
from typing import Any


def as_dict(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def as_int(value: object, default: int) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return default


def as_float(value: object, default: float) -> float:
    result = opt_float(value)
    return default if result is None else result


def opt_decimals(value: object) -> int | None:
    """A `decimals` setting, 0 to 10; None when unset or not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return max(0, min(int(value), 10))  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return None


def opt_float(value: object) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def pixels(value: object, default: float) -> float:
    if isinstance(value, str):
        value = value.strip().removesuffix("px")
    return as_float(value, default)
