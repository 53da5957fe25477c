"""The buffer's open block: the newest lines, kept as runs of joined text until it is full.

Lines arrive as a source read them, many at once (`LineBatch`, one text for the whole
chunk: `logs.dense`). The open block keeps each arrival as one str of its lines joined by
"\\n" (a *part*) and the start of every line in the block as if the parts were joined by
"\\n" too (`starts`, the format `PackedPart` keeps). So no str is made per line, and a
full block is packed by one join of a few parts (`pack`), usually one.

Reads by index (the view of the newest lines, on the event loop) join the parts into one
first and keep it; a search in a thread takes a copy of what it reads (`lines`) and
never changes the block. Dropping the head of an open block (a buffer smaller than a
block) cuts its text off, so what is dropped is freed at once, as it was.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np

from pulse_tui.model.logs.dense import DenseLines
from pulse_tui.model.logs.packed import PackedLines, extend_starts, pack, pack_joined


class _Text:
    """The parts and the position (in `starts`' terms) where the first part begins;
    replaced whole, by one store, whenever the base moves, so a reader in a thread sees
    parts and base that belong together."""

    __slots__ = ("base", "parts")

    def __init__(self, parts: list[str], base: int) -> None:
        self.parts = parts
        self.base = base


class OpenLines:
    """An open block's lines (see the module). `starts` has one entry more than lines."""

    __slots__ = ("_text", "dropped", "starts")

    def __init__(self) -> None:
        self._text = _Text([], 0)
        self.starts = array("I", [0])
        #: Lines dropped from the head (read as None; their text is freed).
        self.dropped = 0

    def __len__(self) -> int:
        return len(self.starts) - 1

    def add_texts(self, texts: Sequence[str]) -> int:
        """Append `texts`; returns their characters."""
        if not texts:
            return 0
        starts = self.starts
        last = starts[-1]
        # The new starts are built apart and added by one C call (`extend` of an array),
        # never by `extend_starts` on `starts` itself: that pops the last entry first, and
        # a search reading this block in a thread in between would find a line without
        # its end.
        added = extend_starts(array(starts.typecode, [last]), texts)
        if added.typecode != starts.typecode:  # outgrew 4 bytes: a new array, one store
            wider = array(added.typecode, starts)
            wider.extend(added[1:])
            self.starts = starts = wider
        else:
            starts.extend(added[1:])
        self._text.parts.append("\n".join(texts))
        return starts[-1] - last - len(texts)

    def add_dense(self, lines: DenseLines) -> int:
        """Append `lines` (one text, no str per line); returns their characters."""
        count = len(lines)
        if not count:
            return 0
        starts = self.starts
        last = starts[-1]
        ends = lines.starts[1:] + last
        if starts.typecode == "I" and int(ends[-1]) >= 1 << 32:
            starts = self.starts = array("Q", starts)  # 4 GiB in one block: see packed
        starts.frombytes(ends.astype(np.uint32 if starts.typecode == "I" else np.uint64).tobytes())
        self._text.parts.append(lines.text)
        return lines.chars()

    def chars(self, lo: int, hi: int) -> int:
        """Characters of lines `lo`..`hi`."""
        starts = self.starts
        return starts[hi] - starts[lo] - (hi - lo)

    def _joined(self) -> tuple[str, int]:
        """The kept text as one str and its base (joins the parts once: loop thread)."""
        text = self._text
        if len(text.parts) != 1:
            joined = "\n".join(text.parts)
            text = self._text = _Text([joined] if text.parts else [], text.base)
            return joined, text.base
        return text.parts[0], text.base

    def line(self, i: int) -> str | None:
        """Line `i`, None if dropped (from the event loop: may join the parts)."""
        if i < self.dropped:
            return None
        joined, base = self._joined()
        starts = self.starts
        return joined[starts[i] - base : starts[i + 1] - 1 - base]

    def lines(self, lo: int, hi: int) -> list[str | None]:
        """Lines `lo`..`hi` as str (None where dropped), from a consistent snapshot: safe
        in a thread while the loop appends (it never changes the block)."""
        text = self._text  # one load: parts and base that belong together
        parts, base = list(text.parts), text.base
        joined = parts[0] if len(parts) == 1 else "\n".join(parts)
        starts = self.starts
        return [
            None if i < self.dropped else joined[starts[i] - base : starts[i + 1] - 1 - base]
            for i in range(lo, hi)
        ]

    def drop_to(self, stop: int) -> None:
        """Lines before `stop` are dropped: their text is freed now."""
        if stop <= self.dropped:
            return
        joined, base = self._joined()
        self.dropped = stop
        cut = self.starts[stop] - base
        # One store: a reader sees the old text with the old base or the new with the new.
        # (Every line dropped: no part, or the next part would follow a "\n".)
        self._text = _Text([joined[cut:]] if stop < len(self) else [], base + cut)

    def pack(self, *, grouped: bool) -> PackedLines:
        """The full block packed (`packed.pack`), from the parts joined once."""
        if self.dropped:  # its head went before it filled: "" for those (as `pack` does)
            return pack(self.lines(0, len(self)), grouped=grouped)
        joined, _ = self._joined()
        return pack_joined(joined, self.starts)
