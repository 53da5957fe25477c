"""Cold blocks: a full block's text and columns compressed, for history far from the newest.

A packed block (`logs.packed`) still costs its text, ~137 bytes a line in a typical log.
Log text compresses 5-13x, so the buffer compresses the full blocks beyond its newest
few (`LogBuffer`'s `hot_lines`) into two blobs: the text (the packed parts, Latin-1
when narrow, else UTF-8) and the columns (line starts and times byte-shuffled so their
equal high bytes lie together, origins, meta). Reading thaws a block back into the same
arrays and `PackedLines` it was built from (`thaw`), bit for bit.

Codec: zstandard when installed, else zlib (stdlib). Measured on the `bench_search`
corpus, per 4,096-line block: zstd level 1 compresses in 0.8 ms and decompresses at
~0.95 GB/s to 10.6 B a line; zlib level 1 takes 2.4 ms, ~0.5 GB/s, 14.4 B a line. A
search over cold history decompresses block by block, so the decompression speed is
what it waits for. Both release the GIL while they work.
"""

from __future__ import annotations

import sys
import threading
import zlib
from array import array
from collections.abc import Callable
from typing import Any

from pulse_tui.model.logs.packed import PackedLines, PackedPart

try:  # a wheel on every platform we run on; zlib keeps a missing one working
    import zstandard
except ImportError:  # pragma: no cover - exercised by `Codec.zlib` in the tests
    zstandard = None  # type: ignore[assignment]


class Codec:
    """A named pair of compress/decompress functions."""

    __slots__ = ("compress", "decompress", "name")

    def __init__(
        self, name: str, compress: Callable[[bytes], bytes], decompress: Callable[[bytes], bytes]
    ) -> None:
        self.name = name
        self.compress = compress
        self.decompress = decompress

    @classmethod
    def zlib(cls) -> Codec:
        return cls("zlib", lambda data: zlib.compress(data, 1), zlib.decompress)

    @classmethod
    def best(cls) -> Codec:
        """zstandard level 1 if installed (see the module), else zlib level 1."""
        if zstandard is None:  # pragma: no cover
            return cls.zlib()
        return cls("zstd", _zstd_compress, _zstd_decompress)


# One (de)compressor per thread: their contexts are not safe to share between the
# compressor thread and a search thread, and one made per call cost ~60 us of a 330 KB
# block's ~80 (a history of a million lines compresses ~470 blocks' parts).
_zstd_contexts = threading.local()


def _zstd_compress(data: bytes) -> bytes:
    compressor = getattr(_zstd_contexts, "compressor", None)
    if compressor is None:
        compressor = _zstd_contexts.compressor = zstandard.ZstdCompressor(level=1)
    # The copy: `compress` returns its bytes in a buffer of the worst case's size (~the
    # input's), which would stay allocated.
    return bytes(memoryview(compressor.compress(data)))


def _zstd_decompress(data: bytes) -> bytes:
    decompressor = getattr(_zstd_contexts, "decompressor", None)
    if decompressor is None:
        decompressor = _zstd_contexts.decompressor = zstandard.ZstdDecompressor()
    return decompressor.decompress(data)


DEFAULT_CODEC = Codec.best()


def _shuffle(values: array[Any]) -> bytes:
    """The values' bytes, byte 0 of each first, then byte 1...: times close together,
    or line starts, share their high bytes, which then compress to almost nothing."""
    raw = values.tobytes()
    return b"".join(raw[i :: values.itemsize] for i in range(values.itemsize))


def _unshuffle(data: memoryview, count: int, typecode: str) -> array[Any]:
    """`_shuffle`'s values back (an array of `count` of `typecode`): all in C, where
    rebuilding starts from line lengths (`accumulate`) took a fifth of a thaw."""
    out = array(typecode)
    size = out.itemsize
    raw = bytearray(size * count)
    for i in range(size):
        raw[i::size] = data[i * count : (i + 1) * count]
    out.frombytes(raw)
    return out


