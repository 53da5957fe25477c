"""What the batch parser knows about a line from three short pieces of it.

`ROWS` splits a whole batch (`"\\n" + "\\n".join(texts)`) in one `findall`, one row per
line: the *stamp* (the time to the second, with whatever precedes it that tells the shape:
`2024-01-02T15:04:05`, `{"ts":"2024-01-02T15:04:05`, `ts=2024-…`, `Jan  2 15:04:05`,
`[02/Jan/2024:15:04:05 +0000]`), the *fraction* (`.123`), and the *suffix*: the text after
the fraction up to the second space or comma (`Z INFO`, `Z","level":"info"`,
`Z level=info`). The regex only cuts; it checks next to nothing, because checking costs
time on every line while a stamp and a suffix repeat for many lines.

`decide(stamp, suffix)` is what the general parser (`parse.line.timestamp_and_level`)
would make of any line cut that way — the time to the second, the level, and what the line
itself must still give (see DONE … LOGFMT_LEVEL) — and is computed once per distinct
pair (the batch parser caches it). Each shape follows the general parser's code path for
that shape step by step; the notes say why the pieces are enough. Whatever it cannot vouch
for is SLOW: the general parser reads that line.
"""

from __future__ import annotations

import re
from typing import cast

from pulse_tui.model.logs.line import Level
from pulse_tui.model.logs.parse.levels import LEVEL_NAMES, LEVEL_WORDS, level_from_name
from pulse_tui.model.logs.parse.stamps import CLF, MONTHS, clf_second, iso_second, syslog_second

# What is still to do for a line, after the time to the second and the level (or UNKNOWN,
# as a placeholder) that `decide` gives.
#: Nothing: the time (plus the fraction) and the level are the line's.
DONE = 0
#: The general parser must read the line.
SLOW = 1
#: The level is `head_level(text)`.
HEAD = 2
#: logfmt with no `level=` after the time: HEAD, but SLOW if the line holds a `[` (an
#: access-log time in the head would win over `ts=`).
LOGFMT = 3
#: logfmt with `level=x` right after the time: the level x unless an upper-case WORD in
#: the head overrules it; SLOW if the line holds a `[` (as for LOGFMT).
LOGFMT_LEVEL = 4

#: A decision: (Unix time to the second, level or placeholder, what is still to do).
Decision = tuple[float, Level, int]
_UNKNOWN = Level.UNKNOWN
_SLOW: Decision = (0.0, _UNKNOWN, SLOW)

# The access-log prefix (an address, `-`, user) is kept out of the stamp, so the key does
# not change with every client. `[0-9]` not `\d`: ASCII digits only, others are no shape.
_ACCESS_PREFIX = r"(?:[0-9]{1,3}+\.[^\[\n]{0,100}+(?=\[)|)"
# Each shape starts with enough fixed characters that a line which only starts like it
# (a JSON message, a capitalised word) is no row at all, rather than a new key per line.
_STAMP = (
    r"(\[.{26}\](?![.,0-9])"  # access log; no fraction follows
    r'|\{"[^"\n]*":"[0-9]{4}-.{14}'  # JSON whose first key is the time
    r'|t[a-z]*="?[0-9]{4}-.{14}'  # logfmt starting with ts= / time= / timestamp=
    r"|[A-Z][a-z][a-z] .{11}(?!,)"  # syslog (a comma fraction is no syslog fraction)
    r"|[0-9]{4}-.{14})"  # ISO 8601
)
_FRACTION = r"([.,]?[0-9]*)"
_SUFFIX = r"([^ ,\n]*[ ,]?[^ ,\n]*)"
#: One row (stamp, fraction, suffix) per line of `"\n" + "\n".join(texts)`; all three
#: empty for a line of no known shape.
ROWS = re.compile(r"\n(?:" + _ACCESS_PREFIX + _STAMP + _FRACTION + _SUFFIX + "|)")

# The general parser's own patterns for the parts, so that they match what it matches
# (`\d` and `\s` included: any Unicode digit or space).
_ISO_SECOND = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d")
# ISO_LEVEL after the fraction (see parse.line).
_ISO_TAIL = re.compile(r"\s?(Z|[+-]\d\d:?\d\d)?\]?(?: \[?(" + LEVEL_WORDS + r")\b)?")
# `_ISO` in parse.stamps after the fraction, as applied to a JSON string value.
_VALUE_ZONE = re.compile(r"\s?(Z|[+-]\d\d:?\d\d)?")
# The same for a logfmt value, which holds no spaces (the value stops at one).
_LOGFMT_ZONE = re.compile(r"(Z|[+-]\d\d:?\d\d)?")
_JSON_KEY = re.compile(r'\{"(?:@timestamp|timestamp|time|ts|t)":"')
# The level as the second key, right after the time's closing quote.
_JSON_LEVEL = re.compile(r'","(?:level|severity|lvl|loglevel|log\.level)":"?([A-Za-z0-9]+)')
_LOGFMT_KEY = re.compile(r'(?:ts|time|timestamp)="?')
_LOGFMT_LEVEL = re.compile(r'"? (?:level|lvl|severity)=\s?"?([A-Za-z]+)')
_SYSLOG = re.compile(r"([A-Z][a-z]{2}) [ \d]\d \d\d:\d\d:\d\d")
_DIGIT = re.compile(r"\d")
# What `.match` gives with `_ISO_TAIL`, `_VALUE_ZONE` and `_LOGFMT_ZONE`, whose parts are
# all optional: a match, never None.
_Match = re.Match[str]


