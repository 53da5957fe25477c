"""The batch parser's fast path: timestamps and levels of the commonest shapes, in bulk
with numpy over the batch's bytes, with no Python step per line.

Three shapes are read here, each an ISO 8601 time at a fixed place:

* ISO text: `2024-01-02T15:04:05.123Z INFO api: ...` (`T` or a space, any zone or none);
* JSON whose first key is the time: `{"ts":"2024-...Z","level":"warn",...}`;
* logfmt starting with the time: `ts=2024-...Z level=debug ...`.

The batch is joined into one bytes object, and for each line the 8-byte words at fixed
offsets from its start are read (`_words`: one unaligned load per line and word). The
checks and the arithmetic run on those words, eight bytes at a time (`swar`). The epoch of
each distinct (minute, zone) is computed once, by the very function the general parser
calls (`stamps._minute_epoch`), and the seconds and the fraction are added with the same
operations in the same order, so every time is the same float. The bytes after the time,
where the level sits, are decided once per distinct value, not per line.

Each rule below follows the general parser (`parse.line.timestamp_and_level`) for its
shape; a line whose bytes leave any doubt is SLOW and goes to the row parser, which gives
the general answer. So a line's answer never depends on the path it took.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from pulse_tui.model.logs.line import Level
from pulse_tui.model.logs.parse import swar
from pulse_tui.model.logs.parse.levels import LEVEL_NAMES, LEVEL_WORDS, level_from_name
from pulse_tui.model.logs.parse.stamps import _minute_epoch
from pulse_tui.model.logs.parse.swar import Words, byte_at, pattern

#: What is left for a line: DONE, the level is known; SLOW, nothing is (the row parser
#: reads it); HEAD, the level is `head_level(text)`; UPPER, the level is known unless an
#: upper-case level WORD in the head overrules it; JSON_LEVEL, the level is the general
#: parser's for JSON (the first `"level":x` anywhere), the time is known.
DONE, SLOW, HEAD, UPPER, JSON_LEVEL = 0, 1, 2, 3, 4

Mask = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
_Decide = Callable[[bytes], tuple[int, int]]

# Bytes appended to the batch, so every word read past the last line's end is in it.
_PAD = "\n" * 63  # joined after a "\n": 64 in all

_ISO, _JSON, _LOGFMT = 0, 1, 2
# The prefixes before the time, and their shapes; ISO text has none.
_PREFIXES = (
    (b'{"ts":"', _JSON),
    (b'{"time":"', _JSON),
    (b'{"timestamp":"', _JSON),
    (b'{"@timestamp":"', _JSON),
    (b'{"t":"', _JSON),
    (b"ts=", _LOGFMT),
    (b'ts="', _LOGFMT),
    (b"time=", _LOGFMT),
    (b'time="', _LOGFMT),
    (b"timestamp=", _LOGFMT),
    (b'timestamp="', _LOGFMT),
)
_PREFIXES_BY_LEAD = [
    (lead, sorted((p for p in _PREFIXES if p[0][0] == lead), key=lambda p: -len(p[0])))
    for lead in sorted({prefix[0] for prefix, _ in _PREFIXES})
]
# `YYYY-MM-DDTHH:MM:SS` over three words: digits where `d`, these bytes where given,
# anything at `?` (byte 10, `T` or a space, checked apart; bytes 19 on, after the time).
_STAMP = [pattern(part) for part in ("dddd-dd-", "dd?dd:dd", ":dd?????")]

# ISO_LEVEL's end (parse.line): ` WORD` or ` [WORD` as a whole word, right after the zone.
_ISO_WORD = re.compile(rf" \[?({LEVEL_WORDS})\b")
# `_JSON_LEVEL` (parse.line) as it matches when the level is the key after the time.
_JSON_WORD = re.compile(r',"(?:level|severity|lvl|loglevel|log\.level)"\s*:\s*"?([A-Za-z0-9]+)')
# `head_level`'s `level=x` (parse.levels `_ANY_LEVEL`, group 1) right after the time.
_LOGFMT_WORD = re.compile(r'"? (?:level|lvl|severity)[=:]\s?"?([A-Za-z]+)')

# Lines read at once (see `rows`).
_SLICE = 32768

# Distinct (minute, zone)s and level keys decided per batch, at most; the lines of any
# others take the row parser.
_MAX_DISTINCT = 16


def _most_distinct(count: int) -> int:
    """How many distinct keys a batch of `count` lines decides (a long history spans
    many minutes: one more try per 512 lines costs a few numpy calls over them)."""
    return max(_MAX_DISTINCT, count // 512)


_NOT_BYTE_10 = np.uint64(0xFFFF_FFFF_FF00_FFFF)  # of the second word: byte 2
_ZONE_COLON = pattern("?dd:dd??")
_ZONE_PLAIN = pattern("?dddd???")

_LEVEL_CODE = {level: i for i, level in enumerate(Level)}
_LEVEL_OBJECTS = np.array(list(Level), dtype=object)
_UNKNOWN = _LEVEL_CODE[Level.UNKNOWN]


class Rows(NamedTuple):
    """What `rows` found: each line's time and level, and the lines left to do."""

    times: list[float]
    levels: list[Level]
    #: Lines read by nothing here: their time and level are placeholders.
    slow: list[int]
    #: Lines whose level is `head_level(text)` (UNKNOWN until then).
    heads: list[int]
    #: Lines whose level stands unless an upper-case WORD in the head overrules it.
    uppers: list[int]
    #: JSON lines whose level is the first `"level":x` anywhere (UNKNOWN until then).
    json_levels: list[int]


