"""Finding where a file's history starts: the binary search on bytes in memory."""

from __future__ import annotations

import random
import time

import pytest

from pulse_tui.sources.ssh.history import (
    BLOCK,
    MAX_SKIP,
    HistoryStart,
    Outcome,
    find_start,
    line_stamp,
    plan_history,
)

BASE = 1_700_000_000.0


def iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


def log(stamps: list[float], pad: int = 60) -> tuple[bytes, list[int]]:
    """A file with one line per stamp, and the offset of each line."""
    offsets, out, at = [], [], 0
    for i, t in enumerate(stamps):
        line = f"{iso(t)} INFO request {i} " + "x" * (pad + i % 37) + "\n"
        offsets.append(at)
        out.append(line)
        at += len(line)
    return "".join(out).encode(), offsets


class Memory:
    """`read(offset, length)` over bytes, counting what was read."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.bytes = 0

    async def __call__(self, offset: int, length: int) -> bytes:
        chunk = self.data[offset : offset + length]
        self.bytes += len(chunk)
        return chunk


async def start_of(data: bytes, since: float) -> HistoryStart:
    return await find_start(Memory(data), len(data), since)


def stamp_at(data: bytes, offset: int) -> float | None:
    return line_stamp(data[offset : offset + 200])


async def test_lands_on_the_line_just_before_the_range() -> None:
    stamps = [BASE + i * 0.05 for i in range(72_000)]  # an hour at 20 lines/s
    data, offsets = log(stamps)
    since = BASE + 1800.0125
    found = await start_of(data, since)
    first_in_range = next(i for i, t in enumerate(stamps) if t >= since)
    assert found.outcome is Outcome.FOUND and found.aligned
    assert found.offset == offsets[first_in_range - 1]
    assert found.first_stamp == pytest.approx(stamps[first_in_range - 1])
    assert found.bytes_read < 512 * 1024 and found.reads < 30


@pytest.mark.parametrize("seed", range(12))
async def test_lines_out_of_order_are_never_skipped(seed: int) -> None:
    rnd = random.Random(seed)
    # Threads writing late: each line up to 3 s older than its place says.
    stamps = [BASE + i * 0.05 - rnd.random() * 3 for i in range(40_000)]
    data, offsets = log(stamps, pad=rnd.randrange(0, 300))
    since = BASE + rnd.uniform(100, 1900)
    found = await start_of(data, since)
    assert found.offset is not None
    skipped = [t for o, t in zip(offsets, stamps, strict=True) if o < found.offset and t >= since]
    assert skipped == []
    first = stamp_at(data, found.offset)
    assert first is not None and first <= since  # at or before the range's start
    assert first > since - 30  # and not much older


async def test_a_file_entirely_in_the_range_starts_at_zero() -> None:
    data, _ = log([BASE + i for i in range(1000)])
    found = await start_of(data, BASE - 10)
    assert (found.offset, found.outcome, found.first_stamp) == (0, Outcome.ALL, BASE)


async def test_a_file_entirely_older_starts_at_its_end() -> None:
    data, _ = log([BASE + i for i in range(5000)])
    found = await start_of(data, BASE + 10_000)
    assert (found.offset, found.outcome) == (len(data), Outcome.NONE)
    assert found.reads <= 3  # the first and last blocks say it all


async def test_no_timestamps_at_all_says_so() -> None:
    data = b"".join(b"plain line %d without a time\n" % i for i in range(20_000))
    found = await start_of(data, BASE)
    assert (found.offset, found.outcome) == (None, Outcome.NO_STAMPS)


async def test_empty_file() -> None:
    assert (await start_of(b"", BASE)).offset == 0


async def test_a_line_longer_than_a_probe_read() -> None:
    stamps = [BASE + i for i in range(3000)]
    lines = [f"{iso(t)} INFO line {i}\n" for i, t in enumerate(stamps)]
    for i in range(0, 3000, 7):  # many lines of 40 KiB: most probes land inside one
        lines[i] = lines[i][:-1] + " " + "y" * (40 * 1024) + "\n"
    data = "".join(lines).encode()
    offsets = [0]
    for line in lines[:-1]:
        offsets.append(offsets[-1] + len(line.encode()))
    since = BASE + 1500.5
    found = await start_of(data, since)
    assert found.offset is not None and found.aligned
    assert found.offset in offsets
    index = offsets.index(found.offset)
    assert stamps[index] <= since and stamps[index + 1] >= since - 8  # not much before


async def test_a_line_longer_than_the_skip_limit_lands_before_it() -> None:
    stamps = [BASE + i for i in range(400)]
    lines = [f"{iso(t)} INFO line {i}\n" for i, t in enumerate(stamps)]
    lines[200] = lines[200][:-1] + " " + "z" * (4 * MAX_SKIP) + "\n"
    data = "".join(lines).encode()
    found = await start_of(data, BASE + 200.5)
    line_201 = data.index(f"{iso(BASE + 201)} INFO line 201".encode())
    assert found.offset is not None and found.offset <= line_201
    assert found.offset >= data.index(f"{iso(BASE + 150)}".encode())


async def test_a_stack_trace_between_stamps() -> None:
    lines = []
    for i in range(2000):
        lines.append(f"{iso(BASE + i)} ERROR boom {i}\n")
        lines += [f"    at frame {j} of trace {i}\n" for j in range(60)]  # ~1.7 KiB
    data = "".join(lines).encode()
    since = BASE + 1234.5
    found = await start_of(data, since)
    assert found.offset == data.index(f"{iso(BASE + 1234)} ERROR boom 1234".encode())


async def test_a_leading_hole_counts_as_older() -> None:
    # copytruncate with a writer that kept its offset: NUL bytes, then the lines.
    data, offsets = log([BASE + i * 0.1 for i in range(20_000)])
    hole = 50 * 1024 * 1024
    sparse = b"\0" * hole + data
    since = BASE + 1000.05
    found = await find_start(Memory(sparse), len(sparse), since)
    assert found.offset == hole + offsets[10_000]
    assert found.bytes_read < 512 * 1024


async def test_the_bound_cuts_the_range_and_names_the_first_time() -> None:
    stamps = [BASE + i * 0.05 for i in range(72_000)]
    data, offsets = log(stamps)
    limit = 1_000_000
    found = await plan_history(Memory(data), len(data), BASE + 600, limit)
    assert found.outcome is Outcome.CUT and found.aligned
    assert found.offset is not None and found.offset in offsets
    assert len(data) - limit <= found.offset < len(data) - limit + 200
    assert found.first_stamp == pytest.approx(stamps[offsets.index(found.offset)], abs=0.002)


async def test_within_the_bound_nothing_is_cut() -> None:
    data, offsets = log([BASE + i for i in range(10_000)])
    found = await plan_history(Memory(data), len(data), BASE + 5000.5, 10 * len(data))
    assert (found.outcome, found.offset) == (Outcome.FOUND, offsets[5000])


async def test_reads_stay_small_on_a_big_file() -> None:
    stamps = [BASE + i * 0.01 for i in range(300_000)]
    data, _ = log(stamps, pad=20)  # ~28 MB
    reader = Memory(data)
    found = await find_start(reader, len(data), BASE + 2222.222)
    assert found.bytes_read == reader.bytes
    assert reader.bytes <= 20 * BLOCK


def test_drop_before_keeps_the_last_older_line_and_its_trace() -> None:
    from pulse_tui.sources.ssh.rotated import DropBefore

    keep = DropBefore(BASE + 10)
    assert keep.feed([f"{iso(BASE + i)} INFO {i}" for i in range(5)]) == []
    assert keep.feed([f"{iso(BASE + 9)} ERROR nine", "  at trace"]) == []
    shown = keep.feed([f"{iso(BASE + 8)} INFO late", f"{iso(BASE + 10)} INFO ten", "after"])
    assert shown == [f"{iso(BASE + 8)} INFO late", f"{iso(BASE + 10)} INFO ten", "after"]
    assert keep.feed(["anything"]) == ["anything"]
    keep = DropBefore(BASE + 10)
    shown = keep.feed([f"{iso(BASE + 9)} ERROR nine", "  at trace", f"{iso(BASE + 11)} I"])
    assert shown == [f"{iso(BASE + 9)} ERROR nine", "  at trace", f"{iso(BASE + 11)} I"]
