"""Untrusted text never reaches the terminal raw; ordinary text passes unchanged."""

from __future__ import annotations

import re

import pytest

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
    unsafe = [*RAW.findall(every), "\u2028", "\u2029"]
    assert len(written) == len(unsafe) and all(w.isascii() for w in written)
    # Text that only looks like an escape is text.
    assert ESCAPE.search(r"C:\x64\bin caf\u00e9 \x41 \u0041") is None
