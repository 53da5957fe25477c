"""The widgets of an imported dashboard: a panel (any type, drawn by render.py) and a
row header that folds and unfolds the panels under it."""

from __future__ import annotations

import asyncio

from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from pulse_tui.model.dashboards.definition import Panel
from pulse_tui.sources.dashboards import PanelResult
from pulse_tui.ui.charts.heatmap import needs_shade
from pulse_tui.ui.widgets.dashboards.heatmap_panel import HeatmapMemo
from pulse_tui.ui.widgets.dashboards.render import render_panel
from pulse_tui.ui.widgets.strips import text_strip

#: What a panel's strips were drawn for: its panel and answer (by identity), content
#: width and height, whether the heatmap shades by characters, and its base colours.
DrawnFor = tuple[Panel, PanelResult | None, int, int, bool, Style]


class GrafanaPanel(Widget):
    """One panel; the screen hands it results, it draws itself at its size.

    Its rows are Strips made by `render_panel` ahead of the repaint, in a thread
    (`show_prepared`): left to Textual, turning 30 panels' Text into strips took ~80 ms of
    the loop on every refresh (benchmarks/bench_grafana.py), five frames. A repaint at a
    size or answer not drawn yet (a resize, `show`) draws on the loop, once."""

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
        #: The rows drawn, and what for (None: nothing drawn yet).
        self._drawn: tuple[DrawnFor, list[Strip]] | None = None
        #: A heatmap panel's buckets of that answer, kept between repaints.
        self.heatmap_memo = HeatmapMemo()
        # Titles are the file's text: set as Text so no markup in them is ever parsed.
        self.border_title = Text(panel.title or f"panel {panel.id}")

    def show(self, result: PanelResult) -> None:
        self.result = result
        self.refresh()

    async def show_prepared(self, result: PanelResult) -> None:
        """`show`, with the rows drawn in a thread first so the repaint only copies them."""
        key = self._key(result)
        strips = await asyncio.to_thread(self._draw, key)
        self._drawn = (key, strips)
        self.show(result)

    def render_line(self, y: int) -> Strip:
        key = self._key(self.result)
        if self._drawn is None or not _same(self._drawn[0], key):
            self._drawn = (key, self._draw(key))
        strips = self._drawn[1]
        return strips[y] if y < len(strips) else Strip.blank(key[2], key[5])

    def _key(self, result: PanelResult | None) -> DrawnFor:
        size = self.content_size
        shade = needs_shade(self.app.console.color_system, self.app.no_color, self.glyphs)
        base = self.visual_style.rich_style
        return (self.panel, result, max(1, size.width), max(1, size.height), shade, base)

    def _draw(self, key: DrawnFor) -> list[Strip]:
        panel, result, width, height, shade, base = key
        lines = render_panel(panel, result, width, height, self.glyphs, shade, self.heatmap_memo)
        return [text_strip(line, width, base) for line in lines]


def _same(a: DrawnFor, b: DrawnFor) -> bool:
    """Drawn for the same panel and answer (the very objects: an answer is never
    compared field by field) at the same size and colours."""
    return a[0] is b[0] and a[1] is b[1] and a[2:] == b[2:]


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