def rows(texts: list[str]) -> Rows | None:
    """The time and level of each of `texts` (non-empty) that has a shape read here, or
    None when none has. A long batch (a fetched window) is read `_SLICE` lines at a time,
    so what numpy holds for it stays small and in the CPU's cache."""
    if len(texts) <= _SLICE:
        return _rows(texts)
    merged = Rows([], [], [], [], [], [])
    found = False
    for start in range(0, len(texts), _SLICE):
        part = texts[start : start + _SLICE]
        rows_of_part = _rows(part)
        if rows_of_part is None:
            merged.times.extend([0.0] * len(part))
            merged.levels.extend([Level.UNKNOWN] * len(part))
            merged.slow.extend(range(start, start + len(part)))
            continue
        found = True
        merged.times.extend(rows_of_part.times)
        merged.levels.extend(rows_of_part.levels)
        for lines, of_part in zip(merged[2:], rows_of_part[2:], strict=True):
            lines.extend([i + start for i in of_part])
    return merged if found else None


def _rows(texts: list[str]) -> Rows | None:
    # (Padded within the join: a concatenation after it would copy the batch again.)
    joined = "\n".join([*texts, _PAD])
    data = joined.encode("utf-8", "surrogatepass")
    words = swar.words(data)
    count = len(texts)
    starts = np.zeros(count, dtype=np.int64)
    if len(data) == len(joined):  # ASCII: characters are bytes
        np.cumsum(np.fromiter(map(len, texts), np.int64, count)[:-1] + 1, out=starts[1:])
    else:
        body = np.frombuffer(data, dtype=np.uint8, count=len(data) - len(_PAD) - 1)
        starts[1:] = np.flatnonzero(body == 10) + 1
    offset, shape = _prefixes(words, starts)
    if offset is None:
        return None
    at = starts + offset
    s0, s1, s2 = words[at], words[at + 8], words[at + 16]
    ok = shape >= 0
    for word, shape_of_word in zip((s0, s1, s2), _STAMP, strict=True):
        ok &= swar.matches(word, shape_of_word)
    # Byte 10: `T`, or a space (not in a logfmt value: it stops at a space).
    middle = byte_at(s1, 2)
    ok &= (middle == 84) | ((middle == 32) & (shape != _LOGFMT))
    if not ok.any():
        return None
    second = (byte_at(s2, 1) & 15) * 10.0 + (byte_at(s2, 2) & 15)
    places, part, fraction_ok = _fractions(words, at, byte_at(s2, 3))
    ok &= fraction_ok
    stamp_at = at
    at = at + 19 + np.where(places > 0, places + 1, 0)
    zone = words[at]
    present = {kind for kind in (_ISO, _JSON, _LOGFMT) if _any(shape == kind)}
    zone_len, zone_code, zone_ok = _zones(zone, shape, present)
    ok &= zone_ok
    # The minute's bytes (byte 10 aside: `T` or a space name the same minute) and the
    # zone's: equal keys, equal epochs.
    minute = (s0, s1 & _NOT_BYTE_10, zone & swar.low_bytes(zone_len))
    times = _epochs(data, stamp_at, at, minute, zone_len, ok)
    times += second
    times += part
    todo = np.full(count, SLOW, dtype=np.uint8)
    codes = np.full(count, _UNKNOWN, dtype=np.uint8)
    _levels(words, at + zone_len, shape, present, zone_code, ok, todo, codes)
    if _LOGFMT in present:
        _logfmt_brackets(data, starts, shape, todo)
    return Rows(
        times.tolist(),
        _LEVEL_OBJECTS[codes].tolist(),
        np.flatnonzero(todo == SLOW).tolist(),
        np.flatnonzero(todo == HEAD).tolist(),
        np.flatnonzero(todo == UPPER).tolist(),
        np.flatnonzero(todo == JSON_LEVEL).tolist(),
    )


