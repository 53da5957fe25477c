"""Decoded, sanitised text -> LogLine: timestamp, level, and (lazily) fields and message.

Only the timestamp and level are found eagerly, with at most three regex scans of the
line's head, because every line needs them (ordering, colouring, filtering). Fields and
the message are parsed on demand (`LogLine.fields`, `message_of`), so a buffer of 200k
lines holds no dicts nobody looked at.

Recognised timestamps, at the start of the line (optionally after `[`):
ISO 8601 / RFC 3339 (`2024-01-02T15:04:05.123Z`, `2024-01-02 15:04:05,123`,
`+02:00` offsets), syslog (`Jan  2 15:04:05`, year guessed), glog (`E0102 15:04:05.123`);
anywhere near the start: Apache/nginx `[02/Jan/2024:15:04:05 +0000]`; in logfmt
`ts=`/`time=`; in JSON `ts`/`time`/`timestamp`/`@timestamp`/`t` as text or epoch
seconds/ms/µs/ns. Lines with none get the receive time. Times without a zone are local.
"""

from __future__ import annotations

import calendar
import json
import re
import time
from bisect import bisect_left
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from operator import add

from pulse_tui.model.logline import Level, LineKind, LogLine
from pulse_tui.model.sanitize import sanitize

_LEVEL_NAMES: dict[str, Level] = {
    "trace": Level.DEBUG,
    "debug": Level.DEBUG,
    "dbug": Level.DEBUG,
    "d": Level.DEBUG,
    "info": Level.INFO,
    "information": Level.INFO,
    "notice": Level.INFO,
    "i": Level.INFO,
    "warn": Level.WARN,
    "warning": Level.WARN,
    "w": Level.WARN,
    "error": Level.ERROR,
    "err": Level.ERROR,
    "eror": Level.ERROR,
    "e": Level.ERROR,
    "fatal": Level.FATAL,
    "critical": Level.FATAL,
    "crit": Level.FATAL,
    "panic": Level.FATAL,
    "alert": Level.FATAL,
    "emerg": Level.FATAL,
    "f": Level.FATAL,
    "c": Level.FATAL,
}
# pino / bunyan numeric levels.
_NUMERIC_LEVELS = {
    10: Level.DEBUG,
    20: Level.DEBUG,
    30: Level.INFO,
    40: Level.WARN,
    50: Level.ERROR,
    60: Level.FATAL,
}
_MONTHS = {m: i for i, m in enumerate(calendar.month_abbr) if m}

_ISO = re.compile(
    r"\[?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d):(\d\d)(?:[.,](\d{1,9}))?\s?(Z|[+-]\d\d:?\d\d)?"
)
_SYSLOG = re.compile(r"([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?")
_GLOG = re.compile(r"([IWEF])(\d\d)(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?")
_CLF = re.compile(r"\[(\d\d)/([A-Z][a-z]{2})/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\]")
_LOGFMT_TS = re.compile(r"(?:^|\s)(?:ts|time|timestamp)=\"?([^\s\"]+)")

_LEVEL = re.compile(
    r"(?:level|lvl|severity)[=:]\s?\"?([A-Za-z]+)"
    r"|(?<![\w\-./])(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|CRIT|CRITICAL|FATAL|PANIC"
    r"|ALERT|EMERG)(?![\w\-/])"
    r"|[\[<](trace|debug|info|notice|warn|warning|error|err|crit|critical|fatal)[\]>]"
)
#: How far into a line the level and the Apache timestamp are looked for.
_HEAD = 160

_JSON_LEVEL = re.compile(r'"(?:level|severity|lvl|loglevel|log\.level)"\s*:\s*"?([A-Za-z0-9]+)')
_JSON_TIME = re.compile(r'"(?:@timestamp|timestamp|time|ts|t)"\s*:\s*("[^"]+"|[0-9.]+)')
_LOGFMT_PAIR = re.compile(r'([\w.\-/@]+)=("(?:[^"\\]|\\.)*"|[^\s"]*)')

# Minute prefix ("2024-01-02T15:04") + zone -> epoch of that minute. Log lines arrive in
# time order, so a handful of entries turns datetime work into a dict lookup.
_minute_cache: dict[tuple[str, str | None], float] = {}


def level_from_name(name: str) -> Level:
    """`"warning"`, `"ERR"`, `"30"` -> Level; unknown words are Level.UNKNOWN."""
    level = _LEVEL_NAMES.get(name.lower())
    if level is not None:
        return level
    if name.isdigit():
        return _NUMERIC_LEVELS.get(int(name), Level.UNKNOWN)
    return Level.UNKNOWN


