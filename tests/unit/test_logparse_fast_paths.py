"""The column parser's shortcuts give the answers of the line-at-a-time parser: the prefix
found from the first line of a lead and tested over the batch, the words read by one wide
gather, and the heads searched for upper-case runs as rows of a table. Each case is a
batch the shortcut reads, compared with `parse_texts` line for line, and where a shortcut
could miss something, a check that it was taken."""

from __future__ import annotations

import random

import numpy as np
import pytest
from test_dense_lines import _assert_parsed_alike

import pulse_tui.model.logs.parse.batch as batch
from pulse_tui.model.logs.dense import PAD, DenseLines
from pulse_tui.model.logs.parse import column_levels, columns, swar
from pulse_tui.model.logs.parse.levels import HEAD

_STAMP = "2024-01-02T15:04:05.250Z"


@pytest.fixture(autouse=True)
def _every_batch_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "FAST_MIN_LINES", 1)


def _upper_lines(texts: list[str]) -> tuple[DenseLines, list[int]]:
    """`texts` as dense lines, and the lines the column parser leaves UPPER."""
    lines = DenseLines.of(texts)
    found = columns.dense_rows(lines.data, lines.byte_starts)
    assert found is not None
    return lines, np.flatnonzero(found.todo == column_levels.UPPER).tolist()


@pytest.mark.parametrize("pad", ["x", "é", "日", "\U0001f600"])
def test_an_upper_case_word_at_any_place_in_a_logfmt_head_overrules_level_key(pad: str) -> None:
    # The WORD just inside the head, across its end, just past it; padded with characters
    # of 1 to 4 bytes, so the head's 160 characters are 160 to 640 bytes.
    texts = []
    for before in range(HEAD - 50, HEAD + 2):
        head = f'ts={_STAMP} level=debug msg="'
        # (A space before the WORD: after a letter it would be no word.)
        texts.append(head + pad * (before - len(head) - 1) + " ERROR rest" + '"')
        texts.append(head + pad * (before - len(head) - 1) + " ERR")
    _, upper = _upper_lines(texts)
    assert len(upper) == len(texts)  # the shortcut read them all
    _assert_parsed_alike(texts)


def test_mixed_case_and_odd_words_in_logfmt_heads_parse_alike() -> None:
    tails = [
        " Error", " eRROR", " ERRORS", " XERROR", " /ERROR", " -WARN", " .FATAL", "=CRIT",
        ' "PANIC"', " [WARN]", " ABC", " AB", " WARNING:", " INFO_x", " NOTICE", " TRACE",
        "\tDEBUG", " ÉRROR", " ERRÖR", "",
    ]  # fmt: skip
    texts = [
        f'{key}={_STAMP} level={level} msg="x"{tail}'
        for key in ("ts", "time", "timestamp")
        for level in ("debug", "ERROR", "Warn", "info", "warning")
        for tail in tails
    ]
    _assert_parsed_alike(texts)


def test_logfmt_lines_at_the_very_end_of_a_batch_are_searched_too() -> None:
    # The last lines start within a head's length of the data's end: read from the tail.
    texts = [f"ts={_STAMP} level=info msg=ok"] * 50
    texts += [f"ts={_STAMP} level=info FATAL", "x", f"ts={_STAMP} level=info E", "AB"]
    texts += [f"ts={_STAMP} level=debug WARN"]
    lines, upper = _upper_lines(texts)
    data, starts = lines.data, lines.byte_starts
    size = len(data) - len(PAD) - 1
    mask = np.zeros(len(texts), dtype=np.bool_)
    mask[upper] = True
    found = column_levels.lines_with_caps(data, size, starts, mask, True).tolist()
    assert found == [50, 54]
    _assert_parsed_alike(texts)


def test_a_batch_of_every_prefix_in_any_order_parses_alike() -> None:
    # More distinct line starts per lead than the prefixes looked at one by one, so the
    # test of every prefix runs too; starts that share a prefix's first bytes, and none.
    prefixes = [
        '{{"ts":"{}","level":"warn"}}', '{{"time":"{}","level":"ERROR"}}', '{{"t":"{}"}}',
        '{{"timestamp":"{}","severity":"info"}}', '{{"@timestamp":"{}","lvl":"debug"}}',
        '{{"tsx":"{}","level":"warn"}}', '{{"msg":"{}","level":"warn"}}', '{{"{}"}}',
        "ts={} level=warn", 'ts="{}" level=error', "time={} lvl=info", 'time="{}" INFO',
        "timestamp={} severity=debug", 'timestamp="{}" level=warn', "tsx={} level=warn",
        "trace {} x", "t={} level=warn", "{} WARN x", "level=warn {}", "日本 {} ERROR",
    ]  # fmt: skip
    rnd = random.Random(7)
    for _ in range(20):
        texts = [rnd.choice(prefixes).format(_STAMP) for _ in range(rnd.randrange(1, 300))]
        _assert_parsed_alike(texts)


def test_lines_without_a_time_between_timed_ones_parse_alike() -> None:
    rnd = random.Random(3)
    timed = [f"{_STAMP} INFO a", f'{{"ts":"{_STAMP}","level":"warn"}}', f"ts={_STAMP} x"]
    untimed = ["", "  at x.y(Z.java:1)", "ERROR no time", "level=ERROR", '{"level":"warn"}']
    texts = [rnd.choice(timed if rnd.random() < 0.6 else untimed) for _ in range(2000)]
    _assert_parsed_alike(texts, previous=7.0)


def test_a_run_of_words_is_the_words_one_by_one() -> None:
    rnd = random.Random(5)
    data = bytes(rnd.randrange(256) for _ in range(4000))
    at = np.array(sorted(rnd.sample(range(4000 - 40), 300)), dtype=np.int64)
    words = swar.words(data)
    for count in (1, 2, 3, 5):
        run = words.run(at, count)
        assert len(run) == count
        for k, word in enumerate(run):
            assert word.tolist() == words[at + 8 * k].tolist()


@pytest.mark.parametrize("key", ["ts", "time", "timestamp"])
def test_a_quoted_time_after_an_unquoted_one_stays_on_the_fast_path(key: str) -> None:
    # The first line's prefix (`ts=`) is also the start of a longer one (`ts="`): the
    # lines with the longer one are read with it, not left to the row parser.
    texts = [f"{key}={_STAMP} level=warn x", f'{key}="{_STAMP}" level=warn x'] * 20
    lines = DenseLines.of(texts)
    found = columns.dense_rows(lines.data, lines.byte_starts)
    assert found is not None
    assert not (found.todo == column_levels.SLOW).any()
    _assert_parsed_alike(texts)


@pytest.mark.parametrize("tail", ["", " ERROR", " x" * 60 + " WARN"])
def test_a_batch_shorter_than_a_head_parses_alike(tail: str) -> None:
    # (Found by hypothesis: the whole batch's bytes fewer than a head's 160.)
    texts = [f"ts=2024-01-02T15:04:05 level=error msg=x{tail}"]
    _, upper = _upper_lines(texts)
    assert upper == [0]
    _assert_parsed_alike(texts)
