"""The view the app starts on (`--service`, `--range`, `--search`, ...), and the view it is
on, read back for `y`: copied as a command line a teammate can paste.

The text itself is `model/core/view_command.py`'s; this module knows where the app keeps
each part: the range and services in the `ViewState`, search and filters in the log pane's
`QueryState`.
"""

from __future__ import annotations

from pulse_tui.model.core.view_command import StartView
from pulse_tui.model.core.view_state import ViewState
from pulse_tui.model.logs.line import Level
from pulse_tui.ui.widgets.logs.log_panel import LogPanel
from pulse_tui.ui.widgets.logs.log_query import QueryState


def level_of(name: str) -> Level:
    """`--level` to the pane's minimum level ("all" = no minimum)."""
    return Level.UNKNOWN if name == "all" else Level[name.upper()]


def initial_state(start: StartView, range_seconds: float) -> ViewState:
    """The `ViewState` the app is made with; `range_seconds` when the flags gave none."""
    return ViewState(
        range_seconds=start.range_seconds if start.range_seconds is not None else range_seconds,
        end=start.end,
        services=frozenset(start.services),
    )


def apply_log_view(panel: LogPanel, start: StartView) -> list[str]:
    """Search, filters and level of `start` on the log pane (mounted). The flags were
    checked by the CLI; what the pane refuses anyway is returned, to be said."""
    query = panel.query_state
    problems = []
    if start.search:
        error = query.set_search(start.search)
        if error:
            problems.append(f"--search: {error}")
        else:
            query.history.add(start.search)
    for pattern in start.excludes:
        error = query.add_exclude(pattern)
        if error:
            problems.append(f"--exclude: {error}")
    if start.filter_mode and not query.state.filter_mode:
        query.toggle_filter_mode()
    if start.level != "all":
        query.set_min_level(level_of(start.level))
    panel.update_status()
    return problems


def current_view(state: ViewState, query: QueryState) -> StartView:
    """What the user looks at now, as the flags can say it."""
    return StartView(
        range_seconds=state.range_seconds,
        end=state.end,
        services=tuple(sorted(state.services)),
        search=query.search,
        filter_mode=query.filter_mode,
        excludes=tuple(query.excludes),
        level="all" if query.min_level is Level.UNKNOWN else query.min_level.name.lower(),
    )


def not_carried(state: ViewState, query: QueryState) -> list[str]:
    """The parts of the view no flag says (the toast names them, so the copy is honest)."""
    left = []
    if state.paused and state.end is None:
        left.append("pause (copied as live)")
    if state.compare_offset is not None:
        left.append("compare")
    if query.hosts:
        left.append("host filter")
    return left