def _zone_offset(zone: str | None) -> float | None:
    if zone is None:
        return None
    if zone == "Z":
        return 0.0
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * (int(digits[:2]) * 3600 + int(digits[2:4]) * 60)


def _minute_epoch(minute: str, zone: str | None) -> float:
    key = (minute, zone)
    cached = _minute_cache.get(key)
    if cached is not None:
        return cached
    stamp = datetime.strptime(minute.replace(" ", "T"), "%Y-%m-%dT%H:%M")
    offset = _zone_offset(zone)
    if offset is None:
        value = time.mktime(stamp.timetuple())
    else:
        value = stamp.replace(tzinfo=timezone(timedelta(seconds=offset))).timestamp()
    if len(_minute_cache) > 4096:
        _minute_cache.clear()
    _minute_cache[key] = value
    return value


def _fraction(digits: str | None) -> float:
    return int(digits) / 10 ** len(digits) if digits else 0.0


def _guess_year(month: int, day: int, hh: int, mm: int, ss: int) -> float:
    """Syslog and glog omit the year: take this year unless that lands in the future."""
    now = time.time()
    year = time.localtime(now).tm_year
    value = time.mktime((year, month, day, hh, mm, ss, 0, 0, -1))
    if value > now + 86400:
        value = time.mktime((year - 1, month, day, hh, mm, ss, 0, 0, -1))
    return value


def parse_time_text(text: str) -> float | None:
    """A timestamp string (ISO 8601 / RFC 3339 or epoch digits) -> Unix time, or None."""
    match = _ISO.match(text)
    try:
        if match:
            minute, sec, frac, zone = match.groups()
            return _minute_epoch(minute, zone) + int(sec) + _fraction(frac)
        return epoch_number(float(text))
    except ValueError:  # not a number, or a date that does not exist (month 13)
        return None


def epoch_number(value: float) -> float | None:
    """Epoch seconds, ms, µs or ns (told apart by magnitude) -> seconds."""
    for scale in (1.0, 1e3, 1e6, 1e9):
        seconds = value / scale
        if 1e8 < seconds < 1e10:  # 1973..2286: anything else is not an epoch
            return seconds
    return None


_stamp_cache: dict[str, float] = {}


def _cached(key: str, compute: Callable[[], float]) -> float:
    """Syslog/Apache stamps repeat for every line in the same second: compute once."""
    value = _stamp_cache.get(key)
    if value is None:
        if len(_stamp_cache) > 8192:
            _stamp_cache.clear()
        value = _stamp_cache[key] = compute()
    return value


def _syslog_time(match: re.Match[str]) -> float:
    mon, day, hh, mm, ss, _ = match.groups()
    return _guess_year(_MONTHS[mon], int(day), int(hh), int(mm), int(ss))


def _clf_time(match: re.Match[str]) -> float:
    day, mon, year, hh, mm, ss, zone = match.groups()
    return _minute_epoch(f"{year}-{_MONTHS[mon]:02d}-{day}T{hh}:{mm}", zone) + int(ss)


def _text_timestamp(text: str) -> float | None:
    match = _ISO.match(text)
    if match:
        minute, sec, frac, zone = match.groups()
        return _minute_epoch(minute, zone) + int(sec) + _fraction(frac)
    match = _SYSLOG.match(text)
    if match and match.group(1) in _MONTHS:
        m = match
        return _cached(text[:15], lambda: _syslog_time(m)) + _fraction(match.group(6))
    match = _GLOG.match(text)
    if match:
        _, mon, day, hh, mm, ss, frac = match.groups()
        return _guess_year(int(mon), int(day), int(hh), int(mm), int(ss)) + _fraction(frac)
    if "[" in text:
        match = _CLF.search(text, 0, _HEAD)
        if match and match.group(2) in _MONTHS:
            m = match
            return _cached(match.group(), lambda: _clf_time(m))
    if "=" in text:
        match = _LOGFMT_TS.search(text, 0, _HEAD)
        if match:
            return parse_time_text(match.group(1))
    return None


def _json_timestamp(text: str) -> float | None:
    match = _JSON_TIME.search(text)
    if not match:
        return None
    value = match.group(1)
    if value[0] == '"':
        return parse_time_text(value[1:-1])
    try:
        return epoch_number(float(value))
    except ValueError:
        return None


