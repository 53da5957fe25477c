"""Completion lists for the PromQL prompt, from the backend's label API: metric names
(`/api/v1/label/__name__/values`), label names (`/api/v1/labels?match[]=…`) and label
values (`/api/v1/label/<name>/values?match[]=…`), narrowed by what the expression selects.

Every list is cached for the session: at most `max_entries` lists of at most `max_values`
names each (a bigger answer is cut, and a value list cut short is asked again narrowed by
the prefix typed, so nothing is out of reach), each kept `ttl` seconds. A look-up whose
caller went away (the user typed on) still finishes and fills the cache, and one already
under way is shared, not sent again: a slow server costs one request per list, however
fast the typing.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from pulse_tui.model.metrics.promql_complete import Completing, Kind
from pulse_tui.model.metrics.promql_lex import quote_value
from pulse_tui.model.metrics.promql_words import DURATIONS, Candidate, rank, word_candidates
from pulse_tui.sources.base import SourceError

#: Names kept of one answer (the server's `limit` where it has one, cut here too).
MAX_VALUES = 5000
#: Lists kept at once (least recently used dropped first).
MAX_ENTRIES = 64
#: Seconds a list is trusted; an error is asked again sooner.
TTL = 60.0
ERROR_TTL = 5.0
#: Candidates offered at once.
MAX_CANDIDATES = 50

NO_LABEL_API = "no completion: this backend has no label API (the demo has no PromQL)"


@runtime_checkable
class LabelApi(Protocol):
    """What a metrics source offers for completion (PrometheusSource does)."""

    async def label_names(
        self, match: Sequence[str], start: float, end: float, limit: int
    ) -> list[str]: ...

    async def label_values(
        self, label: str, match: Sequence[str], start: float, end: float, limit: int
    ) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class Listing:
    """One list from the server: its names (at most `max_values`), whether there were
    more, or the error that came instead (the source's words)."""

    names: tuple[str, ...] = ()
    truncated: bool = False
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Offer:
    """What the prompt shows under the input: the candidates, and a line about them
    (an error, "first 5,000 values only"), or None."""

    candidates: tuple[Candidate, ...] = ()
    note: str | None = None


_Key = tuple[str, str, tuple[str, ...]]


class CompletionCatalog:
    """The session's cache of completion lists over one `LabelApi` (None: there is none)."""

    def __init__(
        self,
        api: LabelApi | None,
        *,
        max_values: int = MAX_VALUES,
        max_entries: int = MAX_ENTRIES,
        ttl: float = TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self.max_values = max_values
        self.max_entries = max_entries
        self.ttl = ttl
        self._clock = clock
        #: Key -> (when fetched, the list), least recently used first.
        self._cache: OrderedDict[_Key, tuple[float, Listing]] = OrderedDict()
        #: Look-ups under way, shared by every caller asking for the same list.
        self._pending: dict[_Key, asyncio.Future[Listing]] = {}
        #: Requests sent to the server, for tests and benchmarks.
        self.requests = 0

    @property
    def available(self) -> bool:
        return self._api is not None

    # ----------------------------------------------------------------- the lists

    async def metric_names(self, start: float, end: float, prefix: str = "") -> Listing:
        return await self.label_values("__name__", (), start, end, prefix)

    async def label_names(self, match: Sequence[str], start: float, end: float) -> Listing:
        api = self._api
        if api is None:
            return Listing(error=NO_LABEL_API)
        limit = self.max_values
        return await self._get(
            ("labels", "", tuple(match)),
            lambda: api.label_names(match, start, end, limit),
        )

    async def label_values(
        self, label: str, match: Sequence[str], start: float, end: float, prefix: str = ""
    ) -> Listing:
        """`label`'s values; with `prefix`, a list cut short is asked again narrowed to
        the values starting with it (`label=~"prefix.*"` added to each selector)."""
        api = self._api
        if api is None:
            return Listing(error=NO_LABEL_API)
        limit = self.max_values
        listing = await self._get(
            ("values", label, tuple(match)),
            lambda: api.label_values(label, match, start, end, limit),
        )
        if not listing.truncated or not prefix:
            return listing
        narrowed = narrow(match, label, prefix)
        return await self._get(
            ("values", label, narrowed),
            lambda: api.label_values(label, narrowed, start, end, limit),
        )

    # ----------------------------------------------------------------- candidates

    async def offer(self, at: Completing, start: float, end: float) -> Offer:
        """The candidates for what is being completed, best first."""
        limit = MAX_CANDIDATES
        if at.kind is Kind.NONE:
            return Offer()
        if at.kind is Kind.DURATION:
            return Offer(tuple(Candidate(d, "duration") for d in rank(at.prefix, DURATIONS, 20)))
        if at.kind is Kind.METRIC:
            listing = await self.metric_names(start, end, at.prefix)
            found = word_candidates(at.prefix, listing.names, limit)
            return Offer(tuple(found), _note(listing, "metric names"))
        if at.kind is Kind.LABEL_NAME:
            listing = await self.label_names(at.match, start, end)
            # `__name__` is a label too, rarely the one wanted: offered once `_` is typed.
            names = [n for n in listing.names if n != "__name__" or at.prefix.startswith("_")]
            found = [Candidate(n, "label") for n in rank(at.prefix, names, limit)]
            return Offer(tuple(found), _note(listing, "label names", narrows=False))
        listing = await self.label_values(at.label, at.match, start, end, at.prefix)
        found = [Candidate(v, "value") for v in rank(at.prefix, listing.names, limit)]
        return Offer(tuple(found), _note(listing, f"values of {at.label}"))

    # ----------------------------------------------------------------- the cache

    async def _get(self, key: _Key, fetch: Callable[[], Awaitable[list[str]]]) -> Listing:
        hit = self._cache.get(key)
        if hit is not None:
            fetched_at, listing = hit
            if self._clock() - fetched_at < (ERROR_TTL if listing.error else self.ttl):
                self._cache.move_to_end(key)
                return listing
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._fetch(key, fetch))
            self._pending[key] = pending
            pending.add_done_callback(lambda _done: self._pending.pop(key, None))
        # Shielded: a caller cancelled because the user typed on does not cancel the
        # request; its answer is cached for the next key press.
        return await asyncio.shield(pending)

    async def _fetch(self, key: _Key, fetch: Callable[[], Awaitable[list[str]]]) -> Listing:
        self.requests += 1
        try:
            names = await fetch()
        except SourceError as exc:
            listing = Listing(error=str(exc))
        else:
            cut = names[: self.max_values]
            listing = Listing(tuple(cut), truncated=len(names) > len(cut))
        self._cache[key] = (self._clock(), listing)
        self._cache.move_to_end(key)
        while len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return listing


def _note(listing: Listing, what: str, *, narrows: bool = True) -> str | None:
    if listing.error:
        return listing.error
    if listing.truncated:
        more = " (type to narrow)" if narrows else ""
        return f"{what}: the first {len(listing.names):,} only{more}"
    return None


_REGEX_SPECIAL = frozenset("\\.+*?()|[]{}^$")


def narrow(match: Sequence[str], label: str, prefix: str) -> tuple[str, ...]:
    """Each selector of `match` (or one bare selector) with `label=~"prefix.*"` added."""
    escaped = "".join("\\" + ch if ch in _REGEX_SPECIAL else ch for ch in prefix)
    matcher = f"{label}=~{quote_value(escaped + '.*')}"
    if not match:
        return (f"{{{matcher}}}",)
    out = []
    for selector in match:
        if selector.endswith("}"):
            out.append(f"{selector[:-1]},{matcher}}}")
        else:
            out.append(f"{selector}{{{matcher}}}")
    return tuple(out)


def catalog_for(source: object) -> CompletionCatalog:
    """The catalog over `source` if it has a label API (else one that says so)."""
    return CompletionCatalog(source if isinstance(source, LabelApi) else None)
