"""Log search over a full buffer, against grep on the same bytes in the same run.

Figures (median of 3; `*_cold_s`: the first search over freshly loaded lines, the
buffer just built, all hot; `*_compressed_s`: over a buffer whose blocks are all cold,
compressed, see `logs.cold`, so each block is decompressed as it is searched):
* search_literal_s — `count_matches` for "timeout" over 1,000,000 buffered lines. Smart
  case makes it case-insensitive, so the fair reference is `grep -ci`; `grep -c`
  (case-sensitive, less work) is printed too.
* search_literal_exact_s — a literal with uppercase ("ERROR api: upstream timeout"), so
  case-sensitive, vs `grep -c`.
* search_regex_s — `re:timeout after \\d{4,}ms` (case-insensitive) vs `grep -ciE`, and
  vs `grep -cE`.
* search_common_s — a literal matching ~39% of lines ("request handled", smart case:
  case-insensitive) vs `grep -ci`, and vs `grep -c`: many hits per block.
* search_common_exact_s — the same lines, case-sensitive ("INFO  api: request handled"),
  vs `grep -c`.
* search_frequent_s — a literal matching ~14% of lines ("shard=1", case-insensitive) vs
  `grep -ci`, and vs `grep -c`.
* search_field_s — a logfmt field term, `shard=1` (exact: not shard=10..16), as `/` reads
  it (`fields=True`), vs `grep -cE "shard=1( |$)"`; search_field_json_s — a JSON number
  field, `ms=42`, vs `grep -c '"ms":42,'`; `_compressed_s` the same over cold blocks.
  Each finds the lines where its needle (key, separator, value) is written in bulk
  (`search.needle`), then parses the fields of those lines. lnav has no field term that
  reads both JSON and logfmt lines of one file, so its figure is its `:filter-in` of
  grep's pattern (the same lines, as text), timed as for the text cases below.
* Each text case is also printed against lnav (`lnav -n -c ':filter-in RE' -c
  ':write-view-to -' FILE`, smart case as `(?i)`), timed as that run minus lnav's load
  alone (`lnav -n -q FILE`), wall clock, best of 5 each: lnav's filter and the writing
  of what it kept (no figure if the difference is under 10 ms, lost in the noise).
  lnav counts messages, not lines (a JSON or logfmt line after an ISO one is a
  continuation of its message), so its counts are not compared.
* search_filter_s — filter mode (pattern + min level WARN) over the buffer, no reference.
* buffer_mb / filter_index_mb — tracemalloc: the 1M-line buffer (loaded from fresh copies
  of the lines, so whatever str objects it keeps are counted), and the index list of an
  active filter matching ~40% of lines.
* search_cache_mb — tracemalloc: what the first search over a fresh buffer keeps for the
  next ones (nothing now: full blocks are stored packed, see `logs.packed`).
* buffer_bytes_per_line_hot / buffer_bytes_per_line_cold — tracemalloc, text included:
  a buffered line in hot blocks, and in cold (compressed) ones, against the issue's
  60 B/line; `_mix` the same on bench_ingest's mix (ISO, JSON, syslog, access, logfmt,
  times 1 ms apart), whose text compresses less than this corpus' padding.

Searches run on one thread, like grep.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

from bench_ingest import sample_lines as ingest_mix
from run import figure

from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.line import Level
from pulse_tui.model.search.query import LineFilter, SearchQuery, count_matches

LINES = 1_000_000
T0 = 1_795_000_000.0
MIX_LINES = 200_000
TARGET_BYTES = 60  # issue #16: B/line, text included, for history not on screen


def sample_lines(count: int, seed: int = 13) -> tuple[list[str], list[Level]]:
    """Plain, JSON and logfmt lines of varied length; ~1% mention a timeout."""
    rnd = random.Random(seed)
    paths = ["/api/v1/items", "/api/v1/orders/42", "/healthz", "/login", "/static/app.js"]
    texts: list[str] = []
    levels: list[Level] = []
    for i in range(count):
        iso = f"2026-11-21T10:{i // 60000 % 60:02d}:{i // 1000 % 60:02d}.{i % 1000:03d}Z"
        r = rnd.random()
        pad = "x" * rnd.randint(0, 90)
        if r < 0.01:
            ms = rnd.randint(200, 20000)
            texts.append(f"{iso} ERROR api: upstream timeout after {ms}ms path={rnd.choice(paths)}")
            levels.append(Level.ERROR)
        elif r < 0.4:
            texts.append(
                f"{iso} INFO  api: request handled path={rnd.choice(paths)} status=200 "
                f"dur={rnd.randint(1, 999)}ms user=u{i % 5000} {pad}"
            )
            levels.append(Level.INFO)
        elif r < 0.7:
            record = {"ts": iso, "level": "warn", "msg": "slow query", "ms": i % 977, "q": pad}
            texts.append(json.dumps(record, separators=(",", ":")))
            levels.append(Level.WARN)
        else:
            texts.append(
                f'ts={iso} level=debug msg="cache miss" key=user:{i} shard={i % 17} note="{pad}"'
            )
            levels.append(Level.DEBUG)
    return texts, levels


def load(
    texts: list[str], levels: list[Level], *, fresh: bool = False, cold: bool = False
) -> LogBuffer:
    """A buffer of `texts`; `fresh`: of new copies, as if just read (the buffer then owns
    its str objects, so tracemalloc counts those it keeps); `cold`: every full block
    compressed (else all hot). Times 1 ms apart, received once per batch."""
    hot_lines = 0 if cold else len(texts)
    buffer = LogBuffer(max_lines=len(texts) + 1, max_bytes=1 << 34, hot_lines=hot_lines)
    for start in range(0, len(texts), 10_000):
        end = start + 10_000
        batch = texts[start:end]
        if fresh:
            batch = [text.encode().decode() for text in batch]
        stamps = [T0 + i * 0.001 for i in range(start, start + len(batch))]
        received = stamps[-1] + 0.2
        buffer.append_many(
            LineBatch(batch, stamps, levels[start:end], received, "web-1", "/f", "api")
        )
    buffer.settle()
    return buffer


def bytes_per_line(texts: list[str], levels: list[Level], *, cold: bool) -> float:
    """tracemalloc: what the buffer of `texts` holds, text included, per line."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    buffer = load(texts, levels, fresh=True, cold=cold)
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return used / len(buffer)


