"""The queue panel's rows: each queue's own p99 now and worst, and how they share rows."""

from __future__ import annotations

from pulse_tui.model.metrics.signals import (
    QueryWindow,
    Recent,
    Series,
    Signal,
    SignalResult,
    Thresholds,
)
from pulse_tui.ui.widgets.metrics.queue_rows import extra_rows, queue_rows, queue_values

WINDOW = QueryWindow(0.0, 600.0, 60.0, 120.0)
RECENT = QueryWindow(540.0, 600.0, 15.0, 60.0)


def queue(name: str, values: list[float], now: float) -> tuple[Series, Series]:
    stamps = [float(t) for t in range(0, 601, 60)][: len(values)]
    labels = {"queue": name}
    return Series("worker", stamps, values, labels), Series("worker", [600.0], [now], labels)


def result(*queues: tuple[Series, Series]) -> SignalResult:
    return SignalResult(
        Signal.QUEUE,
        tuple(chart for chart, _ in queues),
        "s",
        0.0,
        WINDOW,
        recent=Recent(RECENT, tuple(now for _, now in queues)),
    )


def test_each_queue_has_its_own_now_and_worst() -> None:
    emails = queue("emails", [1.0, 3.0, 1.0], now=1.5)
    payments = queue("payments", [4.0, 4.5, 4.0], now=4.7)  # now is above the chart's worst
    answer = result(emails, payments)
    assert queue_values(answer, answer.series) == [(1.5, 3.0), (4.7, 4.7)]
    rows = [r.plain for r in queue_rows(answer, answer.series, 60, 2, Thresholds())]
    assert rows == ["━ worker emails 1.5s worst 3s", "━ worker payments 4.7s worst 4.7s"]


def test_queues_share_a_row_and_the_rest_are_counted() -> None:
    answer = result(*(queue(f"q{i}", [float(i)], now=float(i)) for i in range(1, 6)))
    rows = [r.plain for r in queue_rows(answer, answer.series, 60, 1, Thresholds())]
    assert rows == ["━ worker q1 1s worst 1s  ━ worker q2 2s worst 2s  +3 queues"]
    two = [r.plain for r in queue_rows(answer, answer.series, 60, 2, Thresholds())]
    assert two == [
        "━ worker q1 1s worst 1s  ━ worker q2 2s worst 2s",
        "━ worker q3 3s worst 3s  ━ worker q4 4s worst 4s  +1 queue",
    ]
    assert all(len(r) <= 60 for r in rows + two)
    narrow = [r.plain for r in queue_rows(answer, answer.series, 40, 1, Thresholds())]
    assert narrow == ["━ worker q1 1s worst 1s  +4 queues"]


def test_a_row_too_narrow_for_one_queue_still_counts_the_others() -> None:
    answer = result(queue("a-very-long-queue-name", [1.0], 1.0), queue("b", [2.0], 2.0))
    (row,) = queue_rows(answer, answer.series, 30, 1, Thresholds())
    assert row.plain.endswith("+1 queue") and len(row.plain) <= 30


def test_rows_are_given_while_the_chart_keeps_six() -> None:
    assert extra_rows(3, 12) == 2
    assert extra_rows(3, 7) == 1
    assert extra_rows(3, 4) == 0
    assert extra_rows(1, 20) == 0
