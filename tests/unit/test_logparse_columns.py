"""The batch parser's fast path (`parse.columns`, numpy over the batch's bytes) gives every
line the time and level the row parser and the general parser give, on realistic and on
hostile input, ASCII or not."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_logparse_batch import _hostile_line

import pulse_tui.model.logs.parse.batch as batch
from pulse_tui.model.logs.line import Level
from pulse_tui.model.logs.parse import columns, parse_texts, timestamp_and_level

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(autouse=True)
def _fast_path_for_every_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "FAST_MIN_LINES", 1)


def _general(texts: list[str], received: float) -> tuple[list[float], list[Level]]:
    """One line at a time, by the general parser (no inheriting)."""
    stamps, levels = [], []
    for text in texts:
        ts, level = timestamp_and_level(text)
        stamps.append(received if ts is None else ts)
        levels.append(level)
    return stamps, levels


def _assert_same(texts: list[str]) -> None:
    stamps, levels = parse_texts(texts, -1.0)
    want_stamps, want_levels = _general(texts, -1.0)
    for text, ts, level, want_ts, want_level in zip(
        texts, stamps, levels, want_stamps, want_levels, strict=True
    ):
        # Equal floats, not approximately: the fast path adds the same terms in order.
        assert (ts, level) == (want_ts, want_level), text
        assert type(level) is Level and type(ts) is float, text


def _bench_lines() -> list[str]:
    sys.path.insert(0, str(BENCH))
    from bench_ingest import sample_lines, sample_unicode
    from bench_search import sample_lines as search_lines

    return search_lines(3000)[0] + sample_lines(3000) + sample_unicode(1000)


def test_the_benchmark_corpora_take_the_fast_path_and_agree() -> None:
    texts = _bench_lines()
    found = columns.rows(texts)
    assert found is not None
    # The corpus of bench_search is all ISO, JSON and logfmt: none of it is left over.
    assert not [i for i in found.slow if i < 3000]
    for start in range(0, len(texts), 1000):
        _assert_same(texts[start : start + 1000])


def test_hostile_lines_agree_in_batches_of_every_size() -> None:
    rnd = random.Random(16)
    lines = [_hostile_line(rnd) for _ in range(6000)]
    start = 0
    while start < len(lines):
        size = rnd.choice([1, 2, 7, 100, 1000])
        _assert_same(lines[start : start + size])
        start += size


# Lines built from the pieces the fast path reads, each piece right or nearly right.
_DATE = st.sampled_from(["2024-01-02", "2024-02-29", "2023-02-29", "2024-13-01", "2O24-01-02"])
_CLOCK = st.sampled_from(["15:04:05", "23:59:60", "24:00:00", "00:00:99", "15:04:5x"])
_SEPARATOR = st.sampled_from(["T", "T", " ", "t"])
_FRACTION = st.sampled_from(["", ".1", ".123", ",123", ".123456", ".123456789", ".1234567890", "."])
_ZONE = st.sampled_from(["", "Z", "Z", "+02:00", "-0530", "+25:00", "+02:0", "+", " Z", " ", "]"])
_AFTER = st.sampled_from(
    [
        " INFO api: ok",
        " ERROR x",
        " [WARN] x",
        " WARNING",
        " INFOS",
        " INFO_x",
        " INFOé",
        "  INFO",
        " GET /x level=warn",
        " level=error msg=x",
        ' "level":"warn"',
        ',"level":"info","msg":"x"}',
        ',"severity":"CRITICAL"}',
        ',"level":30}',
        ',"msg":"x","level":"warn"}',
        '"}',
        "",
        " ts=2024-01-02T15:04:05Z",
        " [02/Jan/2024:16:04:05 +0000] x",
        " " + "x" * 170 + " ERROR late",
        " \x1b[31m red",
        " 日本語 ERROR",
    ]
)
_PREFIX = st.sampled_from(['{"ts":"', '{"time":"', '{"@timestamp":"', "ts=", 'ts="', "time=", ""])


@st.composite
def _line(draw: st.DrawFn) -> str:
    prefix = draw(_PREFIX)
    stamp = draw(_DATE) + draw(_SEPARATOR) + draw(_CLOCK) + draw(_FRACTION) + draw(_ZONE)
    close = '"' if prefix.endswith('"') and draw(st.booleans()) else ""
    line = prefix + stamp + close + draw(_AFTER)
    if draw(st.integers(0, 9)) == 0:
        line = line[: draw(st.integers(0, len(line)))]
    return line


@settings(max_examples=300, deadline=None)
@given(st.lists(_line() | st.text(max_size=40), min_size=1, max_size=40))
def test_generated_lines_agree(texts: list[str]) -> None:
    texts = [text.replace("\n", " ") for text in texts]
    _assert_same(texts)


def test_lines_left_to_the_row_parser_keep_inheriting_in_order() -> None:
    texts = [
        "  at the.start(Of.java:1)",
        "2024-01-02T15:04:05.250Z ERROR api: boom",
        "  at com.example.Api.handle(Api.java:42)",
        '{"ts":"2024-01-02T15:04:06Z","level":"warn"}',
        "Caused by: nothing",
        "Jan  2 15:04:07 web-1 app[1]: syslog goes the row parser's way",
        "  continued",
    ]
    stamps, _ = parse_texts(texts, -1.0, inherit=True, previous=7.0)
    head = 1704207845.25
    assert stamps[:4] == [7.0, head, head, head + 0.75]
    assert stamps[4] == head + 0.75
    assert stamps[6] == stamps[5] != -1.0


def test_a_long_batch_is_read_in_slices_with_the_same_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(columns, "_SLICE", 7)
    rnd = random.Random(7)
    texts = _bench_lines()[:500] + [_hostile_line(rnd) for _ in range(200)]
    texts += ["Jan  2 15:04:05 web-1 app[1]: a slice of nothing fast"] * 20
    rnd.shuffle(texts)
    _assert_same(texts)
    stamps, _ = parse_texts(texts, -1.0, inherit=True)
    monkeypatch.setattr(columns, "_SLICE", 10**6)
    assert parse_texts(texts, -1.0, inherit=True)[0] == stamps
