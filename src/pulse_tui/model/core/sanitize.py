"""Make untrusted log text safe to show: no control or invisible character reaches the
terminal raw.

Applied once, where a line enters the model (see `sources/ssh/line_reader.py`), never again.

What the reader sees instead of a dangerous character is its escape in the notation of
Python's `repr`, in plain ASCII: `\\xNN` up to U+00FF, `\\uNNNN` up to U+FFFF,
`\\UNNNNNNNN` beyond (`\\x1b` for ESC, `\\x0d` for CR, `\\u202e`, `\\U000e0041`).

The set is derived at import from Unicode's general categories (`unicodedata`, so it
follows the Unicode version of the Python that runs):

* Cc, controls (C0, DEL, C1), except TAB; LF too inside a line (`\\x0a`).
* Cf, format characters: bidi overrides and isolates (a "Trojan source" reordering is
  shown rather than obeyed), zero-width spaces and joiners, the word joiner and invisible
  operators (U+2060–U+2064), the soft hyphen, the Mongolian vowel separator, the BOM,
  interlinear annotation (U+FFF9–U+FFFB), tags (U+E0001, U+E0020–U+E007F) and the rest.
* Zl and Zp, U+2028 and U+2029, which break lines in some renderers.
* Cs, lone surrogates, and the noncharacters (U+FDD0–U+FDEF, U+FFFE, U+FFFF and the last
  two code points of every plane).
* The Hangul fillers U+115F, U+1160, U+3164 and U+FFA0: letters by category that render
  as blank space.

What is left as it is (other unassigned code points, private use, variation selectors,
spaces), and why, is said where the set is built.

Whole escape sequences are shown compactly: CSI and short OSC sequences keep their
parameters after the ESC (`\\x1b[31m`, `\\x1b]0;title\\x07`); OSC payloads longer than
`OSC_PAYLOAD_SHOWN` characters (hyperlinks, OSC 52 clipboard writes) are cut to that
many characters plus `...`. The ESC itself is always replaced, so no sequence survives.

Why ASCII rather than Unicode's Control Pictures (`␛`) or `⟨U+202E⟩`: every terminal
font has these glyphs, while many lack the pictures and show a box instead; and a line
that stays within Latin-1 is stored 1 byte per character, where one picture would make
the line, and every string it is joined into (the chunk being parsed, its block in the
buffer), 2 bytes per character: more memory, and slower to parse, pack and search.

Speed: a line with none of these characters is returned unchanged after one regex scan
(plus a dictionary look-up for each character beyond U+FFFF, such as an emoji);
otherwise a single `re.sub` over the whole chunk replaces only the matches. Callers pass
whole decoded chunks (many lines at once) to `sanitize_chunk`, which keeps `\\n`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from itertools import compress, count

#: How many characters of an OSC payload stay visible (enough for `8;;https://host/`).
OSC_PAYLOAD_SHOWN = 40

# Cc: terminal commands (ESC, BEL, CR, BS, the C1 CSI...). Cf: invisible, or reorder
# what is around them, so a line would not show what it says. Zl/Zp: line breaks. Cs: a
# lone surrogate. LineReader decodes with errors="replace", which never yields one, but
# `json.loads` turns a `\ud800` in a JSON line's field or a journald entry into one, and
# a surrogate cannot even be encoded for the terminal. Noncharacters (U+FDD0–U+FDEF and
# the last two code points of each plane) are never text, whatever the Unicode version.
#
# Left as they are, on purpose:
# * Unassigned code points (Cn) other than the noncharacters: later Unicode versions give
#   them visible characters (new emoji, CJK), and escaping them would turn a newer tool's
#   ordinary output into escapes. A terminal shows them as a box or a blank cell.
# * Private use (Co): Nerd Font and Powerline icons in tool output; a glyph or a box.
# * Variation selectors (U+FE00–U+FE0F, U+E0100–U+E01EF, Mn): they choose an emoji's or
#   an ideograph's presentation (U+FE0F follows most emoji) and attach to the character
#   before them; a run of them can carry hidden data, but changes nothing shown.
# * Spaces (Zs): shown as the spaces they are.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})

# Letters (Lo), so no category rule finds them, that render as blank space: the usual
# way to make a name look empty or like another. Other blank-looking characters are
# left: spaces (Zs) and U+2800 (braille blank, the empty frame of spinners) take a cell
# and look like the space they are.
_BLANK_LETTERS = frozenset({0x115F, 0x1160, 0x3164, 0xFFA0})

# The code points scanned for the categories at import (about 10 ms, where all 17
# planes take 100+): the Unicode roadmap keeps planes 2-3 for CJK ideographs (Lo), leaves
# 4-13 unassigned and gives 15-16 to private use, so Cc/Cf/Zl/Zp/Cs live in planes 0, 1
# and 14 only; and of plane 14 only its first 4,096 are allocated (tags, the variation
# selectors supplement): the unassigned rest took half the scan. The test suite checks
# every code point of the running Python, so a Unicode version that breaks this fails
# there rather than letting a character through.
_SCANNED = ((0, 0x10000), (0x10000, 0x10000), (0xE0000, 0x1000))


def _spans(spans: Iterable[tuple[int, int]]) -> Iterator[tuple[int, str]]:
    """(first code point, every code point as one string) of each (first, count) of
    `spans`, each within one plane."""
    # Plane 0 in UTF-32-LE, byte by byte (`struct.pack` of 65,536 numbers took 3 ms).
    raw = bytearray(0x40000)
    raw[0::4] = bytes(range(256)) * 256  # the low byte
    raw[1::4] = b"".join(bytes([high]) * 256 for high in range(256))
    for first, size in spans:
        raw[2::4] = bytes([first >> 16]) * 0x10000  # the third byte of each is the plane
        low = (first & 0xFFFF) * 4
        yield first, raw[low : low + size * 4].decode("utf-32-le", "surrogatepass")


def _unsafe_code_points() -> frozenset[int]:
    """The categories' code points, the blank letters and the noncharacters, less TAB."""
    found: set[int] = set(_BLANK_LETTERS)
    for start, span in _spans(_SCANNED):
        for offset in range(0, len(span), 128):
            block = span[offset : offset + 128]
            if block.isprintable():
                continue  # none of Cc, Cf, Cs, Zl, Zp (nor Co, Cn, Zs): most blocks
            # `map` over C functions: no bytecode runs per code point.
            categories = map(unicodedata.category, block)
            unsafe = map(_UNSAFE_CATEGORIES.__contains__, categories)
            found.update(compress(count(start + offset), unsafe))
    found.update(range(0xFDD0, 0xFDF0))
    found.update(plane << 16 | low for plane in range(17) for low in (0xFFFE, 0xFFFF))
    found.discard(0x09)
    return frozenset(found)


