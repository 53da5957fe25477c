"""A view as a command line, and back: what `--service`, `--range`, `--search`, `--level`,
`--filter` and `--exclude` start with, and what `y` copies for a teammate to paste.

Pure data and text: the CLI parses the flags into a `StartView`, the app applies it, and
the app reads its current view back into one, which `command_line` writes out. A past
range is written with absolute UTC bounds (`2026-12-02T10:00:00Z..2026-12-02T11:30:00Z`),
so the teammate sees the same window whatever their time zone and whenever they paste it;
a live range stays a duration (`--range 1h`), live for them too.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pulse_tui.model.core.durations import format_duration

#: What `--level` takes: the minimum levels the log pane's `l` key cycles through.
LEVELS = ("all", "error", "warn", "info")


@dataclass(frozen=True, slots=True)
class StartView:
    """A view of the dashboard as the command line can say it."""

    #: None: the range the config says (`dashboard.range`).
    range_seconds: float | None = None
    #: None while live; otherwise the Unix time the range ends at.
    end: float | None = None
    #: The services shown (empty: all), as the service picker selects them.
    services: tuple[str, ...] = ()
    #: The log search (`/`), in the prompt's syntax (`re:`, `field=value` terms).
    search: str = ""
    #: Only the lines matching the search (`f`).
    filter_mode: bool = False
    #: Patterns whose lines are hidden (`!`).
    excludes: tuple[str, ...] = ()
    #: The minimum log level (`l`), one of LEVELS.
    level: str = "all"


def format_range(range_seconds: float, end: float | None) -> str:
    """What `--range` reads back as this range: `1h` live, absolute UTC bounds if past."""
    if end is None:
        return format_duration(range_seconds)
    return f"{_utc(end - range_seconds)}..{_utc(end)}"


def _utc(moment: float) -> str:
    # Whole seconds read best; a zoomed past range's centre may not be on one, and then
    # the fraction is kept so the window pasted is the one shown.
    stamp = datetime.fromtimestamp(moment, tz=UTC)
    text = stamp.isoformat(timespec="seconds" if moment == int(moment) else "milliseconds")
    return text.replace("+00:00", "Z")


def view_argv(view: StartView) -> list[str]:
    """The flags that start pulse-tui on `view` (a range not given is left out)."""
    argv: list[str] = []
    for service in sorted(view.services):
        argv += ["--service", service]
    if view.range_seconds is not None:
        argv += ["--range", format_range(view.range_seconds, view.end)]
    if view.search:
        argv += ["--search", view.search]
    if view.filter_mode and view.search:
        argv.append("--filter")
    for pattern in view.excludes:
        argv += ["--exclude", pattern]
    if view.level != "all":
        argv += ["--level", view.level]
    return argv


def command_line(view: StartView, origin: Sequence[str] = (), program: str = "pulse-tui") -> str:
    """`view` as one shell-safe command line: the program, the flags that chose the data
    (`origin`: `--demo`, `--prometheus URL`, ...), then the view's own flags."""
    return shlex.join([program, *origin, *view_argv(view)])
