"""Discoverability: the help screen's rows and the command palette's entries, from one list."""

from __future__ import annotations

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from pulse_tui.model.metrics.signals import Signal


class CommandsMixin:
    """Mixed into PulseApp; `self` is the app (attributes are set in PulseApp.__init__)."""

    def help_rows(self) -> list[tuple[str, str]]:
        """(keys, what they do) for every binding the user can press."""
        rows = []
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            keys = self.get_key_display(binding)
            if binding.action in self.ACTION_HELP:
                rows.append((keys, self.ACTION_HELP[binding.action]))
            elif binding.description:
                rows.append((keys, binding.description))
        rows += [
            ("1-5", "Show a signal panel (Latency, Traffic, Errors, Saturation, Queue)"),
            ("6 / 7", "Focus the services table / the logs"),
            ("Enter (table)", "Focus every panel and the logs on that service"),
            ("o / O (table)", "Sort by the next column / reverse the order"),
            ("j k ↑ ↓ (logs)", "Scroll one line"),
            ("PgUp PgDn (logs)", "Scroll one page"),
            ("g / G (logs)", "Oldest line / follow the newest"),
            ("w (logs)", "Wrap long lines"),
            ("ctrl+p", "Command palette: every action by name"),
        ]
        seen: set[tuple[str, str]] = set()
        return [r for r in rows if not (r in seen or seen.add(r))]

    def get_system_commands(self, screen: Screen) -> list[SystemCommand]:  # type: ignore[override]
        commands = list(super().get_system_commands(screen))
        for action, description in self.ACTION_HELP.items():
            commands.append(
                SystemCommand(description, f"action: {action}", lambda a=action: self.run_action(a))
            )
        for signal in Signal:
            commands.append(
                SystemCommand(
                    f"Show the {signal.heading} panel",
                    "Focus it (and show it in the narrow layout)",
                    lambda s=signal: self.action_show_panel(s.value),
                )
            )
        commands.append(
            SystemCommand(
                "Focus the logs",
                "Scroll and search the log pane",
                lambda: self.action_focus_pane("log-view"),
            )
        )
        commands.append(
            SystemCommand(
                "Focus the services table",
                "Sort and pick services",
                lambda: self.action_focus_pane("services"),
            )
        )
        commands.append(
            SystemCommand(
                "Toggle log line wrapping",
                "Wrap long log lines",
                lambda: self.log_panel.view.action_toggle_wrap(),
            )
        )
        commands.append(
            SystemCommand(
                "Follow the newest log lines",
                "Jump to the end of the logs",
                lambda: self.log_panel.view.action_follow(),
            )
        )
        return commands
