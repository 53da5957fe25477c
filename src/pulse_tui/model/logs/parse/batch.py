"""The batch parser: timestamps and levels for a chunk's worth of lines at once.

`parse_texts` gives, line for line, the answers `timestamp_and_level` gives. One regex
`findall` over the whole batch cuts every line into stamp, fraction and suffix (see
`parse.shapes`); what a (stamp, suffix) pair means is decided once and cached, so most
lines cost two dictionary lookups and an addition. Lines whose level is in their text are
then searched all at once (`head_levels`), and the few that no shape vouches for take the
general parser.

A batch of `FAST_MIN_LINES` or more goes through `parse.columns` first (numpy over the
batch's bytes, no Python step per line for ISO, JSON and logfmt times); the lines it
leaves take the row parser above, so the answers are the same either way.
"""

from __future__ import annotations

from collections.abc import MutableSequence

import numpy as np
import numpy.typing as npt

from pulse_tui.model.logs.dense import PAD, DenseLines
from pulse_tui.model.logs.line import Level
from pulse_tui.model.logs.parse import column_levels, columns
from pulse_tui.model.logs.parse.levels import head_levels, level_from_name, upper_levels
from pulse_tui.model.logs.parse.line import _JSON_LEVEL, timestamp_and_level
from pulse_tui.model.logs.parse.shapes import (
    HEAD,
    LOGFMT,
    LOGFMT_LEVEL,
    ROWS,
    SLOW,
    Decision,
    decide,
)

# Forget what was decided after this many decisions: keys change every second, so the
# caches would otherwise grow for as long as logs flow.
_MAX_DECISIONS = 50_000
_decisions = 0


class _Stamps(dict[str, Decision]):
    """stamp -> decide(stamp, suffix), for one suffix."""

    __slots__ = ("suffix",)

    def __init__(self, suffix: str) -> None:
        super().__init__()
        self.suffix = suffix

    def __missing__(self, stamp: str) -> Decision:
        global _decisions
        _decisions += 1
        decided = self[stamp] = decide(stamp, self.suffix)
        return decided


class _Suffixes(dict[str, _Stamps]):
    """suffix -> its `_Stamps`. Keyed by suffix first: few suffixes, stamps change."""

    def __missing__(self, suffix: str) -> _Stamps:
        stamps = self[suffix] = _Stamps(suffix)
        return stamps


_NAN = float("nan")
#: Batches this long or longer take the fast path (`parse.columns`) first: it costs a
#: few hundred numpy calls a batch, which only pay off over many lines (measured: a loss
#: at 480 lines, a win from about 1,500; a history arrives in batches of ~7,000).
FAST_MIN_LINES = 1500
_decided = _Suffixes()
# Every fraction of up to three digits, computed once. Longer ones (µs, ns) seldom repeat,
# so they are computed in the loop, with no call. (The same expression as the general
# parser's `int(digits) / 10 ** len(digits)`, so the same float.)
_fractions = {
    sep + f"{n:0{width}d}": n / 10**width
    for sep in ".,"
    for width in (1, 2, 3)
    for n in range(10**width)
}
_fractions[""] = 0.0
_POW10 = [10**n for n in range(10)]


def parse_texts(
    texts: list[str], received: float, *, inherit: bool = False, previous: float | None = None
) -> tuple[list[float], list[Level]]:
    """Timestamps and levels for many lines at once.

    A line with no timestamp of its own gets `received`; with `inherit`, it gets the
    timestamp of the line before it instead (for the first line: `previous`, the time of
    the line before the batch, else `received`). For lines read from one stream, that keeps
    a stack trace's lines at their head's time, so ordering by time never tears it apart.
    """
    fast = columns.rows(texts) if len(texts) >= FAST_MIN_LINES else None
    if fast is None:
        return _parse_rows(texts, received, inherit=inherit, previous=previous)
    timestamps, levels = fast.times, fast.levels
    if fast.heads:
        head_levels(texts, fast.heads, levels)
    if fast.uppers:
        head_levels(texts, fast.uppers, levels, upper_only=True)
    for i in fast.json_levels:
        # The general parser's level of a JSON line (`parse.line`).
        match = _JSON_LEVEL.search(texts[i])
        if match is not None:
            levels[i] = level_from_name(match.group(1))
    slow = fast.slow
    if slow:
        # The rest by the row parser; a line it finds no time in gets NaN, then below
        # what the row parser would have given it in this batch.
        _fill_slow(slow, [texts[i] for i in slow], timestamps, levels, received, inherit, previous)
    return timestamps, levels


#: `int(level)` of each level's code in `parse.columns` (its index among `Level`'s).
_CODE_VALUES = np.array([int(level) for level in Level], dtype=np.uint8)