def _text_bytes(text: str) -> tuple[bytes, bool]:
    """`text` encoded, and whether as Latin-1 (one byte a character: most blocks)."""
    try:
        return text.encode("latin-1"), True
    except UnicodeEncodeError:
        # surrogatepass: whatever the str holds comes back, even a lone surrogate.
        return text.encode("utf-8", "surrogatepass"), False


def _decode(data: bytes, latin1: bool) -> str:
    return data.decode("latin-1") if latin1 else data.decode("utf-8", "surrogatepass")


def _array(typecode: str, data: memoryview) -> array[int]:
    out = array(typecode)
    out.frombytes(data)
    return out


class ColdColumns:
    """One block's lines and columns, compressed; `thaw` gives them back."""

    __slots__ = ("_codec", "_layout", "columns", "count", "size", "text")

    def __init__(
        self,
        lines: PackedLines,
        timestamps: array[float],
        received: array[float],
        origins: array[int],
        meta: bytes | bytearray,
        codec: Codec = DEFAULT_CODEC,
    ) -> None:
        main, wide = lines.main, lines.wide
        count = len(main)
        main_bytes, main_latin1 = _text_bytes(main.joined)
        wide_bytes, wide_latin1 = _text_bytes(wide.joined) if wide is not None else (b"", True)
        columns = [
            _shuffle(main.starts),
            _shuffle(timestamps),
            _shuffle(received),
            origins.tobytes(),
            bytes(meta),
        ]
        wide_count = 0
        if wide is not None and lines.wide_offsets is not None:
            wide_count = len(wide)
            columns += [_shuffle(wide.starts), lines.wide_offsets.tobytes()]
        self._codec = codec
        #: Lines in the block.
        self.count = count
        #: Compressed text: the main part's bytes, then the wide part's.
        self.text = codec.compress(main_bytes + wide_bytes)
        #: Compressed columns, in the order above.
        self.columns = codec.compress(b"".join(columns))
        # What `thaw` needs to cut the blobs again and rebuild the arrays.
        self._layout = (
            len(main_bytes),
            main_latin1,
            wide_latin1,
            wide_count,
            main.starts.typecode,
            wide.starts.typecode if wide is not None else "I",
            lines.wide_offsets.typecode if lines.wide_offsets is not None else "H",
            origins.typecode,
        )
        #: Bytes held: both blobs and this object (what the buffer's `max_bytes` counts).
        self.size = len(self.text) + len(self.columns) + sys.getsizeof(self)

    def thaw(
        self,
    ) -> tuple[PackedLines, array[float], array[float], array[int], bytes]:
        """(lines, timestamps, received, origins, meta), equal to what was frozen."""
        (
            main_size,
            main_latin1,
            wide_latin1,
            wide_count,
            starts_code,
            wide_starts_code,
            offsets_code,
            origin_code,
        ) = self._layout
        count, decompress = self.count, self._codec.decompress
        text = decompress(self.text)
        view = memoryview(decompress(self.columns))
        at = 0

        def take(size: int) -> memoryview:
            nonlocal at
            at += size
            return view[at - size : at]

        starts_size = array(starts_code).itemsize
        starts = _unshuffle(take(starts_size * (count + 1)), count + 1, starts_code)
        timestamps = _unshuffle(take(8 * count), count, "d")
        received = _unshuffle(take(8 * count), count, "d")
        origins = _array(origin_code, take(array(origin_code).itemsize * count))
        meta = bytes(take(count))
        main_text = text if main_size == len(text) else text[:main_size]
        main = PackedPart(_decode(main_text, main_latin1), starts)
        if not wide_count:
            lines = PackedLines(main)
        else:
            wide_size = array(wide_starts_code).itemsize * (wide_count + 1)
            wide_starts = _unshuffle(take(wide_size), wide_count + 1, wide_starts_code)
            offsets = _array(offsets_code, take(array(offsets_code).itemsize * wide_count))
            wide = PackedPart(_decode(text[main_size:], wide_latin1), wide_starts)
            lines = PackedLines(main, wide, offsets)
        return lines, timestamps, received, origins, meta
