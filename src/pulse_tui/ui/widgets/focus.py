"""Moving focus now, not a message later.

`Widget.focus()` only queues the move: keys already read from the terminal (typed fast,
or pasted) still go to the widget that had focus, so "/timeout" typed at once fired the
dashboard's `t` instead of reaching the search prompt. A key handler that moves focus
calls `focus_now`, and the next key in the queue finds the new widget focused.
"""

from __future__ import annotations

from textual.widget import Widget


def focus_now(widget: Widget) -> None:
    """Give `widget` the keys before the next message is handled (nothing if it cannot)."""
    widget.screen.set_focus(widget)
