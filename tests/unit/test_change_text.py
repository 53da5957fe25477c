"""The words of a finding: one start time when it is known to a minute, the span it lies
in when it was found on points minutes apart."""

from __future__ import annotations

import time

from pulse_tui.model.metrics.change_text import change_phrase
from pulse_tui.model.metrics.changes import Finding
from pulse_tui.model.metrics.signals import Signal

#: 08:00 local time on some day, so the expected clock strings do not depend on the zone.
T0 = time.mktime((2026, 12, 3, 8, 0, 0, 0, 0, -1))


def finding(step: float, end: float | None = None) -> Finding:
    return Finding("checkout", Signal.ERRORS, "", "ratio", 0.01, 0.2, T0, end, "crit", step)


def test_a_start_known_to_the_minute_is_one_time() -> None:
    assert change_phrase(finding(60.0), T0 + 1800) == "errors 1% → 20% since 08:00 (30m)"


def test_a_start_found_on_coarse_points_is_the_span_it_lies_in() -> None:
    # At 6 h one point is 5 minutes: the change began within a step of the split.
    assert change_phrase(finding(300.0), T0 + 1800) == "errors 1% → 20% since 07:55–08:05 (30m)"


def test_the_span_never_reaches_past_now_and_says_the_date_once() -> None:
    phrase = change_phrase(finding(7200.0), T0 + 1800, span=7 * 86400)
    assert phrase == "errors 1% → 20% since 12-03 06:00–08:30 (2h)"


def test_a_recovered_change_keeps_its_from_to() -> None:
    assert change_phrase(finding(300.0, end=T0 + 900), T0 + 1800) == (
        "errors 1% → 20% 08:00–08:15, recovered"
    )
