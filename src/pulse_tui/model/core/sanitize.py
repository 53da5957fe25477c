"""Make untrusted log text safe to show: no control character reaches the terminal raw.

Applied once, where a line enters the model (see `sources/ssh/line_reader.py`), never again.

What the reader sees instead of a dangerous character is its escape in the notation of
Python's `repr` and of JSON-style tools, in plain ASCII:

* C0 controls (U+0000–U+001F, except TAB), DEL and C1 controls (U+0080–U+009F) become
  `\\xNN`: `\\x1b` for ESC, `\\x07` for BEL, `\\x0d` for CR, `\\x0a` for LF inside a
  line.
* Bidi and zero-width characters (U+200B–U+200F, U+202A–U+202E, U+2066–U+2069, U+FEFF,
  U+061C, plus the U+2028/U+2029 line separators) become `\\uNNNN`, so a "Trojan
  source" reordering is visible rather than obeyed.
* Whole escape sequences are shown compactly: CSI and short OSC sequences keep their
  parameters after the ESC (`\\x1b[31m`, `\\x1b]0;title\\x07`); OSC payloads longer than
  `OSC_PAYLOAD_SHOWN` characters (hyperlinks, OSC 52 clipboard writes) are cut to that
  many characters plus `...`. The ESC itself is always replaced, so no sequence survives.

Why ASCII rather than Unicode's Control Pictures (`␛`) or `⟨U+202E⟩`: every terminal
font has these glyphs, while many lack the pictures and show a box instead; and a line
that stays within Latin-1 is stored 1 byte per character, where one picture would make
the line, and every string it is joined into (the chunk being parsed, its block in the
buffer), 2 bytes per character: more memory, and slower to parse, pack and search.

Speed: a line with none of these characters is returned unchanged after one regex scan;
otherwise a single `re.sub` over the whole chunk replaces only the matches. Callers pass
whole decoded chunks (many lines at once) to `sanitize_chunk`, which keeps `\\n`.
"""

from __future__ import annotations

import re

#: How many characters of an OSC payload stay visible (enough for `8;;https://host/`).
OSC_PAYLOAD_SHOWN = 40

_BIDI = "\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c\u2028\u2029"

# The characters that must never pass raw. `\t` (0x09) is allowed; `\n` is allowed only
# in the chunk variant, where it separates lines.
_UNSAFE_CHUNK = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_UNSAFE_LINE = re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f{_BIDI}]")

# An OSC sequence: ESC ] ... terminated by BEL, ST (ESC \) or C1 ST (U+009C); or cut
# off by the end of the line, which is just as dangerous.
_OSC = re.compile("\x1b\\]([^\x07\x1b\x9c\n]*)(\x07|\x1b\\\\|\x9c)?")


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


_TABLE: dict[str, str] = {
    chr(c): _escape(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if c != 0x09
}
for _code in [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]:
    _TABLE[chr(_code)] = _escape(_code)
for _code in (0xFEFF, 0x061C, 0x2028, 0x2029):
    _TABLE[chr(_code)] = _escape(_code)
_TABLE_GET = _TABLE.__getitem__

#: The escapes `sanitize` writes, and only those (a `C:\\x64` path or JSON's `caf\\u00e9`
#: is text), so a view can show them apart from the text around them.
ESCAPE = re.compile("|".join(map(re.escape, sorted(set(_TABLE.values())))))


def _replace(match: re.Match[str]) -> str:
    return _TABLE_GET(match.group())


def _compact_osc(match: re.Match[str]) -> str:
    payload = match.group(1)
    if len(payload) > OSC_PAYLOAD_SHOWN:
        payload = payload[:OSC_PAYLOAD_SHOWN] + "..."
    terminator = match.group(2) or ""
    # Returned text still holds ESC/BEL/C1; the table pass that follows replaces them.
    return "\x1b]" + payload + terminator


def _sanitize(text: str, unsafe: re.Pattern[str]) -> str:
    if unsafe.search(text) is None:
        return text
    if "\x1b]" in text:
        text = _OSC.sub(_compact_osc, text)
    return unsafe.sub(_replace, text)


def sanitize_chunk(text: str) -> str:
    """Sanitise many lines at once; `\\n` is kept as the line separator."""
    return _sanitize(text, _UNSAFE_CHUNK)


def sanitize(text: str) -> str:
    """Sanitise one line; a `\\n` inside it is shown as `\\x0a` too."""
    return _sanitize(text, _UNSAFE_LINE)


def is_safe(text: str) -> bool:
    """True if `text` contains nothing `sanitize` would replace (for tests and asserts)."""
    return _UNSAFE_LINE.search(text) is None
