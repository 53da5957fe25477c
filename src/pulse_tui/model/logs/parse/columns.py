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
where the level sits, are decided once per distinct value, not per line
(`parse.column_levels`).

Each rule below follows the general parser (`parse.line.timestamp_and_level`) for its
shape; a line whose bytes leave any doubt is SLOW and goes to the row parser, which gives
the general answer. So a line's answer never depends on the path it took.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from pulse_tui.model.logs.line import Level
from pulse_tui.model.logs.parse import swar
from pulse_tui.model.logs.parse.column_levels import (
    HEAD,
    ISO,
    JSON,
    JSON_LEVEL,
    LOGFMT,
    SLOW,
    UNKNOWN,
    UPPER,
    Ints,
    Mask,
    any_true,
    levels_after,
    logfmt_brackets,
    most_distinct,
)
from pulse_tui.model.logs.parse.stamps import _minute_epoch
from pulse_tui.model.logs.parse.swar import Words, WordsAt, byte_at, pattern

# Bytes appended to the batch, so every word read past the last line's end is in it.
_PAD = "\n" * 63  # joined after a "\n": 64 in all

# The prefixes before the time, and their shapes; ISO text has none.
_PREFIXES = (
    (b'{"ts":"', JSON),
    (b'{"time":"', JSON),
    (b'{"timestamp":"', JSON),
    (b'{"@timestamp":"', JSON),
    (b'{"t":"', JSON),
    (b"ts=", LOGFMT),
    (b'ts="', LOGFMT),
    (b"time=", LOGFMT),
    (b'time="', LOGFMT),
    (b"timestamp=", LOGFMT),
    (b'timestamp="', LOGFMT),
)
_PREFIXES_BY_LEAD = [
    (lead, sorted((p for p in _PREFIXES if p[0][0] == lead), key=lambda p: -len(p[0])))
    for lead in sorted({prefix[0] for prefix, _ in _PREFIXES})
]
# `YYYY-MM-DDTHH:MM:SS` over three words: digits where `d`, these bytes where given,
# anything at `?` (byte 10, `T` or a space, checked apart; bytes 19 on, after the time).
_STAMP = [pattern(part) for part in ("dddd-dd-", "dd?dd:dd", ":dd?????")]


# Lines read at once (see `rows`).
_SLICE = 32768
#: The most lines `dense_rows` takes at once (what `rows` reads at once).
DENSE_MAX_LINES = _SLICE

_HALF = np.uint64(32)
_NOT_BYTE_10 = np.uint64(0xFFFF_FFFF_FF00_FFFF)  # of the second word: byte 2
_ZONE_COLON = pattern("?dd:dd??")
_ZONE_PLAIN = pattern("?dddd???")

_LEVEL_OBJECTS = np.array(list(Level), dtype=object)


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
    count = len(texts)
    starts = np.zeros(count, dtype=np.int64)
    if len(data) == len(joined):  # ASCII: characters are bytes
        np.cumsum(np.fromiter(map(len, texts), np.int64, count)[:-1] + 1, out=starts[1:])
    else:
        body = np.frombuffer(data, dtype=np.uint8, count=len(data) - len(_PAD) - 1)
        starts[1:] = np.flatnonzero(body == 10) + 1
    found = dense_rows(data, starts)
    if found is None:
        return None
    return Rows(
        found.times.tolist(),
        _LEVEL_OBJECTS[found.codes].tolist(),
        *(np.flatnonzero(found.todo == left).tolist() for left in (SLOW, HEAD, UPPER, JSON_LEVEL)),
    )


class DenseRows(NamedTuple):
    """What `dense_rows` found, as arrays: each line's time, its level's code (an index
    into `Level`'s members, `LEVEL_CODE`) and what is left to do for it (`todo`: DONE,
    SLOW, HEAD, UPPER or JSON_LEVEL, see `parse.column_levels`)."""

    times: npt.NDArray[np.float64]
    codes: npt.NDArray[np.uint8]
    todo: npt.NDArray[np.uint8]


