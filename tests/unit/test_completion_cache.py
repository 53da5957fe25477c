"""The completion lists' cache (pure logic over a counting fake API): time to live, the
bound on lists and names, one request shared by callers, a cancelled caller's answer
kept, and the narrowing selectors."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from support.clock import ManualClock

from pulse_tui.sources.base import SourceError
from pulse_tui.sources.completion import CompletionCatalog, narrow


class CountingApi:
    def __init__(self, values: Sequence[str] = ("a", "b", "c"), delay: float = 0.0) -> None:
        self.values = list(values)
        self.delay = delay
        self.calls: list[tuple[str, tuple[str, ...]]] = []
        self.fail = False

    async def label_names(
        self, match: Sequence[str], start: float, end: float, limit: int
    ) -> list[str]:
        return await self.label_values("", match, start, end, limit)

    async def label_values(
        self, label: str, match: Sequence[str], start: float, end: float, limit: int
    ) -> list[str]:
        self.calls.append((label, tuple(match)))
        await asyncio.sleep(self.delay)
        if self.fail:
            raise SourceError("Prometheus at http://x failed the label names (HTTP 500)")
        return list(self.values)


async def test_a_list_is_kept_for_its_ttl_then_asked_again() -> None:
    api, clock = CountingApi(), ManualClock()
    cat = CompletionCatalog(api, ttl=60.0, clock=clock)
    await cat.label_values("job", ("up",), 0, 1)
    clock.now = 59.0
    await cat.label_values("job", ("up",), 0, 1)
    assert len(api.calls) == 1
    clock.now = 61.0
    await cat.label_values("job", ("up",), 0, 1)
    assert len(api.calls) == 2


async def test_an_error_is_shown_and_asked_again_soon() -> None:
    api, clock = CountingApi(), ManualClock()
    api.fail = True
    cat = CompletionCatalog(api, clock=clock)
    listing = await cat.label_names(("up",), 0, 1)
    assert listing.error is not None and "HTTP 500" in listing.error and not listing.names
    clock.now = 6.0
    api.fail = False
    assert (await cat.label_names(("up",), 0, 1)).names == ("a", "b", "c")


async def test_at_most_max_entries_lists_and_max_values_names() -> None:
    api = CountingApi(values=[f"v{i}" for i in range(10)])
    cat = CompletionCatalog(api, max_entries=3, max_values=4)
    for metric in ("a", "b", "c", "d"):
        listing = await cat.label_values("job", (metric,), 0, 1)
        assert listing.names == ("v0", "v1", "v2", "v3") and listing.truncated
    assert len(cat._cache) == 3
    await cat.label_values("job", ("a",), 0, 1)  # the oldest was dropped
    assert len(api.calls) == 5


async def test_callers_share_one_request_and_a_cancelled_one_still_fills_the_cache() -> None:
    api = CountingApi(delay=0.05)
    cat = CompletionCatalog(api)
    first = asyncio.ensure_future(cat.label_values("job", ("up",), 0, 1))
    await asyncio.sleep(0.01)
    first.cancel()  # the user typed on
    second = await cat.label_values("job", ("up",), 0, 1)
    assert second.names == ("a", "b", "c") and len(api.calls) == 1
    await cat.label_values("job", ("up",), 0, 1)
    assert len(api.calls) == 1


async def test_no_api_says_so() -> None:
    cat = CompletionCatalog(None)
    listing = await cat.metric_names(0, 1)
    assert listing.error is not None and "no label API" in listing.error


def test_narrow_adds_a_prefix_regex_to_each_selector() -> None:
    assert narrow((), "job", "ap") == ('{job=~"ap.*"}',)
    assert narrow(("up", 'up{a="b"}'), "job", "a.p") == (
        'up{job=~"a\\\\.p.*"}',
        'up{a="b",job=~"a\\\\.p.*"}',
    )
