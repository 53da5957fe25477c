"""One backoff for everything that retries: panels, SSH hosts, webhooks, HTTP calls.

Exponential from `first` to `cap`, with the same jitter everywhere (±`jitter` of the
delay, so many panels, hosts or users that failed together do not retry in lockstep), a
server's Retry-After honoured as a floor (jittered upwards only, past the cap if need be),
and a reset once the thing has been healthy
for `healthy_after` seconds (an SSH connection that lived an hour and then dropped starts
again from `first`, not from where it was a day ago).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    """How long to wait after the n-th failure in a row."""

    first: float = 1.0
    cap: float = 60.0
    #: Each delay is scaled by a uniform factor in [1 - jitter, 1 + jitter].
    jitter: float = 0.2
    #: Healthy this long since the last success: the next failure counts as the first.
    #: 0: any success resets.
    healthy_after: float = 0.0

    def delay(
        self, failures: int, uniform: Callable[[float, float], float] = random.uniform
    ) -> float:
        """Seconds to wait after `failures` (1-based) failures in a row, jittered."""
        base = min(self.cap, self.first * 2 ** max(0, failures - 1))
        return base * uniform(1.0 - self.jitter, 1.0 + self.jitter)


@dataclass(slots=True)
class Backoff:
    """The failures in a row of one thing (a panel, a host, a receiver) and the next delay."""

    policy: BackoffPolicy = field(default_factory=BackoffPolicy)
    clock: Callable[[], float] = time.monotonic
    uniform: Callable[[float, float], float] = random.uniform
    #: Failures since the last reset.
    failures: int = 0
    #: When the current healthy stretch began (the first success after a failure).
    _healthy_since: float | None = None

    def succeeded(self) -> None:
        """The thing works (a query answered, a connection is up)."""
        if self._healthy_since is None:
            self._healthy_since = self.clock()
        if self.policy.healthy_after <= 0:
            self.failures = 0

    def failed(self, *, retryable: bool = True, retry_after: float | None = None) -> float:
        """Count a failure; seconds until the next try (the cap if it is not worth retrying)."""
        now = self.clock()
        since = self._healthy_since
        if since is not None and now - since >= self.policy.healthy_after:
            self.failures = 0
        self._healthy_since = None
        self.failures += 1
        if not retryable:
            return self.policy.cap
        delay = self.policy.delay(self.failures, self.uniform)
        if retry_after is not None:
            # Never earlier than asked; later by up to `jitter` of it, so the panels (and
            # the users) a server turned away together do not all come back at one instant.
            delay = max(delay, retry_after * self.uniform(1.0, 1.0 + self.policy.jitter))
        return delay

    def reset(self) -> None:
        """Forget the failures (the user asked to retry now, or the target changed)."""
        self.failures = 0
        self._healthy_since = None