def median_seconds(action: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def grep(args: list[str], path: Path) -> tuple[float, int]:
    seconds, out = median_seconds(
        lambda: subprocess.run(["grep", *args, str(path)], capture_output=True, check=False)
    )
    return seconds, int(out.stdout)  # type: ignore[attr-defined]


class Lnav:
    """lnav's search time on a file: a filtered run minus its load alone (see the module);
    its own HOME, so it neither reads nor writes the user's lnav state."""

    def __init__(self, path: Path, home: Path) -> None:
        self.path = path
        self.env = {**os.environ, "HOME": str(home)}
        self.available = shutil.which("lnav") is not None
        self.load_s = self._run([], "-q")[0] if self.available else 0.0

    def _run(self, commands: list[str], *flags: str) -> tuple[float, int]:
        args = ["lnav", "-n", *flags]
        for command in commands:
            args += ["-c", command]

        def once() -> subprocess.CompletedProcess[bytes]:
            return subprocess.run(
                [*args, str(self.path)], capture_output=True, env=self.env, check=False
            )

        # Best of 5, not the median: the figure is a difference of two runs, and one
        # slowed by a neighbour on a shared machine would swing it by more than itself.
        times, done = [], None
        for _ in range(5):
            start = time.perf_counter()
            done = once()
            times.append(time.perf_counter() - start)
        assert done is not None
        return min(times), done.stdout.count(b"\n")

    def search_s(self, regex: str, *, ignore_case: bool) -> float | None:
        """Seconds lnav's `:filter-in` of `regex` (PCRE) adds to its load (None when the
        difference is lost in the noise: no figure rather than a wrong one)."""
        pattern = ("(?i)" if ignore_case else "") + regex
        total, _ = self._run([f":filter-in {pattern}", ":write-view-to -"])
        added = total - self.load_s
        return added if added > 0.01 else None


LNAV_REFERENCE = "lnav :filter-in (run - load)"


def run() -> Iterator[dict[str, object]]:
    texts, levels = sample_lines(LINES)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    buffer = load(texts, levels, fresh=True)
    buffer_bytes = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    hot_per_line = buffer_bytes / len(buffer)
    del buffer
    cold_per_line = bytes_per_line(texts, levels, cold=True)
    compressed = load(texts, levels, cold=True)
    # (name, typed, grep's fair flags, grep's looser flags or None, lnav's PCRE)
    cases = [
        ("search_literal_s", "timeout", ["-ci", "timeout"], ["-c", "timeout"]),
        (
            "search_literal_exact_s",
            "ERROR api: upstream timeout",
            ["-c", "ERROR api: upstream timeout"],
            None,
        ),
        (
            "search_regex_s",
            r"re:timeout after \d{4,}ms",
            ["-ciE", "timeout after [0-9]{4,}ms"],
            ["-cE", "timeout after [0-9]{4,}ms"],
        ),
        (
            "search_common_s",
            "request handled",
            ["-ci", "request handled"],
            ["-c", "request handled"],
        ),
        (
            "search_common_exact_s",
            "INFO  api: request handled",
            ["-c", "INFO  api: request handled"],
            None,
        ),
        ("search_frequent_s", "shard=1", ["-ci", "shard=1"], ["-c", "shard=1"]),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lines.log"
        path.write_text("\n".join(texts) + "\n")
        print(f"# {LINES:,} lines, {path.stat().st_size / 1e6:.0f} MB")
        lnav = Lnav(path, Path(tmp))
        if lnav.available:
            yield figure("lnav_load_s", lnav.load_s, "s", "lnav -n -q")
        for name, typed, fair, loose in cases:
            query = SearchQuery.parse(typed)
            buffer = load(texts, levels)  # the first search after a fill
            cold, _ = median_seconds(lambda q=query, b=buffer: count_matches(b, q), repeat=1)
            ours, count = median_seconds(lambda q=query, b=buffer: count_matches(b, q))
            packed_s, packed_count = median_seconds(
                lambda q=query, b=compressed: count_matches(b, q)
            )
            ref, ref_count = grep(fair, path)
            assert count == ref_count == packed_count, (typed, count, ref_count, packed_count)
            yield figure(name, ours, "s", f"grep {fair[0]}", ours / ref)
            yield figure(name.replace("_s", "_cold_s"), cold, "s", f"grep {fair[0]}", cold / ref)
            compressed_name = name.replace("_s", "_compressed_s")
            yield figure(compressed_name, packed_s, "s", f"grep {fair[0]}", packed_s / ref)
            if loose is not None:
                loose_s, _ = grep(loose, path)
                yield figure(name, ours, "s", f"grep {loose[0]}", ours / loose_s)
            if lnav.available:
                pcre = query.pattern if query.regex else re.escape(query.pattern)
                lnav_s = lnav.search_s(pcre, ignore_case=query.ignore_case)
                if lnav_s is not None:
                    yield figure(name, ours, "s", LNAV_REFERENCE, ours / lnav_s)
                    yield figure(compressed_name, packed_s, "s", LNAV_REFERENCE, packed_s / lnav_s)
            del buffer
        buffer = load(texts, levels)
        # (name, typed, grep's flags and pattern, lnav's PCRE for the same lines)
        fields = [
            ("search_field_s", "shard=1", ["-cE", "shard=1( |$)"], "shard=1( |$)"),
            ("search_field_json_s", "ms=42", ["-c", '"ms":42,'], '"ms":42,'),
        ]
        for name, typed, fair, pcre in fields:
            query = SearchQuery.parse(typed, fields=True)
            ours, count = median_seconds(lambda q=query, b=buffer: count_matches(b, q))
            packed_s, packed_count = median_seconds(
                lambda q=query, b=compressed: count_matches(b, q)
            )
            ref, ref_count = grep(fair, path)
            assert count == ref_count == packed_count, (typed, count, ref_count, packed_count)
            yield figure(name, ours, "s", f"grep {fair[0]}", ours / ref)
            compressed_name = name.replace("_s", "_compressed_s")
            yield figure(compressed_name, packed_s, "s", f"grep {fair[0]}", packed_s / ref)
            if lnav.available:
                lnav_s = lnav.search_s(pcre, ignore_case=False)
                if lnav_s is not None:
                    yield figure(name, ours, "s", LNAV_REFERENCE, ours / lnav_s)
                    yield figure(compressed_name, packed_s, "s", LNAV_REFERENCE, packed_s / lnav_s)
    line_filter = LineFilter().with_pattern("!healthz").with_min_level(Level.WARN)
    filter_s, hits = median_seconds(lambda b=buffer: [i for c in line_filter.find(b) for i in c])
    yield figure("search_filter_s", filter_s, "s")
    filter_cold_s, _ = median_seconds(
        lambda b=compressed: [i for c in line_filter.find(b) for i in c]
    )
    yield figure("search_filter_compressed_s", filter_cold_s, "s")
    del compressed
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    indices = [i for chunk in line_filter.find(buffer) for i in chunk]
    index_bytes = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(indices) == len(hits)  # type: ignore[arg-type]
    buffer = load(texts, levels)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    count_matches(buffer, SearchQuery.parse("timeout"))  # a hit in every block
    cache_bytes = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del buffer
    yield figure("buffer_mb", buffer_bytes / 1e6, "MB")
    target = f"issue #16 target {TARGET_BYTES} B/line"
    yield figure("buffer_bytes_per_line_hot", hot_per_line, "B/line", target, hot_per_line / 60)
    yield figure("buffer_bytes_per_line_cold", cold_per_line, "B/line", target, cold_per_line / 60)
    mix = ingest_mix(MIX_LINES)
    mix_levels = [Level.INFO] * len(mix)
    for kind, cold in (("hot", False), ("cold", True)):
        per_line = bytes_per_line(mix, mix_levels, cold=cold)
        yield figure(f"buffer_bytes_per_line_{kind}_mix", per_line, "B/line", target, per_line / 60)
    text = sum(map(len, mix)) / len(mix)
    yield figure("mix_text_bytes_per_line", text, "B/line")
    yield figure("filter_index_mb", index_bytes / 1e6, "MB")
    yield figure("filter_index_lines", len(indices), "lines")
    yield figure("search_cache_mb", cache_bytes / 1e6, "MB")
