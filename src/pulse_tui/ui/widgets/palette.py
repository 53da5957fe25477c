"""Colours shared by the widgets: series lines, threshold levels, host tags, log levels."""

from __future__ import annotations

import zlib

from pulse_tui.model.logs.line import Level

SERIES_COLOURS = (
    "#5fafff",
    "#ffaf5f",
    "#87d787",
    "#d787d7",
    "#5fd7d7",
    "#ffd75f",
    "#ff8787",
    "#afafff",
)

LEVEL_STYLES = {"ok": "#87d787", "warn": "bold #ffd75f", "crit": "bold #ff5f5f", "none": "dim"}

LOG_LEVEL_STYLES = {
    Level.FATAL: "bold white on #af0000",
    Level.ERROR: "bold #ff5f5f",
    Level.WARN: "#ffd75f",
    Level.INFO: "#87d787",
    Level.DEBUG: "dim",
    Level.UNKNOWN: "dim",
}

#: An escape the sanitiser wrote for a control character (`\\x1b`): standing out as `less`
#: shows control characters.
ESCAPE_STYLE = "reverse"

HOST_COLOURS = ("#5fafff", "#ffaf5f", "#87d7af", "#d787d7", "#5fd7d7", "#d7d75f", "#ff87af")


def host_colour(host: str) -> str:
    """A stable colour per host, so a host keeps its tag colour across sessions."""
    return HOST_COLOURS[zlib.crc32(host.encode()) % len(HOST_COLOURS)]


def series_colour(index: int) -> str:
    return SERIES_COLOURS[index % len(SERIES_COLOURS)]
