"""Discoverability: the help screen's rows and the command palette's entries, from one list
(the app's bindings and `ACTION_HELP`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding

from pulse_tui.model.metrics.signals import Signal
from pulse_tui.ui.dashboard import Dashboard

#: Keys that belong to a pane (its own bindings) or a range of keys, said in words.
_MORE_ROWS = [
    ("1-5", "Show a signal panel (Latency, Traffic, Errors, Saturation, Queue)"),
    ("6 / 7", "Focus the services table / the logs"),
    ("Enter (table)", "Focus every panel and the logs on that service"),
    ("o / O (table)", "Sort by the next column / reverse the order"),
    ("j k ↑ ↓ (logs)", "Scroll one line"),
    ("PgUp PgDn (logs)", "Scroll one page"),
    ("g / G (logs)", "Oldest line / follow the newest"),
    ("w (logs)", "Wrap long lines"),
    ("H (logs)", "Search the hosts themselves for the search's term (ctrl+r in the / prompt)"),
    ("ctrl+p", "Command palette: every action by name"),
]


def help_rows(app: App[Any], action_help: Mapping[str, str]) -> list[tuple[str, str]]:
    """(keys, what they do) for every binding the user can press, as the keymap has them."""
    rows = []
    for binding in app.BINDINGS:
        assert isinstance(binding, Binding)  # the app declares Binding objects only
        keys = app.get_key_display(binding)
        if binding.action in action_help:
            rows.append((keys, action_help[binding.action]))
        elif binding.description:
            rows.append((keys, binding.description))
    rows += _MORE_ROWS
    return list(dict.fromkeys(rows))  # each row once (two keys, one action), first place


def palette_commands(
    app: App[Any], dashboard: Dashboard, action_help: Mapping[str, str]
) -> Iterator[SystemCommand]:
    """The command palette's entries: every described action, then each pane by name."""
    for action, description in action_help.items():
        yield SystemCommand(description, f"action: {action}", partial(app.run_action, action))
    for signal in Signal:
        yield SystemCommand(
            f"Show the {signal.heading} panel",
            "Focus it (and show it in the narrow layout)",
            partial(dashboard.show_panel, signal),
        )
    yield SystemCommand(
        "Focus the logs",
        "Scroll and search the log pane",
        partial(dashboard.focus_pane_by_id, "log-view"),
    )
    yield SystemCommand(
        "Focus the services table",
        "Sort and pick services",
        partial(dashboard.focus_pane_by_id, "services"),
    )
    yield SystemCommand(
        "Toggle log line wrapping",
        "Wrap long log lines",
        lambda: dashboard.log_panel.view.action_toggle_wrap(),
    )
    yield SystemCommand(
        "Search the log hosts",
        "Search the hosts themselves (grep over the range on screen) for the log search's term",
        lambda: dashboard.log_panel.action_search_hosts(),
    )
    yield SystemCommand(
        "Follow the newest log lines",
        "Jump to the end of the logs",
        lambda: dashboard.log_panel.view.action_follow(),
    )
