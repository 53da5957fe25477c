"""The levels of the lines `parse.columns` read the time of, from the bytes right after
the time: decided once per distinct key, not per line.

Each shape keeps only the bytes its decision reads (`_keys`: ISO text the level word and
the byte after it, logfmt through its second space, JSON 24 bytes), so lines that differ
only in their message share a key; each decision follows the general parser
(`parse.line.timestamp_and_level`) for its shape, and says what is left for the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from pulse_tui.model.logs.line import Level
from pulse_tui.model.logs.parse import swar
from pulse_tui.model.logs.parse.levels import HEAD as HEAD_CHARS
from pulse_tui.model.logs.parse.levels import LEVEL_NAMES, LEVEL_WORDS, level_from_name
from pulse_tui.model.logs.parse.swar import Words, WordsAt

#: What is left for a line: DONE, the level is known; SLOW, nothing is (the row parser
#: reads it); HEAD, the level is `head_level(text)`; UPPER, the level is known unless an
#: upper-case level WORD in the head overrules it; JSON_LEVEL, the level is the general
#: parser's for JSON (the first `"level":x` anywhere), the time is known.
DONE, SLOW, HEAD, UPPER, JSON_LEVEL = 0, 1, 2, 3, 4

Mask = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
_Decide = Callable[[bytes], tuple[int, int]]

#: The shapes `parse.columns` reads (see there).
ISO, JSON, LOGFMT = 0, 1, 2

# ISO_LEVEL's end (parse.line): ` WORD` or ` [WORD` as a whole word, right after the zone.
_ISO_WORD = re.compile(rf" \[?({LEVEL_WORDS})\b")
# `_JSON_LEVEL` (parse.line) as it matches when the level is the key after the time.
_JSON_WORD = re.compile(r',"(?:level|severity|lvl|loglevel|log\.level)"\s*:\s*"?([A-Za-z0-9]+)')
# `head_level`'s `level=x` (parse.levels `_ANY_LEVEL`, group 1) right after the time.
_LOGFMT_WORD = re.compile(r'"? (?:level|lvl|severity)[=:]\s?"?([A-Za-z]+)')

# Distinct (minute, zone)s and level keys decided per batch, at most; the lines of any
# others take the row parser.
MAX_DISTINCT = 16


def most_distinct(count: int) -> int:
    """How many distinct keys a batch of `count` lines decides (a long history spans
    many minutes: one more try per 512 lines costs a few numpy calls over them)."""
    return max(MAX_DISTINCT, count // 512)


LEVEL_CODE = {level: i for i, level in enumerate(Level)}
UNKNOWN = LEVEL_CODE[Level.UNKNOWN]


def any_true(mask: Mask) -> bool:
    """`mask.any()` without numpy's Python-level wrapper (a few µs a call, per batch)."""
    return bool(mask[mask.argmax()]) if len(mask) else False


