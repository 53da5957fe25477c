"""Byte chunks from a remote command -> whole, decoded, sanitised lines.

Works on whole chunks: the complete lines in a chunk are decoded with one
`bytes.decode(errors="replace")`; only the lines holding a byte that can start something
unsafe are sanitised (one regex pass each, or one for the whole block where many lines
hold one), and only the unfinished last line is kept as bytes for the next chunk.
`feed_dense` hands the lines out as one text and their starts (`logs.dense`), with no
str per line: a block of ASCII with no control byte but LF and TAB (one numpy compare
tells) is decoded once and its bytes go on to the column parser as they are; `feed`
gives the same lines as a list.
Splitting on `\\n` before decoding is safe because no UTF-8 multi-byte sequence contains
the byte 0x0A, and `errors="replace"` re-synchronises at the next valid byte, so garbage
in one line never eats the next.

A line longer than `max_line_bytes` is cut there with a marker as soon as that many
bytes have arrived (so a 5 MiB line with no newline shows up at once and costs no more
memory than the limit), and the rest of it is skipped up to the next newline.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pulse_tui.model.core.sanitize import UNSAFE_CODE_POINTS, sanitize_chunk
from pulse_tui.model.logs.dense import PAD, DenseLines
from pulse_tui.model.logs.parse.swar import true_at

TRUNCATED_MARKER = " …[truncated: line longer than {limit} bytes]"

# Every byte that can start something `sanitize_chunk` changes: the first byte of the UTF-8
# form of each character it replaces (C0 controls but TAB and LF, DEL, 0xC2 for C1 and
# the soft hyphen, 0xE2 for the bidi controls, 0xF0-0xF4 for tags and noncharacters...),
# from the same set, so the two cannot disagree. Surrogates are left out: the decoder,
# with errors="replace", never produces one. Each byte is looked for on its own with
# `bytes.find` (memchr, many bytes per cycle: cheaper than any one pass that looks at every
# byte), so a chunk is sanitised only around the lines that need it.
_SUSPECT_BYTES = tuple(
    bytes([byte])
    for byte in sorted(
        {
            chr(code).encode("utf-8")[0]
            for code in UNSAFE_CODE_POINTS
            if code != 0x0A and not 0xD800 <= code <= 0xDFFF
        }
    )
)

# An ASCII block (`bytes.isascii`, far cheaper than one `find`) can hold only these.
_ASCII_SUSPECT_BYTES = tuple(byte for byte in _SUSPECT_BYTES if byte[0] < 0x80)

# Lead bytes such as 0xE3 (kana), 0xE1 (Vietnamese) and 0xF0 (emoji) start ordinary text
# too: where many lines hold one, one `sanitize_chunk` over the whole block (one regex
# scan) is cheaper than cutting, decoding and sanitising the lines one by one. Past one
# suspect line in this many bytes (where the two cost about the same, measured on 64 KiB
# blocks of 100-byte lines: a third of them suspect), the block is sanitised whole.
_WHOLE_BLOCK_BYTES_PER_SUSPECT = 320


class LineReader:
    """Reassembles lines across chunks; `feed` returns the lines each chunk completed."""

    def __init__(
        self, max_line_bytes: int, clean: Callable[[str], str] | None = sanitize_chunk
    ) -> None:
        """`clean` is applied to each decoded chunk (None: raw text, e.g. for JSON)."""
        self.max_line_bytes = max_line_bytes
        self._clean = clean
        self._partial = bytearray()
        self._skipping = False  # inside a line already emitted truncated
        #: Lines cut at `max_line_bytes` so far.
        self.truncated = 0

    @property
    def pending(self) -> int:
        """Bytes of an unfinished line held back."""
        return len(self._partial)

    def feed(self, data: bytes) -> list[str]:
        """Lines completed by `data` (without their newlines), decoded and cleaned."""
        lines = self.feed_dense(data)
        return [] if lines is None else lines.lines()

    def feed_dense(self, data: bytes) -> DenseLines | None:
        """`feed`'s lines as one text and their starts (None: no line completed), with no
        str per line: for a block of ASCII with nothing to sanitise (most of a history),
        the text is the bytes decoded once and the parser reads the bytes themselves."""
        if self._skipping:
            newline = data.find(b"\n")
            if newline < 0:
                return None
            data = data[newline + 1 :]
            self._skipping = False
        last = data.rfind(b"\n")
        if last < 0:
            self._partial += data
            cut = self._overflow()
            return DenseLines.of(cut) if cut else None
        # One copy: the line begun before, the block, its newline and the parser's padding
        # (appending to the partial line, then copying it out, copied the block thrice).
        padded = b"".join((self._partial, memoryview(data)[: last + 1], PAD))
        self._partial = bytearray(data[last + 1 :])
        lines = self._dense(padded)
        cut = self._overflow()
        if cut:  # rare: a line longer than the limit started after the block
            lines = DenseLines.of([*lines.lines(), *cut])
        return lines

    def peek(self) -> str:
        """The unfinished last line so far, decoded and cleaned ("" if none); it stays
        held (a partial line to show until its newline comes)."""
        if not self._partial:
            return ""
        return self._decode(bytes(self._partial))[0]

    def flush(self) -> list[str]:
        """The unfinished last line, if any (when the stream ends)."""
        if not self._partial:
            return []
        block = bytes(self._partial)
        self._partial.clear()
        return self._decode(block)

    def _overflow(self) -> list[str]:
        if len(self._partial) <= self.max_line_bytes:
            return []
        head = bytes(self._partial[: self.max_line_bytes])
        self._partial.clear()
        self._skipping = True
        return [self._truncated(head)]

    def _truncated(self, head: bytes) -> str:
        self.truncated += 1
        text = head.decode("utf-8", errors="replace")
        if self._clean is not None:
            text = self._clean(text)
        return text + TRUNCATED_MARKER.format(limit=self.max_line_bytes)

    def _dense(self, padded: bytes) -> DenseLines:
        """The lines of `padded` (a block of whole lines, its last newline, then `PAD`)."""
        size = len(padded) - len(PAD) - 1
        if (
            self._clean is sanitize_chunk
            and padded.isascii()
            and (
                size <= self.max_line_bytes
                or not _has_longer_line(padded, self.max_line_bytes, size)
            )
        ):
            body = np.frombuffer(padded, dtype=np.uint8, count=size)
            newlines = _newlines_if_clean(padded, body)
            if newlines is not None:
                starts = np.empty(len(newlines) + 2, dtype=np.int64)
                starts[0] = 0
                starts[1:-1] = newlines + 1
                starts[-1] = size + 1
                text = str(memoryview(padded)[:size], "ascii")
                return DenseLines(text, starts, padded, starts[:-1])
        return DenseLines.of(self._decode(padded[:size]))

    def _decode(self, block: bytes) -> list[str]:
        limit = self.max_line_bytes
        if len(block) > limit and _has_longer_line(block, limit):
            return [
                self._truncated(raw[:limit]) if len(raw) > limit else self._decode(raw)[0]
                for raw in block.split(b"\n")
            ]
        if b"\r" in block:
            # CRLF files: the CR is a line ending, not content worth a visible `\x0d`. (On
            # bytes: CR and LF never occur inside a UTF-8 sequence.)
            block = block.replace(b"\r\n", b"\n")
            if block.endswith(b"\r"):
                block = block[:-1]
        if self._clean is sanitize_chunk:
            return _decode_sanitised(block)
        text = block.decode("utf-8", errors="replace")
        if self._clean is not None:
            text = self._clean(text)
        return text.split("\n")


def _has_longer_line(block: bytes, limit: int, size: int | None = None) -> bool:
    """Whether a line of `block` (its first `size` bytes) is longer than `limit` bytes: a
    jump from newline to the last newline within `limit` bytes, so a few `find`s for a
    block of short lines."""
    size = len(block) if size is None else size
    start = 0  # of the current line
    while size - start > limit:
        newline = block.rfind(b"\n", start, start + limit + 1)
        if newline < 0:
            return True
        start = newline + 1
    return False


def _newlines_if_clean(padded: bytes, body: np.ndarray) -> np.ndarray | None:
    """Where the LFs of the ASCII `body` (of `padded`) are, if it holds nothing
    `sanitize_chunk` changes (`_ascii_clean`), else None. Most blocks' only controls
    are their LFs: then the controls are found in one pass and are the LFs."""
    controls = true_at(body < 32)
    if len(controls) and not (body[controls] == 10).all():
        newlines = true_at(body == 10)
        return newlines if _ascii_clean(padded, body, len(newlines)) else None
    return controls if b"\x7f" not in padded else None


def _ascii_clean(padded: bytes, body: np.ndarray, newlines: int) -> bool:
    """Whether the ASCII `body` (of `padded`, holding `newlines` LFs) holds nothing
    `sanitize_chunk` changes, nor a CR: its only controls are LFs and TABs. One compare
    over the bytes, where a `find` per suspect byte takes about as long each."""
    controls = int(np.count_nonzero(body < 32))
    if controls > newlines:
        size = len(body)
        tabs = padded.count(b"\t", 0, size) if b"\t" in padded else 0
        if controls > newlines + tabs:
            return False
    return b"\x7f" not in padded


def _decode_sanitised(block: bytes) -> list[str]:
    """`sanitize_chunk(block.decode(...)).split("\\n")`, but only the lines holding a
    suspect byte are sanitised; the rest are left as decoded, which is what
    `sanitize_chunk` would return for them."""
    starts = _suspect_line_starts(block)
    if starts is None:
        return sanitize_chunk(block.decode("utf-8", errors="replace")).split("\n")
    if not starts:
        return block.decode("utf-8", errors="replace").split("\n")
    lines: list[str] = []
    done = 0  # the first byte not yet decoded
    for start in starts:
        end = block.find(b"\n", start)
        if end < 0:
            end = len(block)
        if start > done:
            lines += block[done : start - 1].decode("utf-8", errors="replace").split("\n")
        # The whole line, so an escape sequence is seen in one piece.
        lines.append(sanitize_chunk(block[start:end].decode("utf-8", errors="replace")))
        done = end + 1
    if done <= len(block):
        lines += block[done:].decode("utf-8", errors="replace").split("\n")
    return lines


def _suspect_line_starts(block: bytes) -> list[int] | None:
    """Offsets where the lines holding a suspect byte start, in order; None where so many
    lines do that the block is better sanitised whole."""
    starts: set[int] = set()
    most = len(block) // _WHOLE_BLOCK_BYTES_PER_SUSPECT
    for byte in _ASCII_SUSPECT_BYTES if block.isascii() else _SUSPECT_BYTES:
        at = block.find(byte)
        while at >= 0:
            starts.add(block.rfind(b"\n", 0, at) + 1)
            if len(starts) > most:
                return None
            end = block.find(b"\n", at)
            if end < 0:
                break
            at = block.find(byte, end + 1)  # one hit per line is enough
    return sorted(starts)
