"""Error groups see the history: counts, first/last seen and NEW by each line's own time,
whatever order the history arrives in (#12.5), and bounded time buckets."""

from __future__ import annotations

import math

import pytest

from pulse_tui.model.alerting.error_groups import NEW_MARGIN, ErrorGroups
from pulse_tui.model.alerting.time_buckets import TimeBuckets
from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.line import Level

NOW = 1_780_000_020.0  # the session starts watching here
HOUR = 3600.0
TIMEOUT = "payment timeout after <duration> calling <ip>"


def history(host: str, times: list[float], text: str, level: Level = Level.ERROR) -> LineBatch:
    """One file's history as its source sends it: one column-wise block, in time order."""
    texts = [f"{text} after {i % 90 + 1}s calling 10.0.0.{i % 250}" for i in range(len(times))]
    return LineBatch(texts, times, [level] * len(times), NOW, host, "/var/log/app.log", "api")


def info(host: str, times: list[float]) -> LineBatch:
    texts = [f"GET /healthz 200 in {i}ms" for i in range(len(times))]
    return LineBatch(texts, times, [Level.INFO] * len(times), NOW, host, "/var/log/app.log", "api")


def test_history_out_of_arrival_order_gives_true_count_first_and_last_seen() -> None:
    groups = ErrorGroups(live_from=NOW)
    start = NOW - 30 * 60  # the incident began 30 minutes ago, on both hosts
    web2 = [start + 7 + 2 * i for i in range(600)]
    web1 = [start + 2 * i for i in range(700)]
    # Host web-2's history arrives first, then web-1's older one (and the info lines of the
    # hour, which say where the loaded logs start).
    assert groups.observe(history("web-2", web2, "payment timeout")) == []
    assert groups.observe(info("web-1", [NOW - HOUR + 5 * i for i in range(720)])) == []
    assert groups.observe(info("web-2", [NOW - HOUR + 5 * i for i in range(720)])) == []
    assert groups.observe(history("web-1", web1, "payment timeout")) == []
    group = groups.get(TIMEOUT)
    assert group is not None
    assert group.count == 1300
    assert group.first_seen == start  # from web-1, which arrived later
    assert group.last_seen == web1[-1]
    assert group.hosts == {"web-1", "web-2"}
    assert not group.new  # it occurred in the loaded history
    assert groups.loaded_from == NOW - HOUR
    assert not groups.since_logs_start(group)  # began 30 min after the logs do
    assert group.count_between(NOW - HOUR, NOW) == 1300
    assert group.count_between(NOW - HOUR, start) == 0
    assert group.count_between(start, start + 600) == 300 + 297  # 10 min, both hosts
    assert sum(group.trend(NOW - HOUR, NOW, 6)) == 1300
    assert group.trend(NOW - HOUR, NOW, 6)[:3] == [0, 0, 0]


def test_a_group_only_now_is_new_and_one_at_the_logs_start_is_since_logs_start() -> None:
    groups = ErrorGroups(live_from=NOW)
    old = history("web-1", [NOW - HOUR + 10 * i for i in range(360)], "db pool exhausted")
    assert groups.observe(old) == []
    [db] = groups.groups()
    assert groups.since_logs_start(db)  # its first line is the oldest loaded: older?
    assert not db.new
    fresh = groups.observe(history("web-1", [NOW + 5, NOW + 6], "payment declined"))
    assert [g.fingerprint for g in fresh] == ["payment declined after <duration> calling <ip>"]
    assert fresh[0].new and not groups.since_logs_start(fresh[0])


def test_with_no_history_the_first_minute_is_not_new_but_later_ones_are() -> None:
    groups = ErrorGroups(live_from=NOW)  # tailing from now: nothing is known before
    assert groups.observe(history("web-1", [NOW + 3], "cache down")) == []
    assert groups.since_logs_start(groups.groups()[0])
    later = groups.observe(history("web-1", [NOW + NEW_MARGIN + 1], "queue full"))
    assert len(later) == 1 and later[0].new


def test_a_new_group_stops_being_new_when_a_late_host_shows_it_earlier() -> None:
    groups = ErrorGroups(live_from=NOW)
    groups.observe(info("web-1", [NOW - HOUR, NOW - 10]))
    [group] = groups.observe(history("web-1", [NOW + 120], "payment timeout"))
    assert group.new
    assert groups.take_unflagged() == []
    # web-2 connects late; its history holds the same error 20 minutes ago.
    groups.observe(history("web-2", [NOW - 1200, NOW - 1100], "payment timeout"))
    assert not group.new
    assert group.first_seen == NOW - 1200 and group.count == 3
    assert groups.take_unflagged() == [TIMEOUT]
    assert groups.take_unflagged() == []


