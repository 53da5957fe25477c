"""A clock a test moves by hand: pass it where code takes `clock: Callable[[], float]`."""

from __future__ import annotations


class ManualClock:
    """Says `now` until the test sets it to another time."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