def levels_after(
    words: WordsAt,
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
    pending = ok.copy()  # (`ok` stays as it is)
    if ISO in present:
        # ISO text with no zone: `\s?` took any space, so no ` WORD` can follow.
        plain = ok & (shape == ISO) & (zone_code == 0)
        # (putmask: 5x faster than `todo[plain] = ...`, which first lists the lines)
        np.putmask(todo, plain, HEAD)
        pending &= ~plain
    if not any_true(pending):
        return
    keys = _keys(words, at, shape, present)
    settled = False
    for tries in range(most_distinct(len(ok))):
        if tries == _TRIES_BEFORE_PREFIXES:
            # Many distinct keys: settle the lines whose key cannot hold a level key in
            # bulk, not one distinct message at a time (a dozen passes, which a batch of
            # a few distinct keys does without).
            pending = _settle_without_level_key(keys[0], shape, present, pending, todo)
            settled = True
        row = int(pending.argmax())
        if not pending[row]:
            return
        same = pending & (shape == shape[row]) if len(present) > 1 else pending.copy()
        for key in keys:
            same &= key == key[row]
        text = b"".join(int(key[row]).to_bytes(8, "little") for key in keys)
        left, code = _DECIDE[int(shape[row])](text)
        np.putmask(todo, same, left)
        np.putmask(codes, same, code)
        pending &= ~same
    if not settled:
        pending = _settle_without_level_key(keys[0], shape, present, pending, todo)
    # More distinct keys than that: the row parser reads ISO lines; logfmt's level is
    # `head_level`'s whatever follows, JSON's the first level key's.
    np.putmask(todo, pending & (shape == LOGFMT), HEAD)
    np.putmask(todo, pending & (shape == JSON), JSON_LEVEL)


# Distinct keys decided one by one before the lines whose key holds no level key are
# settled in bulk.
_TRIES_BEFORE_PREFIXES = 8


def _settle_without_level_key(
    first: Words, shape: Ints, present: set[int], pending: Mask, todo: npt.NDArray[np.uint8]
) -> Mask:
    """Settles the `pending` lines whose key cannot hold a level key: logfmt's level is
    then `head_level`'s, JSON's the first level key's (what their decision would say).
    Returns the lines still pending."""
    for kind, prefixes, answer in _LEVEL_KEY_PREFIXES:
        if kind in present:
            mine = pending & (shape == kind)
            other = mine & ~_startsany_true(first, prefixes)
            np.putmask(todo, other, answer)
            pending = pending & ~other
    return pending


def _startsany_true(word: Words, prefixes: tuple[bytes, ...]) -> Mask:
    """Whether each word starts with any of `prefixes` (8 bytes at most)."""
    found = np.zeros(len(word), dtype=np.bool_)
    for prefix in prefixes:
        found |= swar.starts_with(word, word, prefix)
    return found


# The first bytes of the key after the time that `_JSON_WORD` / `_LOGFMT_WORD` can match
# (JSON's starts at the time's closing quote), and what a line without them is.
_LEVEL_KEY_PREFIXES = (
    (JSON, (b'","level', b'","sever', b'","lvl"', b'","logle', b'","log.l'), JSON_LEVEL),
    (LOGFMT, (b" level", b" lvl", b" severit", b'" level', b'" lvl', b'" severi'), HEAD),
)


def _keys(words: WordsAt, at: Ints, shape: Ints, present: set[int]) -> list[Words]:
    """The words of the bytes after each line's time (two, three with JSON lines), with
    the bytes its shape's decision never reads set to 0 (so they end the decision's text:
    `_key_text`)."""
    # JSON: 24 bytes as they are (`","level":"info","msg":"`); the others two words.
    read = words.run(at, 3 if JSON in present else 2)
    k0, k1 = read[0], read[1]
    # Flags at the byte each line's key ends with, in its first and second word; none
    # (a JSON line's, or a line of no shape here): the key is both words as they are.
    # Each shape's flags are kept for its own lines by a mask of whole words (an `&`,
    # where `np.where` costs as much as eight).
    end0: Words | None = None
    end1: Words | None = None
    for kind in (ISO, LOGFMT):
        if kind not in present:
            continue
        if kind == ISO:
            # The space, then upper-case letters or `[`, and the byte that ends them.
            first = ~swar.in_range(k0, 0x41, 0x5B) & swar.HIGH & ~np.uint64(0x80)
            second = ~swar.in_range(k1, 0x41, 0x5B) & swar.HIGH
        else:
            # Through the second space (` level=debug `, `" level=debug `), or a line's end.
            first = swar.equal_bytes(k0, 32) & ~np.uint64(0x8080) | swar.equal_bytes(k0, 10)
            second = swar.equal_bytes(k1, 32) | swar.equal_bytes(k1, 10)
        if len(present) > 1:
            mine = _whole_words(shape == kind)
            first &= mine
            second &= mine
        end0 = first if end0 is None else end0 | first
        end1 = second if end1 is None else end1 | second
    if end0 is None or end1 is None:  # JSON only
        return read
    keep0 = swar.through_first(end0)
    keep1 = swar.through_first(end1) & _whole_words(keep0 == swar.ALL)
    keys = [k0 & keep0, k1 & keep1]
    if JSON in present:  # JSON: 24 bytes as they are (`","level":"info","msg":"`)
        keys.append(read[2] & _whole_words(shape == JSON))
    return keys


def _whole_words(mask: Mask) -> Words:
    """All bits set where `mask` is true, none elsewhere."""
    return -mask.astype(np.uint64)


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
        return SLOW, UNKNOWN
    text, ended = found
    match = _ISO_WORD.match(text)
    if match is None:
        return HEAD, UNKNOWN
    if match.end() == len(text) and not ended:  # the key ended before the word did
        return SLOW, UNKNOWN
    return DONE, LEVEL_CODE[LEVEL_NAMES[match.group(1).lower()]]


def _json_level(key: bytes) -> tuple[int, int]:
    # `_JSON_LEVEL.search` finds this key first: what comes before (`{"ts":"<time>"`)
    # holds no other quote followed by a level key. Anything else: the search itself.
    found = _key_text(key)
    match = None if found is None else _JSON_WORD.match(found[0], 1)  # after the quote
    if found is None or match is None or (match.end() == len(found[0]) and not found[1]):
        return JSON_LEVEL, UNKNOWN
    return DONE, LEVEL_CODE[level_from_name(match.group(1))]


def _logfmt_level(key: bytes) -> tuple[int, int]:
    # `head_level`: its first match is this `level=` (the time before it holds no level
    # shape), overruled by an upper-case WORD anywhere in the head (UPPER); with no
    # `level=` right after the time, `head_level` itself.
    found = _key_text(key)
    match = None if found is None else _LOGFMT_WORD.match(found[0])
    if found is None or match is None or (match.end() == len(found[0]) and not found[1]):
        return HEAD, UNKNOWN
    return UPPER, LEVEL_CODE[level_from_name(match.group(1))]


_DECIDE: dict[int, _Decide] = {ISO: _iso_level, JSON: _json_level, LOGFMT: _logfmt_level}


def logfmt_brackets(
    data: bytes, size: int, starts: Ints, shape: Ints, todo: npt.NDArray[np.uint8]
) -> None:
    """logfmt lines holding a `[` are SLOW: the general parser tries an access-log time
    in the head before `ts=`."""
    if b"[" not in data:  # one memchr, the usual answer
        return
    body = np.frombuffer(data, dtype=np.uint8, count=size)
    at = np.flatnonzero(body == 91)
    if len(at):
        lines = np.unique(np.searchsorted(starts, at, side="right") - 1)
        todo[lines[shape[lines] == LOGFMT]] = SLOW


def lines_with_caps(data: bytes, size: int, starts: Ints, lines: Mask, ascii: bool) -> Ints:
    """Which of the `lines` (a mask over the lines starting at `starts` in `data`, whose
    first `size` bytes are the lines) may hold three upper-case ASCII letters in a row in
    their first `HEAD_CHARS` characters: the only ones an upper-case level WORD can overrule
    (`levels.upper_levels`, which checks each exactly). With `ascii` (a character a byte)
    those are the first `HEAD_CHARS` bytes; otherwise a line of more bytes than that is kept
    whatever it holds."""
    at = np.flatnonzero(lines)
    if not len(at):
        return at
    begin = starts[at]
    length = np.append(starts[1:], size + 1)[at] - 1 - begin
    # Each line's head by one gather (numpy's cost is per item, not per byte), as rows of
    # a table; past the line's end the row holds other lines' bytes (left out below).
    room = max(len(data) - HEAD_CHARS, 0)  # the last offset a whole head is read from
    whole = int(np.searchsorted(begin, room, side="right"))  # (`begin` ascends)
    if len(data) < HEAD_CHARS:
        whole = 0
    heads = np.empty((0, HEAD_CHARS), dtype=np.uint8)
    if whole:
        shape = (len(data) - HEAD_CHARS + 1,)
        view = np.ndarray(shape=shape, dtype=f"V{HEAD_CHARS}", buffer=data, strides=(1,))
        heads = view[begin[:whole]].view(np.uint8).reshape(whole, HEAD_CHARS)
    if whole < len(at):  # the last lines of a batch of short lines: from a padded tail
        tail = np.frombuffer(data[room:] + b"\n" * HEAD_CHARS, dtype=np.uint8)
        rest = tail[(begin[whole:] - room)[:, None] + _HEAD_COLUMNS]
        heads = np.concatenate((heads, rest))
    # Every run of three holds two letters at an even offset into the line and the one
    # before or after them: look for such pairs first, two bytes at a time, by a test
    # that passes 0x40-0x5F (a few more than the letters), then check the few found.
    pairs = heads.view("<u2")
    # (Flat: numpy's nonzero over a table costs 30x as much.)
    found = swar.true_at(((pairs & _PAIR_MASK) == _PAIR_BITS).ravel())
    rows, columns = np.divmod(found, pairs.shape[1])
    ends = np.minimum(length[rows], HEAD_CHARS)
    first = columns * 2

    def caps(column: Ints) -> Mask:
        """Whether byte `column` of each found pair's line is an upper-case letter."""
        inside = (column >= 0) & (column < ends)
        byte = heads[rows, np.clip(column, 0, HEAD_CHARS - 1)]
        return inside & ((byte - np.uint8(65)) < 26)

    run = caps(first) & caps(first + 1) & (caps(first - 1) | caps(first + 2))
    holding = np.zeros(len(at), dtype=np.bool_)
    holding[rows[run]] = True
    if not ascii:
        holding |= length > HEAD_CHARS
    return at[holding]


assert HEAD_CHARS % 2 == 0  # the heads are read as pairs of bytes
_PAIR_MASK = np.uint16(0xE0E0)
_PAIR_BITS = np.uint16(0x4040)
_HEAD_COLUMNS = np.arange(HEAD_CHARS)