def test_older_logs_arriving_later_move_the_logs_start_and_judge_new_again() -> None:
    groups = ErrorGroups(live_from=NOW - HOUR)
    [group] = groups.observe(history("web-1", [NOW - HOUR + 120], "disk full"))
    assert group.new  # two minutes after the logs start
    groups.observe(info("web-1", [NOW - 2 * HOUR]))  # a fetched older window begins earlier
    assert group.new  # still: it did not occur in that window
    groups.observe(history("web-1", [NOW - HOUR - 300], "disk full"))  # ... until it does
    assert not group.new


def test_forget_before_follows_the_buffer_eviction() -> None:
    groups = ErrorGroups(live_from=NOW)
    groups.observe(history("web-1", [NOW - HOUR + 60 * i for i in range(60)], "payment timeout"))
    groups.observe(history("web-1", [NOW - HOUR + 30], "gone soon"))
    assert len(groups) == 2
    forgotten = groups.forget_before(NOW - HOUR / 2)
    assert forgotten == 30 + 1
    assert groups.loaded_from == NOW - HOUR / 2
    [group] = groups.groups()
    assert group.count == 30 and group.first_seen == NOW - HOUR / 2
    assert groups.since_logs_start(group)
    assert groups.forget_before(NOW - HOUR) == 0  # already gone


def test_groups_in_a_range_count_only_that_range() -> None:
    groups = ErrorGroups(live_from=NOW)
    groups.observe(history("web-1", [NOW - HOUR + 60 * i for i in range(30)], "early error"))
    groups.observe(history("web-1", [NOW - 600 + 60 * i for i in range(5)], "late error"))
    assert [g.fingerprint.split()[0] for g in groups.groups()] == ["early", "late"]
    last_15 = groups.groups(NOW - 900, NOW)
    assert [g.fingerprint.split()[0] for g in last_15] == ["late"]
    assert last_15[0].count_between(NOW - 900, NOW) == 5
    first_half = groups.groups(NOW - HOUR, NOW - HOUR / 2)
    assert [g.count_between(NOW - HOUR, NOW - HOUR / 2) for g in first_half] == [30]


def test_time_buckets_take_any_order_and_stay_bounded() -> None:
    buckets = TimeBuckets(60, max_buckets=10)
    for t in (600.0, 0.0, 300.0, 59.0, 610.0):
        buckets.add(t)
    # 0 s and 59 s would make 11 buckets behind 600 s: they are counted in `older` only.
    assert buckets.total == 5 and buckets.older == 2
    assert len(buckets) == 6 and buckets.kept_from == 300
    assert buckets.count_between(0, 1200) == 3
    buckets.add(-1000.0)  # far older than the bound: counted in total and older only
    assert (buckets.total, buckets.older, len(buckets)) == (6, 3, 6)
    assert buckets.forget_before(400) == 3 + 1
    assert buckets.total == 2 and buckets.count_between(0, 1200) == 2


@pytest.mark.parametrize("bad", [(0, 5), (60, 0)])
def test_time_buckets_refuse_nonsense(bad: tuple[float, int]) -> None:
    with pytest.raises(ValueError):
        TimeBuckets(*bad)


def test_a_group_first_at_its_own_hosts_logs_start_is_since_logs_start() -> None:
    # web-1's logs reach back an hour; web-2's only 10 minutes, and its very first line is
    # the error: web-2 may have had it before its logs begin, so first seen is a bound.
    groups = ErrorGroups(live_from=NOW)
    groups.observe(info("web-1", [NOW - HOUR + 60 * i for i in range(60)]))
    groups.observe(history("web-2", [NOW - 600 + 10 * i for i in range(60)], "payment timeout"))
    group = groups.get(TIMEOUT)
    assert group is not None and group.first_seen == NOW - 600
    assert groups.loaded_from == NOW - HOUR
    assert groups.since_logs_start(group)
    # A group that began 20 minutes into web-2's logs did not occur there before.
    groups.observe(info("web-2", [NOW - 600]))
    groups.observe(history("web-2", [NOW - 600 + 1200], "disk full", Level.WARN))
    later = groups.get("disk full after <duration> calling <ip>")
    assert later is not None and not groups.since_logs_start(later)


