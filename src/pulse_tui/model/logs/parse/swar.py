"""Bytes eight at a time: tests and arithmetic on 8-byte words of text, as numpy arrays of
one word per line (for `parse.columns`).

Words are little-endian: byte 0 of a word is its first byte in the text. Each test gives
"flags", a word with 0x80 in every byte that passes and 0 elsewhere; the tricks are the
usual ones for "SIMD within a register", written so that no byte's sum carries into the
next (every byte is masked to 7 bits before an addition).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

Words = npt.NDArray[np.uint64]
Ints = npt.NDArray[np.int64]

ALL = np.uint64(0xFFFF_FFFF_FFFF_FFFF)
HIGH = np.uint64(0x8080_8080_8080_8080)
_LOW7 = np.uint64(0x7F7F_7F7F_7F7F_7F7F)
_ONES = 0x0101_0101_0101_0101
_NIBBLES = np.uint64(0x0F0F_0F0F_0F0F_0F0F)


class WordsAt:
    """The 8-byte words of `data` at any offsets: `words[at]` loads, for each offset in
    `at`, the word of the 8 bytes from there (unaligned loads into an aligned array);
    `words.run(at, n)` the n words one after the other from there."""

    __slots__ = ("_data", "_runs", "_view")

    def __init__(self, data: bytes) -> None:
        # 8-byte items one byte apart, typed as raw bytes ("V8", aligned to 1): numpy
        # gathers them with a plain copy each, 3x faster than gathering unaligned uint64
        # items from the same memory.
        self._data = data
        self._view = np.ndarray(shape=(len(data) - 7,), dtype="V8", buffer=data, strides=(1,))
        self._runs: dict[int, npt.NDArray[np.void]] = {1: self._view}

    def __getitem__(self, at: Ints) -> Words:
        return self._view[at].view("<u8")

    def run(self, at: Ints, count: int) -> list[Words]:
        """`[words[at], words[at + 8], ...]`, `count` of them, by one gather: a gather
        costs about the same for 8 bytes an item as for 40 (numpy's cost is per item)."""
        view = self._runs.get(count)
        if view is None:
            size = 8 * count
            shape = (len(self._data) - size + 1,)
            view = np.ndarray(shape=shape, dtype=f"V{size}", buffer=self._data, strides=(1,))
            self._runs[count] = view
        items = view[at].view("<u8").reshape(len(at), count)
        # One word an array, each contiguous (one transposing copy: the tests that read
        # them run faster on plain arrays than on columns of the table).
        return list(items.T.copy())


def words(data: bytes) -> WordsAt:
    """`result[at]`: the 8 bytes of `data` from each offset in `at` (see `WordsAt`)."""
    return WordsAt(data)


def byte_at(word: Words, i: int) -> Words:
    """Byte `i` of each word."""
    return (word >> np.uint64(8 * i)) & np.uint64(0xFF)


def byte_at_each(word: Words, i: Ints) -> Words:
    """Byte `i[k]` (0..7) of word k."""
    return (word >> (i * 8).astype(np.uint64)) & np.uint64(0xFF)


def low_bytes(count: Ints) -> Words:
    """A mask of the first `count[k]` (0..8) bytes of a word."""
    # (numpy shifts a uint64 by 64 or more to 0: all bytes for 8.)
    return ~(ALL << (count * 8).astype(np.uint64))


class Pattern(NamedTuple):
    """A word's shape: fixed bytes, digits, and bytes that may be anything."""

    #: 0xFF at fixed bytes, 0xF0 at digits.
    mask: np.uint64
    #: The fixed bytes, and 0x30 at digits.
    value: np.uint64
    #: 0x06 at digits: past "9" the high nibble changes.
    carry: np.uint64
    #: 0xF0 at digits.
    digits: np.uint64
    #: 0x30 at digits.
    digit_value: np.uint64


def pattern(spec: str) -> Pattern:
    """`spec`: 8 characters, `d` a digit, `?` any byte, anything else that byte."""
    assert len(spec) == 8
    mask = value = carry = digits = 0
    for i, char in enumerate(spec):
        shift = 8 * i
        if char == "d":
            mask |= 0xF0 << shift
            value |= 0x30 << shift
            carry |= 0x06 << shift
            digits |= 0xF0 << shift
        elif char != "?":
            mask |= 0xFF << shift
            value |= ord(char) << shift
    return Pattern(
        np.uint64(mask),
        np.uint64(value),
        np.uint64(carry),
        np.uint64(digits),
        np.uint64(value & digits),
    )


def matches(word: Words, shape: Pattern) -> npt.NDArray[np.bool_]:
    """Whether each word has `shape`: its fixed bytes, and "0"-"9" at its digits (a byte
    0x30-0x3F plus 6 stays below 0x40 only for "0"-"9", and cannot carry)."""
    fixed = (word & shape.mask) == shape.value
    return fixed & (((word + shape.carry) & shape.digits) == shape.digit_value)


def starts_with(first: Words, second: Words, prefix: bytes) -> npt.NDArray[np.bool_]:
    """Whether the 16 bytes `first`, `second` start with `prefix` (at most 16 bytes)."""
    padded = prefix.ljust(16, b"\0")
    mask = (b"\xff" * len(prefix)).ljust(16, b"\0")
    low = np.uint64(int.from_bytes(mask[:8], "little"))
    match = (first & low) == np.uint64(int.from_bytes(padded[:8], "little"))
    if len(prefix) > 8:
        high = np.uint64(int.from_bytes(mask[8:], "little"))
        match &= (second & high) == np.uint64(int.from_bytes(padded[8:], "little"))
    return match


def in_range(word: Words, lo: int, hi: int) -> Words:
    """Flags of the bytes from `lo` to `hi` (both below 0x80)."""
    low7 = word & _LOW7
    at_least = low7 + np.uint64((0x80 - lo) * _ONES)
    above = low7 + np.uint64((0x7F - hi) * _ONES)
    return at_least & ~above & ~word & HIGH


def equal_bytes(word: Words, byte: int) -> Words:
    """Flags of the bytes equal to `byte`."""
    x = word ^ np.uint64(byte * _ONES)
    return ~(((x & _LOW7) + _LOW7) | x | _LOW7)


def through_first(flags: Words) -> Words:
    """A mask of the bytes up to and including the first flagged one (all if none)."""
    lowest = flags & (~flags + np.uint64(1))
    return (lowest << np.uint64(1)) - np.uint64(1)


def leading_digits(word: Words) -> Ints:
    """How many bytes of each word, from its first, are "0"-"9" (0..8)."""
    other = HIGH & ~in_range(word, 0x30, 0x39)
    lowest = other & (~other + np.uint64(1))
    # The lowest flag is bit 8k + 7: k digits before it. A power of 2 is exact as a
    # float64, whose exponent bits then say which: 1023 + 8k + 7.
    power = np.maximum(lowest, np.uint64(1)).astype(np.float64).view(np.int64)
    found = ((power >> 52) - 1030) >> 3
    return found + (lowest == 0) * 9  # no flag: 8 (`found` is -1 then)


def is_digit_byte(byte: Words) -> npt.NDArray[np.bool_]:
    """Whether each byte (a value 0..255) is "0"-"9" (below "0" wraps past 9)."""
    return (byte - np.uint64(48)) <= np.uint64(9)


def digits_value(word: Words, count: Ints) -> Words:
    """The number the first `count[k]` digit bytes of word k write, times 10**(8 - count)
    (as if the rest were zeros): eight digits combined pairwise in three steps."""
    v = word & low_bytes(count) & _NIBBLES
    v = ((v * np.uint64(10)) + (v >> np.uint64(8))) & np.uint64(0x00FF_00FF_00FF_00FF)
    v = ((v * np.uint64(100)) + (v >> np.uint64(16))) & np.uint64(0x0000_FFFF_0000_FFFF)
    return ((v * np.uint64(10000)) + (v >> np.uint64(32))) & np.uint64(0xFFFF_FFFF)


def true_at(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """`np.flatnonzero(mask)` for a sparse `mask` (a block's LFs, say), in a third of the time:
    the 8-byte words holding a true byte are found first (numpy's cost is per item), then
    the byte in each (a float's exponent: a power of 2 is exact)."""
    whole = len(mask) // 8 * 8
    words = mask[:whole].view(np.uint64)
    at = np.flatnonzero(words != 0)
    word = words[at]
    found = at * 8 + (((word.astype(np.float64).view(np.int64) >> 52) - 1023) >> 3)
    several = (word & (word - np.uint64(1))) != 0  # words of more than one true byte
    if several.any():
        rows, columns = np.nonzero(mask[:whole].reshape(-1, 8)[at[several]])
        found = np.sort(np.concatenate((found[~several], at[several][rows] * 8 + columns)))
    if whole < len(mask):
        found = np.concatenate((found, np.flatnonzero(mask[whole:]) + whole))
    return found
