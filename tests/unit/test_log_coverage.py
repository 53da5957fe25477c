"""The loaded coverage (interval sets per host) and the merge of fetched windows."""

from __future__ import annotations

import math

from pulse_tui.model.logs.batch import LineBatch, MergedBatch
from pulse_tui.model.logs.coverage import Coverage, IntervalSet
from pulse_tui.model.logs.fetched import Window, keep_around, merge_fetched
from pulse_tui.model.logs.line import Level, LineKind


def test_intervals_merge_and_say_what_is_missing() -> None:
    spans = IntervalSet([(10, 20), (30, 40)])
    spans.add(20, 25)  # touching: one interval
    assert spans.spans == [(10, 25), (30, 40)]
    assert spans.missing(0, 50) == [(0, 10), (25, 30), (40, 50)]
    assert spans.missing(12, 24) == []
    assert spans.covers(31, 39) and not spans.covers(24, 31)
    spans.add(5, 45)
    assert spans.spans == [(5, 45)]
    spans.clip(10, 20)
    assert spans.spans == [(10, 20)] and spans.earliest() == 10


def test_coverage_is_per_host_and_evictions_cut_it() -> None:
    coverage = Coverage()
    coverage.add("web-1", 100)  # its history from 100 on, and it streams on
    coverage.add("web-2", 50, 60)
    assert coverage.missing("web-1", 0, 200) == [(0, 100)]
    assert coverage.missing("web-2", 0, 100) == [(0, 50), (60, 100)]
    assert coverage.missing("db-1", 0, 10) == [(0, 10)]  # nothing known: all of it
    coverage.keep_only(55, math.inf)  # the buffer evicted everything before 55
    assert coverage.spans("web-2") == [(55, 60)]
    assert coverage.missing("web-1", 0, 200) == [(0, 100)]


def batch(host: str, source: str, stamps: list[float], tag: str = "") -> LineBatch:
    texts = [f"{host} {source} {t}{tag}" for t in stamps]
    return LineBatch(texts, stamps, [Level.INFO] * len(stamps), 0.0, host, source, "")


def buffered(*batches: LineBatch) -> MergedBatch:
    lines = sorted((line for b in batches for line in b), key=lambda line: line.timestamp)
    return MergedBatch(
        [line.text for line in lines],
        [line.timestamp for line in lines],
        [line.level for line in lines],
        [LineKind.LINE] * len(lines),
        [0.0] * len(lines),
        [(line.host, line.source, line.service) for line in lines],
    )


def test_a_fetched_window_merges_into_the_order_without_repeating_lines() -> None:
    held = buffered(batch("web-1", "a.log", [100, 101, 102]), batch("web-2", "b.log", [100.5]))
    # web-1's window overlaps its history by one line (100): that one is not added again.
    window = Window("web-1", 90, 101, [batch("web-1", "a.log", [95, 97, 100])])
    merged = merge_fetched(held, [window], centre=100, max_lines=100, max_bytes=10**6)
    assert merged.duplicates == 1
    assert merged.lines.timestamps == [95, 97, 100, 100.5, 101, 102]
    assert (merged.evicted_before, merged.evicted_after) == (0, 0)


def test_lines_that_really_repeat_are_kept() -> None:
    held = buffered(batch("web-1", "a.log", [100]))
    twice = LineBatch(["same", "same"], [100, 100], [Level.INFO] * 2, 0.0, "web-1", "a.log", "")
    once = MergedBatch(["same"], [100], [Level.INFO], [LineKind.LINE], [0.0], [held.origins[0]])
    merged = merge_fetched(
        once, [Window("web-1", 99, 101, [twice])], centre=100, max_lines=9, max_bytes=999
    )
    assert merged.lines.texts == ["same", "same"] and merged.duplicates == 1


def test_past_the_bounds_the_lines_nearest_the_view_stay() -> None:
    lines = buffered(batch("web-1", "a.log", [float(t) for t in range(100)]))
    kept, before, after = keep_around(lines, centre=20.2, max_lines=10, max_bytes=10**6)
    assert kept.timestamps == [float(t) for t in range(16, 26)]
    assert (before, after) == (16, 74)
    kept, before, after = keep_around(lines, centre=500, max_lines=10, max_bytes=10**6)
    assert kept.timestamps[-1] == 99 and (before, after) == (90, 0)
    size = len(lines.texts[50])  # the texts around 50 are as long as this one
    kept, _, _ = keep_around(lines, centre=50, max_lines=100, max_bytes=size * 4)
    assert len(kept) == 4