def parse_dense(
    lines: DenseLines, received: float, *, inherit: bool = False, previous: float | None = None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.uint8]]:
    """`parse_texts` of `lines` without a str per line: the times as float64 and the
    levels as `int(level)` in uint8, the same answers. Only the lines the column parser
    leaves to the row parser (and those whose level is in their head) are cut out of the
    text as str; a short batch takes the row parser whole."""
    count = len(lines)
    fast = None
    if FAST_MIN_LINES <= count <= columns.DENSE_MAX_LINES:
        fast = columns.dense_rows(lines.data, lines.byte_starts)
    if fast is None:
        stamps, levels = parse_texts(lines.lines(), received, inherit=inherit, previous=previous)
        # (A bytearray of the levels: numpy converts IntEnum members 10x slower.)
        values = np.frombuffer(bytearray(levels), dtype=np.uint8)
        return np.fromiter(stamps, np.float64, count), values
    timestamps, todo = fast.times, fast.todo
    values = _CODE_VALUES[fast.codes]
    need = np.flatnonzero(todo == column_levels.HEAD)
    if len(need):
        found = [_UNKNOWN] * len(need)
        head_levels(lines.lines_at(need), list(range(len(need))), found)
        values[need] = found
    upper = todo == column_levels.UPPER
    if column_levels.any_true(upper):
        data, starts = lines.data, lines.byte_starts
        size = len(data) - len(PAD) - 1
        ascii = size == len(lines.text)  # (UTF-8 of as many bytes as characters)
        need = column_levels.lines_with_caps(data, size, starts, upper, ascii)
        for k, level in upper_levels(lines.lines_at(need)):
            values[need[k]] = level
    need = np.flatnonzero(todo == column_levels.JSON_LEVEL)
    for i, text in zip(need.tolist(), lines.lines_at(need), strict=True):
        match = _JSON_LEVEL.search(text)  # the general parser's level of a JSON line
        if match is not None:
            values[i] = level_from_name(match.group(1))
    slow = np.flatnonzero(todo == column_levels.SLOW).tolist()
    if slow:
        # As in `parse_texts`: the row parser, NaN where it finds no time, then what the
        # row parser would have given such a line in this batch.
        _fill_slow(slow, lines.lines_at(slow), timestamps, values, received, inherit, previous)
    return timestamps, values


def _fill_slow(
    slow: list[int],
    texts: list[str],
    timestamps: MutableSequence[float] | npt.NDArray[np.float64],
    levels: MutableSequence[Level] | npt.NDArray[np.uint8],
    received: float,
    inherit: bool,
    previous: float | None,
) -> None:
    """The row parser's time and level for the lines at `slow` (their `texts`), written
    in place; a line it finds no time in gets what the row parser would have given it in
    this batch (the line before's, else `previous`, else `received`)."""
    stamps, found = _parse_rows(texts, _NAN)
    for i, ts, level in zip(slow, stamps, found, strict=True):
        if ts != ts:
            if inherit and i:
                ts = timestamps[i - 1]
            else:
                ts = previous if inherit and previous is not None else received
        timestamps[i] = ts
        levels[i] = level


_UNKNOWN = Level.UNKNOWN


def _parse_rows(
    texts: list[str], received: float, *, inherit: bool = False, previous: float | None = None
) -> tuple[list[float], list[Level]]:
    """`parse_texts` by rows: every shape, a few dictionary look-ups a line."""
    global _decisions
    if _decisions > _MAX_DECISIONS:
        _decided.clear()
        _decisions = 0
    timestamps: list[float] = []
    levels: list[Level] = []
    add_ts = timestamps.append
    add_level = levels.append
    # Line numbers by what is still to do for them (index: the `todo` of their decision).
    todo: list[list[int]] = [[], [], [], [], []]
    later = [found.append for found in todo]
    decided = _decided
    short_fraction = _fractions.get
    pow10 = _POW10
    for i, (stamp, frac, suffix) in enumerate(ROWS.findall("\n" + "\n".join(texts))):
        second, level, still = decided[suffix][stamp]
        part = short_fraction(frac)
        if part is None:
            # 4 to 9 digits after `.` or `,`; anything else is no fraction: NaN, so the
            # line goes to the general parser.
            digits = len(frac) - 1
            ok = 4 <= digits <= 9 and frac[0] in ".,"
            part = int(frac[1:]) / pow10[digits] if ok else _NAN
        add_ts(second + part)
        add_level(level)
        if still:
            later[still](i)
    total = sum(timestamps)
    if total != total:  # a NaN: some line's fraction was no fraction
        todo[SLOW] += [i for i, ts in enumerate(timestamps) if ts != ts]
    if any(todo):
        fallback = previous if inherit and previous is not None else received
        _finish(texts, fallback, timestamps, levels, todo, inherit)
    return timestamps, levels


def _finish(
    texts: list[str],
    fallback: float,
    timestamps: list[float],
    levels: list[Level],
    todo: list[list[int]],
    inherit: bool,
) -> None:
    """What `parse_texts` left to do: levels from the lines' heads, and the general parser.
    A line it finds no time in gets `fallback`, or with `inherit` its predecessor's."""
    slow = set(todo[SLOW])
    for still in (LOGFMT, LOGFMT_LEVEL):
        # An access-log time anywhere in the head would be the line's time.
        if todo[still]:
            bracketed = [i for i in todo[still] if "[" in texts[i]]
            if bracketed:
                slow.update(bracketed)
                todo[still] = [i for i in todo[still] if i not in slow]
    heads = todo[HEAD] + todo[LOGFMT]
    if slow:
        heads = [i for i in heads if i not in slow]
        # In order, so that a line inheriting its time gets its predecessor's final one.
        for i in sorted(slow):
            ts, level = timestamp_and_level(texts[i])
            if ts is None:
                ts = timestamps[i - 1] if inherit and i else fallback
            timestamps[i] = ts
            levels[i] = level
    if heads:
        head_levels(texts, heads, levels)
    uppers = [i for i in todo[LOGFMT_LEVEL] if i not in slow] if slow else todo[LOGFMT_LEVEL]
    if uppers:
        head_levels(texts, uppers, levels, upper_only=True)
