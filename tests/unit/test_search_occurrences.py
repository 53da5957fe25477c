"""A literal is found in Latin-1 text by numpy (`search.occurrences`): every occurrence,
overlapping ones too, at the text's edges, under 8 bytes long or over, case folded as
`str.lower` folds Latin-1; and `search.dense` counts each line holding one once."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulse_tui.model.logs.packed import pack
from pulse_tui.model.search import dense
from pulse_tui.model.search.dense import BULK_LINES, Literal, literal_lines
from pulse_tui.model.search.occurrences import occurrences
from pulse_tui.model.search.query import SearchQuery


def every_start(text: str, needle: str) -> list[int]:
    """What `occurrences` must give: each index where `needle` starts, overlaps included."""
    return [i for i in range(len(text) - len(needle) + 1) if text.startswith(needle, i)]


def found(text: str, needle: str, *, fold: bool = False) -> list[int]:
    data = np.frombuffer(text.encode("latin-1"), np.uint8)
    result: list[int] = occurrences(data, needle.encode("latin-1"), fold=fold).tolist()
    return result


def test_overlapping_occurrences_are_all_found() -> None:
    assert found("aaa", "aa") == [0, 1]
    assert found("abababab", "abab") == [0, 2, 4]
    assert found("x" * 40, "x" * 9) == list(range(32))  # over 8 bytes: the word check


@pytest.mark.parametrize("needle", ["t", "to", "tim", "timeout", "timeouts", "timeout after 12ms"])
def test_occurrences_at_the_edges_of_the_text(needle: str) -> None:
    text = f"{needle}--{needle}{needle}-{needle[:-1]}-{needle}"
    assert found(text, needle) == every_start(text, needle)
    assert found(needle, needle) == [0]
    assert found(needle[:-1], needle) == []  # shorter than the needle


def test_folding_is_latin1_lowering_for_every_pair_of_characters() -> None:
    # Every Latin-1 character against every lowered one (the candidate compare ORs 0x20
    # into both: only the check by the lowering table may decide).
    chars = [chr(c) for c in range(256)]
    text = "".join(chars)
    lowered = text.lower()
    for c in sorted(set(lowered)):
        assert found(text, c, fold=True) == every_start(lowered, c), repr(c)
    # 10 characters, checked as words: each character's run, upper and lower case.
    haystack = "".join(f"{(a + 'É') * 5}|{(a + 'é') * 6}\n" for a in chars)
    for c in sorted(set(lowered)):
        needle = (c + "é") * 5
        expected = every_start(haystack.lower(), needle)
        assert expected
        assert found(haystack, needle, fold=True) == expected


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(st.sampled_from("aAbB\n éÉ?@`\x00ÿß"), max_size=300),
    needle=st.text(st.sampled_from("aAbB éÉ?@`\x00ÿß"), min_size=1, max_size=12),
    fold=st.booleans(),
)
def test_occurrences_agree_with_a_plain_search(text: str, needle: str, fold: bool) -> None:
    if fold:
        needle = needle.lower()
    expected = every_start(text.lower() if fold else text, needle)
    assert found(text, needle, fold=fold) == expected


def test_dense_lines_count_a_line_with_two_hits_once_and_see_no_hit_across_lines() -> None:
    texts = ["ab ab", "a", "b", "xab", "", "ab"] * (BULK_LINES // 2)
    part = pack(texts).main
    expected = [7 + i for i, t in enumerate(texts) if "ab" in t]
    got = literal_lines(part.joined, part.starts, 0, len(texts), Literal("ab", fold=False), 7)
    assert got == expected  # "a\nb" is not a hit


def test_dense_lines_of_a_literal_wider_than_the_text_are_none() -> None:
    part = pack(["x → y".replace("→", "?")] * 10).main
    assert literal_lines(part.joined, part.starts, 0, 10, Literal("→", fold=False), 0) == []


@pytest.mark.parametrize("text", ["İ", "i", "ß", "ss", "ẞ", "ı", "K", "k", "straße", "Straße"])
def test_non_ascii_folding_gives_what_the_line_search_gives(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # İ, ı, ẞ and K (Kelvin) are beyond Latin-1: every 8th line holds one, so those
    # lines are packed apart and searched by the regex, the rest by numpy (folded Latin-1
    # literals), folding as `SearchQuery.matches` does line by line.
    calls: list[int] = []
    real = dense._by_occurrences

    def counted(*args: Any) -> list[int]:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(dense, "_by_occurrences", counted)
    rnd = random.Random(3)
    narrow = ["i", "I", "ss", "SS", "ß", "k", "K", "straße", "STRASSE", "Straße", "x"]
    wide = ["İ", "ı", "ẞ", "K"]
    texts = [
        " ".join(rnd.choice(wide if n % 8 == 0 and j == 0 else narrow) for j in range(4))
        for n in range(3 * BULK_LINES)
    ]
    query = SearchQuery.parse(text)
    expected = [i for i, t in enumerate(texts) if query.matches(t)]
    assert expected
    assert query.scan(texts, 0) == expected
    literal = query._literal
    if literal is None:  # folding beyond Latin-1: the regex alone
        assert not calls
    elif literal.fold:  # folded in Latin-1: numpy, straight away
        assert calls


def test_a_block_of_mostly_wide_lines_keeps_the_split_path() -> None:
    # Packed wide as it is (see `logs.packed`): not Latin-1, so `str.split` counts it.
    texts = ["→ Hit Hit", "→ miss", "Hit", "→ xHit", "→"] * BULK_LINES
    packed = pack(texts)
    assert packed.wide is None and not packed.main.joined.isascii()
    query = SearchQuery.parse("Hit")
    assert query.scan(texts, 3) == [3 + i for i, t in enumerate(texts) if "Hit" in t]


@pytest.mark.parametrize("needle", ["aQa", "aaQaa", "Qaaaaaaaaa", "aaaaaaaaaQ", "aaaaQaaaaaaa"])
def test_a_rare_byte_anywhere_in_the_literal_finds_every_occurrence(needle: str) -> None:
    # `Q` is rare, so it alone picks the candidates; what is around it is checked.
    rnd = random.Random(len(needle))
    text = "".join(
        rnd.choice("aaaaaaaaab\n") + ("Q" if rnd.random() < 0.01 else "") for _ in range(20_000)
    )
    text = needle + text + needle
    expected = every_start(text, needle)
    assert len(expected) > 2
    assert found(text, needle) == expected
