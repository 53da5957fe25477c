"""Discoverability: the command palette's entries, from the app's `ACTION_HELP` (the help
screen reads the bindings themselves: ui/screens/help.py)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any

from textual.app import App, SystemCommand

from pulse_tui.model.metrics.signals import Signal
from pulse_tui.ui.dashboard import Dashboard


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
