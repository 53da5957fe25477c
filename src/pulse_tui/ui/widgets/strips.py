"""Text -> Strip for widgets that paint their own rows (`render_line`).

Textual turns a `render()` result into strips through its Visual/Content machinery,
which costs ~1 ms for a row with a few dozen styled spans; `Console.render_lines` is
~0.5 ms. Rendering the Text's segments and fitting them to the width is 4-10x cheaper,
and it is what a row that changes ten times a second (the log pane while tailing, its
status line) or a braille chart row can afford. No wrapping: one Text, one row.
"""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

#: Resolves style names ("dim", "bold red"); never writes anywhere.
CONSOLE = Console(width=200, color_system="truecolor", force_terminal=False)


def text_segments(text: Text) -> list[Segment]:
    """The Text's segments on one row: tabs expanded, its own style applied."""
    if "\t" in text.plain:
        text = text.copy()
        text.expand_tabs()
    segments = text.render(CONSOLE, end="")
    if text.style and not text.spans:
        # Rich applies a Text's own style only when it has spans.
        segments = Segment.apply_style(segments, CONSOLE.get_style(text.style))
    return list(segments)


def text_strip(text: Text, width: int, base: Style | None = None) -> Strip:
    """`text` cropped or padded to `width` cells; `base` (the widget's colours) goes
    under the text's own styles and fills the padding."""
    # Every segment gets a style, the padding too: Textual's NO_COLOR filter reads the
    # colour of each and fails on a None.
    base = base or Style.null()
    segments = list(Segment.apply_style(text_segments(text), base))
    return Strip(Segment.adjust_line_length(segments, width, base, pad=True), width)
