"""Error grouping cost: can `ErrorGroups.observe` keep up with log ingest?

Figures:
* grouping_warn_lines_per_s — warn/error lines only (realistic errors with ids, numbers,
  IPs, durations and paths in them, a few hundred distinct fingerprints), through
  `ErrorGroups.observe` with cold caches; reference: in-process ingest of the ingest
  benchmark's mix, measured in the same run (ratio = grouping rate / ingest rate).
* grouping_us_per_warn_line — the same as a cost per line.
* grouping_mix_lines_per_s — the ingest benchmark's mix (most lines info/debug, skipped by
  the level pre-filter) as `LineBatch`es; ratio against ingest of the same lines.
* grouping_mix_share_of_ingest — grouping time / ingest time on the mix: the share of
  ingest cost grouping adds when every batch is also grouped.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

from bench_ingest import ingest, sample_lines
from run import figure

from pulse_tui.model.alerting import fingerprint as fingerprint_module
from pulse_tui.model.alerting.error_groups import ErrorGroups
from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.parse import parse_texts

WARN_LINES = 100_000
MIX_LINES = 200_000
BATCH = 2_000  # about what one 64 KiB read gives


def warn_lines(count: int, seed: int = 13) -> list[str]:
    """Warn/error lines as services write them: a few dozen templates, values varying."""
    rnd = random.Random(seed)
    base = 1_704_207_845.0
    out = []
    for i in range(count):
        t = base + i * 0.01
        iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{i % 1000:03d}Z"
        level = "ERROR" if rnd.random() < 0.4 else "WARN"
        kind = rnd.randrange(8)
        ip = f"10.{rnd.randrange(4)}.{rnd.randrange(256)}.{rnd.randrange(256)}"
        if kind == 0:
            msg = f"upstream timeout after {rnd.randrange(1, 5000)}ms calling {ip}:8080"
        elif kind == 1:
            msg = (
                f"GET /api/v1/orders/{rnd.randrange(10**6)} returned {rnd.choice([500, 502, 503])}"
            )
        elif kind == 2:
            msg = f"payment {rnd.getrandbits(128):032x} declined for user {rnd.randrange(10**5)}"
        elif kind == 3:
            msg = f"connection refused by {ip}:5432 (attempt {rnd.randrange(1, 6)} of 5)"
        elif kind == 4:
            msg = f"slow query took {rnd.random() * 5:.2f}s rows={rnd.randrange(10**4)}"
        elif kind == 5:
            cache = rnd.choice(["users", "carts", "prices"])
            msg = f"cache {cache} evicted {rnd.randrange(100)} keys"
        elif kind == 6:
            msg = f"user 'u{rnd.randrange(10**4)}' not found in tenant t{rnd.randrange(50)}"
        else:
            msg = f"disk usage {rnd.randrange(80, 100)}% on /dev/sd{rnd.choice('abc')}1"
        out.append(f"{iso} {level} {rnd.choice(['api', 'worker', 'billing'])}: {msg}")
    return out


def batches(texts: list[str]) -> list[LineBatch]:
    out = []
    for start in range(0, len(texts), BATCH):
        chunk = texts[start : start + BATCH]
        timestamps, levels = parse_texts(chunk, time.time())
        out.append(LineBatch(chunk, timestamps, levels, time.time(), "web-1", "app.log", "api"))
    return out


def grouping_seconds(prepared: list[LineBatch]) -> float:
    """Best of three runs, each from cold caches (fingerprint LRU and token cache)."""
    best = float("inf")
    for _ in range(3):
        fingerprint_module._body.cache_clear()
        fingerprint_module._TOKENS.clear()
        groups = ErrorGroups()
        start = time.perf_counter()
        for batch in prepared:
            groups.observe(batch)
        best = min(best, time.perf_counter() - start)
    return best


def ingest_rate(texts: list[str]) -> float:
    data = ("\n".join(texts) + "\n").encode()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        ingest(data)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def run() -> Iterator[dict[str, object]]:
    mix = sample_lines(MIX_LINES)
    ingest_per_s = ingest_rate(mix)

    warn = batches(warn_lines(WARN_LINES))
    seconds = grouping_seconds(warn)
    rate = WARN_LINES / seconds
    yield figure("grouping_warn_lines_per_s", rate, "lines/s", "ingest (mix)", rate / ingest_per_s)
    yield figure("grouping_us_per_warn_line", seconds / WARN_LINES * 1e6, "µs/line")

    mixed = batches(mix)
    warn_share = sum(1 for b in mixed for level in b.levels if level >= 30) / MIX_LINES
    seconds = grouping_seconds(mixed)
    rate = MIX_LINES / seconds
    yield figure("grouping_mix_lines_per_s", rate, "lines/s", "ingest (mix)", rate / ingest_per_s)
    yield figure("grouping_mix_warn_share", warn_share, "fraction")
    yield figure("grouping_mix_share_of_ingest", ingest_per_s / rate, "fraction")
