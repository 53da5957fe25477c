"""Rows painted from our own strips must read and look as Textual/Rich would paint them."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from pulse_tui.model.logs.line import Level, LineKind, LogLine
from pulse_tui.ui.widgets.logs.log_row import format_line, plain_row_segments
from pulse_tui.ui.widgets.strips import text_strip

CONSOLE = Console(width=200, color_system="truecolor")


def _cells(segments: list[Segment]) -> list[tuple[str, Style]]:
    """Per character: the character and its effective style (None and Style() alike)."""
    out: list[tuple[str, Style]] = []
    for text, style, _ in segments:
        out.extend((char, style or Style()) for char in text)
    return out


def _reference(text: Text, width: int) -> list[Segment]:
    text = text.copy()
    text.no_wrap = True
    text.overflow = "crop"
    options = CONSOLE.options.update(width=width, no_wrap=True, height=None)
    return CONSOLE.render_lines(text, options, pad=True)[0]


LINES = [
    LogLine(1.0, 1704207845.5, "web-1", "/var/log/app", "api", Level.INFO, "GET /v1 200"),
    LogLine(1.0, 1704207845.5, "db", "/x", "db", Level.ERROR, "[bold]not markup[/] é ü"),
    LogLine(1.0, 1704207845.5, "worker-12", "/x", "w", Level.UNKNOWN, "no level"),
    LogLine(1.0, 1704207845.5, "web-1", "/x", "api", Level.FATAL, "wide 日本語 chars " * 12),
    LogLine(1.0, 1704207845.5, "h", "/x", "api", Level.DEBUG, ""),
]


@pytest.mark.parametrize("line", LINES)
@pytest.mark.parametrize("width", [20, 37, 80, 160])
def test_plain_row_matches_the_formatted_text(line: LogLine, width: int) -> None:
    segments = plain_row_segments(line, host_width=9)
    assert segments is not None
    ours = Segment.adjust_line_length(segments, width, pad=True)
    assert _cells(ours) == _cells(_reference(format_line(line, host_width=9), width))


def test_lines_with_tabs_or_other_kinds_take_the_text_path() -> None:
    tab = LogLine(1.0, 1.0, "h", "/x", "s", Level.INFO, "a\tb")
    gap = LogLine(1.0, 1.0, "h", "/x", "s", Level.UNKNOWN, "gap", LineKind.GAP, None)
    assert plain_row_segments(tab, 4) is None
    assert plain_row_segments(gap, 4) is None


@pytest.mark.parametrize(
    "text",
    [
        Text("plain"),
        Text("styled without spans", style="bold #ff0000"),
        Text.assemble(("dim ", "dim"), ("red", "#ff0000"), " and\ttab"),
        Text("日本語 wide " * 10, style="italic"),
    ],
)
@pytest.mark.parametrize("width", [5, 30, 120])
def test_text_strip_matches_rich(text: Text, width: int) -> None:
    base = Style(color="#e0e0e0", bgcolor="#121212")
    strip = text_strip(text, width, base)
    assert strip.cell_length == width
    expected = [(char, base + style) for char, style in _cells(_reference(text, width))]
    assert _cells(list(strip)) == expected
