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
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

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
    if match:
        minute, sec, frac, zone = match.groups()
        return _minute_epoch(minute, zone) + int(sec) + _fraction(frac)
    try:
        return epoch_number(float(text))
    except ValueError:
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
_UPPER_LEVEL = re.compile(
    r"[DEFINPTWC](?<![\w./-][DEFINPTWC])"
    r"(?:RACE|EBUG|NFO|OTICE|ARN|ARNING|RROR|RR|RIT|RITICAL|ATAL|ANIC)(?![\w/-])"
)
_KV_LEVEL = re.compile(r"(?:level|lvl|severity)[=:]\s?\"?([A-Za-z]+)")
_BRACKET_LEVEL = re.compile(
    r"[\[<](trace|debug|info|notice|warn|warning|error|err|crit|critical|fatal)[\]>]"
)
_second_cache: dict[str, float] = {}
_POW10 = [10**n for n in range(10)]


def _iso_second(second: str, zone: str | None) -> float:
    key = second if zone is None else second + zone
    value = _second_cache.get(key)
    if value is None:
        if len(_second_cache) > 8192:
            _second_cache.clear()
        value = _minute_epoch(second[:16], zone) + int(second[17:19])
        _second_cache[key] = value
    return value


def _head_level(text: str) -> Level:
    match = _UPPER_LEVEL.search(text, 0, _HEAD)
    if match:
        return _LEVEL_NAMES[match.group().lower()]
    if "=" in text or ":" in text:
        match = _KV_LEVEL.search(text, 0, _HEAD)
        if match:
            return level_from_name(match.group(1))
    if "[" in text or "<" in text:
        match = _BRACKET_LEVEL.search(text, 0, _HEAD)
        if match:
            return _LEVEL_NAMES[match.group(1)]
    return Level.UNKNOWN


def timestamp_and_level(text: str) -> tuple[float | None, Level]:
    """The line's own timestamp (None if it has none) and its level."""
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
            if frac:
                ts += int(frac) / _POW10[len(frac)]
            if word:
                return ts, _LEVEL_NAMES[word.lower()]
            return ts, _head_level(text)
    ts = _text_timestamp(text)
    if ts is not None and first in "IWEF" and _GLOG.match(text):
        return ts, _LEVEL_NAMES[first.lower()]
    return ts, _head_level(text)


def parse_texts(texts: list[str], received: float) -> tuple[list[float], list[Level]]:
    """Timestamps (falling back to `received`) and levels for many lines at once.

    The common "ISO time + LEVEL" prefix is handled inline (no function call per line);
    other lines take `timestamp_and_level`.
    """
    timestamps: list[float] = []
    levels: list[Level] = []
    add_ts = timestamps.append
    add_level = levels.append
    slow = timestamp_and_level
    iso_match = _ISO_LEVEL.match
    cache = _second_cache
    names = _LEVEL_NAMES
    for text in texts:
        match = iso_match(text) if text[:1].isdigit() else None
        if match is not None:
            second, frac, zone, word = match.groups()
            if word:
                ts = cache.get(second + zone if zone else second)
                if ts is None:
                    ts = _iso_second(second, zone)
                if frac:
                    ts += int(frac) / _POW10[len(frac)]
                add_ts(ts)
                add_level(names[word.lower()])
                continue
        ts, level = slow(text)
        add_ts(received if ts is None else ts)
        add_level(level)
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
