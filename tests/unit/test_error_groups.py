"""Error groups: warn-or-worse lines counted per fingerprint, bounded, NEW until seen."""

from __future__ import annotations

import json
from itertools import pairwise

from pulse_tui.model.alerting.error_groups import MAX_ORIGINS, ErrorGroups
from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.line import Level, LineKind, LogLine

T0 = 1_704_207_840.0  # a minute boundary


def line(
    text: str,
    t: float = T0,
    level: Level = Level.ERROR,
    host: str = "web-1",
    service: str = "api",
    kind: LineKind = LineKind.LINE,
) -> LogLine:
    return LogLine(t, t, host, "/var/log/app.log", service, level, text, kind)


def test_the_timeout_lines_make_one_group_with_the_right_count() -> None:
    groups = ErrorGroups()
    groups.observe([line("timeout after 1234ms"), line("timeout after 98ms", T0 + 5)])
    [group] = groups.groups()
    assert group.fingerprint == "timeout after <duration>"
    assert group.count == 2
    assert (group.first_seen, group.last_seen) == (T0, T0 + 5)
    assert group.example == "timeout after 1234ms"


def test_only_warn_or_worse_ordinary_lines_count() -> None:
    groups = ErrorGroups()
    groups.observe(
        [
            line("cache miss 1", level=Level.INFO),
            line("debug 2", level=Level.DEBUG),
            line("no level 3", level=Level.UNKNOWN),
            line("stream dropped", kind=LineKind.GAP),
            line("disk almost full 91%", level=Level.WARN),
            line("disk almost full 97%", level=Level.FATAL),
        ]
    )
    [group] = groups.groups()
    assert group.fingerprint == "disk almost full <num>%"
    assert group.count == 2
    assert group.level is Level.FATAL  # the worst seen


def test_a_line_batch_is_read_column_wise_with_the_same_answers() -> None:
    texts = [
        "2024-01-02T15:04:00Z INFO ok",
        "2024-01-02T15:04:01Z ERROR timeout after 5ms",
        json.dumps({"level": "error", "msg": "timeout after 7ms", "ts": "x"}),
        'ts=x level=warn msg="timeout after 9ms" path=/x',
    ]
    levels = [Level.INFO, Level.ERROR, Level.ERROR, Level.WARN]
    batch = LineBatch(texts, [T0, T0 + 1, T0 + 2, T0 + 3], levels, T0, "db-2", "f", "db")
    groups = ErrorGroups(live_from=T0 - 600)
    new = groups.observe(batch)
    assert [g.fingerprint for g in new] == ["timeout after <duration>"]
    assert new[0].count == 3  # the same error in text, JSON and logfmt
    assert new[0].hosts == {"db-2"} and new[0].services == {"db"}


def test_count_between_and_trend_follow_line_time() -> None:
    groups = ErrorGroups(bucket_seconds=60)
    times = [T0, T0 + 10, T0 + 70, T0 + 130, T0 + 135, T0 + 140]
    groups.observe([line(f"timeout after {i}ms", t) for i, t in enumerate(times)])
    group = groups.get("timeout after <duration>")
    assert group is not None
    assert group.count_since(T0 - 1) == 6
    assert group.count_since(T0 + 60) == 4
    assert group.count_since(T0 + 120) == 3
    assert group.count_since(T0 + 500) == 0
    assert group.count_between(T0, T0 + 120) == 3
    assert group.count_between(T0 - 30, T0 + 200) == 6  # the whole group: exact
    # Adjacent windows add up, whatever their edges (bucket start decides).
    edges = [T0 - 45, T0 + 33, T0 + 61, T0 + 125, T0 + 300]
    parts = [group.count_between(x, y) for x, y in pairwise(edges)]
    assert sum(parts) == 6
    assert group.trend(T0, T0 + 240, 4) == [2, 1, 3, 0]
    assert group.trend(T0 + 120, T0 + 240, 2) == [3, 0]


def test_groups_in_a_range_are_ranked_by_count_there() -> None:
    groups = ErrorGroups()
    groups.observe([line("old failure 1", T0) for _ in range(10)])
    groups.observe([line("recent failure 2", T0 + 600) for _ in range(3)])
    groups.observe([line("other failure", T0 + 610)])
    assert groups.groups()[0].fingerprint == "old failure <num>"
    recent = groups.groups(since=T0 + 300)
    assert [g.fingerprint for g in recent] == ["recent failure <num>", "other failure"]


def test_new_until_acknowledged_and_reported_once() -> None:
    groups = ErrorGroups(live_from=T0 - 600)  # watching for ten minutes already
    new = groups.observe([line("payment timeout 3s"), line("payment timeout 4s")])
    assert [g.fingerprint for g in new] == ["payment timeout <duration>"]
    assert new[0].new
    assert groups.observe([line("payment timeout 5s")]) == []  # seen before: not new
    groups.acknowledge(["payment timeout <duration>"])
    assert not new[0].new
    groups.observe([line("disk full")])
    assert groups.get("disk full").new  # type: ignore[union-attr]
    groups.acknowledge()
    assert not any(g.new for g in groups.groups())


def test_hosts_and_services_are_collected_and_bounded() -> None:
    groups = ErrorGroups()
    groups.observe(
        [line("boom", host=f"web-{i}", service=f"svc{i % 2}") for i in range(MAX_ORIGINS + 4)]
    )
    [group] = groups.groups()
    assert len(group.hosts) == MAX_ORIGINS and "web-0" in group.hosts
    assert group.services == {"svc0", "svc1"}
    assert group.more_origins == 4


def test_when_full_the_oldest_least_seen_group_is_evicted() -> None:
    groups = ErrorGroups(max_groups=3)
    groups.observe([line("alpha failed", T0)] * 5)
    groups.observe([line("beta failed", T0 + 1)])  # count 1, older
    groups.observe([line("gamma failed", T0 + 2)])  # count 1, newer
    groups.observe([line("delta failed", T0 + 3)])
    assert groups.evicted == 1
    assert {g.fingerprint for g in groups.groups()} == {
        "alpha failed",
        "gamma failed",
        "delta failed",
    }
    # gamma grows; now delta (count 1) is the least seen.
    groups.observe([line("gamma failed", T0 + 4)])
    groups.observe([line("epsilon failed", T0 + 5)])
    assert groups.get("delta failed") is None
    assert groups.get("gamma failed") is not None
    assert groups.evicted == 2


def test_a_flood_of_distinct_messages_stays_bounded() -> None:
    groups = ErrorGroups(max_groups=500)
    groups.observe([line("database unreachable", T0) for _ in range(50)])
    # Words, not numbers, so every message is its own group.
    flood = [line(f"odd failure {_word(i)}", T0 + 1) for i in range(100_000)]
    groups.observe(flood)
    assert len(groups) == 500
    assert groups.evicted == 100_000 + 1 - 500
    assert groups.lines == 100_050
    assert groups.get("database unreachable") is not None  # the often-seen group survives
    assert len(groups._heap) <= 500 + 1


def _word(i: int) -> str:
    """A distinct all-letter word for `i` (letters, so no placeholder merges them)."""
    letters = "ghijklmnopqrstuvwxyz"
    out = ""
    while True:
        i, digit = divmod(i, 20)
        out += letters[digit]
        if i == 0:
            return out
