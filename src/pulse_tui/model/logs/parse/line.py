"""The general per-line parser: any sanitised line -> (its timestamp or None, its level).

Every shape the model knows is tried here, in the order that decides which stamp and
level win. The batch parser (`parse.batch.parse_texts`) reads the common shapes faster
but must give the same answers, and sends every other line here.
"""

from __future__ import annotations

import re

from pulse_tui.model.logs.line import Level
from pulse_tui.model.logs.parse.levels import (
    LEVEL_NAMES,
    LEVEL_WORDS,
    head_level,
    level_from_name,
)
from pulse_tui.model.logs.parse.stamps import GLOG, iso_second, json_timestamp, text_timestamp

_JSON_LEVEL = re.compile(r'"(?:level|severity|lvl|loglevel|log\.level)"\s*:\s*"?([A-Za-z0-9]+)')
#: The common shape, in one match: ISO time, then (optionally bracketed) the level word.
#: Groups: second, fraction digits, zone, level word.
ISO_LEVEL = re.compile(
    r"\[?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d)(?:[.,](\d{1,9}))?\s?(Z|[+-]\d\d:?\d\d)?\]?"
    rf"(?: \[?({LEVEL_WORDS})\b)?"
)
_POW10 = [10**n for n in range(10)]


def timestamp_and_level(text: str) -> tuple[float | None, Level]:
    """The line's own timestamp (None if it has none) and its level."""
    try:
        return _timestamp_and_level(text)
    except (ValueError, OverflowError):  # a time-shaped stamp naming no real time
        return None, head_level(text)


def _timestamp_and_level(text: str) -> tuple[float | None, Level]:
    first = text[:1]
    if first == "{":
        ts = json_timestamp(text)
        match = _JSON_LEVEL.search(text)
        return ts, level_from_name(match.group(1)) if match else Level.UNKNOWN
    if first.isdigit() or first == "[":
        match = ISO_LEVEL.match(text)
        if match:
            second, frac, zone, word = match.groups()
            ts = iso_second(second, zone)
            if ts is not None and frac:
                ts += int(frac) / _POW10[len(frac)]
            if word:
                return ts, LEVEL_NAMES[word.lower()]
            return ts, head_level(text)
    ts = text_timestamp(text)
    if ts is not None and first in "IWEF" and GLOG.match(text):
        return ts, LEVEL_NAMES[first.lower()]
    return ts, head_level(text)
