"""The one backoff: doubling to a cap, one jitter, Retry-After as a floor, reset when healthy."""

from __future__ import annotations

from support.clock import ManualClock

from pulse_tui.sources.transport.backoff import Backoff, BackoffPolicy


def no_jitter(low: float, high: float) -> float:
    return (low + high) / 2


def test_delays_double_up_to_the_cap() -> None:
    backoff = Backoff(BackoffPolicy(first=1, cap=10), uniform=no_jitter)
    assert [backoff.failed() for _ in range(6)] == [1, 2, 4, 8, 10, 10]


def test_jitter_stays_within_its_band() -> None:
    policy = BackoffPolicy(first=4, cap=60, jitter=0.25)
    backoff = Backoff(policy)
    delays = [Backoff(policy).failed() for _ in range(200)]
    assert all(3.0 <= d <= 5.0 for d in delays)
    assert len(set(delays)) > 100, "every caller gets its own jitter"
    assert 3.0 <= backoff.failed() <= 5.0


def test_retry_after_is_a_floor_and_not_retryable_waits_the_cap() -> None:
    backoff = Backoff(BackoffPolicy(first=1, cap=60), uniform=lambda low, high: low)
    assert backoff.failed(retry_after=120) == 120  # past the cap: the server said so
    assert backoff.failed(retry_after=0.5) == 1.6  # the backoff's own (2, jittered) is later
    assert backoff.failed(retryable=False) == 60


def test_retry_after_is_jittered_upwards_only() -> None:
    policy = BackoffPolicy(first=1, cap=60, jitter=0.2)
    delays = [Backoff(policy).failed(retry_after=120) for _ in range(200)]
    assert all(120 <= d <= 144 for d in delays), "never before the server asked"
    assert len(set(delays)) > 100, "panels turned away together come back apart"


def test_any_success_resets_by_default() -> None:
    backoff = Backoff(BackoffPolicy(first=1, cap=60), uniform=no_jitter)
    backoff.failed()
    backoff.failed()
    backoff.succeeded()
    assert backoff.failures == 0
    assert backoff.failed() == 1


def test_a_short_healthy_stretch_does_not_reset_but_a_long_one_does() -> None:
    clock = ManualClock(1000.0)
    policy = BackoffPolicy(first=1, cap=60, healthy_after=30)
    backoff = Backoff(policy, clock=clock, uniform=no_jitter)
    assert backoff.failed() == 1
    backoff.succeeded()  # connected...
    clock.now += 5  # ...and dropped again 5 s later: still flapping
    assert backoff.failed() == 2
    backoff.succeeded()
    clock.now += 31  # up for half a minute: healthy
    backoff.succeeded()  # later successes do not move the start of the stretch
    assert backoff.failed() == 1


def test_reset_forgets_failures() -> None:
    backoff = Backoff(BackoffPolicy(first=1, cap=60), uniform=no_jitter)
    for _ in range(4):
        backoff.failed()
    backoff.reset()
    assert backoff.failed() == 1
