"""parse_texts reuses the epoch of the second the line before named: that must never leak
into a line whose second, zone or shape differs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pulse_tui.model.logline import Level
from pulse_tui.model.logparse import parse_texts, timestamp_and_level

T0 = datetime(2024, 1, 2, 15, 4, 5, tzinfo=UTC).timestamp()

# Neighbours share as much of their stamp as possible and differ in one thing each.
SAME_SECOND_NEIGHBOURS = [
    "2024-01-02T15:04:05.100Z INFO a",
    "2024-01-02T15:04:05.200Z INFO same second, new fraction",
    "2024-01-02T15:04:05.300+02:00 INFO same digits, other zone",
    "2024-01-02T15:04:05.400 INFO same digits, no zone (local time)",
    "2024-01-02 15:04:05.500Z INFO space instead of T",
    "2024-01-02T15:04:05Z GET /x level=warn",  # starts like the line before, no level word
    '{"ts":"2024-01-02T15:04:05.600Z","level":"error"}',
    "ts=2024-01-02T15:04:05.700Z level=debug",
    "2024-01-02T15:04:06Z INFO next second",
    "2024-01-02T15:04:05Z INFO back a second",
    "2024-13-02T15:04:05Z INFO impossible month, same time of day",
    "2024-13-02T15:04:05Z INFO the same impossible second again",
    "2024-01-02T15:04:05Z INFO valid again",
]


def test_a_shared_second_is_reused_only_for_the_same_second_and_zone() -> None:
    timestamps, levels = parse_texts(SAME_SECOND_NEIGHBOURS, -1.0)
    for text, ts, level in zip(SAME_SECOND_NEIGHBOURS, timestamps, levels, strict=True):
        want_ts, want_level = timestamp_and_level(text)
        assert level == want_level, text
        assert ts == pytest.approx(-1.0 if want_ts is None else want_ts), text
    assert timestamps[1] == pytest.approx(T0 + 0.2)
    assert timestamps[2] == pytest.approx(T0 - 7200 + 0.3)
    assert levels[5] is Level.WARN
    assert timestamps[8] == pytest.approx(T0 + 1)
    assert timestamps[9:13] == pytest.approx([T0, -1.0, -1.0, T0])
