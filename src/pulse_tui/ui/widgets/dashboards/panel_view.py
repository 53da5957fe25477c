"""The widgets of an imported dashboard: a panel (any type, drawn by render.py) and a
row header that folds and unfolds the panels under it."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from pulse_tui.model.dashboards.definition import Panel
from pulse_tui.sources.dashboards import PanelResult
from pulse_tui.ui.charts.heatmap import needs_shade
from pulse_tui.ui.widgets.dashboards.heatmap_panel import HeatmapMemo
from pulse_tui.ui.widgets.dashboards.render import render_panel


class GrafanaPanel(Widget):
    """One panel; the screen hands it results, it draws itself at its size."""

    DEFAULT_CSS = """
    GrafanaPanel { border: round $panel-lighten-2; padding: 0 1; position: absolute; }
    GrafanaPanel.-unsupported { border: round $panel; }
    """

    def __init__(self, panel: Panel, glyphs: str = "braille") -> None:
        super().__init__(classes="-unsupported" if panel.unsupported else "")
        self.panel = panel
        self.glyphs = glyphs
        #: The newest answer (None: not fetched yet).
        self.result: PanelResult | None = None
        #: A heatmap panel's buckets of that answer, kept between repaints.
        self.heatmap_memo = HeatmapMemo()
        # Titles are the file's text: set as Text so no markup in them is ever parsed.
        self.border_title = Text(panel.title or f"panel {panel.id}")

    def show(self, result: PanelResult) -> None:
        self.result = result
        self.refresh()

    def render(self) -> RenderableType:
        size = self.content_size
        shade = needs_shade(self.app.console.color_system, self.app.no_color, self.glyphs)
        lines = render_panel(
            self.panel,
            self.result,
            size.width,
            size.height,
            self.glyphs,
            shade,
            self.heatmap_memo,
        )
        # One Text, one line per row: joined, so no line's own `end` can merge two rows.
        joined = Text("\n", no_wrap=True, overflow="crop").join(lines)
        joined.no_wrap, joined.overflow = True, "crop"
        return joined


class RowHeader(Widget, can_focus=True):
    """A dashboard row: its title on one line; Enter or space folds or unfolds it."""

    DEFAULT_CSS = """
    RowHeader { height: 1; position: absolute; color: $text; text-style: bold; }
    RowHeader:focus { background: $accent 30%; }
    """

    BINDINGS = [
        Binding("enter,space", "fold", "Fold / unfold row"),
    ]

    class Toggled(Message):
        def __init__(self, row_id: int) -> None:
            super().__init__()
            self.row_id = row_id

    def __init__(self, panel: Panel, folded: bool) -> None:
        super().__init__()
        self.panel = panel
        self.folded = folded
        self.hidden_panels = len(panel.children)

    def render(self) -> RenderableType:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("▸ " if self.folded else "▾ ")
        text.append(self.panel.title or "(row)")
        if self.folded:
            text.append("  folded · Enter unfolds", style="dim")
        return text

    def action_fold(self) -> None:
        self.post_message(self.Toggled(self.panel.id))
