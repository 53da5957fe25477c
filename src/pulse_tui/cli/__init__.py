"""The command line: flags, subcommands (run, check, summary, init); the only place that exits."""

from pulse_tui.cli.main import main

__all__ = ["main"]
