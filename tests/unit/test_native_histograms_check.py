"""NativeHistograms: one check per metric, remembered for a while; what an empty panel says.

The check's query itself runs against the real prometheus in
tests/integration/test_native_histograms.py; here only its bookkeeping, with a fake ask."""

from __future__ import annotations

from pulse_tui.model.metrics.promql import build_query
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.prometheus.native import REMEMBER_SECONDS, NativeHistograms


class FakeBackend:
    def __init__(self, native: set[str], fail: bool = False) -> None:
        self.native = native
        self.fail = fail
        self.asked: list[tuple[str, float]] = []
        self.now = 0.0

    async def ask(self, expr: str, at: float) -> bool:
        self.asked.append((expr, at))
        if self.fail:
            raise SourceError("HTTP 422: unknown function histogram_count")
        return any(f"({name})" in expr for name in self.native)


OWN = "histogram_quantile(0.99, sum by (le, job) (rate(x_bucket{$filter}[$window])))"


async def test_an_answer_is_remembered_then_asked_again() -> None:
    backend = FakeBackend({"x"})
    checks = NativeHistograms(backend.ask, clock=lambda: backend.now)
    assert await checks.is_native("x", 100.0)
    assert await checks.is_native("x", 160.0)
    assert backend.asked == [("group(histogram_count(x))", 100.0)]
    backend.now = REMEMBER_SECONDS + 1
    assert not await checks.is_native("y", 200.0)
    assert await checks.is_native("x", 200.0)
    assert len(backend.asked) == 3


async def test_a_backend_that_cannot_answer_counts_as_no() -> None:
    backend = FakeBackend({"x"}, fail=True)
    checks = NativeHistograms(backend.ask, clock=lambda: backend.now)
    assert not await checks.is_native("x", 1.0)
    assert not await checks.is_native("x", 2.0)
    assert len(backend.asked) == 1


async def test_an_own_bucket_query_of_a_native_histogram_gets_the_hint() -> None:
    checks = NativeHistograms(FakeBackend({"x"}).ask)
    panel = build_query(Signal.QUEUE, template=OWN, window_seconds=60)
    note, hint = await checks.explain(panel, "job", 1.0)
    assert note == "x is a native histogram, not x_bucket"
    assert hint is not None and "rate(x{$filter}[$window])" in hint


async def test_no_check_for_the_built_in_template_or_a_metric_without_buckets() -> None:
    backend = FakeBackend({"queue_processing_latency_seconds", "y"})
    checks = NativeHistograms(backend.ask)
    # The built-in query already reads the native form: empty means no data.
    builtin = build_query(Signal.QUEUE, window_seconds=60)
    assert await checks.explain(builtin, "job", 1.0) == (builtin.no_data_note, None)
    plain = build_query(Signal.TRAFFIC, template="sum(rate(y{$filter}[$window]))")
    assert await checks.explain(plain, "job", 1.0) == ("no data for y", None)
    assert backend.asked == []
