"""A panel's `fieldConfig.overrides` (the simple ones) and value `mappings`: read from the
file, and applied to one series or one value.

Overrides: a matcher (`byName`: the series' display name exactly; `byRegex`: a regular
expression over it, anchored as Grafana anchors it; `byFrameRefID`: the target's refId)
and the properties `unit`, `decimals`, `displayName` and `color` (fixed). Other matchers
and properties are ignored, as they would be by a Grafana that did not know them.

Mappings (stat and gauge values): `value` (a value written as text -> text), `range`
(from..to inclusive -> text) and `special` (`null`/`nan` -> text), in Grafana 8's form
and the legacy `type: 1 | 2` one; each may carry a colour. The first that matches wins.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.dashboards.lenient import as_dict, opt_decimals, opt_float

_MATCHERS = frozenset({"byName", "byRegex", "byFrameRefID"})


@dataclass(frozen=True, slots=True)
class Override:
    """One override: which series (`matcher` with `option`) and what it sets (None: not)."""

    matcher: str
    option: str
    unit: str | None = None
    decimals: int | None = None
    display_name: str | None = None
    #: A Grafana colour (name, hex, rgb()), as the file writes it.
    color: str | None = None

    def matches(self, name: str, ref_id: str) -> bool:
        if self.matcher == "byName":
            return name == self.option
        if self.matcher == "byFrameRefID":
            return ref_id == self.option
        pattern = self.option
        if len(pattern) > 1 and pattern.startswith("/") and pattern.rfind("/") > 0:
            pattern = pattern[1 : pattern.rfind("/")]  # "/api.*/" as Grafana accepts it
        try:
            return re.fullmatch(pattern, name) is not None
        except re.error:
            return False  # a pattern Python cannot read matches nothing, as a typo would


@dataclass(frozen=True, slots=True)
class FieldStyle:
    """What the overrides set for one series (None: the panel's own)."""

    unit: str | None = None
    decimals: int | None = None
    display_name: str | None = None
    color: str | None = None


def style_for(overrides: Sequence[Override], name: str, ref_id: str) -> FieldStyle:
    """The overrides matching a series, applied in order (a later one wins a property)."""
    unit = decimals = display = color = None
    for override in overrides:
        if override.matches(name, ref_id):
            unit = override.unit if override.unit is not None else unit
            decimals = override.decimals if override.decimals is not None else decimals
            display = override.display_name if override.display_name is not None else display
            color = override.color if override.color is not None else color
    return FieldStyle(unit, decimals, display, color)


def parse_overrides(field_config: Mapping[str, Any]) -> tuple[Override, ...]:
    out: list[Override] = []
    for raw in field_config.get("overrides") or []:
        if not isinstance(raw, dict):
            continue
        matcher = as_dict(raw.get("matcher"))
        kind = str(matcher.get("id") or "")
        if kind not in _MATCHERS:
            continue
        values: dict[str, Any] = {}
        for prop in raw.get("properties") or []:
            if isinstance(prop, dict):
                values[str(prop.get("id") or "")] = prop.get("value")
        colour = as_dict(values.get("color"))
        out.append(
            Override(
                matcher=kind,
                option=str(matcher.get("options") or ""),
                unit=str(values["unit"]) if isinstance(values.get("unit"), str) else None,
                decimals=opt_decimals(values.get("decimals")),
                display_name=(
                    sanitize(str(values["displayName"])) if values.get("displayName") else None
                ),
                color=str(colour["fixedColor"]) if colour.get("fixedColor") else None,
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class ValueMapping:
    """One mapping: `kind` "value" (equal to `value`), "range" (`low`..`high`, either
    open when None) or "special" (`value` is "null" or "nan")."""

    kind: str
    text: str
    value: str = ""
    low: float | None = None
    high: float | None = None
    color: str | None = None

    def matches(self, value: float | None) -> bool:
        if self.kind == "special":
            if value is None:
                return self.value in ("null", "null+nan")
            return math.isnan(value) and self.value in ("nan", "null+nan")
        if value is None or not math.isfinite(value):
            return False
        if self.kind == "value":
            number = opt_float(self.value)
            return number is not None and number == value
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


def map_value(mappings: Sequence[ValueMapping], value: float | None) -> ValueMapping | None:
    """The first mapping that matches `value` (None: none does; show the number)."""
    return next((m for m in mappings if m.matches(value)), None)


def parse_mappings(raw: object) -> tuple[ValueMapping, ...]:
    """Grafana 8's `[{type, options}]` and the legacy `[{type: 1|2, value|from, to, text}]`."""
    out: list[ValueMapping] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        options = as_dict(item.get("options"))
        if kind == "value":
            for value, result in options.items():
                result = as_dict(result)
                if result.get("text") is not None or result.get("color"):
                    out.append(_mapping("value", result, value=str(value)))
        elif kind == "range":
            low, high = opt_float(options.get("from")), opt_float(options.get("to"))
            out.append(_mapping("range", as_dict(options.get("result")), low=low, high=high))
        elif kind == "special":
            match = str(options.get("match") or "")
            out.append(_mapping("special", as_dict(options.get("result")), value=match))
        elif kind in (1, "1"):  # legacy: value to text
            out.append(_mapping("value", item, value=str(item.get("value") or "")))
        elif kind in (2, "2"):  # legacy: range to text
            low, high = opt_float(item.get("from")), opt_float(item.get("to"))
            out.append(_mapping("range", item, low=low, high=high))
    return tuple(m for m in out if m.text or m.color)


def _mapping(kind: str, result: Mapping[str, Any], **where: Any) -> ValueMapping:
    text = result.get("text")
    colour = result.get("color")
    return ValueMapping(
        kind,
        sanitize(str(text)) if text is not None else "",
        color=str(colour) if colour else None,
        **where,
    )