_LEVEL_WORDS = "TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|CRIT|CRITICAL|FATAL|PANIC"
# The common shape, in one match: ISO time, then (optionally bracketed) the level word.
_ISO_LEVEL = re.compile(
    r"\[?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d)(?:[.,](\d{1,9}))?\s?(Z|[+-]\d\d:?\d\d)?\]?"
    rf"(?: \[?({_LEVEL_WORDS})\b)?"
)
# An upper-case level word anywhere in the head. Starting with a plain character class
# (the lookbehind comes second) lets the regex engine skip ahead in C; a leading
# lookbehind or `\b` makes it ~4x slower.
# Each tail checks its own first letter, so `DRR` or `CARN` is no level (and no KeyError).
_UPPER_WORD = (
    r"(?:(?<=T)RACE|(?<=D)EBUG|(?<=I)NFO|(?<=N)OTICE|(?<=W)ARN(?:ING)?|(?<=E)RR(?:OR)?"
    r"|(?<=C)RIT(?:ICAL)?|(?<=F)ATAL|(?<=P)ANIC)(?![\w/-])"
)
_UPPER_LEVEL = re.compile(r"[DEFINPTWC](?<![\w./-][DEFINPTWC])" + _UPPER_WORD)
_KV_LEVEL = re.compile(r"(?:level|lvl|severity)[=:]\s?\"?([A-Za-z]+)")
_BRACKET_LEVEL = re.compile(
    r"[\[<](trace|debug|info|notice|warn|warning|error|err|crit|critical|fatal)[\]>]"
)
_second_cache: dict[str, float] = {}
_POW10 = [10**n for n in range(10)]


def _iso_second(second: str, zone: str | None) -> float | None:
    """`2024-01-02T15:04:05` + zone -> epoch, cached; None for a date that does not exist."""
    key = second if zone is None else second + zone
    value = _second_cache.get(key)
    if value is None:
        if len(_second_cache) > 8192:
            _second_cache.clear()
        try:
            value = _minute_epoch(second[:16], zone) + int(second[17:19])
        except ValueError:  # month 13, hour 25: a line's words, not its time
            return None
        _second_cache[key] = value
    return value


# Any of the three level shapes `_head_level` knows, in one scan. Every branch starts after
# one shared character class, because the engine only skips ahead in C when the pattern
# starts with a class or literal; branches starting with their own classes would be tried
# at every position. Group 1: a `level=` value; group 2: a `[level]`; neither: a WORD.
_ANY_LEVEL = re.compile(
    r"[DEFINPTWC=:\[<](?:"
    r"(?<![\w./-].)"
    + _UPPER_WORD
    + r"|(?<=[=:])(?:(?<=level.)|(?<=lvl.)|(?<=severity.))\s?\"?([A-Za-z]+)"
    r"|(?<=[\[<])(trace|debug|info|notice|warn|warning|error|err|crit|critical|fatal)[\]>])"
)


def _head_level(text: str) -> Level:
    """The level named in the line's head: an upper-case WORD first, then `level=x`, then
    `[x]` or `<x>`, each the first of its kind."""
    match = _ANY_LEVEL.search(text, 0, _HEAD)
    if match is None:  # most syslog / access lines: one scan and done
        return Level.UNKNOWN
    kind = match.lastindex
    if kind is None:
        return _LEVEL_NAMES[match.group().lower()]
    # A WORD further on still wins over the `level=` / `[x]` found first; none starts
    # before the match, or the scan would have stopped there.
    word = _UPPER_LEVEL.search(text, match.start(), _HEAD)
    if word:
        return _LEVEL_NAMES[word.group().lower()]
    if kind == 1:  # the first `level=` (a `[x]` cannot come before it and win)
        return level_from_name(match.group(1))
    # A `[x]` came first; a `level=` after it still wins.
    pair = _KV_LEVEL.search(text, match.start(), _HEAD)
    if pair:
        return level_from_name(pair.group(1))
    return _LEVEL_NAMES[match.group(2)]


def timestamp_and_level(text: str) -> tuple[float | None, Level]:
    """The line's own timestamp (None if it has none) and its level."""
    try:
        return _timestamp_and_level(text)
    except (ValueError, OverflowError):  # a time-shaped stamp naming no real time
        return None, _head_level(text)


def _timestamp_and_level(text: str) -> tuple[float | None, Level]:
    first = text[:1]
    if first == "{":
        ts = _json_timestamp(text)
        match = _JSON_LEVEL.search(text)
        return ts, level_from_name(match.group(1)) if match else Level.UNKNOWN
    if first.isdigit() or first == "[":
        match = _ISO_LEVEL.match(text)
        if match:
            second, frac, zone, word = match.groups()
            ts = _iso_second(second, zone)
            if ts is not None and frac:
                ts += int(frac) / _POW10[len(frac)]
            if word:
                return ts, _LEVEL_NAMES[word.lower()]
            return ts, _head_level(text)
    ts = _text_timestamp(text)
    if ts is not None and first in "IWEF" and _GLOG.match(text):
        return ts, _LEVEL_NAMES[first.lower()]
    return ts, _head_level(text)


