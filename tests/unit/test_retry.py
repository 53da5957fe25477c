"""Per-call retries of the Prometheus source on the one backoff, and Retry-After headers."""

from __future__ import annotations

import pytest

from pulse_tui.sources.prometheus.http import RetryPolicy
from pulse_tui.sources.transport.backoff import BackoffPolicy
from pulse_tui.sources.transport.retry_after import parse_retry_after


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("7", 7.0), ("Sun, 06 Nov 1994 08:49:47 GMT", 13.0), ("soon", None), (None, None)],
)
def test_retry_after_forms(header: str | None, seconds: float | None) -> None:
    now = 784111774.0  # 13 s before the date above
    assert parse_retry_after(header, now=now) == seconds


def test_retry_delays_come_from_the_shared_backoff_and_long_waits_give_up() -> None:
    policy = RetryPolicy(attempts=5, backoff=BackoffPolicy(first=1, cap=4), max_retry_after=10)
    jitter = policy.backoff.jitter
    assert 1 - jitter <= policy.delay(1, None) <= 1 + jitter
    assert 4 * (1 - jitter) <= policy.delay(3, None) <= 4 * (1 + jitter)
    assert 4 * (1 - jitter) <= policy.delay(5, None) <= 4 * (1 + jitter)  # capped
    assert policy.delay(1, 6) == 6  # Retry-After is a floor...
    assert policy.delay(1, 11) is None  # ...until it is longer than worth waiting
