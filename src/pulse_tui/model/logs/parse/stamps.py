"""Timestamps in log text -> Unix time, with the caches that make that cheap per line.

Recognised, at the start of the line (optionally after `[`): ISO 8601 / RFC 3339
(`2024-01-02T15:04:05.123Z`, `2024-01-02 15:04:05,123`, `+02:00` offsets), syslog
(`Jan  2 15:04:05`, year guessed), glog (`E0102 15:04:05.123`); anywhere in the head:
Apache/nginx `[02/Jan/2024:15:04:05 +0000]`; in logfmt `ts=`/`time=`; in JSON
`ts`/`time`/`timestamp`/`@timestamp`/`t` as text or epoch seconds/ms/µs/ns. Times without a
zone are local.

Log lines arrive in time order, so the same minute, second or syslog stamp repeats for
many lines: each is turned into an epoch once and then looked up in a small dict.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from pulse_tui.model.logs.parse.levels import HEAD

#: `"Jan"` -> 1 … `"Dec"` -> 12.
MONTHS = {m: i for i, m in enumerate(calendar.month_abbr) if m}

_ISO = re.compile(
    r"\[?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d):(\d\d)(?:[.,](\d{1,9}))?\s?(Z|[+-]\d\d:?\d\d)?"
)
_SYSLOG = re.compile(r"([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?")
#: glog's head: level letter, month, day, time (group 7: the fraction's digits).
GLOG = re.compile(r"([IWEF])(\d\d)(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?")
#: Apache / nginx `[02/Jan/2024:15:04:05 +0000]` (group 2: the month's name).
CLF = re.compile(r"\[(\d\d)/([A-Z][a-z]{2})/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\]")
_LOGFMT_TS = re.compile(r"(?:^|\s)(?:ts|time|timestamp)=\"?([^\s\"]+)")
_JSON_TIME = re.compile(r'"(?:@timestamp|timestamp|time|ts|t)"\s*:\s*("[^"]+"|[0-9.]+)')

# Minute prefix ("2024-01-02T15:04") + zone -> epoch of that minute.
_minute_cache: dict[tuple[str, str | None], float] = {}
#: `2024-01-02T15:04:05` (+ zone, if any) -> epoch: read inline by the batch parser.
second_cache: dict[str, float] = {}
# Syslog `Jan  2 15:04:05` and whole Apache stamps -> epoch.
_stamp_cache: dict[str, float] = {}


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


def fraction(digits: str | None) -> float:
    """The digits after a seconds' `.` or `,` -> that fraction of a second."""
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
            return _minute_epoch(minute, zone) + int(sec) + fraction(frac)
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
    return _guess_year(MONTHS[mon], int(day), int(hh), int(mm), int(ss))


def _clf_time(match: re.Match[str]) -> float:
    day, mon, year, hh, mm, ss, zone = match.groups()
    return _minute_epoch(f"{year}-{MONTHS[mon]:02d}-{day}T{hh}:{mm}", zone) + int(ss)


def text_timestamp(text: str) -> float | None:
    """The timestamp a plain-text line starts with (or an Apache / `ts=` one in its head).

    Raises ValueError or OverflowError for a time-shaped stamp naming no real time.
    """
    match = _ISO.match(text)
    if match:
        minute, sec, frac, zone = match.groups()
        return _minute_epoch(minute, zone) + int(sec) + fraction(frac)
    match = _SYSLOG.match(text)
    if match and match.group(1) in MONTHS:
        m = match
        return _cached(text[:15], lambda: _syslog_time(m)) + fraction(match.group(6))
    match = GLOG.match(text)
    if match:
        _, mon, day, hh, mm, ss, frac = match.groups()
        return _guess_year(int(mon), int(day), int(hh), int(mm), int(ss)) + fraction(frac)
    if "[" in text:
        match = CLF.search(text, 0, HEAD)
        if match and match.group(2) in MONTHS:
            m = match
            return _cached(match.group(), lambda: _clf_time(m))
    if "=" in text:
        match = _LOGFMT_TS.search(text, 0, HEAD)
        if match:
            return parse_time_text(match.group(1))
    return None


def json_timestamp(text: str) -> float | None:
    """The first `ts` / `time` / `timestamp` / `@timestamp` / `t` value in JSON text."""
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


def iso_second(second: str, zone: str | None) -> float | None:
    """`2024-01-02T15:04:05` + zone -> epoch, cached; None for a date that does not exist."""
    key = second if zone is None else second + zone
    value = second_cache.get(key)
    if value is None:
        if len(second_cache) > 8192:
            second_cache.clear()
        try:
            value = _minute_epoch(second[:16], zone) + int(second[17:19])
        except ValueError:  # month 13, hour 25: a line's words, not its time
            return None
        second_cache[key] = value
    return value


def syslog_second(key: str) -> float | None:
    """`Jan  2 15:04:05` -> epoch, through the cache `text_timestamp` uses; None if no
    such time."""
    value = _stamp_cache.get(key)
    if value is None:
        match = _SYSLOG.match(key)
        if match is None:
            return None
        try:
            value = _cached(key, lambda: _syslog_time(match))
        except (ValueError, OverflowError):
            return None
    return value


def clf_second(match: re.Match[str]) -> float | None:
    """A `CLF` match -> epoch, cached; None if no such time."""
    key = match.group()
    value = _stamp_cache.get(key)
    if value is None:
        try:
            value = _cached(key, lambda: _clf_time(match))
        except ValueError:
            return None
    return value