# Shapes `parse_texts` reads in one anchored match each. Each accepts only lines the
# general `timestamp_and_level` would read the same way (see the notes on each); anything
# else takes the general path, so a line that merely starts like one is still right.
_SECOND = r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d)(?:[.,](\d{1,9}))?"
_ZONE = r"(Z|[+-]\d\d:?\d\d)?"
# `{"ts":"<ISO>","level":"x"`: the first keys are where `_JSON_TIME` and `_JSON_LEVEL`
# would find them first, as a stricter spelling (no spaces) of the same shapes.
_JSON_FAST = re.compile(
    r'\{"(?:@timestamp|timestamp|time|ts|t)":"'
    + _SECOND
    + r"\s?"
    + _ZONE
    + r'[^"]*","(?:level|severity|lvl|loglevel|log\.level)":"?([A-Za-z0-9]+)'
)
# `ts=<ISO>` at the start: `_LOGFMT_TS` would stop its value at a space or quote, so the
# date and time are joined by `T` and no `\s?` comes before the zone here.
# The `level=x` right after it is the first `_KV_LEVEL` match, so only an upper-case word
# elsewhere in the head can overrule it.
_LOGFMT_FAST = re.compile(
    r'(?:ts|time|timestamp)="?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:[.,](\d{1,9}))?'
    + _ZONE
    + r'(?:"? (?:level|lvl|severity)=\s?"?([A-Za-z]+))?'
)
# The commonest ISO line, `2024-01-02T15:04:05.123Z INFO …`, with a zone and a bare WORD:
# about half the work of `_ISO_LEVEL` (ASCII digits only; others take the full pattern).
# The word is checked against the level names; any other word takes the full pattern too.
_ISO_TIGHT = re.compile(
    r"(?a:(\d\d\d\d-\d\d-\d\d[T ]\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)) ([A-Z]+)\b"
)
_SYSLOG_FAST = re.compile(r"([A-Z][a-z][a-z] [ \d]\d \d\d:\d\d:\d\d)(?:\.(\d{1,9}))?")
# Level words as written -> Level, so the common spellings skip `.lower()`.
_WORD_LEVEL: dict[str, Level] = {
    **{name: level for name, level in _LEVEL_NAMES.items() if len(name) > 1},
    **{name.upper(): level for name, level in _LEVEL_NAMES.items() if len(name) > 1},
}


def _syslog_second(key: str) -> float | None:
    """`Jan  2 15:04:05` -> epoch, through the same cache the general path uses."""
    value = _stamp_cache.get(key)
    if value is None:
        match = _SYSLOG.match(key)
        assert match is not None  # `_SYSLOG_FAST` matched it
        try:
            value = _cached(key, lambda: _syslog_time(match))
        except (ValueError, OverflowError):
            return None
    return value


def _clf_second(match: re.Match[str]) -> float | None:
    """`[02/Jan/2024:15:04:05 +0000]` -> epoch, cached; None if no such time."""
    key = match.group()
    value = _stamp_cache.get(key)
    if value is None:
        try:
            value = _cached(key, lambda: _clf_time(match))
        except ValueError:
            return None
    return value


# A level `_head_level` finds always contains one of these words, so a line with none of
# them has none. `str.find` over a whole batch is far cheaper than a regex scan per line.
_UPPER_WORDS = ("INFO", "DEBUG", "WARN", "ERR", "TRACE", "NOTICE", "CRIT", "FATAL", "PANIC")
_LOWER_WORDS = ("level", "lvl", "severity", "info", "debug", "warn", "err", "trace", "notice")
_LOWER_WORDS += ("crit", "fatal")
_HAS_UPPER = 1
_HAS_LOWER = 2
_WORD_KINDS = ((_UPPER_WORDS, _HAS_UPPER), (_LOWER_WORDS, _HAS_LOWER))


