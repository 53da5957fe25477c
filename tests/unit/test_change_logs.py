"""The logs that came with a change: error groups ranked by how much they rose at a
finding's start (a group absent before first), from the finding's service if the logs
name services."""

from __future__ import annotations

from pulse_tui.model.alerting.error_groups import ErrorGroups
from pulse_tui.model.logs.line import Level, LineKind, LogLine
from pulse_tui.model.metrics.change_logs import rank_groups, top_group
from pulse_tui.model.metrics.changes import Finding
from pulse_tui.model.metrics.signals import Signal

T0 = 1_704_207_840.0  # a minute boundary
START = T0 + 3600  # the change; the logs cover the hour before it and 30 minutes after
UNTIL = START + 1800


def line(text: str, t: float, service: str = "checkout", host: str = "web-1") -> LogLine:
    return LogLine(t, t, host, "/var/log/app.log", service, Level.ERROR, text, LineKind.LINE)


def every(text: str, t0: float, t1: float, seconds: float, **origin: str) -> list[LogLine]:
    out, t = [], t0
    while t < t1:
        out.append(line(text.format(n=int(t) % 97), t, **origin))
        t += seconds
    return out


def loaded(*batches: list[LogLine]) -> ErrorGroups:
    groups = ErrorGroups(live_from=T0)
    for batch in batches:
        groups.observe(batch)
    return groups


def finding(service: str = "checkout", start: float = START, end: float | None = None) -> Finding:
    return Finding(service, Signal.ERRORS, "", "ratio", 0.01, 0.2, start, end, "crit", 30.0)


def test_a_group_absent_before_ranks_first_even_with_fewer_lines() -> None:
    groups = loaded(
        every("db pool exhausted after {n}ms", T0, UNTIL, 10),  # steady: every 10 s all along
        every("cache miss storm {n}", START - 1800, UNTIL, 2),  # doubled after the start
        every("cache miss storm {n}", START, UNTIL, 2),
        every("payment gateway timeout after {n}s order={n}", START + 60, UNTIL, 20),
    )
    ranked = rank_groups(groups, START, UNTIL)
    assert [r.fingerprint for r in ranked] == [
        "payment gateway timeout after <duration> order=<num>",
        "cache miss storm <num>",
    ]  # the steady group did not rise: never the answer
    new, rising = ranked
    assert (new.new, new.before, new.after) == (True, 0, 87)
    # Before is the same 30 minutes, ending a minute before the start (the onset's slack).
    assert (rising.new, rising.before, rising.after) == (False, 870, 1800)


def test_only_the_findings_service_when_the_logs_name_services() -> None:
    groups = loaded(
        every("payment gateway timeout after {n}s", START, UNTIL, 20, service="checkout"),
        every("disk full on {n}", START, UNTIL, 5, service="search", host="web-2"),
    )
    by_service = rank_groups(groups, START, UNTIL, service="checkout", log_services={"checkout"})
    assert [r.fingerprint for r in by_service] == ["payment gateway timeout after <duration>"]
    # The logs name services, but not this one: none of them is its log.
    assert rank_groups(groups, START, UNTIL, service="cart", log_services={"checkout"}) == []
    # No mapping at all: every group, the one that rose most first.
    anyone = rank_groups(groups, START, UNTIL, service="cart")
    assert [r.fingerprint for r in anyone] == [
        "disk full on <num>",
        "payment gateway timeout after <duration>",
    ]


def test_lines_of_the_step_before_its_detected_start_are_its_onset_not_before() -> None:
    # The chart's step (60 s) placed the start 40 s after the first timeout line.
    groups = loaded(every("payment gateway timeout after {n}s", START - 40, UNTIL, 20))
    [top] = rank_groups(groups, START, UNTIL, step=60.0)
    assert top.new and top.before == 0


def test_before_the_loaded_logs_a_group_is_not_called_new() -> None:
    # The logs begin at the change: nothing says the group was absent before.
    groups = ErrorGroups(live_from=START)
    groups.observe(every("payment gateway timeout after {n}s", START, UNTIL, 20))
    [only] = rank_groups(groups, START, UNTIL)
    assert not only.new and not only.known_before and only.after == 90


def test_logs_loaded_from_less_than_a_bucket_before_do_not_make_a_group_new() -> None:
    # The range began 90 s before the change: 30 s of the before window (which ends a
    # minute before the start) is loaded, less than the minute the groups count by.
    steady = every("queue lag queue=emails lag={n}s", START - 90, UNTIL, 2)
    groups = ErrorGroups(live_from=START - 90)
    groups.observe(steady)
    [only] = rank_groups(groups, START, UNTIL)
    assert not only.new and not only.known_before


def test_top_group_follows_the_worst_finding_and_its_end() -> None:
    groups = loaded(every("payment gateway timeout after {n}s", START, START + 600, 20))
    assert top_group(None, [finding()], UNTIL) is None
    assert top_group(groups, [], UNTIL) is None
    top = top_group(groups, [finding(end=START + 600)], UNTIL)
    assert top is not None and top.after == 30 and top.since == START
    # Nothing rose when the incident started an hour later.
    assert top_group(groups, [finding(start=START + 3600)], START + 7200) is None
