"""Untrusted text never reaches the terminal raw; ordinary text passes unchanged."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulse_tui.model.core.sanitize import is_safe, sanitize, sanitize_chunk

RAW = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c]")

HOSTILE = [
    "\x1b[31mred\x1b[0m",
    "\x1b[2J\x1b[H clear screen",
    "\x1b]0;evil title\x07",
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "\x1b]52;c;" + "QUFB" * 100 + "\x07",
    "\x1b]52;c;unterminated",
    "\x9b31m C1 CSI \x9d0;t\x9c",
    "bell\x07 cr\r bs\b del\x7f nul\x00",
    "admin\u202e\u2066gnp.exe\u2069 \u200b\ufeff\u061c",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_has_nothing_raw(text: str) -> None:
    clean = sanitize(text)
    assert RAW.search(clean) is None
    assert is_safe(clean)


def test_escape_sequences_are_visible_and_compact() -> None:
    assert sanitize("\x1b[31mred") == "\\x1b[31mred"
    assert sanitize("bell\x07") == "bell\\x07"
    assert sanitize("a\rb\bc\x7f") == "a\\x0db\\x08c\\x7f"
    assert sanitize("\u202eabc") == "\\u202eabc"
    long_osc = sanitize("\x1b]52;c;" + "A" * 1000 + "\x07")
    assert len(long_osc) < 60 and long_osc.startswith("\\x1b]52;c;")
    assert long_osc.endswith("...\\x07")


def test_plain_text_and_markup_are_untouched() -> None:
    for text in ["[bold]not bold[/bold] [link=x]y[/link]", "tab\there", "héllo wörld ✓ 日本"]:
        assert sanitize(text) is text


def test_chunk_keeps_newlines_line_escapes_them() -> None:
    assert sanitize_chunk("a\x1b\nb") == "a\\x1b\nb"
    assert sanitize("a\nb") == "a\\x0ab"


def test_the_view_s_escape_pattern_matches_exactly_what_the_sanitiser_writes() -> None:
    from pulse_tui.model.core.sanitize import ESCAPE

    every = "".join(chr(c) for c in range(0x3000) if c != 0x09)
    written = ESCAPE.findall(sanitize(every))
    assert written == [notation(ord(c)) for c in every if unsafe(ord(c))]
    assert all(w.isascii() for w in written)
    # Text that only looks like an escape is text.
    assert ESCAPE.search(r"C:\x64\bin caf\u00e9 \x41 \u0041") is None


# --- Invisible characters, by Unicode category -------------------------------------------

# The spec, written independently of the module: categories, the blank letters and the
# noncharacters, TAB aside (LF aside too in the chunk variant).
UNSAFE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs"}
BLANK_LETTERS = {0x115F, 0x1160, 0x3164, 0xFFA0}


def unsafe(code: int) -> bool:
    if code == 0x09:
        return False
    return (
        unicodedata.category(chr(code)) in UNSAFE_CATEGORIES
        or code in BLANK_LETTERS
        or 0xFDD0 <= code <= 0xFDEF
        or code & 0xFFFE == 0xFFFE
    )


def notation(code: int) -> str:
    """Python's escape of `code`: what the sanitiser writes for it."""
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


# Every character the issue names, and the blank letters.
NAMED = [
    *range(0x2060, 0x2065),
    0x180E,
    0x00AD,
    0xE0001,
    *range(0xE0020, 0xE0080),
    *range(0xFFF9, 0xFFFC),
    *sorted(BLANK_LETTERS),
]


@pytest.mark.parametrize("code", NAMED, ids=lambda code: f"U+{code:04X}")
def test_every_invisible_character_the_issue_names_becomes_visible(code: int) -> None:
    text = f"admin{chr(code)}root"
    assert sanitize(text) == f"admin{notation(code)}root"
    assert sanitize_chunk(text) == f"admin{notation(code)}root"
    assert not is_safe(text)


def test_characters_beyond_the_bmp_escape_in_python_notation() -> None:
    assert sanitize("\U000e0041\U000e0001") == "\\U000e0041\\U000e0001"
    assert sanitize("\U0010ffff") == "\\U0010ffff"  # a noncharacter
    assert sanitize("\ud800") == "\\ud800"  # a lone surrogate, as json.loads makes
    assert sanitize('"\ufdd0"') == '"\\ufdd0"'


def test_legitimate_unicode_passes_unchanged() -> None:
    # Emoji with variation selectors, private use icons, CJK, spaces, combining marks.
    for text in [
        "❤️ 🚀 👍🏽",
        "\ue0a0 \uf015 nerd font",
        "日本語 中文 한국어 ㄱ",
        "a\u00a0b\u3000c",
        "e\u0301",
    ]:
        assert sanitize(text) is text and sanitize_chunk(text) is text