def _head_levels(
    texts: list[str], need: list[int], levels: list[Level], upper_only: bool = False
) -> None:
    """`levels[i] = _head_level(texts[i])` for each i in `need` (set to UNKNOWN before);
    with `upper_only`, only where an upper-case WORD overrules the level already set.

    The words that could make a level are looked for in all those lines at once; only the
    lines holding one get the regex scans, and only the ones they can need.
    """
    heads = [texts[i] for i in need]
    joined = "\n".join(heads)
    # ends[k]: offset of the "\n" after heads[k] in `joined` (or its length, for the last).
    ends = list(map(add, accumulate(map(len, heads)), range(len(heads))))
    found: dict[int, int] = {}
    kinds = ((_UPPER_WORDS, _HAS_UPPER),) if upper_only else _WORD_KINDS
    for words, bit in kinds:
        for word in words:
            at = joined.find(word)
            while at >= 0:
                k = bisect_left(ends, at)
                found[k] = found.get(k, 0) | bit
                at = joined.find(word, ends[k] + 1)  # the next line: one hit is enough
    for k, bits in found.items():
        text = heads[k]
        if upper_only:
            word = _UPPER_LEVEL.search(text, 0, _HEAD)
            if word is not None:
                levels[need[k]] = _LEVEL_NAMES[word.group().lower()]
            continue
        if bits & _HAS_UPPER:
            levels[need[k]] = _head_level(text)
            continue
        # No upper-case word, so only `level=x` or `[x]` can name it, in that order.
        match = _KV_LEVEL.search(text, 0, _HEAD)
        if match is not None:
            levels[need[k]] = level_from_name(match.group(1))
            continue
        match = _BRACKET_LEVEL.search(text, 0, _HEAD)
        if match is not None:
            levels[need[k]] = _LEVEL_NAMES[match.group(1)]


def parse_texts(texts: list[str], received: float) -> tuple[list[float], list[Level]]:
    """Timestamps (falling back to `received`) and levels for many lines at once.

    Same answers as `timestamp_and_level` per line, but the common shapes (ISO time +
    LEVEL, JSON starting with time and level, `ts=` logfmt, syslog, access logs) are read
    inline with one anchored match and a cached per-second epoch, by the first character,
    with no function call per line; the rest take `timestamp_and_level`.
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
    iso_match = _ISO_LEVEL.match
    tight_match = _ISO_TIGHT.match
    json_match = _JSON_FAST.match
    logfmt_match = _LOGFMT_FAST.match
    syslog_match = _SYSLOG_FAST.match
    clf_search = _CLF.search
    seconds = _second_cache
    iso_second = _iso_second
    clf_second = _clf_second
    syslog_second = _syslog_second
    names = _LEVEL_NAMES
    words = _WORD_LEVEL
    months = _MONTHS
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
                ts = seconds.get(second + zone) or iso_second(second, zone)
                if level is not None and ts is not None:
                    add_ts(ts + int(frac) / pow10[len(frac)] if frac else ts)
                    add_level(level)
                    continue
            match = iso_match(text)
            if match is not None:
                second, frac, zone, word = match.groups()
                ts = seconds.get(second + zone if zone else second) or iso_second(second, zone)
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
                match = clf_search(text, 0, _HEAD)
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
                ts = seconds.get(second + zone if zone else second) or iso_second(second, zone)
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
                ts = seconds.get(second + zone if zone else second) or iso_second(second, zone)
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
        _head_levels(texts, need, levels)
    if need_upper:
        _head_levels(texts, need_upper, levels, upper_only=True)
    return timestamps, levels


def parse_line(text: str, received: float, host: str, source: str, service: str) -> LogLine:
    """One sanitised line -> LogLine; the timestamp falls back to `received`."""
    ts, level = timestamp_and_level(text)
    return LogLine(received, received if ts is None else ts, host, source, service, level, text)


def notice(text: str, received: float, host: str, source: str, service: str) -> LogLine:
    """A NOTICE line (remote stderr, or a message about the source itself)."""
    return LogLine(
        received, received, host, source, service, Level.UNKNOWN, text, LineKind.NOTICE, None
    )


def parse_fields(text: str) -> dict[str, str] | None:
    """JSON object or logfmt fields as strings (nested values as JSON), or None."""
    if text[:1] == "{":
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if isinstance(data, dict):
            # json.loads turns `\u001b` back into a raw ESC: sanitise what it produced.
            return {
                sanitize(str(k)): sanitize(v if isinstance(v, str) else json.dumps(v))
                for k, v in data.items()
            }
        return None
    pairs = _LOGFMT_PAIR.findall(text)
    # One `a=b` in prose is not logfmt; two or more almost always is.
    if len(pairs) < 2:
        return None
    return {k: _unquote(v) for k, v in pairs}


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def message_of(line: LogLine) -> str:
    """The human message: JSON/logfmt `msg`/`message` if there is one, else the text."""
    fields = line.fields
    if fields:
        for key in ("msg", "message", "MESSAGE", "log"):
            if key in fields:
                return fields[key]
    return line.text