def dense_rows(data: bytes, starts: Ints) -> DenseRows | None:
    """`rows` over lines already joined: `data` is their UTF-8 joined by "\\n", then "\\n"
    and 63 more (`logs.dense.PAD`); `starts` (int64) where each line starts in it. None
    when no line has a shape read here."""
    words = swar.words(data)
    count = len(starts)
    offset, shape = _prefixes(words, starts)
    if offset is None:
        return None
    at = starts + offset
    # The time's 19 bytes and the fraction's up to 10 after them, by one gather.
    s0, s1, s2, s3, s4 = words.run(at, 5)
    ok = shape >= 0
    for word, shape_of_word in zip((s0, s1, s2), _STAMP, strict=True):
        ok &= swar.matches(word, shape_of_word)
    # Byte 10: `T`, or a space (not in a logfmt value: it stops at a space).
    middle = byte_at(s1, 2)
    ok &= (middle == 84) | ((middle == 32) & (shape != LOGFMT))
    if not ok.any():
        return None
    second = (byte_at(s2, 1) & 15) * 10.0 + (byte_at(s2, 2) & 15)
    places, part, fraction_ok = _fractions(s2, s3, s4)
    ok &= fraction_ok
    stamp_at = at
    at = at + 19 + places + (places > 0)  # (arithmetic on masks: np.where costs ~8 ops)
    zone = words[at]
    present = {kind for kind in (ISO, JSON, LOGFMT) if any_true(shape == kind)}
    zone_len, zone_code, zone_ok = _zones(zone, shape, present)
    ok &= zone_ok
    # The minute's bytes (byte 10 aside: `T` or a space name the same minute) and the
    # zone's: equal keys, equal epochs.
    minute = (s0, s1 & _NOT_BYTE_10, zone & swar.low_bytes(zone_len))
    times = _epochs(data, stamp_at, at, minute, zone_len, ok)
    times += second
    times += part
    todo = np.full(count, SLOW, dtype=np.uint8)
    codes = np.full(count, UNKNOWN, dtype=np.uint8)
    levels_after(words, at + zone_len, shape, present, zone_code, ok, todo, codes)
    if LOGFMT in present:
        logfmt_brackets(data, len(data) - len(_PAD) - 1, starts, shape, todo)
    return DenseRows(times, codes, todo)


def _prefixes(words: WordsAt, starts: Ints) -> tuple[Ints | None, Ints]:
    """Each line's offset of the time and its shape (-1: none here); (None, _) if no line
    has a shape here."""
    head, second = words.run(starts, 2)
    first = byte_at(head, 0)
    offset = np.zeros(len(starts), dtype=np.int64)
    shape = swar.is_digit_byte(first) * (ISO + 1) - 1  # ISO where a digit, else -1
    for lead, prefixes in _PREFIXES_BY_LEAD:
        left = first == lead
        if not any_true(left):
            continue
        # A batch's lines share few prefixes: take the first line left, find its prefix
        # in Python and test only that one over the batch (a test of every prefix costs
        # a dozen passes).
        for _ in range(_PREFIX_TRIES):
            row = int(left.argmax())
            if not left[row]:
                break
            left &= ~_settle_prefix(head, second, row, prefixes, left, offset, shape)
        else:
            if any_true(left):
                _every_prefix(head, second, prefixes, left, offset, shape)
    if not any_true(shape >= 0):
        return None, shape
    return offset, shape


# How many distinct line starts of one lead `_prefixes` looks at one by one before it tests
# every prefix of the lead over the lines still left.
_PREFIX_TRIES = 4


def _settle_prefix(
    head: Words,
    second: Words,
    row: int,
    prefixes: list[tuple[bytes, int]],
    left: Mask,
    offset: Ints,
    shape: Ints,
) -> Mask:
    """Sets `offset` and `shape` of the `left` lines with `row`'s prefix (the longest of
    `prefixes` its first 16 bytes start with), and returns which lines are settled: those,
    or with no prefix, the lines whose first 16 bytes are `row`'s."""
    start = int(head[row]).to_bytes(8, "little") + int(second[row]).to_bytes(8, "little")
    for k, (prefix, kind) in enumerate(prefixes):
        if start.startswith(prefix):
            match = left & swar.starts_with(head, second, prefix)
            # A longer prefix that starts with this one is that line's (`ts="`, `ts=`).
            for longer, _ in prefixes[:k]:
                if longer.startswith(prefix):
                    match &= ~swar.starts_with(head, second, longer)
            # (putmask: 5x faster than `offset[match] = ...`, which first lists the lines)
            np.putmask(offset, match, len(prefix))
            np.putmask(shape, match, kind)
            return match
    return left & (head == head[row]) & (second == second[row])