def _prefixes(words: Words, starts: Ints) -> tuple[Ints | None, Ints]:
    """Each line's offset of the time and its shape (-1: none here); (None, _) if no line
    has a shape here."""
    head = words[starts]
    first = byte_at(head, 0)
    offset = np.zeros(len(starts), dtype=np.int64)
    shape = np.where(swar.is_digit_byte(first), _ISO, -1)
    second: Words | None = None
    for lead, prefixes in _PREFIXES_BY_LEAD:
        left = first == lead
        if not _any(left):
            continue
        if second is None:
            second = words[starts + 8]
        for prefix, kind in prefixes:  # longest first: `ts="` before `ts=`
            match = left & swar.starts_with(head, second, prefix)
            offset[match] = len(prefix)
            shape[match] = kind
            left &= ~match
            if not _any(left):
                break
    if not _any(shape >= 0):
        return None, shape
    return offset, shape


def _any(mask: Mask) -> bool:
    """`mask.any()` without numpy's Python-level wrapper (a few µs a call, per batch)."""
    return bool(mask[mask.argmax()]) if len(mask) else False


def _fractions(
    words: Words, at: Ints, separator: Words
) -> tuple[Ints, npt.NDArray[np.float64], Mask]:
    """(digits of each line's fraction, 0 for none; the fraction; whether the line can
    stay on the fast path): `.` or `,` and 1 to 9 digits after the seconds."""
    has = (separator == 46) | (separator == 44)
    f0, f1 = words[at + 20], words[at + 28]
    lead0 = swar.leading_digits(f0)
    digit8 = swar.is_digit_byte(byte_at(f1, 0))
    nine = (lead0 == 8) & digit8
    ten = nine & swar.is_digit_byte(byte_at(f1, 1))
    places = np.where(has, np.where(nine, 9, lead0), 0)
    ok = ~has | ((places >= 1) & ~ten)
    # int(digits) * 10**(9 - places), then / 10**9: the same rational number as the
    # general parser's `int(digits) / 10**places`, so the same correctly rounded quotient.
    value = swar.digits_value(f0, lead0) * 10 + np.where(nine, byte_at(f1, 0) & 15, 0)
    part = np.where(has, value, 0) / 1e9
    return places, part, ok


def _zones(zone: Words, shape: Ints, present: set[int]) -> tuple[Ints, Ints, Mask]:
    """(length of the zone at each row's start: `Z`, `±HH:MM`, `±HHMM` or none; 0 none,
    1 `Z`, 2 an offset; whether the line can stay on the fast path).

    After the zone each shape's general pattern goes on differently; anything that could
    make it read a zone after a space, a `]`, or a value that goes on, is SLOW."""
    first = byte_at(zone, 0)
    is_z = first == 90
    signed = (first == 43) | (first == 45)
    colon = signed & swar.matches(zone, _ZONE_COLON)
    plain = signed & ~colon & swar.matches(zone, _ZONE_PLAIN)
    length = np.where(is_z, 1, np.where(colon, 6, np.where(plain, 5, 0)))
    code = np.where(is_z, 1, np.where(colon | plain, 2, 0))
    ok = ~signed | colon | plain  # a sign with no zone after it
    after = swar.byte_at_each(zone, length)
    if _ISO in present:
        # ISO text, `\s?(zone)?\]?`: a `]`; with no zone, a space that a zone, `]` or
        # another space follows; any other space; a digit where the seconds or fraction end.
        following = swar.byte_at_each(zone, length + 1)
        space_then = (after == 32) & (code == 0)
        space_then &= (
            (following == 90) | (following == 43) | (following == 45) | (following == 93)
        ) | (following == 32)
        odd = (after == 93) | space_then | (after == 9) | (after >= 128)
        odd |= ((after < 32) & (after != 10)) | ((code == 0) & swar.is_digit_byte(after))
        ok &= (shape != _ISO) | ~odd
    if _JSON in present:
        # JSON: the value ends right after the zone (its closing quote).
        ok &= (shape != _JSON) | (after == 34)
    if _LOGFMT in present:
        # logfmt: the value ends (a space, the closing quote, or the line's end).
        ok &= (shape != _LOGFMT) | (after == 32) | (after == 34) | (after == 10)
    return length, code, ok


