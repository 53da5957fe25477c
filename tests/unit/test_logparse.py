"""Timestamps, levels and fields from the formats logs really come in."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from pulse_tui.model.logline import Level, LogLine
from pulse_tui.model.logparse import (
    message_of,
    parse_fields,
    parse_line,
    parse_texts,
    timestamp_and_level,
)

T0 = datetime(2024, 1, 2, 15, 4, 5, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("text", "ts", "level"),
    [
        ("2024-01-02T15:04:05.123Z INFO started", T0 + 0.123, Level.INFO),
        ("2024-01-02T17:04:05+02:00 WARNING disk", T0, Level.WARN),
        ("[2024-01-02T15:04:05Z] [error] boom", T0, Level.ERROR),
        ('{"ts":1704207845123,"level":"warn","msg":"x"}', T0 + 0.123, Level.WARN),
        ('{"time":"2024-01-02T15:04:05Z","severity":"ERROR"}', T0, Level.ERROR),
        ('{"time":1704207845,"level":50}', T0, Level.ERROR),
        ("ts=2024-01-02T15:04:05Z level=debug msg=hi", T0, Level.DEBUG),
        ('1.2.3.4 - - [02/Jan/2024:15:04:05 +0000] "GET / HTTP/1.1" 200', T0, Level.UNKNOWN),
        ("plain words, for more info see docs", None, Level.UNKNOWN),
        ("ERROR:root:failed", None, Level.ERROR),
        ("app CRITICAL: out of memory", None, Level.FATAL),
    ],
)
def test_timestamp_and_level(text: str, ts: float | None, level: Level) -> None:
    got_ts, got_level = timestamp_and_level(text)
    assert got_level == level
    if ts is None:
        assert got_ts is None
    else:
        assert got_ts == pytest.approx(ts, abs=1e-3)


def test_naive_times_are_local_and_syslog_guesses_the_year() -> None:
    ts, level = timestamp_and_level("2024-01-02 15:04:05,250 ERROR [db] gone")
    assert ts == pytest.approx(time.mktime((2024, 1, 2, 15, 4, 5, 0, 0, -1)) + 0.25)
    assert level is Level.ERROR
    ts, _ = timestamp_and_level("Jan  2 15:04:05 web sshd[1]: accepted")
    assert ts is not None and ts <= time.time() + 86400
    ts, level = timestamp_and_level("W0102 15:04:05.5 123 main.go:1] slow")
    assert ts is not None and level is Level.WARN


def test_missing_timestamp_falls_back_to_receive_time() -> None:
    line = parse_line("no time here", 123.0, "h", "/f", "svc")
    assert line.timestamp == 123.0 and line.received == 123.0
    timestamps, levels = parse_texts(["x", "2024-01-02T15:04:05Z INFO y"], 5.0)
    assert timestamps[0] == 5.0 and timestamps[1] == pytest.approx(T0)
    assert levels == [Level.UNKNOWN, Level.INFO]


def test_fields_are_parsed_lazily_and_sanitised() -> None:
    line = parse_line('{"msg":"hi \\u001b[2J","n":3,"o":{"a":1}}', 0, "h", "s", "v")
    assert line._fields is not None  # not parsed yet: still the lazy marker
    assert line.fields == {"msg": "hi ␛[2J", "n": "3", "o": '{"a": 1}'}
    assert message_of(line) == "hi ␛[2J"
    assert parse_fields('level=info msg="a \\"quoted\\" b" user=x') == {
        "level": "info",
        "msg": 'a "quoted" b',
        "user": "x",
    }
    assert parse_fields("just a=b in prose") is None
    plain = LogLine(0, 0, "h", "s", "v", Level.INFO, "plain")
    assert plain.fields is None and message_of(plain) == "plain"


def test_journal_entries_of_every_message_shape() -> None:
    from pulse_tui.model.journald import journal_line, journal_message

    assert journal_message(None) == ""
    assert journal_message(list(b"caf\xc3\xa9 \xff")) == "café \ufffd"
    assert journal_message(["one", list(b"two")]) == "one\ntwo"
    line = journal_line(
        {"MESSAGE": "x\x1b[2J", "PRIORITY": "4", "__REALTIME_TIMESTAMP": "1704207845500000"},
        1.0,
        "h",
        "journal",
        "",
    )
    assert (line.text, line.level, line.timestamp) == ("x␛[2J", Level.WARN, T0 + 0.5)