#: Every code point `sanitize` replaces; `sanitize_chunk` keeps `\n` (0x0A).
UNSAFE_CODE_POINTS = _unsafe_code_points()


def _ranges(codes: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Sorted code points as (first, last) runs of consecutive ones."""
    first = last = -2
    for code in sorted(codes):
        if code != last + 1:
            if first >= 0:
                yield first, last
            first = code
        last = code
    if first >= 0:
        yield first, last


def _class(ranges: Iterable[tuple[int, int]]) -> str:
    """A regex character class of the (first, last) code point `ranges`."""
    parts = (
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return "[" + "".join(parts) + "]"


# `re` tests a class's BMP part with one bitmap look-up, but each range beyond U+FFFF
# with a comparison of its own, for every character scanned: the 23 astral ranges made a
# clean line's scan 10x slower. So the patterns take every character beyond U+FFFF (one
# range) and `_unsafe_from` steps over the safe ones (emoji, mostly). That one range
# still costs a scan half as much again, so ASCII text (`str.isascii` is O(1)), such as
# most journald messages and JSON fields, gets a pattern of the ASCII part alone.
_ASTRAL = (0x10000, 0x10FFFF)


def _patterns(codes: frozenset[int]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(for ASCII text, for any text) patterns of the unsafe `codes`."""
    ascii_only = re.compile(_class(_ranges(code for code in codes if code < 0x80)))
    bmp = _ranges(code for code in codes if code <= 0xFFFF)
    return ascii_only, re.compile(_class([*bmp, _ASTRAL]))


_UNSAFE_LINE = _patterns(UNSAFE_CODE_POINTS)
_UNSAFE_CHUNK = _patterns(UNSAFE_CODE_POINTS - {0x0A})

# An OSC sequence: ESC ] ... terminated by BEL, ST (ESC \) or C1 ST (U+009C); or cut
# off by the end of the line, which is just as dangerous.
_OSC = re.compile("\x1b\\]([^\x07\x1b\x9c\n]*)(\x07|\x1b\\\\|\x9c)?")


def _escape(code: int) -> str:
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


_TABLE: dict[str, str] = {chr(code): _escape(code) for code in UNSAFE_CODE_POINTS}
_TABLE_GET = _TABLE.get

_HEX = "0123456789abcdef"


def _hex_class(lo: int, hi: int) -> str:
    """A class of the hex digits lo..hi; never a range from a digit to a letter, which
    would hold `:;<=>?@` and the upper-case letters too."""
    if lo == hi:
        return _HEX[lo]
    if lo > 9 or hi <= 9:
        return f"[{_HEX[lo]}-{_HEX[hi]}]"
    digits = "9" if lo == 9 else f"{lo}-9"
    letters = "a" if hi == 10 else f"a-{_HEX[hi]}"
    return f"[{digits}{letters}]"


def _numerals(lo: int, hi: int, width: int) -> list[str]:
    """Regex alternatives matching exactly the `width`-digit lowercase hex numerals of
    lo..hi (the way a numeric range becomes a pattern, digit by digit)."""
    if width == 1:
        return [_hex_class(lo, hi)]
    unit = 16 ** (width - 1)
    lo_head, lo_tail = divmod(lo, unit)
    hi_head, hi_tail = divmod(hi, unit)
    if lo_head == hi_head:
        return [_HEX[lo_head] + rest for rest in _numerals(lo_tail, hi_tail, width - 1)]
    out: list[str] = []
    if lo_tail:  # the first leading digit covers only part of its tails
        out += [_HEX[lo_head] + rest for rest in _numerals(lo_tail, unit - 1, width - 1)]
        lo_head += 1
    last: list[str] = []
    if hi_tail != unit - 1:
        last = [_HEX[hi_head] + rest for rest in _numerals(0, hi_tail, width - 1)]
        hi_head -= 1
    if lo_head <= hi_head:
        any_tail = "[0-9a-f]" if width == 2 else f"[0-9a-f]{{{width - 1}}}"
        out.append(_hex_class(lo_head, hi_head) + any_tail)
    return out + last


def _escape_pattern() -> str:
    notations = (
        ("\\\\x", 2, 0, 0xFF),
        ("\\\\u", 4, 0x100, 0xFFFF),
        ("\\\\U", 8, 0x10000, 0x10FFFF),
    )
    branches = []
    for prefix, width, lo, hi in notations:
        codes = [code for code in UNSAFE_CODE_POINTS if lo <= code <= hi]
        numerals = [n for a, b in _ranges(codes) for n in _numerals(a, b, width)]
        branches.append(f"{prefix}(?:{'|'.join(numerals)})")
    return "|".join(branches)


#: The escapes `sanitize` writes, and only those (a `C:\\x64` path or JSON's `caf\\u00e9`
#: is text), so a view can show them apart from the text around them. Built from the
#: ranges rather than as an alternation of all ~2,400 escapes.
ESCAPE = re.compile(_escape_pattern())


def _replace(match: re.Match[str]) -> str:
    char = match.group()
    return _TABLE_GET(char, char)  # a safe character beyond U+FFFF stays


def _compact_osc(match: re.Match[str]) -> str:
    payload = match.group(1)
    if len(payload) > OSC_PAYLOAD_SHOWN:
        payload = payload[:OSC_PAYLOAD_SHOWN] + "..."
    terminator = match.group(2) or ""
    # Returned text still holds ESC/BEL/C1; the table pass that follows replaces them.
    return "\x1b]" + payload + terminator


def _unsafe_from(
    match: re.Match[str] | None, text: str, unsafe: re.Pattern[str]
) -> re.Match[str] | None:
    """The first match from `match` on that is an unsafe character: the patterns also
    match the safe characters beyond U+FFFF (see `_patterns`)."""
    while match is not None and match.group() not in _TABLE:
        match = unsafe.search(text, match.end())
    return match


def _sanitize(text: str, patterns: tuple[re.Pattern[str], re.Pattern[str]]) -> str:
    unsafe = patterns[0] if text.isascii() else patterns[1]
    match = unsafe.search(text)
    if match is None:
        return text  # the common case, without a call to `_unsafe_from`
    if match.group() not in _TABLE and _unsafe_from(match, text, unsafe) is None:
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
    unsafe = _UNSAFE_LINE[0 if text.isascii() else 1]
    return _unsafe_from(unsafe.search(text), text, unsafe) is None
