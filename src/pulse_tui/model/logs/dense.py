"""Many lines as one text and the offsets where they start: a batch with no str per line.

A history streams in as megabytes of lines. Split into one str each, a million lines cost
a million objects made, measured for their length, joined again to be parsed and joined
again to be stored. `DenseLines` is what the line reader hands out instead: the chunk's
decoded, sanitised lines joined by "\\n" (as they arrived, when nothing needed changing)
and the start of each line in it, so the parser reads the bytes, the buffer slices the
text, and a str is made for one line only when someone asks for that line.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Offsets = npt.NDArray[np.int64]

#: What the column parser needs after the last line's "\n": every word it reads past
#: a line's end then lies inside the data (`parse.columns`).
PAD = b"\n" * 63


class DenseLines:
    """Lines joined by "\\n" into `text`, with `starts[i]` where line i starts and one
    more entry, `len(text) + 1` (where a next line would start), as `packed` keeps them.

    `data` is the UTF-8 form of `text` followed by "\\n" and `PAD`, with `byte_starts`
    the lines' starts in it (the same array as `starts` for ASCII text): what the column
    parser reads. It is kept only until parsed (`drop_data`), or built on first use.
    """

    __slots__ = ("_byte_starts", "_data", "_listed", "starts", "text")

    def __init__(
        self,
        text: str,
        starts: Offsets,
        data: bytes | None = None,
        byte_starts: Offsets | None = None,
    ) -> None:
        self.text = text
        self.starts = starts
        self._data = data
        self._byte_starts = byte_starts
        self._listed: Sequence[str] | None = None

    @classmethod
    def of(cls, texts: Sequence[str]) -> DenseLines:
        """`texts` (none holding a "\\n") joined, with their starts."""
        starts = np.empty(len(texts) + 1, dtype=np.int64)
        starts[0] = 0
        np.cumsum(np.fromiter(map(len, texts), np.int64, len(texts)) + 1, out=starts[1:])
        lines = cls("\n".join(texts), starts)
        # Kept until parsed (`drop_data`): the row parser takes them as they are.
        lines._listed = texts
        return lines

    def __len__(self) -> int:
        return len(self.starts) - 1

    def line(self, i: int) -> str:
        starts = self.starts
        return self.text[starts[i] : starts[i + 1] - 1]

    def lines(self) -> list[str]:
        """Every line as its own str (what the line-at-a-time consumers take)."""
        if self._listed is not None:
            return list(self._listed)
        return self.text.split("\n") if len(self.starts) > 1 else []

    def lines_at(self, indices: Sequence[int] | npt.NDArray[np.int64]) -> list[str]:
        """The lines at `indices` as str (a few of many: the slow lines, the errors)."""
        at = np.asarray(indices, dtype=np.int64)
        if not len(at):
            return []
        # Only the starts asked for as ints (listing all of a batch's cost more than the
        # few lines cut out).
        begin, end = self.starts[at].tolist(), (self.starts[at + 1] - 1).tolist()
        text = self.text
        return [text[b:e] for b, e in zip(begin, end, strict=True)]

    def __getitem__(self, index: slice) -> DenseLines:
        """Lines `index` (a slice with step 1): the text cut once, no str per line."""
        lo, hi, step = index.indices(len(self))
        assert step == 1
        hi = max(lo, hi)
        starts = self.starts
        first = int(starts[lo])
        return DenseLines(self.text[first : int(starts[hi]) - 1], starts[lo : hi + 1] - first)

    def chars(self) -> int:
        """Characters of all lines, their "\\n"s not counted (what the buffer counts)."""
        return len(self.text) - len(self) + 1 if len(self) else 0

    # ------------------------------------------------------------------ for the parser

    @property
    def data(self) -> bytes:
        """The UTF-8 of `text`, then "\\n" and `PAD` (see the class)."""
        if self._data is None:
            joined = self.text + "\n"
            # surrogatepass: whatever a str holds encodes (the parser then doubts it).
            self._data = joined.encode("utf-8", "surrogatepass") + PAD
            if len(self._data) - len(PAD) == len(joined):  # ASCII: characters are bytes
                self._byte_starts = self.starts[:-1]
            else:
                self._byte_starts = None
        return self._data

    @property
    def byte_starts(self) -> Offsets:
        """Where each line starts in `data` (one entry a line)."""
        data = self.data
        if self._byte_starts is None:
            body = np.frombuffer(data, dtype=np.uint8, count=len(data) - len(PAD) - 1)
            found = np.empty(len(self), dtype=np.int64)
            found[0] = 0
            found[1:] = np.flatnonzero(body == 10) + 1
            self._byte_starts = found
        return self._byte_starts

    def drop_data(self) -> None:
        """Forget `data` (parsed: a batch kept for long holds only its text)."""
        self._data = self._byte_starts = self._listed = None
