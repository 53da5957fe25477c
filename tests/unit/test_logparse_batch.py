"""parse_texts reuses the epoch of the second the line before named: that must never leak
into a line whose second, zone or shape differs."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from pulse_tui.model.logs.line import Level
from pulse_tui.model.logs.parse import parse_texts, timestamp_and_level

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


# --- Hostile and edge-case lines, generated: the batch parser must agree on every one. ---

_DIGITS = ["2024", "1999", "٢٠٢٤", "0001", "9999", "2O24"]  # Arabic-Indic digits, a letter O
_DATES = ["01-02", "12-31", "02-29", "02-30", "13-01", "00-10", "0١-02"]
_TIMES = ["15:04:05", "23:59:59", "00:00:60", "24:00:00", "15:04:5", "15:04:0٥"]
_FRACTIONS = ["", ".", ",", ".1", ",25", ".123", ".123456", ".123456789", ".1234567890", ".12٣"]
_ZONES = ["", "Z", "+02:00", "-0530", "+01", "+0١:00", " Z", "\tZ", " +02:00", "z", "]", "Z]"]
_LEVELS = [
    " INFO",
    " WARNING",
    " ERROR",
    " ERR",
    " INFOS",
    " INFO-x",
    " INFO/x",
    " INFOé",
    " [ERROR]",
    " GET",
    " Z",
    "  INFO",
    " info",
    " level=warn",
    "",
    " ",
    ",",
    " CRIT:",
    " FATAL",
]
_TAILS = [
    "",
    " api: done",
    " msg=x level=error",
    " [warn] x",
    " <crit> x",
    " see ERROR later",
    " path=/var/ERROR/x",
    " lvl=debug",
    ' "GET /?q=ERROR HTTP/1.1" 200',
    " [02/Jan/2024:16:04:05 +0000]",
    " " + "x" * 150 + " ERROR far away",
    " " + "y" * 120 + " level=info",
    " ␛[31m red \u202e",
]
_JSON_KEYS = ["ts", "time", "timestamp", "@timestamp", "t", "msg", "tz"]
_JSON_LEVEL_KEYS = ["level", "severity", "lvl", "loglevel", "log.level", "msg"]
_JSON_LEVELS = ['"info"', '"WARN"', '"e"', "30", "50", '"nope"', '"info-x"', '"Error"', '""']
_LOGFMT_KEYS = ["ts", "time", "timestamp", "tsx", "t"]
_SYSLOG_STAMPS = ["Jan  2 15:04:05", "Feb 29 23:59:59", "Foo  2 15:04:05", "Dec 31 24:61:00"]
_SYSLOG_STAMPS += ["Jan 2 15:04:05", "Mar  1 00:00:00", "Jun 3١ 15:04:05", "Jan  2 15:04:05,5"]
_CLF_STAMPS = [
    "02/Jan/2024:15:04:05 +0000",
    "31/Dec/2023:23:59:59 -0800",
    "02/Foo/2024:15:04:05 +0000",
]
_CLF_STAMPS += ["32/Jan/2024:15:04:05 +0000", "02/Jan/2024:15:04:05", "0٢/Jan/2024:15:04:05 +0000"]


def _iso_stamp(rnd: random.Random) -> str:
    sep = rnd.choice("TT ")
    return f"{rnd.choice(_DIGITS)}-{rnd.choice(_DATES)}{sep}{rnd.choice(_TIMES)}"


def _hostile_line(rnd: random.Random) -> str:
    stamp = _iso_stamp(rnd) + rnd.choice(_FRACTIONS) + rnd.choice(_ZONES)
    shape = rnd.randrange(8)
    if shape == 0:
        line = stamp + rnd.choice(_LEVELS) + rnd.choice(_TAILS)
    elif shape == 1:
        key = rnd.choice(_JSON_KEYS)
        level = f'"{rnd.choice(_JSON_LEVEL_KEYS)}":{rnd.choice(_JSON_LEVELS)}'
        between = rnd.choice(["", "", " ", ',"x":1', "junk"])
        line = f'{{"{key}":"{stamp}{between}",{level},"msg":"a{rnd.choice(_TAILS)}"}}'
        line = line if rnd.random() < 0.8 else line[: rnd.randrange(len(line))]
    elif shape == 2:
        quote = rnd.choice(["", '"'])
        line = f"{rnd.choice(_LOGFMT_KEYS)}={quote}{stamp}{quote}{rnd.choice(_LEVELS)}"
        line += rnd.choice(_TAILS)
    elif shape == 3:
        line = rnd.choice(_SYSLOG_STAMPS) + rnd.choice(_FRACTIONS) + " web-1 app[1]:"
        line += rnd.choice(_LEVELS) + rnd.choice(_TAILS)
    elif shape == 4:
        prefix = rnd.choice(["10.0.0.1 - - ", "1.2.3.4 - bob ", "", "1234 - - ", "::1 - - "])
        line = f"{prefix}[{rnd.choice(_CLF_STAMPS)}]{rnd.choice(['', '.5', '5', ' '])}"
        line += rnd.choice(_TAILS) + rnd.choice(_LEVELS)
    elif shape == 5:  # a random cut of a mix of the above
        line = _hostile_line(rnd) + _hostile_line(rnd)
        cut = rnd.randrange(len(line) + 1)
        line = line[:cut] if rnd.random() < 0.5 else line[cut:]
    elif shape == 6:
        line = "[" + stamp + "]" + rnd.choice(_LEVELS) + rnd.choice(_TAILS)
    else:
        line = rnd.choice(
            ["", " ", "plain words", "E0102 15:04:05.123 1 main.go:1] boom", "x" * 5000]
        )
    return line


def _assert_same_as_one_at_a_time(texts: list[str], batch: tuple[list[float], list[Level]]) -> None:
    for text, ts, level in zip(texts, *batch, strict=True):
        want_ts, want_level = timestamp_and_level(text)
        assert (ts, level) == (-1.0 if want_ts is None else want_ts, want_level), text
        assert type(level) is Level, text


def test_generated_hostile_lines_match_the_general_parser_exactly() -> None:
    rnd = random.Random(20240102)
    lines = [_hostile_line(rnd) for _ in range(12_000)]
    start = 0
    while start < len(lines):  # batches of many sizes, so caches carry across batches
        size = rnd.choice([1, 2, 7, 100, 1000])
        batch = lines[start : start + size]
        _assert_same_as_one_at_a_time(batch, parse_texts(batch, -1.0))
        start += size


def test_every_fraction_length_and_zone_on_every_fast_shape() -> None:
    texts = []
    for digits in range(10):
        frac = "" if digits == 0 else "." + "123456789"[:digits]
        for zone in ("", "Z", "+02:00", "-0530"):
            stamp = f"2024-01-02T15:04:05{frac}{zone}"
            texts += [
                f"{stamp} INFO a",
                f'{{"ts":"{stamp}","level":"warn","msg":"x"}}',
                f"ts={stamp} level=error msg=y",
                f'time="{stamp}" msg=z',
            ]
        texts.append(f"Jan  2 15:04:05{frac} web app[1]: up")
    texts.append('10.0.0.1 - - [02/Jan/2024:15:04:05 +0000] "GET / HTTP/1.1" 200')
    _assert_same_as_one_at_a_time(texts, parse_texts(texts, -1.0))


def test_caches_are_forgotten_when_full_and_answers_stay_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pulse_tui.model.logs.parse.batch as batch

    monkeypatch.setattr(batch, "_MAX_DECISIONS", 3)
    rnd = random.Random(5)
    for _ in range(30):
        texts = [_hostile_line(rnd) for _ in range(20)]
        _assert_same_as_one_at_a_time(texts, parse_texts(texts, -1.0))


def test_lines_without_a_time_inherit_the_previous_lines_when_asked() -> None:
    texts = [
        "  at the.start(Of.java:1)",  # nothing before it in the batch: the receive time
        "2024-01-02T15:04:05.250Z ERROR api: boom",
        "java.lang.IllegalStateException: boom",
        "  at com.example.Api.handle(Api.java:42)",
        "2024-01-02T15:04:06Z INFO api: next",
        "Caused by: nothing",
        'ts=2024-01-02T15:04:07.5Z level=warn msg="x" [tag]',  # the general parser's line
        "  continued",
    ]
    timestamps, levels = parse_texts(texts, -1.0, inherit=True)
    head = 1704207845.25
    later, last = head + 0.75, head + 2.25
    assert timestamps == [-1.0, head, head, head, later, later, last, last]
    assert levels[1:4] == [Level.ERROR, Level.UNKNOWN, Level.UNKNOWN]
    # Without `inherit`, every such line gets the receive time, as the general parser says.
    plain, _ = parse_texts(texts, -1.0)
    assert [ts for ts, want in zip(plain, timestamps, strict=True) if ts != want] == [-1.0] * 4


def test_the_first_lines_of_a_batch_inherit_the_time_of_the_line_before_the_batch() -> None:
    texts = ["  at the.next(Chunk.java:2)", "  at the.last(Chunk.java:3)", "x=1 plain"]
    timestamps, _ = parse_texts(texts, -1.0, inherit=True, previous=42.5)
    assert timestamps == [42.5, 42.5, 42.5]
    # `previous` is only for inheriting; without `inherit` the receive time stands.
    assert parse_texts(texts, -1.0, previous=42.5)[0] == [-1.0] * 3