def test_every_code_point_is_safe_exactly_when_its_category_says_so() -> None:
    from pulse_tui.model.core.sanitize import UNSAFE_CODE_POINTS

    expected = {code for code in range(0x110000) if unsafe(code)}
    assert expected == UNSAFE_CODE_POINTS  # the import's three-plane scan misses none
    # The patterns, not only the set, in one string sanitised at once: all of the BMP, and
    # beyond it the unsafe ones, their neighbours and a sample. (All 1.1M take 0.8 s: each
    # safe character beyond U+FFFF, which the pattern takes, costs `re.sub` a call.)
    astral = {c + d for c in expected if c > 0xFFFF for d in (-1, 1)} | expected
    codes = sorted({*range(0x10000), *range(0x10000, 0x110000, 61), *astral} - {0x110000})
    assert sanitize("".join(map(chr, codes))) == "".join(
        notation(code) if code in expected else chr(code) for code in codes
    )
    # `is_safe` one by one, on a sample that holds every unsafe code point.
    sample = [*expected, *range(0, 0x110000, 97), 0x09, 0x20, 0xFE0F, 0xE0100, 0x1F680]
    assert all(is_safe(chr(code)) is (code not in expected) for code in sample)


def test_escape_matches_the_notation_of_unsafe_code_points_and_nothing_else() -> None:
    from pulse_tui.model.core.sanitize import ESCAPE

    # Each notation of a code point it can spell (`\x` up to U+00FF, `\u` up to U+FFFF,
    # `\U` any), in lower case and, where it has a letter, in upper case, one space apart:
    # all of the BMP, and beyond it the unsafe ones, their neighbours and a sample (all
    # 1.1M take seconds).
    unsafe_astral = [code for code in range(0x10000, 0x110000) if unsafe(code)]
    astral = {c + d for c in unsafe_astral for d in (-1, 0, 1)}
    codes = sorted({*range(0x10000), *astral, *range(0x10000, 0x110000, 61)} - {0x110000})
    for case in ("x", "X"):
        written = [
            f"\\{prefix}{code:0{width}{case}}"
            for code in codes
            for prefix, width, top in (("x", 2, 0xFF), ("u", 4, 0xFFFF), ("U", 8, 0x10FFFF))
            if code <= top and (case == "x" or f"{code:x}" != f"{code:X}")
        ]
        found = ESCAPE.findall(" ".join(written))
        lower = case == "x"
        assert found == ([notation(code) for code in codes if unsafe(code)] if lower else [])
    for text in (r"\u202E", r"\X1b", r"\u001b", r"\u00ad", r"\U0000202e", r"\x20"):
        assert ESCAPE.search(text) is None, text


# --- Properties --------------------------------------------------------------------------

# Any code point, surrogates included, with the ones that make escape sequences and
# look-alike escapes, the named ones, surrogates and an emoji drawn often.
CHARS = st.one_of(
    st.characters(exclude_categories=()),
    st.sampled_from(["\x1b", "]", "[", "\x07", "\x9c", "\\", "x", "u", "U", "1", "b", "\n"]),
    st.sampled_from([chr(code) for code in NAMED] + ["\ud800", "\udfff", "\U0001f680"]),
)
TEXT = st.text(CHARS, max_size=80)
SAFE_TEXT = st.text(st.characters(exclude_categories=()).filter(lambda c: not unsafe(ord(c))))


def raw_unsafe(text: str, *, keep_newline: bool) -> list[str]:
    return [c for c in text if unsafe(ord(c)) and not (keep_newline and c == "\n")]


@given(TEXT)
@settings(deadline=None)
def test_property_no_unsafe_character_survives(text: str) -> None:
    assert raw_unsafe(sanitize(text), keep_newline=False) == []
    assert raw_unsafe(sanitize_chunk(text), keep_newline=True) == []
    assert is_safe(sanitize(text))


@given(TEXT)
@settings(deadline=None)
def test_property_sanitising_twice_is_sanitising_once(text: str) -> None:
    once = sanitize(text)
    assert sanitize(once) is once
    chunk = sanitize_chunk(text)
    assert sanitize_chunk(chunk) is chunk


@given(SAFE_TEXT)
@settings(deadline=None)
def test_property_safe_text_is_returned_as_the_same_object(text: str) -> None:
    assert sanitize(text) is text
    assert is_safe(text)
    with_lines = text + "\n" + text
    assert sanitize_chunk(with_lines) is with_lines


@given(TEXT)
@settings(deadline=None)
def test_property_the_chunk_variant_is_the_line_variant_line_by_line(text: str) -> None:
    assert sanitize_chunk(text).split("\n") == [sanitize(line) for line in text.split("\n")]


@given(TEXT.filter(lambda text: "\\" not in text))
@settings(deadline=None)
def test_property_every_escape_found_is_a_sanitised_character(text: str) -> None:
    from pulse_tui.model.core.sanitize import ESCAPE

    clean = sanitize(text)
    # Each backslash of the output starts an escape the view will show as one...
    assert "\\" not in ESCAPE.sub("", clean)
    # ...and, without an OSC payload cut short, undoing the escapes gives the input back:
    # every escape stands for the unsafe character that was there, and only for one.
    if "\x1b]" not in text:
        assert ESCAPE.sub(lambda m: chr(int(m.group()[2:], 16)), clean) == text
