"""The bottom line of key hints, painted as one line of text.

Textual's Footer looks the same but mounts a widget per key and rebuilds them all
whenever the screen's bindings change: on every focus move (Tab, 1-7) and twice per
modal screen, about 20 ms each on this machine, paid by the key that caused it.

While an input has the keys (the search prompt, a dialog's or a picker's filter), the
letters are text, not the dashboard's keys: the bar shows what the input's keys do
instead (Enter, Esc, ↑↓ …), on whichever screen the input is.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.keys import key_to_character
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input


def our_bindings(node: object) -> list[Binding]:
    """The bindings pulse-tui's own classes in `node`'s class hierarchy declare, not
    Textual's editing and scrolling keys (cursor, delete, page up …), which every input
    and container has and which are not worth the bar's room."""
    return [
        binding
        for cls in type(node).__mro__
        if cls.__module__.startswith("pulse_tui.")
        for binding in cls.__dict__.get("BINDINGS", ())
        if isinstance(binding, Binding)
    ]


def is_text(key: str) -> bool:
    """A key that types a character (`q`, `!`, `|`): in an input it is text."""
    character = key_to_character(key)
    return character is not None and character.isprintable()


def enter_hint(focused: Widget) -> str:
    """What Enter does in `focused`: the `ENTER_HINT` of it or the nearest of its
    ancestors that declares one (the search prompt's "Keep"), else "Apply"."""
    for node in focused.ancestors_with_self:
        hint = getattr(node, "ENTER_HINT", None)
        if isinstance(hint, str):
            return hint
    return "Apply"


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
        # A dialog's input has the keys on its own screen: follow that screen's focus too.
        self.app.screen_change_signal.subscribe(self, self._screen_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)
        self.app.screen_change_signal.unsubscribe(self)

    def _screen_changed(self, screen: Screen) -> None:
        if screen is not self.screen:
            screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.refresh()

    def _bindings_changed(self, screen: Screen) -> None:
        if screen is self.screen or screen is self.app.screen:
            self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        focused = self.app.screen.focused
        if isinstance(focused, Input):
            return self._typing_hints(focused, key_style, description_style)
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

    def _typing_hints(self, focused: Input, key_style: Style, description_style: Style) -> Text:
        """Enter, then the keys that are not text bound by the input and the widgets and
        screen around it (Esc, ↑, ↓, ctrl+r …, shown or not), none of the app's: while
        typing, `q` is a q."""
        hints = Text(no_wrap=True, overflow="crop")

        def hint(key: str, description: str) -> None:
            hints.append(f" {key} ", style=key_style)
            hints.append(f"{description} ", style=description_style)

        hint(self.app.get_key_display(Binding("enter", "", "")), enter_hint(focused))
        keys: set[str] = {"enter"}
        actions: set[str] = set()
        for node in focused.ancestors_with_self:  # the input first: its keys win
            if node is self.app:
                break
            for binding in our_bindings(node):
                for key in binding.key.split(","):
                    key = key.strip()
                    if key in keys or is_text(key) or binding.action in actions:
                        continue
                    keys.add(key)
                    actions.add(binding.action)
                    hint(self.app.get_key_display(Binding(key, "", "")), binding.description)
        return hints
