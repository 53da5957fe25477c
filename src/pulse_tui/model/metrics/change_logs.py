"""The logs that came with a change: which error group rose most when a finding started.

For a finding that started at `start` and is judged at `until` (now, or where the view
ends), each error group's lines in `[start, until)` are compared with its lines in the
same length of time just before `start`. A group with lines after and none before ranks
first (it is new with the incident), most lines first; then the groups whose rate rose,
by how much it rose. A group that did not rise is never the answer.

A finding's start is known to one step of its chart, and a group's lines to its minute
bucket: the lines of the last `slack` (the larger) before `start` are the change's own
onset, so the before window ends there: `[start - slack - L, start - slack)` for `L` the
time since start. Otherwise the step's first lines would make the new group look old.

The "before" window may reach back past the logs loaded (`ErrorGroups.loaded_from`): then
only the loaded part is compared, as a rate, and a group with no lines there is new only
if some of the before window is loaded at all (with none loaded, nothing says it was
absent, so it ranks by its rate like any other).

Which groups: those from the finding's service when the logs name services (a host's or a
file's `service`), else all of them: with no mapping, pulse-tui cannot tell which host
serves what, and says which group rose, not whose.

Pure: no I/O, no Textual. Costs one `count_between` pair per group seen since the start
(at most `max_groups`, 500 by default).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from pulse_tui.model.alerting.error_groups import ErrorGroup, ErrorGroups
from pulse_tui.model.metrics.changes import Finding

#: The error groups count by the minute (`ErrorGroups`' default `bucket_seconds`).
BUCKET_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class RisingGroup:
    """An error group's lines after a finding's start against the same time before."""

    group: ErrorGroup
    #: Lines in [start, until) and in the window of the same length before start.
    after: int
    before: int
    #: No line in the (loaded part of the) window before: new with the change.
    new: bool
    #: Whether any of the window before is loaded: if not, `before` says nothing.
    known_before: bool
    #: Where `after` was counted from (the finding's start).
    since: float

    @property
    def fingerprint(self) -> str:
        return self.group.fingerprint


def rank_groups(
    groups: ErrorGroups,
    start: float,
    until: float,
    *,
    service: str = "",
    log_services: Collection[str] = (),
    step: float = 0.0,
) -> list[RisingGroup]:
    """Groups whose rate rose at `start` (seen up to `until`), the most telling first.

    `log_services` are the services the log sources name; when it holds any, only the
    groups with a line from `service` count (see the module docstring). `step` is how
    precisely `start` is known.
    """
    length = until - start
    if not length > 0:
        return []
    loaded = groups.loaded_from
    before_until = start - max(step, BUCKET_SECONDS)
    window_from = before_until - length
    # The part of the before window the logs cover; none means "unknown", not "absent".
    covered_from = window_from if loaded is None else max(window_from, loaded)
    covered = max(0.0, before_until - covered_from)
    if covered < BUCKET_SECONDS:
        # Groups count by the minute: less than a bucket of the window loaded (the logs
        # begin just before the start) cannot tell "none before" from "not counted".
        covered = 0.0
    by_service = bool(log_services)
    ranked: list[tuple[tuple[int, float, int, str], RisingGroup]] = []
    for group in groups.groups():
        # Cheapest first: a group with no line since the start has nothing after it.
        if group.last_seen < start or (by_service and service not in group.services):
            continue
        after = group.count_between(start, until)
        if after <= 0:
            continue
        before = group.count_between(covered_from, before_until) if covered else 0
        new = covered > 0 and before == 0
        rise = after / length - (before / covered if covered else 0.0)
        if not new and rise <= 0:
            continue
        key = (0 if new else 1, -(after if new else rise), -after, group.fingerprint)
        ranked.append((key, RisingGroup(group, after, before, new, covered > 0, start)))
    ranked.sort(key=lambda pair: pair[0])
    return [rising for _, rising in ranked]


def top_group(
    groups: ErrorGroups | None,
    findings: Sequence[Finding],
    until: float,
    *,
    log_services: Collection[str] = (),
) -> RisingGroup | None:
    """The top rising group for one service's findings (worst first), measured from the
    worst finding's start; None without logs, or when no group rose."""
    if groups is None or not findings:
        return None
    worst = findings[0]
    end = worst.end if worst.end is not None else until
    if not math.isfinite(end):
        return None
    ranked = rank_groups(groups, worst.start, end, service=worst.service, log_services=log_services)
    return ranked[0] if ranked else None
