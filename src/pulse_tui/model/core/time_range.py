"""Time ranges as users type them, and moving them: pan by half a range, zoom by presets.

A range is `(range_seconds, end)` as in `ViewState`: `end` None means live (ends now).
Accepted input (`parse_time_range`):

* a preset or any duration: `5m`, `1h`, `2d`, `1h30m` (= the last hour and a half, live);
* `-90m` (the same, with the minus people type by habit);
* relative bounds: `now-2h..now-30m`, `now-1d..now` (ending at `now` = live);
* absolute ISO 8601 bounds: `2026-11-21T10:00..2026-11-21T11:30`, or with a space
  instead of the `T`; local time unless a `Z` or `+01:00` offset is given. A bound may
  also be relative while the other is absolute (`2026-11-21T10:00..now`);
* an absolute start and only a time of day for the end: `2026-11-21T10:00..11:30`, the
  end on the start's day (and in its zone).
"""

from __future__ import annotations

import re
from datetime import datetime
from datetime import time as time_of_day

from pulse_tui.model.core.durations import DurationError, parse_duration

PRESETS = ("5m", "15m", "1h", "3h", "6h", "12h", "24h", "2d", "7d")
#: The presets in seconds, shortest first: the steps `+`/`-` zoom through.
ZOOM_STEPS = tuple(parse_duration(preset) for preset in PRESETS)
#: "Compare with" offsets: the same window a day or a week earlier.
compare_offsets = {"1d": 86400, "1w": 604800}
MAX_RANGE = 366 * 86400
#: A range this close to a preset is that preset: `now-1h..now` subtracts two large
#: floats and can come out a hair off 3600, which must still zoom to 15m and 3h.
_SAME_RANGE = 1.0

_HELP = "use e.g. 1h, -90m, now-2h..now-30m or 2026-11-21T10:00..11:30"
#: An end given as a time of day only (`11:30`, `11:30:15`, `11:30Z`).
_TIME_ONLY = re.compile(r"\d{1,2}:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?", re.IGNORECASE)


class TimeRangeError(ValueError):
    """Input that is not a usable range; the message is one line, fit for a status bar."""


def parse_time_range(text: str, now: float) -> tuple[float, float | None]:
    """`(range_seconds, end)` for what the user typed; end None = live. `now` is Unix time."""
    cleaned = text.strip()
    if not cleaned:
        raise TimeRangeError(f"empty time range; {_HELP}")
    if ".." in cleaned:
        left, _, right = cleaned.partition("..")
        start = _parse_bound(left, now)
        end = _parse_end(right, left, now)
        if end > now:
            raise TimeRangeError(f"range ends in the future ({right.strip()})")
        if end < start:
            raise TimeRangeError(f"range ends before it starts ({cleaned})")
        if end == start:
            raise TimeRangeError(f"empty range ({cleaned})")
        live = right.strip().lower() == "now"
        return _checked(end - start), None if live else end
    try:
        seconds = parse_duration(cleaned.removeprefix("-"))
    except DurationError:
        raise TimeRangeError(f"cannot read {cleaned!r}; {_HELP}") from None
    return _checked(seconds), None


def _checked(seconds: float) -> float:
    if seconds > MAX_RANGE:
        raise TimeRangeError("range longer than a year; pick a shorter one")
    return seconds


def _parse_end(text: str, start_text: str, now: float) -> float:
    """The end bound; a time of day alone is on the day of an absolute start (the form
    the dialog shows as its example)."""
    bound = text.strip()
    if not _TIME_ONLY.fullmatch(bound):
        return _parse_bound(text, now)
    try:
        start = datetime.fromisoformat(start_text.strip())
    except ValueError:
        raise TimeRangeError(
            f"{bound!r} is a time of day: give the start as a date and time; {_HELP}"
        ) from None
    try:
        clock = time_of_day.fromisoformat(bound.upper())
    except ValueError:
        raise TimeRangeError(f"cannot read {bound!r}; {_HELP}") from None
    moment = start.replace(
        hour=clock.hour, minute=clock.minute, second=clock.second, microsecond=clock.microsecond
    )
    if clock.tzinfo is not None:
        moment = moment.replace(tzinfo=clock.tzinfo)
    return moment.timestamp()


def _parse_bound(text: str, now: float) -> float:
    bound = text.strip()
    lowered = bound.lower()
    if lowered == "now":
        return now
    if lowered.startswith("now-"):
        try:
            return now - parse_duration(lowered[4:])
        except DurationError:
            raise TimeRangeError(f"cannot read {bound!r}; {_HELP}") from None
    try:
        # fromisoformat (3.11) takes "Z", offsets, and a space instead of "T".
        moment = datetime.fromisoformat(bound)
    except ValueError:
        raise TimeRangeError(f"cannot read {bound!r}; {_HELP}") from None
    return moment.timestamp()  # naive = local time, as the user sees the clock


def pan(range_seconds: float, end: float | None, now: float, direction: int) -> float | None:
    """The new `end` after moving half a range back (-1) or forward (+1).

    Never into the future: reaching or passing `now` returns to live (None).
    """
    current = now if end is None else end
    moved = current + direction * range_seconds / 2
    return None if moved >= now else moved


def zoom(
    range_seconds: float, end: float | None, now: float, direction: int
) -> tuple[float, float | None]:
    """`(range_seconds, end)` one preset longer (+1, zoom out) or shorter (-1, zoom in).

    What users expect of `+`/`-`: 1h -> 3h -> 6h, never 1h -> 2h -> 4h. A range between
    presets (a typed `2h`) goes to the next preset that way (3h out, 1h in); beyond the
    first or last preset there is no step that way and the range stays. A live range stays
    live; a past range keeps its centre, and comes back to live if its end would pass `now`.
    """
    if direction > 0:
        longer = [s for s in ZOOM_STEPS if s > range_seconds + _SAME_RANGE]
        new = longer[0] if longer else range_seconds
    else:
        shorter = [s for s in ZOOM_STEPS if s < range_seconds - _SAME_RANGE]
        new = shorter[-1] if shorter else range_seconds
    if end is None:
        return new, None
    centre = end - range_seconds / 2
    new_end = centre + new / 2
    return new, None if new_end >= now else new_end