def _epochs(
    data: bytes,
    stamp_at: Ints,
    zone_at: Ints,
    minute: tuple[Words, Words, Words],
    zone_len: Ints,
    ok: Mask,
) -> npt.NDArray[np.float64]:
    """The epoch of each `ok` line's minute, once per distinct (minute, zone) key; the
    lines of a minute that names no real time (month 13), or of keys past
    `_most_distinct`, are no longer `ok`."""
    values = np.zeros(len(ok))
    pending = ok.copy()
    for _ in range(_most_distinct(len(ok))):
        row = int(pending.argmax())
        if not pending[row]:
            break
        same = pending & (minute[0] == minute[0][row]) & (minute[1] == minute[1][row])
        same &= minute[2] == minute[2][row]
        pending &= ~same
        start, at, length = int(stamp_at[row]), int(zone_at[row]), int(zone_len[row])
        zone = data[at : at + length].decode("ascii") if length else None
        try:
            values[same] = _minute_epoch(data[start : start + 16].decode("ascii"), zone)
        except (ValueError, OverflowError):
            ok &= ~same
    ok &= ~pending
    return values


def _levels(
    words: Words,
    at: Ints,
    shape: Ints,
    present: set[int],
    zone_code: Ints,
    ok: Mask,
    todo: npt.NDArray[np.uint8],
    codes: npt.NDArray[np.uint8],
) -> None:
    """Sets `todo` and `codes` of the `ok` lines from the bytes after their time (at
    `at`), decided once per distinct key: each shape keeps only the bytes its decision
    reads (`_keys`), so lines that differ only in their message share one key."""
    pending = ok
    if _ISO in present:
        # ISO text with no zone: `\s?` took any space, so no ` WORD` can follow.
        plain = ok & (shape == _ISO) & (zone_code == 0)
        todo[plain] = HEAD
        pending = ok & ~plain
    if not _any(pending):
        return
    keys = _keys(words, at, shape, present)
    # Keys that cannot hold a level key are settled here, not one distinct message at a
    # time below: logfmt's level is then `head_level`'s, JSON's the first level key's.
    for kind, prefixes, answer in _LEVEL_KEY_PREFIXES:
        if kind in present:
            mine = pending & (shape == kind)
            other = mine & ~_starts_any(keys[0], prefixes)
            todo[other] = answer
            pending = pending & ~other
    for _ in range(_most_distinct(len(ok))):
        row = int(pending.argmax())
        if not pending[row]:
            return
        same = pending & (shape == shape[row]) if len(present) > 1 else pending.copy()
        for key in keys:
            same &= key == key[row]
        text = b"".join(int(key[row]).to_bytes(8, "little") for key in keys)
        todo[same], codes[same] = _DECIDE[int(shape[row])](text)
        pending &= ~same
    # More distinct keys than that: the row parser reads ISO lines; logfmt's level is
    # `head_level`'s whatever follows, JSON's the first level key's.
    todo[pending & (shape == _LOGFMT)] = HEAD
    todo[pending & (shape == _JSON)] = JSON_LEVEL


def _starts_any(word: Words, prefixes: tuple[bytes, ...]) -> Mask:
    """Whether each word starts with any of `prefixes` (8 bytes at most)."""
    found = np.zeros(len(word), dtype=np.bool_)
    for prefix in prefixes:
        found |= swar.starts_with(word, word, prefix)
    return found


# The first bytes of the key after the time that `_JSON_WORD` / `_LOGFMT_WORD` can match
# (JSON's starts at the time's closing quote), and what a line without them is.
_LEVEL_KEY_PREFIXES = (
    (_JSON, (b'","level', b'","sever', b'","lvl"', b'","logle', b'","log.l'), JSON_LEVEL),
    (_LOGFMT, (b" level", b" lvl", b" severit", b'" level', b'" lvl', b'" severi'), HEAD),
)


