"""The bottom line of key hints, painted as one line of text.

Textual's Footer looks the same but mounts a widget per key and rebuilds them all
whenever the screen's bindings change: on every focus move (Tab, 1-7) and twice per
modal screen, about 20 ms each on this machine, paid by the key that caused it.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.screen import Screen
from textual.widget import Widget


class KeyBar(Widget):
    """Shown bindings of the focused chain, then the command palette key at the right."""

    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description"}

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyBar > .key-bar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .key-bar--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if screen is self.screen:
            self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        disabled = Style(dim=True)
        palette_key = self.app.COMMAND_PALETTE_BINDING
        hints = Text(no_wrap=True, overflow="crop")
        seen: set[str] = set()
        bindings = self.screen.active_bindings
        for key, (_, binding, enabled, _) in bindings.items():
            if not binding.show or binding.action in seen or key == palette_key:
                continue
            seen.add(binding.action)
            style = key_style if enabled else key_style + disabled
            hints.append(f" {self.app.get_key_display(binding)} ", style=style)
            hints.append(f"{binding.description} ", style=description_style)
        palette = Text(no_wrap=True)
        if self.app.ENABLE_COMMAND_PALETTE and palette_key in bindings:
            _, binding, _, _ = bindings[palette_key]
            palette.append("▏", style="dim")
            palette.append(f"{self.app.get_key_display(binding)} ", style=key_style)
            palette.append(f"{binding.description} ", style=description_style)
        width = self.size.width
        if palette.cell_len and width > palette.cell_len:
            hints.truncate(width - palette.cell_len, pad=True)
            hints.append_text(palette)
        return hints
