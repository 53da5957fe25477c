"""Imported panels' simple overrides and value mappings, as read from the file."""

from __future__ import annotations

import math

from pulse_tui.model.dashboards.field_config import (
    map_value,
    parse_mappings,
    parse_overrides,
    style_for,
)


def test_overrides_apply_in_order_and_unknown_ones_are_ignored() -> None:
    overrides = parse_overrides(
        {
            "overrides": [
                {
                    "matcher": {"id": "byRegex", "options": "api.*"},
                    "properties": [{"id": "unit", "value": "ms"}, {"id": "decimals", "value": 1}],
                },
                {
                    "matcher": {"id": "byName", "options": "api-2"},
                    "properties": [
                        {"id": "unit", "value": "s"},
                        {"id": "displayName", "value": "second \x1b[31mapi"},
                        {"id": "custom.width", "value": 3},
                    ],
                },
                {"matcher": {"id": "byFrameRefID", "options": "B"}, "properties": []},
                {"matcher": {"id": "byValue", "options": {}}, "properties": []},
                {"matcher": {"id": "byRegex", "options": "(unclosed"}, "properties": []},
            ]
        }
    )
    assert [o.matcher for o in overrides] == ["byRegex", "byName", "byFrameRefID", "byRegex"]
    style = style_for(overrides, "api-2", "A")
    assert (style.unit, style.decimals) == ("s", 1)
    assert style.display_name == "second \\x1b[31mapi"  # the file's text, made safe
    assert style_for(overrides, "xapi", "A").unit is None  # byRegex is anchored
    assert style_for(overrides, "other", "B") == style_for(overrides, "other", "A")


def test_mappings_of_both_generations() -> None:
    mappings = parse_mappings(
        [
            {"type": "value", "options": {"1": {"text": "UP", "color": "green"}}},
            {"type": "range", "options": {"from": 5, "to": None, "result": {"text": "high"}}},
            {"type": "special", "options": {"match": "null", "result": {"text": "N/A"}}},
            {"type": "special", "options": {"match": "nan", "result": {"text": "NaN!"}}},
            {"type": 1, "value": "0", "text": "DOWN"},
            {"type": 2, "from": "2", "to": "3", "text": "mid"},
        ]
    )
    assert (m := map_value(mappings, 1.0)) is not None and (m.text, m.color) == ("UP", "green")
    assert map_value(mappings, 0.0).text == "DOWN"  # type: ignore[union-attr]
    assert map_value(mappings, 2.5).text == "mid"  # type: ignore[union-attr]
    assert map_value(mappings, 1e9).text == "high"  # type: ignore[union-attr]
    assert map_value(mappings, None).text == "N/A"  # type: ignore[union-attr]
    assert map_value(mappings, math.nan).text == "NaN!"  # type: ignore[union-attr]
    assert map_value(mappings, 4.0) is None
