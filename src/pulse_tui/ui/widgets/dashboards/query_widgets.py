"""The ad-hoc query's result panel, and the panel definition a query is drawn as."""

from __future__ import annotations

from rich.text import Text

from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.dashboards.definition import GridPos, Panel, Target
from pulse_tui.sources.dashboards import PanelResult
from pulse_tui.ui.widgets.dashboards.panel_view import GrafanaPanel

#: The one target's id: its errors come back as "A: …".
REF = "A"


def query_panel(expr: str, table: bool) -> Panel:
    """The panel an ad-hoc query is drawn as: one target, a chart or a table (instant)."""
    return Panel(
        id=0,
        type="table" if table else "timeseries",
        title="",
        grid=GridPos(0, 0, 12, 9),
        targets=(Target(REF, expr, instant=table),),
    )


class QueryResult(GrafanaPanel, can_focus=True):
    """The result of the last query run, drawn as a dashboard panel is."""

    DEFAULT_CSS = """
    QueryResult { position: relative; height: 1fr; }
    QueryResult:focus { border: round $accent; }
    """

    def show_query(self, panel: Panel, result: PanelResult) -> None:
        self.panel = panel
        expr = panel.targets[0].expr if panel.targets else ""
        self.border_title = Text(sanitize(" ".join(expr.split())))  # the user's text
        self.show(result)
