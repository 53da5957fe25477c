"""The smallest Textual app that answers a key on screen: the harness's latency floor.

bench_keys.py times it the same way as pulse-tui, so the figures can be read as
"pulse-tui's own cost above what any Textual app pays in this terminal".
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static


class FloorApp(App[None]):
    """`k` shows "scrolled (G to follow)", `G` shows "following"; `q` quits."""

    BINDINGS = [("k", "show('scrolled (G to follow)')"), ("G", "show('following')"), ("q", "quit")]

    def compose(self) -> ComposeResult:
        yield Static("following", id="state")

    def action_show(self, text: str) -> None:
        self.query_one("#state", Static).update(text)


if __name__ == "__main__":
    FloorApp().run()
