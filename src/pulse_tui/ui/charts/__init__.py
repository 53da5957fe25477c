"""Charts drawn as `rich.text.Text`: line charts and sparklines. Never imports Textual.

Widgets call these pure functions with a size and data and show the lines they get back.
"""

from pulse_tui.ui.charts.canvas import GLYPH_SETS
from pulse_tui.ui.charts.line_chart import ChartSeries, plot_points, render_line_chart
from pulse_tui.ui.charts.sparkline import sparkline

__all__ = ["GLYPH_SETS", "ChartSeries", "plot_points", "render_line_chart", "sparkline"]
