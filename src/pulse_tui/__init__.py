"""pulse-tui: golden signals from Prometheus and logs over SSH, in the terminal."""

__version__ = "0.1.0"
