"""The batch parser: timestamps and levels for a chunk's worth of lines at once.

`parse_texts` gives, line for line, the answers `timestamp_and_level` gives, but reads the
common shapes (ISO time + LEVEL, JSON starting with time and level, `ts=` logfmt, syslog,
access logs) inline with one anchored match and a cached per-second epoch, with no
function call per line, and finds the levels still missing for the whole batch at once.
"""

from __future__ import annotations

import re

from pulse_tui.model.log_levels import HEAD, LEVEL_NAMES, WORD_LEVEL, head_levels, level_from_name
from pulse_tui.model.log_stamps import (
    CLF,
    MONTHS,
    clf_second,
    iso_second,
    syslog_second,
)
from pulse_tui.model.logline import Level
from pulse_tui.model.logparse_line import ISO_LEVEL, timestamp_and_level

# Shapes `parse_texts` reads in one anchored match each. Each accepts only lines the
# general `timestamp_and_level` would read the same way (see the notes on each); anything
# else takes the general path, so a line that merely starts like one is still right.
_SECOND = r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d)(?:[.,](\d{1,9}))?"
_ZONE = r"(Z|[+-]\d\d:?\d\d)?"
# `{"ts":"<ISO>","level":"x"`: the first keys are where the general parser's JSON time
# and level searches would find them first, as a stricter spelling (no spaces).
_JSON_FAST = re.compile(
    r'\{"(?:@timestamp|timestamp|time|ts|t)":"'
    + _SECOND
    + r"\s?"
    + _ZONE
    + r'[^"]*","(?:level|severity|lvl|loglevel|log\.level)":"?([A-Za-z0-9]+)'
)
# `ts=<ISO>` at the start: the general parser stops a `ts=` value at a space or quote, so
# the date and time are joined by `T` and no `\s?` comes before the zone here.
# The `level=x` right after it is the first `level=` in the head, so only an upper-case
# word elsewhere in the head can overrule it.
_LOGFMT_FAST = re.compile(
    r'(?:ts|time|timestamp)="?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:[.,](\d{1,9}))?'
    + _ZONE
    + r'(?:"? (?:level|lvl|severity)=\s?"?([A-Za-z]+))?'
)
# The commonest ISO line, `2024-01-02T15:04:05.123Z INFO …`, with a zone and a bare WORD:
# about half the work of `ISO_LEVEL` (ASCII digits only; others take the full pattern).
# The word is checked against the level names; any other word takes the full pattern too.
_ISO_TIGHT = re.compile(
    r"(?a:(\d\d\d\d-\d\d-\d\d[T ]\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)) ([A-Z]+)\b"
)
_SYSLOG_FAST = re.compile(r"([A-Z][a-z][a-z] [ \d]\d \d\d:\d\d:\d\d)(?:\.(\d{1,9}))?")
_POW10 = [10**n for n in range(10)]


def parse_texts(texts: list[str], received: float) -> tuple[list[float], list[Level]]:
    """Timestamps (falling back to `received`) and levels for many lines at once.

    Same answers as `timestamp_and_level` per line, but the common shapes are read inline
    by the first character, and the rest take `timestamp_and_level`.
    """
    timestamps: list[float] = []
    levels: list[Level] = []
    add_ts = timestamps.append
    add_level = levels.append
    slow = timestamp_and_level
    unknown = Level.UNKNOWN
    # Lines whose level is the head scan's: done for all of them at the end.
    need: list[int] = []
    # Lines whose level came from `level=x`, unless an upper-case WORD is in the head.
    need_upper: list[int] = []
    iso_match = ISO_LEVEL.match
    tight_match = _ISO_TIGHT.match
    json_match = _JSON_FAST.match
    logfmt_match = _LOGFMT_FAST.match
    syslog_match = _SYSLOG_FAST.match
    clf_search = CLF.search
    # The second most lines share with the line before (lines come in time order): two
    # string compares instead of building a cache key per line.
    last_second = last_zone = ""
    last_ts: float | None = None
    names = LEVEL_NAMES
    words = WORD_LEVEL
    months = MONTHS
    pow10 = _POW10
    for text in texts:
        first = text[:1]
        # Each branch `continue`s once it has both facts; a line that only starts like
        # its shape (or names a time that does not exist) falls through to `slow`.
        if first.isdigit() or first == "[":
            match = tight_match(text)
            if match is not None:
                second, frac, zone, word = match.groups()
                level = words.get(word)
                if second == last_second and zone == last_zone:
                    ts = last_ts
                else:
                    ts = last_ts = iso_second(second, zone)
                    last_second, last_zone = second, zone
                if level is not None and ts is not None:
                    add_ts(ts + int(frac) / pow10[len(frac)] if frac else ts)
                    add_level(level)
                    continue
            match = iso_match(text)
            if match is not None:
                second, frac, zone, word = match.groups()
                if second == last_second and zone == last_zone:
                    ts = last_ts
                else:
                    ts = last_ts = iso_second(second, zone)
                    last_second, last_zone = second, zone
                if ts is not None:
                    add_ts(ts + int(frac) / pow10[len(frac)] if frac else ts)
                    if word:
                        add_level(names[word.lower()])
                    else:
                        need.append(len(levels))
                        add_level(unknown)
                    continue
            elif first != "[":
                # Not ISO, and a digit rules out syslog and glog: an access log's
                # `[02/Jan/2024:…]` is the next thing the general path tries.
                match = clf_search(text, 0, HEAD)
                if match is not None and match.group(2) in months:
                    ts = clf_second(match)
                    if ts is not None:
                        add_ts(ts)
                        need.append(len(levels))
                        add_level(unknown)
                        continue
        elif first == "{":
            match = json_match(text)
            if match is not None:
                second, frac, zone, word = match.groups()
                if second == last_second and zone == last_zone:
                    ts = last_ts
                else:
                    ts = last_ts = iso_second(second, zone)
                    last_second, last_zone = second, zone
                if ts is not None:
                    add_ts(ts + int(frac) / pow10[len(frac)] if frac else ts)
                    level = words.get(word)
                    add_level(level_from_name(word) if level is None else level)
                    continue
        elif "a" <= first <= "z":
            # A `[` could hold an access-log time, which the general path prefers.
            match = logfmt_match(text) if "[" not in text else None
            if match is not None:
                second, frac, zone, word = match.groups()
                if second == last_second and zone == last_zone:
                    ts = last_ts
                else:
                    ts = last_ts = iso_second(second, zone)
                    last_second, last_zone = second, zone
                if ts is not None:
                    add_ts(ts + int(frac) / pow10[len(frac)] if frac else ts)
                    if word:
                        need_upper.append(len(levels))
                        add_level(level_from_name(word))
                    else:
                        need.append(len(levels))
                        add_level(unknown)
                    continue
        elif "A" <= first <= "Z":
            match = syslog_match(text)
            if match is not None and first + text[1:3] in months:
                key, frac = match.groups()
                ts = syslog_second(key)
                if ts is not None:
                    add_ts(ts + int(frac) / pow10[len(frac)] if frac else ts)
                    need.append(len(levels))
                    add_level(unknown)
                    continue
        ts, level = slow(text)
        add_ts(received if ts is None else ts)
        add_level(level)
    if need:
        head_levels(texts, need, levels)
    if need_upper:
        head_levels(texts, need_upper, levels, upper_only=True)
    return timestamps, levels