def _every_prefix(
    head: Words,
    second: Words,
    prefixes: list[tuple[bytes, int]],
    left: Mask,
    offset: Ints,
    shape: Ints,
) -> None:
    """Sets `offset` and `shape` of the `left` lines that start with any of `prefixes`
    (longest first)."""
    for prefix, kind in prefixes:
        match = left & swar.starts_with(head, second, prefix)
        np.putmask(offset, match, len(prefix))
        np.putmask(shape, match, kind)
        left &= ~match
        if not any_true(left):
            return


def _fractions(s2: Words, s3: Words, s4: Words) -> tuple[Ints, npt.NDArray[np.float64], Mask]:
    """(digits of each line's fraction, 0 for none; the fraction; whether the line can
    stay on the fast path): `.` or `,` and 1 to 9 digits after the seconds. `s2`-`s4`:
    the words 16, 24 and 32 bytes into the time."""
    separator = byte_at(s2, 3)
    has = (separator == 46) | (separator == 44)
    # The words 20 and 28 bytes into the time (after its separator), from those read.
    f0 = (s2 >> _HALF) | (s3 << _HALF)
    f1 = (s3 >> _HALF) | (s4 << _HALF)
    lead0 = swar.leading_digits(f0)
    digit8 = swar.is_digit_byte(byte_at(f1, 0))
    nine = (lead0 == 8) & digit8
    ten = nine & swar.is_digit_byte(byte_at(f1, 1))
    places = (lead0 + nine) * has  # (masks as 0/1: np.where costs ~8 ops)
    ok = ~has | ((places >= 1) & ~ten)
    # int(digits) * 10**(9 - places), then / 10**9: the same rational number as the
    # general parser's `int(digits) / 10**places`, so the same correctly rounded quotient.
    value = swar.digits_value(f0, lead0) * 10 + (byte_at(f1, 0) & 15) * nine
    part = (value * has) / 1e9
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
    # (One of the three at most: masks as 0/1, np.where costs ~8 ops.)
    length = is_z * 1 + colon * 6 + plain * 5
    code = is_z * 1 + (colon | plain) * 2
    ok = ~signed | colon | plain  # a sign with no zone after it
    after = swar.byte_at_each(zone, length)
    if ISO in present:
        # ISO text, `\s?(zone)?\]?`: a `]`; with no zone, a space that a zone, `]` or
        # another space follows; any other space; a digit where the seconds or fraction end.
        following = swar.byte_at_each(zone, length + 1)
        space_then = (after == 32) & (code == 0)
        space_then &= (
            (following == 90) | (following == 43) | (following == 45) | (following == 93)
        ) | (following == 32)
        odd = (after == 93) | space_then | (after == 9) | (after >= 128)
        odd |= ((after < 32) & (after != 10)) | ((code == 0) & swar.is_digit_byte(after))
        ok &= (shape != ISO) | ~odd
    if JSON in present:
        # JSON: the value ends right after the zone (its closing quote).
        ok &= (shape != JSON) | (after == 34)
    if LOGFMT in present:
        # logfmt: the value ends (a space, the closing quote, or the line's end).
        ok &= (shape != LOGFMT) | (after == 32) | (after == 34) | (after == 10)
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
    `most_distinct`, are no longer `ok`."""
    values = np.zeros(len(ok))
    pending = ok.copy()
    for _ in range(most_distinct(len(ok))):
        row = int(pending.argmax())
        if not pending[row]:
            break
        same = pending & (minute[0] == minute[0][row]) & (minute[1] == minute[1][row])
        same &= minute[2] == minute[2][row]
        pending &= ~same
        start, at, length = int(stamp_at[row]), int(zone_at[row]), int(zone_len[row])
        zone = data[at : at + length].decode("ascii") if length else None
        try:
            np.putmask(values, same, _minute_epoch(data[start : start + 16].decode("ascii"), zone))
        except (ValueError, OverflowError):
            ok &= ~same
    ok &= ~pending
    return values