def decide(stamp: str, suffix: str) -> Decision:
    """What the general parser makes of lines cut into `stamp` and `suffix`.

    The fraction is not seen here: the caller adds it (1 to 9 digits after `.` or `,`),
    which is valid because no suffix starts with a digit (that would make it longer).
    """
    if not stamp or _DIGIT.match(suffix):
        return _SLOW
    try:
        decided = _decide(stamp, suffix)
    except (ValueError, OverflowError):  # no such time; the general parser says what then
        return _SLOW
    return _SLOW if decided is None else decided


def _decide(stamp: str, suffix: str) -> Decision | None:
    first = stamp[0]
    if first == "[":
        return _access(stamp)
    if first == "{":
        return _json(stamp, suffix)
    if first == "t":
        return _logfmt(stamp, suffix)
    if first <= "9":
        return _iso(stamp, suffix)
    return _syslog(stamp)


def _iso(stamp: str, suffix: str) -> Decision | None:
    # `ISO_LEVEL.match`: the stamp is its second; after the fraction, the rest of the
    # pattern is `_ISO_TAIL`, which always matches, so the general match never backtracks
    # into the fraction and the tail is matched on the suffix as on the line.
    if not _ISO_SECOND.fullmatch(stamp):
        return None
    tail = cast(_Match, _ISO_TAIL.match(suffix))
    zone, word = tail.groups()
    if word:
        level, todo = LEVEL_NAMES[word.lower()], DONE
    elif tail.end() == len(suffix) and (" " in suffix or "," in suffix):
        # The tail used up the suffix, which stopped at a space or comma: on the line it
        # might go on to ` WORD`.
        return None
    else:
        level, todo = _UNKNOWN, HEAD
    ts = iso_second(stamp, zone)
    return None if ts is None else (ts, level, todo)


def _json(stamp: str, suffix: str) -> Decision | None:
    # `json_timestamp`: the first time key is this one (nothing before it can match); its
    # value is the second, the fraction, the zone and nothing else (the suffix goes on
    # with `","`). `_JSON_LEVEL`'s first match is the key right after it: the text before
    # holds no other quote.
    key = _JSON_KEY.match(stamp)
    second = stamp[-19:]
    if key is None or key.end() != len(stamp) - 19 or not _ISO_SECOND.fullmatch(second):
        return None
    zone = cast(_Match, _VALUE_ZONE.match(suffix))
    level = _JSON_LEVEL.match(suffix, zone.end())
    if level is None:
        return None
    ts = iso_second(second, zone.group(1))
    return None if ts is None else (ts, level_from_name(level.group(1)), DONE)


def _logfmt(stamp: str, suffix: str) -> Decision | None:
    # `text_timestamp` -> `_LOGFMT_TS` at the start of the line: the value runs to a space
    # or quote, so the date and time are joined by `T` and no space comes before the zone.
    # The level is `head_level`'s: the first `level=` in the head is this one (the time
    # before it holds no letters but T and Z), overruled by any upper-case WORD.
    key = _LOGFMT_KEY.match(stamp)
    second = stamp[-19:]
    if key is None or key.end() != len(stamp) - 19 or second[10:11] != "T":
        return None
    if not _ISO_SECOND.fullmatch(second):
        return None
    zone = cast(_Match, _LOGFMT_ZONE.match(suffix))
    ts = iso_second(second, zone.group(1))
    if ts is None:
        return None
    pair = _LOGFMT_LEVEL.match(suffix, zone.end())
    if pair is None:
        return ts, _UNKNOWN, LOGFMT
    # (`head_level` sees only the head, but this `level=` starts long before its end.)
    return ts, level_from_name(pair.group(1)), LOGFMT_LEVEL


def _syslog(stamp: str) -> Decision | None:
    # `text_timestamp`: `_SYSLOG` matches the first 15 characters with a known month (and a
    # line starting with a month is never glog), so the level is `head_level`'s.
    match = _SYSLOG.fullmatch(stamp)
    if match is None or match.group(1) not in MONTHS:
        return None
    ts = syslog_second(stamp)
    return None if ts is None else (ts, _UNKNOWN, HEAD)


def _access(stamp: str) -> Decision | None:
    # `text_timestamp` -> `CLF.search` in the head: the stamp is the line's first `[` (the
    # prefix holds none), within the head, so it is the first match if it is one at all.
    match = CLF.fullmatch(stamp)
    if match is None or match.group(2) not in MONTHS:
        return None
    ts = clf_second(match)
    return None if ts is None else (ts, _UNKNOWN, HEAD)
