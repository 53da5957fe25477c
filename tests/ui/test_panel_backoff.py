"""A panel whose queries fail waits longer after each failure, a minute at most, and starts
over once it works; the other panels carry on. Time stands still here (the frozen demo), so
only `r` (refresh now) makes a new attempt."""

from __future__ import annotations

from collections.abc import Sequence

from ui.harness import frozen_demo_app, has_data, screen_text, wait_until

from pulse_tui.model.core import clock
from pulse_tui.model.metrics.signals import QueryWindow, Signal, SignalResult
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.demo import DemoMetricsSource, demo_log_sources
from pulse_tui.ui.app import PulseApp, demo_config

SIZE = (200, 50)


class FlakyErrorGroupsPanel(DemoMetricsSource):
    """The demo, except that the errors panel's queries fail while `failures` lasts."""

    def __init__(self) -> None:
        super().__init__(demo_config())
        #: What the next errors queries raise, in order (None: answer).
        self.failures: list[SourceError | None] = []

    async def query_signal(
        self,
        signal: Signal,
        window: QueryWindow,
        services: Sequence[str] = (),
        *,
        compare_offset: float | None = None,
        recent: QueryWindow | None = None,
        young: QueryWindow | None = None,
    ) -> SignalResult:
        if signal is Signal.ERRORS and self.failures:
            failure = self.failures.pop(0)
            if failure is not None:
                raise failure
        return await super().query_signal(
            signal, window, services, compare_offset=compare_offset, recent=recent, young=young
        )


def flaky_app() -> tuple[PulseApp, FlakyErrorGroupsPanel]:
    app = frozen_demo_app()
    source = FlakyErrorGroupsPanel()
    return PulseApp(app.config, source, demo_log_sources(live=False)), source


async def test_a_failing_panel_backs_off_to_a_minute_and_starts_over_once_it_works() -> None:
    app, source = flaky_app()
    refresh = app.config.dashboard.refresh
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        errors = app.dashboard.panel(Signal.ERRORS)

        async def attempt(failure: SourceError | None) -> float | None:
            """Press `r` with the next errors query doing `failure`; the wait it shows."""
            source.failures = [failure]
            before = errors.result if failure is None else errors.retry_at
            await pilot.press("r")
            if failure is None:
                await wait_until(pilot, lambda: errors.result is not before)
                return None
            await wait_until(
                pilot, lambda: errors.retry_at is not None and errors.retry_at != before
            )
            assert errors.retry_at is not None
            return errors.retry_at - clock.now()

        down = SourceError("connection refused")
        waits = [await attempt(down) for _ in range(4)]
        # Doubling from the refresh interval, each ±20% so panels do not retry in step.
        for n, wait in enumerate(waits):
            assert wait is not None
            assert 0.8 * refresh * 2**n <= wait <= 1.2 * refresh * 2**n
        assert "retry in" in screen_text(app) and "connection refused" in screen_text(app)
        assert app.dashboard.panel(Signal.TRAFFIC).error is None  # the others carry on

        for _ in range(6):
            wait = await attempt(down)
        assert wait is not None and 0.8 * 60 <= wait <= 1.2 * 60  # the cap, jittered too

        # A query retrying cannot fix waits the cap at once.
        assert await attempt(SourceError("bad query", retryable=False)) == 60.0

        await attempt(None)  # works again: the next failure counts as the first
        assert errors.error is None
        wait = await attempt(down)
        assert wait is not None and 0.8 * refresh <= wait <= 1.2 * refresh
