"""The loaded coverage (interval sets per host) and the merge of fetched windows."""

from __future__ import annotations

import math

import numpy as np

from pulse_tui.model.logs.batch import LineBatch, MergedBatch
from pulse_tui.model.logs.coverage import Coverage, IntervalSet
from pulse_tui.model.logs.dense import DenseLines
from pulse_tui.model.logs.fetched import Merged, Window, keep_around, merge_fetched
from pulse_tui.model.logs.line import Level, LineKind, LogLine


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


def kept(merged: Merged) -> list[LogLine]:
    """The lines the buffer is to hold, in order (the parts taken, as `rebuilt` does)."""
    return [line for part in merged.parts for line in part]


def dense_batch(host: str, source: str, stamps: list[float]) -> LineBatch:
    """As the reader makes a history's batches: arrays, no list of lines."""
    texts = [f"{host} {source} {t}" for t in stamps]
    return LineBatch.of_dense(
        DenseLines.of(texts),
        np.array(stamps, dtype=np.float64),
        np.full(len(stamps), int(Level.INFO), dtype=np.uint8),
        0.0,
        host,
        source,
        "",
    )


def test_a_fetched_window_merges_into_the_order_without_repeating_lines() -> None:
    held = buffered(batch("web-1", "a.log", [100, 101, 102]), batch("web-2", "b.log", [100.5]))
    # web-1's window overlaps its history by one line (100): that one is not added again.
    window = Window("web-1", 90, 101, [batch("web-1", "a.log", [95, 97, 100])])
    merged = merge_fetched(held, [window], centre=100, max_lines=100, max_bytes=10**6)
    assert merged.duplicates == 1
    assert [line.timestamp for line in kept(merged)] == [95, 97, 100, 100.5, 101, 102]
    assert (merged.evicted_before, merged.evicted_after) == (0, 0)


def test_lines_that_really_repeat_are_kept() -> None:
    held = buffered(batch("web-1", "a.log", [100]))
    twice = LineBatch(["same", "same"], [100, 100], [Level.INFO] * 2, 0.0, "web-1", "a.log", "")
    once = MergedBatch(["same"], [100], [Level.INFO], [LineKind.LINE], [0.0], [held.origins[0]])
    merged = merge_fetched(
        once, [Window("web-1", 99, 101, [twice])], centre=100, max_lines=9, max_bytes=999
    )
    assert [line.text for line in kept(merged)] == ["same", "same"] and merged.duplicates == 1


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


def test_windows_before_the_buffer_come_first_merged_among_themselves() -> None:
    """The view went further back: the hosts' windows interleave by time, each file in
    its own order, and the buffer's lines follow unchanged."""
    held = buffered(batch("web-1", "a.log", [200, 201]), batch("web-2", "b.log", [200.5]))
    windows = [
        Window("web-1", 100, 200, [dense_batch("web-1", "a.log", [100, 102, 104])]),
        Window("web-2", 100, 200, [dense_batch("web-2", "b.log", [101, 103, 199])]),
    ]
    merged = merge_fetched(held, windows, centre=150, max_lines=100, max_bytes=10**6)
    lines = kept(merged)
    assert [line.timestamp for line in lines] == [100, 101, 102, 103, 104, 199, 200, 200.5, 201]
    assert [line.host for line in lines[:3]] == ["web-1", "web-2", "web-1"]
    assert lines[5].text == "web-2 b.log 199"
    assert (merged.evicted_before, merged.evicted_after, merged.kept_span) == (0, 0, None)
    assert sum(map(len, merged.fresh)) == 6  # the error groups hear of the 6 new lines


def test_a_window_reaching_the_buffer_is_merged_line_by_line() -> None:
    """A window whose last line is as late as the buffer's first is not simply put in
    front: the buffer's line comes first at an equal time, as in every merge."""
    held = buffered(batch("web-1", "a.log", [200, 201]))
    window = Window("web-2", 150, 201, [dense_batch("web-2", "b.log", [150, 200, 200.5])])
    merged = merge_fetched(held, [window], centre=190, max_lines=100, max_bytes=10**6)
    lines = kept(merged)
    assert [(line.timestamp, line.host) for line in lines] == [
        (150, "web-2"),
        (200, "web-1"),
        (200, "web-2"),
        (200.5, "web-2"),
        (201, "web-1"),
    ]


def test_windows_before_the_buffer_past_the_bounds_keep_the_lines_nearest_the_view() -> None:
    held = buffered(batch("web-1", "a.log", [200, 201]))
    window = Window("web-1", 100, 200, [dense_batch("web-1", "a.log", [100, 110, 120, 130])])
    merged = merge_fetched(held, [window], centre=105, max_lines=3, max_bytes=10**6)
    assert [line.timestamp for line in kept(merged)] == [100, 110, 120]
    assert (merged.evicted_before, merged.evicted_after) == (0, 3)
    assert merged.kept_span == (100, 120)


def test_a_buffer_with_fields_merges_as_lists_and_keeps_them() -> None:
    """journald lines bring fields: such a buffer merges line by line, fields and all."""
    held = MergedBatch(
        ["unit line", "plain"],
        [200.0, 201.0],
        [Level.INFO, Level.INFO],
        [LineKind.LINE, LineKind.LINE],
        [0.0, 0.0],
        [("db-1", "journal:pg", ""), ("web-1", "a.log", "")],
        [{"unit": "pg"}, None],
    )
    window = Window("web-1", 100, 202, [dense_batch("web-1", "a.log", [150, 200.5])])
    lines = kept(merge_fetched(held, [window], centre=190, max_lines=100, max_bytes=10**6))
    assert [line.timestamp for line in lines] == [150, 200, 200.5, 201]
    assert lines[1].explicit_fields == {"unit": "pg"} and lines[1].host == "db-1"