def _keys(words: Words, at: Ints, shape: Ints, present: set[int]) -> list[Words]:
    """The words of the bytes after each line's time (two, three with JSON lines), with
    the bytes its shape's decision never reads set to 0 (so they end the decision's text:
    `_key_text`)."""
    k0, k1 = words[at], words[at + 8]
    keys = [k0, k1]  # JSON: 24 bytes as they are (`","level":"info","msg":"`)
    cuts: list[tuple[int, Words, Words]] = []
    if _ISO in present:
        # The space, then upper-case letters or `[`, and the byte that ends them.
        first = ~swar.in_range(k0, 0x41, 0x5B) & swar.HIGH & ~np.uint64(0x80)
        second = ~swar.in_range(k1, 0x41, 0x5B) & swar.HIGH
        cuts.append((_ISO, first, second))
    if _LOGFMT in present:
        # Through the second space (` level=debug `, `" level=debug `), or a line's end.
        first = swar.equal_bytes(k0, 32) & ~np.uint64(0x8080) | swar.equal_bytes(k0, 10)
        second = swar.equal_bytes(k1, 32) | swar.equal_bytes(k1, 10)
        cuts.append((_LOGFMT, first, second))
    for kind, first, second in cuts:
        keep0 = swar.through_first(first)
        keep1 = np.where(keep0 == swar.ALL, swar.through_first(second), np.uint64(0))
        if len(present) == 1:
            keys = [k0 & keep0, k1 & keep1]
        else:
            mine = shape == kind
            keys = [np.where(mine, k0 & keep0, keys[0]), np.where(mine, k1 & keep1, keys[1])]
    if _JSON in present:
        k2 = words[at + 16]
        keys.append(k2 if len(present) == 1 else np.where(shape == _JSON, k2, np.uint64(0)))
    return keys


def _key_text(key: bytes) -> tuple[str, bool] | None:
    """The line's text in `key` (up to the line's end, or to where `_keys` zeroed the
    rest, or its end) and whether the line ended there; None if that text is not ASCII
    (a character cut in two by `_keys` would read as another)."""
    newline, cut = key.find(b"\n"), key.find(b"\0")
    ended = newline >= 0 and (cut < 0 or newline < cut)
    text = key[: newline if ended else cut if cut >= 0 else len(key)]
    return (text.decode("ascii"), ended) if text.isascii() else None


def _iso_level(key: bytes) -> tuple[int, int]:
    # ISO_LEVEL's word after a zone; with none, `head_level` (the general parser's).
    found = _key_text(key)
    if found is None:
        return SLOW, _UNKNOWN
    text, ended = found
    match = _ISO_WORD.match(text)
    if match is None:
        return HEAD, _UNKNOWN
    if match.end() == len(text) and not ended:  # the key ended before the word did
        return SLOW, _UNKNOWN
    return DONE, _LEVEL_CODE[LEVEL_NAMES[match.group(1).lower()]]


def _json_level(key: bytes) -> tuple[int, int]:
    # `_JSON_LEVEL.search` finds this key first: what comes before (`{"ts":"<time>"`)
    # holds no other quote followed by a level key. Anything else: the search itself.
    found = _key_text(key)
    match = None if found is None else _JSON_WORD.match(found[0], 1)  # after the quote
    if found is None or match is None or (match.end() == len(found[0]) and not found[1]):
        return JSON_LEVEL, _UNKNOWN
    return DONE, _LEVEL_CODE[level_from_name(match.group(1))]


def _logfmt_level(key: bytes) -> tuple[int, int]:
    # `head_level`: its first match is this `level=` (the time before it holds no level
    # shape), overruled by an upper-case WORD anywhere in the head (UPPER); with no
    # `level=` right after the time, `head_level` itself.
    found = _key_text(key)
    match = None if found is None else _LOGFMT_WORD.match(found[0])
    if found is None or match is None or (match.end() == len(found[0]) and not found[1]):
        return HEAD, _UNKNOWN
    return UPPER, _LEVEL_CODE[level_from_name(match.group(1))]


_DECIDE: dict[int, _Decide] = {_ISO: _iso_level, _JSON: _json_level, _LOGFMT: _logfmt_level}


def _logfmt_brackets(data: bytes, starts: Ints, shape: Ints, todo: npt.NDArray[np.uint8]) -> None:
    """logfmt lines holding a `[` are SLOW: the general parser tries an access-log time
    in the head before `ts=`."""
    if b"[" not in data:  # one memchr, the usual answer
        return
    body = np.frombuffer(data, dtype=np.uint8, count=len(data) - len(_PAD) - 1)
    at = np.flatnonzero(body == 91)
    if len(at):
        lines = np.unique(np.searchsorted(starts, at, side="right") - 1)
        todo[lines[shape[lines] == _LOGFMT]] = SLOW
