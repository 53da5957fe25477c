"""What a log row costs to build, now that each row finds where its own time and level
are written (model/logs/parse/spans.py) to colour them in place.

Figures per row, for the demo's three shapes of line (ISO text, JSON, no stamp), in both
views, against Rich's `Text` of the same pieces rendered to segments (what Textual would
do from a Text). A page of 48 new rows costs 48 times this while following a flood.
"""

from __future__ import annotations

import sys
import timeit
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rich.console import Console
from run import figure

from pulse_tui.model.logs.line import Level, LogLine
from pulse_tui.ui.widgets.logs.log_row import format_row, plain_row_segments, today

LINES = {
    "iso": (Level.INFO, "2026-12-02T03:29:06.057Z INFO  api: GET /v1/search 200 41ms"),
    "json": (
        Level.WARN,
        '{"ts":"2026-12-02T12:48:12.569Z","level":"warn","msg":"slow request /v1/orders '
        'took 2441ms","order_id":81585}',
    ),
    "nostamp": (Level.UNKNOWN, "plain line without a stamp of any kind at all here"),
}
REPEAT = 20_000


def _us(call) -> float:
    return min(timeit.repeat(call, number=REPEAT, repeat=5)) / REPEAT * 1e6


def run() -> Iterable[dict[str, object]]:
    console = Console(width=160, color_system="truecolor")
    options = console.options.update(width=160, no_wrap=True, height=None)
    day = today()
    for shape, (level, text) in LINES.items():
        line = LogLine(1.0, 1796182146.0, "web-1", "/x", "api", level, text)
        for columns in (False, True):
            view = "columns" if columns else "inline"
            ours = _us(
                lambda line=line, columns=columns: plain_row_segments(
                    line, 8, columns=columns, day=day
                )
            )
            rich = _us(
                lambda line=line, columns=columns: console.render_lines(
                    format_row(line, host_width=8, columns=columns, day=day)[0], options
                )
            )
            yield figure(
                f"log_row_{shape}_{view}_us",
                ours,
                "µs",
                reference="rich Text rendered",
                ratio=ours / rich,
            )