def test_a_group_on_two_hosts_is_a_bound_if_either_shows_it_at_its_logs_start() -> None:
    groups = ErrorGroups(live_from=NOW)
    # web-1: an hour of logs, the error from 30 minutes in (a start it saw).
    groups.observe(info("web-1", [NOW - HOUR]))
    groups.observe(history("web-1", [NOW - 1800 + 60 * i for i in range(30)], "payment timeout"))
    group = groups.get(TIMEOUT)
    assert group is not None and not groups.since_logs_start(group)
    # web-2 connects with 5 minutes of history that opens on the same error: it may have
    # had it for longer than web-1, so web-1's start is no longer known to be the first.
    groups.observe(history("web-2", [NOW - 300 + 30 * i for i in range(10)], "payment timeout"))
    assert group.first_seen == NOW - 1800
    assert groups.since_logs_start(group)


def test_forgetting_evicted_lines_makes_each_sources_start_a_bound_again() -> None:
    groups = ErrorGroups(live_from=NOW)
    groups.observe(info("web-1", [NOW - HOUR]))
    groups.observe(info("web-2", [NOW - 2 * HOUR]))  # web-2's logs reach further
    groups.observe(history("web-1", [NOW - 1800 + 60 * i for i in range(30)], "disk full"))
    [group] = [g for g in groups.groups() if g.fingerprint.startswith("disk")]
    assert not groups.since_logs_start(group)
    groups.forget_before(NOW - 900)  # the buffer evicted its older lines
    assert groups.since_logs_start(group)


def test_a_rotated_file_loaded_first_continues_its_base_files_log() -> None:
    # app.log.1 (rotated) holds the older half hour, app.log the rest: one log, whose
    # start is app.log.1's first line, so an error opening app.log began inside it.
    groups = ErrorGroups(live_from=NOW)
    rotated = [NOW - HOUR + 10 * i for i in range(180)]
    groups.observe(
        LineBatch(
            ["GET / 200"] * 180, rotated, [Level.INFO] * 180, NOW, "web-1", "/l/app.log.1", "api"
        )
    )
    groups.observe(
        LineBatch(
            ["disk full on /data"], [NOW - 1800], [Level.ERROR], NOW, "web-1", "/l/app.log", "api"
        )
    )
    [group] = groups.groups()
    assert not groups.since_logs_start(group)
    # A compressed rotation (`.2.gz`) of another file is another log.
    groups.observe(
        LineBatch(
            ["disk full on /data"], [NOW - 900], [Level.ERROR], NOW, "web-1", "/l/db.log.2.gz", "db"
        )
    )
    assert groups.since_logs_start(group)


def test_the_counted_window_is_whole_buckets_inside_the_range_and_the_loaded_logs() -> None:
    groups = ErrorGroups()  # nothing loaded yet
    now = NOW + 20  # 20 s past a minute
    # Mid-minute range edges: the first and last part-minutes are not counted (by bucket
    # start a part-minute would count whole or not at all, depending on the group's span).
    assert groups.count_window(now - 900, now) == (NOW - 840, NOW)
    assert groups.count_window(now - 900, math.inf) == (NOW - 840, math.inf)
    # Logs loaded from mid-minute: that minute holds no line before them, so it counts.
    groups.observe(info("web-1", [now - 610]))
    assert groups.count_window(now - 900, now) == (NOW - 600, NOW)
    # Counted exactly: a group spanning the window's start counts the lines inside it.
    stamps = [now - 610 + 10 * i for i in range(60)]
    groups.observe(history("web-1", stamps, "payment timeout"))
    t0, t1 = groups.count_window(now - 300, now)
    assert (t0, t1) == (NOW - 240, NOW)
    [group] = groups.groups(t0, t1)
    assert group.count_between(t0, t1) == sum(1 for t in stamps if t0 <= t < t1)


def test_last_before_is_the_newest_minute_with_a_line_before_the_end() -> None:
    buckets = TimeBuckets(60, 100)
    for t in (600.5, 610.0, 725.0, 1805.0):  # minutes 10, 10, 12, 30
        buckets.add(t)
    assert buckets.last_before(1805.0) == 1800.0  # by bucket start, as count_between
    assert buckets.last_before(1800.0) == 720.0
    assert buckets.last_before(1860.0) == 1800.0
    assert buckets.last_before(700.0) == 600.0
    assert buckets.last_before(600.0) is None
    assert buckets.last_before(float("inf")) == 1800.0
    assert TimeBuckets(60, 10).last_before(1e9) is None
