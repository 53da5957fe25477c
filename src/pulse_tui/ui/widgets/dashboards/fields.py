"""What the overrides and value mappings make of one series of an imported panel: its
name, its unit, its colour, and the text its value is shown as."""

from __future__ import annotations

from dataclasses import dataclass

from pulse_tui.model.dashboards.definition import Panel
from pulse_tui.model.dashboards.field_config import map_value, style_for
from pulse_tui.model.dashboards.panels import DisplayUnit, display_unit, terminal_color
from pulse_tui.sources.dashboards import PanelLine


@dataclass(frozen=True, slots=True)
class Field:
    """One series as the panel shows it."""

    name: str
    unit: DisplayUnit
    #: The override's fixed colour as a terminal colour (None: the panel's own).
    colour: str | None = None


def field_of(panel: Panel, line: PanelLine) -> Field:
    """The series' display name, unit and colour once the matching overrides apply."""
    style = style_for(panel.overrides, line.legend, line.ref_id)
    unit = display_unit(panel, style.unit, style.decimals)
    colour = terminal_color(style.color) if style.color else None
    return Field(style.display_name or line.legend, unit, None if colour == "default" else colour)


def value_text(panel: Panel, field: Field, value: float | None) -> tuple[str, str | None]:
    """(the text a value is shown as, a mapping's colour): a matching mapping's text, else
    the number in the field's unit."""
    mapping = map_value(panel.mappings, value)
    if mapping is None:
        return field.unit.format(value), None
    colour = terminal_color(mapping.color) if mapping.color else None
    return mapping.text or field.unit.format(value), None if colour == "default" else colour
