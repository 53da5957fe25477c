"""Level words -> Level, and the search for the level named in a line's head.

A line's level is the first upper-case level WORD in its first `HEAD` characters; failing
that, the first `level=x` / `severity: x`; failing that, the first `[x]` / `<x>`.
`head_level` answers that for one line, `head_levels` for many lines at once.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from functools import partial
from itertools import accumulate
from operator import add

import regex

from pulse_tui.model.logs.line import Level

#: Lower-case level words (and glog's one-letter codes) -> Level.
LEVEL_NAMES: dict[str, Level] = {
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
#: Level words as written (lower or upper case) -> Level, so the common spellings skip
#: `.lower()`. One-letter codes are left out: only glog's shape gives them meaning.
WORD_LEVEL: dict[str, Level] = {
    **{name: level for name, level in LEVEL_NAMES.items() if len(name) > 1},
    **{name.upper(): level for name, level in LEVEL_NAMES.items() if len(name) > 1},
}
#: The upper-case level words a line's head may name, as a regex alternation.
LEVEL_WORDS = "TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|CRIT|CRITICAL|FATAL|PANIC"

#: How far into a line the level and the Apache timestamp are looked for.
HEAD = 160


def level_from_name(name: str) -> Level:
    """`"warning"`, `"ERR"`, `"30"` -> Level; unknown words are Level.UNKNOWN."""
    level = LEVEL_NAMES.get(name.lower())
    if level is not None:
        return level
    if name.isdigit():
        return _NUMERIC_LEVELS.get(int(name), Level.UNKNOWN)
    return Level.UNKNOWN


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

# Any of the three level shapes `head_level` knows, in one scan. Every branch starts after
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


def head_level(text: str) -> Level:
    """The level named in the line's head: an upper-case WORD first, then `level=x`, then
    `[x]` or `<x>`, each the first of its kind."""
    match = _ANY_LEVEL.search(text, 0, HEAD)
    if match is None:  # most syslog / access lines: one scan and done
        return Level.UNKNOWN
    kind = match.lastindex
    if kind is None:
        return LEVEL_NAMES[match.group().lower()]
    # A WORD further on still wins over the `level=` / `[x]` found first; none starts
    # before the match, or the scan would have stopped there.
    word = _UPPER_LEVEL.search(text, match.start(), HEAD)
    if word:
        return LEVEL_NAMES[word.group().lower()]
    if kind == 1:  # the first `level=` (a `[x]` cannot come before it and win)
        return level_from_name(match.group(1))
    # A `[x]` came first; a `level=` after it still wins.
    pair = _KV_LEVEL.search(text, match.start(), HEAD)
    if pair:
        return level_from_name(pair.group(1))
    return LEVEL_NAMES[match.group(2)]


# A level `head_level` finds always contains one of these words, so a line with none of
# them has none. `str.find` over a whole batch is far cheaper than a regex scan per line.
_UPPER_WORDS = ("INFO", "DEBUG", "WARN", "ERR", "TRACE", "NOTICE", "CRIT", "FATAL", "PANIC")
_LOWER_WORDS: tuple[str, ...] = ("level", "lvl", "severity", "info", "debug", "warn", "err")
_LOWER_WORDS += ("trace", "notice", "crit", "fatal")
# Lower-cased, every word of either kind is one of these (PANIC only comes upper-case).
_FOLDED_WORDS = (*_LOWER_WORDS, "panic")


def head_levels(
    texts: list[str], need: list[int], levels: list[Level], upper_only: bool = False
) -> None:
    """`levels[i] = head_level(texts[i])` for each i in `need` (set to UNKNOWN before);
    with `upper_only`, only where an upper-case WORD overrules the level already set.

    The words that could make a level are looked for in all those lines at once; only the
    lines holding one get the regex scan.
    """
    heads = [texts[i] for i in need]
    joined = "\n".join(heads)
    if upper_only:
        hits = _lines_found(joined, heads, [_caps_in(joined)])
    elif joined.isascii():
        # One pass to lower-case, then half the words to look for. (Only ASCII keeps
        # every offset where it was.)
        hits = _lines_holding(joined.lower(), heads, _FOLDED_WORDS)
    else:
        hits = _lines_holding(joined, heads, _UPPER_WORDS + _LOWER_WORDS)
    for k in hits:
        text = heads[k]
        if upper_only:
            word = _UPPER_LEVEL.search(text, 0, HEAD)
            if word is not None:
                levels[need[k]] = LEVEL_NAMES[word.group().lower()]
        else:
            levels[need[k]] = head_level(text)


def upper_levels(heads: list[str]) -> list[tuple[int, Level]]:
    """`(k, level)` for each of `heads` whose head holds an upper-case level WORD: what
    `head_levels(..., upper_only=True)` would overrule (the caller has already kept only
    lines that can hold one, see `parse.column_levels.lines_with_caps`)."""
    found = []
    for k, text in enumerate(heads):
        word = _UPPER_LEVEL.search(text, 0, HEAD)
        if word is not None:
            found.append((k, LEVEL_NAMES[word.group().lower()]))
    return found


def _lines_holding(joined: str, heads: list[str], words: tuple[str, ...]) -> set[int]:
    """Which of `heads` (joined by newlines into `joined`) hold any of `words`."""
    return _lines_found(joined, heads, [partial(joined.find, word) for word in words])


def _lines_found(joined: str, heads: list[str], finders: list[Callable[[int], int]]) -> set[int]:
    """Which of `heads` (joined by newlines into `joined`) hold what any of `finders`
    finds (a finder: start offset -> offset of the next find, or -1)."""
    hits: set[int] = set()
    ends: list[int] | None = None
    for find in finders:
        at = find(0)
        while at >= 0:
            if ends is None:
                # ends[k]: offset of the "\n" after heads[k] (or the end, for the last).
                ends = list(map(add, accumulate(map(len, heads)), range(len(heads))))
            k = bisect_left(ends, at)
            hits.add(k)
            at = find(ends[k] + 1)  # the next line: one hit is enough
    return hits


# Every upper-case level WORD holds three upper-case letters in a row, so a line with no
# such run names none. One scan by the `regex` module (which skips through a class far
# faster than `re`, and than a `str.find` per word: 5x, measured on logfmt lines) finds
# the few lines worth the exact pattern.
_CAPS = regex.compile("[A-Z]{3}")


def _caps_in(joined: str) -> Callable[[int], int]:
    def find(start: int) -> int:
        match = _CAPS.search(joined, start)
        return -1 if match is None else match.start()

    return find
