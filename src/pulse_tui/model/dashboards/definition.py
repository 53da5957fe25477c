"""What an imported dashboard is, once read: typed and frozen (grafana.py reads the JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pulse_tui.model.dashboards.field_config import Override, ValueMapping
from pulse_tui.model.dashboards.variables import Variable

#: Grafana's grid is 24 columns wide; one unit of height is 30 px.
GRID_COLUMNS = 24
GRID_UNIT_PX = 30
#: What Grafana's migration gives a legacy row with no height.
LEGACY_ROW_HEIGHT_PX = 250


@dataclass(frozen=True, slots=True)
class GridPos:
    """Where a panel sits on Grafana's 24-column grid (units, not cells)."""

    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True, slots=True)
class Target:
    """One query of a panel."""

    ref_id: str
    expr: str
    legend_format: str = ""
    #: The minimum step ("30s", "$__interval"), "" for none.
    interval: str = ""
    interval_factor: int = 1
    instant: bool = False
    hide: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    """A threshold step: from `value` upwards (None: the base, from minus infinity)."""

    color: str
    value: float | None


@dataclass(frozen=True, slots=True)
class Thresholds:
    steps: tuple[Step, ...] = ()
    #: "absolute", or "percentage" (of the min..max range).
    mode: str = "absolute"


@dataclass(frozen=True, slots=True)
class Panel:
    """One panel as the dashboard defines it."""

    id: int
    type: str
    title: str
    grid: GridPos
    targets: tuple[Target, ...] = ()
    #: Grafana's unit id ("s", "percentunit", ...), "" for none.
    unit: str = ""
    decimals: int | None = None
    min: float | None = None
    max: float | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    #: The stat's reduction ("lastNotNull", "mean", ...).
    calc: str = "lastNotNull"
    #: Why this panel cannot be drawn (None: it can): an unsupported type or datasource.
    unsupported: str | None = None
    #: `fieldConfig.overrides` (the simple ones) and the value mappings (field_config.py).
    overrides: tuple[Override, ...] = ()
    mappings: tuple[ValueMapping, ...] = ()
    #: Rows only: folded, and the panels a folded row keeps inside it.
    collapsed: bool = False
    children: tuple[Panel, ...] = ()

    @property
    def is_row(self) -> bool:
        return self.type == "row"

    @property
    def queries(self) -> tuple[Target, ...]:
        """The targets that are sent (hidden ones are not)."""
        return tuple(t for t in self.targets if not t.hide and t.expr.strip())


@dataclass(frozen=True, slots=True)
class Dashboard:
    path: str
    title: str
    schema_version: int
    #: In Grafana's order: by grid row, then column; rows hold their panels in `children`
    #: only while folded in the file.
    panels: tuple[Panel, ...]
    variables: tuple[Variable, ...] = ()
