"""Timestamps, levels and fields from the formats logs really come in."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from pulse_tui.model.logs.line import Level, LogLine
from pulse_tui.model.logs.parse import (
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
    assert line.fields == {"msg": "hi \\x1b[2J", "n": "3", "o": '{"a": 1}'}
    assert message_of(line) == "hi \\x1b[2J"
    assert parse_fields('level=info msg="a \\"quoted\\" b" user=x') == {
        "level": "info",
        "msg": 'a "quoted" b',
        "user": "x",
    }
    assert parse_fields("just a=b in prose") is None
    plain = LogLine(0, 0, "h", "s", "v", Level.INFO, "plain")
    assert plain.fields is None and message_of(plain) == "plain"


def test_journal_entries_of_every_message_shape() -> None:
    from pulse_tui.model.logs.journald import journal_line, journal_message

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
    assert (line.text, line.level, line.timestamp) == ("x\\x1b[2J", Level.WARN, T0 + 0.5)
    # journald's time and priority win over the text's; the text fills in what is missing.
    said = "2020-01-01T00:00:00Z ERROR from the text"
    both = {"MESSAGE": said, "PRIORITY": "6", "__REALTIME_TIMESTAMP": "1704207845500000"}
    no_priority = {"MESSAGE": said, "__REALTIME_TIMESTAMP": "1704207845500000"}
    no_time = {"MESSAGE": said, "PRIORITY": "4"}
    got = [journal_line(e, 1.0, "h", "j", "") for e in (both, no_priority, no_time)]
    assert [(x.timestamp, x.level) for x in got] == [
        (T0 + 0.5, Level.INFO),
        (T0 + 0.5, Level.ERROR),
        (1577836800.0, Level.WARN),
    ]
    # A hostile remote's absurd timestamp falls back to the receive time, no exception.
    huge = {"MESSAGE": "m", "__REALTIME_TIMESTAMP": "9" * 400}
    assert journal_line(huge, 1.0, "h", "journal", "").timestamp == 1.0


# parse_texts reads common shapes on fast paths; each must agree with the general parser.
LOOK_ALIKES = [
    "2024-01-02T15:04:05.123Z INFO started",
    "2024-01-02T15:04:05.123Z GET /x",  # ISO, but the word is no level
    "2024-01-02T15:04:05.123 INFO-x",  # no zone: the word must stand alone
    "2024-01-02 15:04:05,250 ERROR [db] gone",
    "[2024-01-02T15:04:05Z] [error] boom",
    "2024-13-45T99:99:99Z INFO impossible date",
    '{"ts":"2024-01-02T15:04:05.5+02:00","level":"warn","msg":"x"}',
    '{"ts":"[2024-01-02T15:04:05Z","level":"info"}',  # not an ISO value
    '{"ts":1704207845123,"level":"warn"}',
    '{"msg":"x","level":"error","time":"2024-01-02T15:04:05Z"}',
    '{"t":"2024-01-02T15:04:05Z", "lvl": 50}',
    "ts=2024-01-02T15:04:05Z level=info msg=done",
    'ts=2024-01-02T15:04:05Z level=info msg="upstream said ERROR"',  # the WORD wins
    "ts=2024-01-02 15:04:05Z level=info",  # logfmt values stop at the space
    'ts=2024-01-02T15:04:05Z msg="[02/Jan/2024:16:04:05 +0000]"',  # access time wins
    "ts=soon time=2024-01-02T15:04:05Z",
    "Jan  2 15:04:05 web sshd[1]: Accepted publickey",
    "Jan  2 15:04:05.250 web app[1]: [warn] lvl=error slow",
    "Foo  2 15:04:05 web not a month",
    "E0102 15:04:05.123 1 main.go:1] boom",
    '10.0.0.1 - - [02/Jan/2024:15:04:05 +0000] "GET /?q=ERROR HTTP/1.1" 200',
    '10.0.0.1 - - [02/Foo/2024:15:04:05 +0000] "GET / HTTP/1.1" 200',
    "12 apples, CARN and DRR are not levels",
    "",
    "plain words",
]


def test_fast_paths_agree_with_the_general_parser_in_one_mixed_batch() -> None:
    timestamps, levels = parse_texts(LOOK_ALIKES, -1.0)
    for text, ts, level in zip(LOOK_ALIKES, timestamps, levels, strict=True):
        want_ts, want_level = timestamp_and_level(text)
        assert level == want_level, text
        assert ts == pytest.approx(-1.0 if want_ts is None else want_ts), text


def test_shapes_that_only_look_familiar_are_read_by_the_general_path() -> None:
    timestamps, levels = parse_texts(LOOK_ALIKES, -1.0)
    got = dict(zip(LOOK_ALIKES, zip(timestamps, levels, strict=True), strict=True))
    assert got['ts=2024-01-02T15:04:05Z level=info msg="upstream said ERROR"'][1] is Level.ERROR
    assert got["2024-13-45T99:99:99Z INFO impossible date"] == (-1.0, Level.INFO)
    assert got["ts=2024-01-02 15:04:05Z level=info"] == (-1.0, Level.INFO)
    assert got['ts=2024-01-02T15:04:05Z msg="[02/Jan/2024:16:04:05 +0000]"'][0] == T0 + 3600
    assert got["12 apples, CARN and DRR are not levels"] == (-1.0, Level.UNKNOWN)
    assert got["Jan  2 15:04:05.250 web app[1]: [warn] lvl=error slow"][1] is Level.ERROR
    assert got['{"ts":"2024-01-02T15:04:05.5+02:00","level":"warn","msg":"x"}'] == (
        T0 - 7200 + 0.5,
        Level.WARN,
    )


def test_times_across_minute_day_and_year_boundaries_and_zones() -> None:
    texts = [
        "2023-12-31T23:59:59.999Z INFO last",
        "2024-01-01T00:00:00.001Z INFO first",
        "2024-01-01T01:00:00.001+01:00 INFO first again",
        "2023-12-31T18:59:59.999-05:00 INFO last again",
        '{"ts":"2023-12-31T23:59:59Z","level":"info"}',
        '{"ts":"2024-01-01T00:00:00Z","level":"info"}',
        "ts=2024-01-01T00:00:59.5Z level=info",
        "ts=2024-01-01T00:01:00Z level=info",
        '1.2.3.4 - - [31/Dec/2023:23:59:59 +0000] "GET / HTTP/1.1" 200',
        '1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200',
    ]
    new_year = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
    offsets = [-0.001, 0.001, 0.001, -0.001, -1, 0, 59.5, 60, -1, 0]
    timestamps, _ = parse_texts(texts, 0.0)
    assert timestamps == pytest.approx([new_year + o for o in offsets], abs=1e-6)
    # No zone: local time, across local midnight.
    local = parse_texts(["2024-03-01 23:59:59 INFO a", "2024-03-02 00:00:00 INFO b"], 0.0)[0]
    assert local[0] == time.mktime((2024, 3, 1, 23, 59, 59, 0, 0, -1))
    assert local[1] - local[0] == pytest.approx(1.0)
    syslog = parse_texts(["Mar  1 23:59:59 h a: x", "Mar  2 00:00:00 h a: y"], 0.0)[0]
    assert syslog[1] - syslog[0] == pytest.approx(1.0)


def test_head_levels_in_a_batch_match_one_line_at_a_time() -> None:
    texts = [
        "Jan  2 15:04:05 web app[1]: ERROR disk",
        "Jan  2 15:04:05 web app[1]: level=warn disk",
        "Jan  2 15:04:05 web app[1]: <crit> disk",
        "Jan  2 15:04:05 web app[1]: [info] level=debug x",
        "Jan  2 15:04:05 web app[1]: see /var/ERROR/x and WARNINGS",
        "Jan  2 15:04:05 web app[1]: " + "x" * 160 + " ERROR beyond the head",
    ]
    _, levels = parse_texts(texts, 0.0)
    assert levels == [
        Level.ERROR,
        Level.WARN,
        Level.FATAL,
        Level.DEBUG,
        Level.UNKNOWN,
        Level.UNKNOWN,
    ]
