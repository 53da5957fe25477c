"""The `?` screen: every key, read from the bindings themselves, grouped by pane.

The rows come from the BINDINGS of the app and of each of our widgets on the dashboard
(with the config's `[keys]` applied), and of the dialogs, so a key added anywhere shows
up here without anyone remembering to. Only the keys Textual's own widgets handle (a
table's Enter and arrows) are written out, in `WIDGET_KEYS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

#: (keys as shown, what they do)
HelpRow = tuple[str, str]
#: (title, rows)
HelpSection = tuple[str, list[HelpRow]]

#: Section titles of the classes that declare bindings, in the order shown. A class not
#: named here still gets a section, titled by its name: nothing is ever left out.
SECTION_OF = {
    "PulseApp": "Everywhere",
    "ServiceTable": "Services table",
    "SignalPanel": "Signal panels",
    "LogPanel": "Logs",
    "LogView": "Logs",
    "SearchBar": "Logs: typing a search or an exclude",
    "AlertsPane": "Alerts",
    "ErrorGroupsPane": "Errors (error groups)",
    "ProbesPane": "Probes",
    "PickerScreen": "Service / host picker",
    "TimeRangeScreen": "Time range dialog",
    "SilenceScreen": "Silence dialog",
    "HostSearchScreen": "Search on the hosts (results)",
    "MatchList": "Search on the hosts (results)",
    "HelpScreen": "This help",
    "GrafanaScreen": "Imported Grafana dashboard",
    "RowHeader": "Imported Grafana dashboard",
    "QueryScreen": "Ad-hoc PromQL (:)",
    "QueryPrompt": "Ad-hoc PromQL (:)",
}

#: Keys handled by Textual's widgets inside our panes (no binding of ours to read), by
#: Textual's key names; a word that is no key ("type") is shown as it is.
WIDGET_KEYS: dict[str, list[HelpRow]] = {
    "Services table": [
        ("up,down", "Move between services"),
        ("enter", "Focus every panel and the logs on that service"),
    ],
    "Alerts": [("up,down", "Select an alert")],
    "Errors (error groups)": [
        ("up,down", "Select a group"),
        ("enter", "Show the group's lines in the logs (filtered)"),
    ],
    "Logs: typing a search or an exclude": [
        ("enter", "Keep it (a search: n / N move between matches)"),
        ("re:…", "Starts a regular expression instead of a literal"),
    ],
    "Service / host picker": [
        ("type", "Narrow the list (fuzzy)"),
        ("tab", "Tick several"),
        ("enter", "Apply the ticked ones (or the highlighted one)"),
    ],
    "Time range dialog": [("enter", "Apply the typed range or the highlighted preset")],
    "Silence dialog": [("enter", "Silence for the highlighted duration")],
    "Ad-hoc PromQL (:)": [
        ("type", "PromQL; metric, label and value candidates appear under it"),
        ("enter", "Run it over the view's range (a chart, or g: a table)"),
    ],
    "This help": [("up,down,pageup,pagedown,home,end", "Scroll")],
}


def _own_actions(node_type: type) -> set[str]:
    """Actions bound by pulse-tui's classes in `node_type`'s ancestry (not Textual's)."""
    actions = set()
    for cls in node_type.__mro__:
        if cls.__module__.startswith("pulse_tui"):
            for binding in cls.__dict__.get("BINDINGS", ()):
                if isinstance(binding, Binding):
                    actions.add(binding.action)
    return actions


def _rows(
    app: App[Any], bindings: BindingsMap, actions: set[str], action_help: Mapping[str, str]
) -> list[HelpRow]:
    """One row per action: all its keys (as the keymap has them), then what it does."""
    keys: dict[tuple[str, str], list[str]] = {}
    for key_bindings in bindings.key_to_bindings.values():
        for binding in key_bindings:
            if binding.action not in actions:
                continue
            what = action_help.get(binding.action) or binding.description or binding.action
            shown = keys.setdefault((binding.action, what), [])
            display = app.get_key_display(binding)
            if display not in shown:
                shown.append(display)
    return [(" ".join(shown), what) for (_, what), shown in keys.items()]


def _bindings_of(app: App[Any], node: DOMNode | type) -> BindingsMap:
    """The node's bindings with the config's keymap applied (a class: as declared)."""
    if isinstance(node, type):
        bindings = BindingsMap(node.__dict__.get("BINDINGS", ()))
    else:
        bindings = node._bindings.copy()
    keymap = app._keymap
    if keymap:
        bindings.apply_keymap(keymap)
    return bindings


def help_sections(
    app: App[Any], dialogs: Iterable[type], action_help: Mapping[str, str]
) -> list[HelpSection]:
    """Every key of the app, its dashboard's widgets and `dialogs`, by section."""
    sections: dict[str, list[HelpRow]] = {title: [] for title in SECTION_OF.values()}
    seen: set[type] = set()
    nodes: list[DOMNode | type] = [app, *app.screen_stack[0].walk_children(), *dialogs]
    for node in nodes:
        node_type = node if isinstance(node, type) else type(node)
        if node_type in seen:
            continue  # five signal panels, one section
        seen.add(node_type)
        actions = _own_actions(node_type)
        if not actions:
            continue
        title = SECTION_OF.get(node_type.__name__, node_type.__name__)
        rows = sections.setdefault(title, [])
        rows += _rows(app, _bindings_of(app, node), actions, action_help)
    palette = app.COMMAND_PALETTE_BINDING
    if app.ENABLE_COMMAND_PALETTE:
        sections["Everywhere"].append(
            (app.get_key_display(Binding(palette, "")), "Command palette: every action by name")
        )
    for title, rows in WIDGET_KEYS.items():
        sections.setdefault(title, []).extend(
            (" ".join(app.get_key_display(Binding(key, "")) for key in keys.split(",")), what)
            for keys, what in rows
        )
    return [(title, list(dict.fromkeys(rows))) for title, rows in sections.items() if rows]


class HelpScreen(ModalScreen[None]):
    """The sections of (keys, description) rows, scrollable; Esc, q or ? closes it."""

    DEFAULT_CSS = """
    /* Opaque: a see-through modal re-renders the whole dashboard under it, ~50 ms a frame. */
    HelpScreen { align: center middle; background: $background; }
    /* max-height keeps the frame, and the close hint in it, on screen at 80x24. */
    HelpScreen > VerticalScroll {
        width: 90; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close help"),
    ]

    def __init__(self, sections: list[HelpSection]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        # One table per section under its title, the key columns all as wide as the
        # widest keys so the descriptions line up from section to section.
        key_width = min(24, max(len(keys) for _, rows in self.sections for keys, _ in rows))
        parts: list[Text | Table] = []
        for index, (title, rows) in enumerate(self.sections):
            parts.append(Text(("\n" if index else "") + title, style="bold underline"))
            table = Table(box=None, show_header=False, expand=True, padding=(0, 2, 0, 0))
            table.add_column(style="bold #5fafff", width=key_width)
            table.add_column(ratio=1)
            for keys, what in rows:
                table.add_row(Text(keys), Text(what))
            parts.append(table)
        with VerticalScroll() as scroll:
            scroll.border_title = "Key bindings"
            scroll.border_subtitle = "↑↓ PgUp PgDn scroll · Esc close"
            yield Static(Group(*parts), id="help-table")

    def action_close(self) -> None:
        self.app.pop_screen()
