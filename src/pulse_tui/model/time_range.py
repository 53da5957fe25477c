"""Time ranges as users type them, and moving them: pan by half a range, zoom on the centre.

A range is `(range_seconds, end)` as in `ViewState`: `end` None means live (ends now).
Accepted input (`parse_time_range`):

* a preset or any duration: `5m`, `1h`, `2d`, `1h30m` (= the last hour and a half, live);
* `-90m` (the same, with the minus people type by habit);
* relative bounds: `now-2h..now-30m`, `now-1d..now` (ending at `now` = live);
* absolute ISO 8601 bounds: `2026-11-21T10:00..2026-11-21T11:30`, or with a space
  instead of the `T`; local time unless a `Z` or `+01:00` offset is given. A bound may
  also be relative while the other is absolute (`2026-11-21T10:00..now`).
"""

from __future__ import annotations

from datetime import datetime

from pulse_tui.model.durations import DurationError, parse_duration

PRESETS = ("5m", "15m", "1h", "3h", "6h", "12h", "24h", "2d", "7d")
#: "Compare with" offsets: the same window a day or a week earlier.
compare_offsets = {"1d": 86400, "1w": 604800}
MAX_RANGE = 366 * 86400
#: Smallest range zoom goes down to, so a chart always has a few points.
MIN_RANGE = 60.0

_HELP = "use e.g. 1h, -90m, now-2h..now-30m or 2026-11-21T10:00..2026-11-21T11:30"


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
        end = _parse_bound(right, now)
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
    range_seconds: float, end: float | None, now: float, factor: float
) -> tuple[float, float | None]:
    """`(range_seconds, end)` scaled by `factor` (2 = out, 0.5 = in) around the centre.

    A live range stays live and keeps ending now (as `ViewState.zoom` does); a past range
    keeps its centre, and comes back to live if its end would pass `now`. Bounded by
    `MIN_RANGE` and `MAX_RANGE`. For the preset steps of `+`/`-`, use `ViewState.zoom`.
    """
    new = min(max(range_seconds * factor, MIN_RANGE), MAX_RANGE)
    if end is None:
        return new, None
    centre = end - range_seconds / 2
    new_end = centre + new / 2
    return new, None if new_end >= now else new_end
