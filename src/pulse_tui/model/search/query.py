"""Log search over a `LogBuffer`: queries and filters (the names the UI imports).

Query syntax (what the user types after `/`):

* plain text is a literal substring: `timeout` finds "upstream timeout after 3s";
* `re:` starts a regular expression (Python `re` syntax): `re:timeout after \\d{4,}ms`;
* without `regex=True`, a leading backslash makes the rest literal: `\\re:x` finds the text "re:x";
* smart case: case-insensitive unless the pattern has an uppercase letter
  (escapes such as `\\d` or `\\S` do not count);
* with `fields=True` (the log pane's `/`, `f` and `!`): `key=value` and `key~regex`
  terms on the line's parsed fields, all of them and the text term together (AND);
  see `search.fields` (`"key=value"` quoted, or a leading `\\`, is text again).

Case-insensitive means the `regex` module's IGNORECASE (simple case folding) on the line
as it is, in bulk, per line and for highlighting alike, so counts, filters and highlights
always agree.

The work is split by job: this module parses queries and combines them into filters;
`search.scan` does the bulk matching over buffer blocks (packed text, timeouts;
`search.text` maps hits to lines, `search.dense` counts those of a literal on many lines);
`search.job` runs a search in a thread; `search.nav` steps through results and keeps the
history. Every public name is importable from here.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import compress
from operator import and_

import regex as _regex

from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.line import Level, LineKind, LogLine
from pulse_tui.model.logs.packed import pack
from pulse_tui.model.search.dense import Literal
from pulse_tui.model.search.fields import FieldTerm, fields_accept, split_terms
from pulse_tui.model.search.job import SearchJob
from pulse_tui.model.search.nav import SearchHistory, match_counter, next_match
from pulse_tui.model.search.needle import FieldNeedle
from pulse_tui.model.search.scan import (
    CHUNK_TIMEOUT,
    TOO_SLOW,
    Chunk,
    SearchError,
    chunk_per_line,
    clip,
    per_line,
    scan,
    time_left,
)
from pulse_tui.model.search.text import TooSlow
from pulse_tui.model.search.text import hits as bulk_hits

__all__ = [
    "CHUNK_TIMEOUT",
    "MAX_SPANS",
    "REGEX_PREFIX",
    "LineFilter",
    "SearchError",
    "SearchHistory",
    "SearchJob",
    "SearchQuery",
    "count_matches",
    "find_matches",
    "iter_text_chunks",
    "match_counter",
    "next_match",
]

REGEX_PREFIX = "re:"
#: Most highlight spans returned for one line; a pattern like `.` would otherwise give 1000s.
MAX_SPANS = 64
#: Seconds one line may take to match or highlight outside a job (the UI thread waits).
LINE_TIMEOUT = 0.25
# Lookarounds and \A/\Z see the neighbouring line (or chunk edge) in a joined chunk, so
# patterns using them are matched line by line instead.
_LINE_LOCAL = re.compile(r"\(\?<?[=!]|\\[AZ]")


@dataclass(frozen=True)
class SearchQuery:
    """One parsed search: what to look for and how. Build it with `SearchQuery.parse`."""

    #: The pattern without any prefix.
    pattern: str
    regex: bool
    ignore_case: bool
    #: For highlighting: the pattern, with IGNORECASE when case-insensitive.
    compiled: _regex.Pattern[str] = field(compare=False, repr=False)
    # The same with MULTILINE, for joined chunks: `^`/`$` at every line's edges.
    _scan: _regex.Pattern[str] = field(compare=False, repr=False)
    # Plain text, as `search.dense` counts the lines of one that matches many.
    _literal: Literal | None = field(compare=False, repr=False)
    #: Field terms (`queue=emails`): every one must hold too.
    fields: tuple[FieldTerm, ...] = ()
    # Literal searches narrowing the lines before their fields are parsed (`FieldTerm.needle`).
    _needles: tuple[SearchQuery, ...] = field(default=(), compare=False, repr=False)
    # A needle's pattern as numpy finds it in Latin-1 blocks (`search.needle`).
    _bulk: FieldNeedle | None = field(default=None, compare=False, repr=False)

    @classmethod
    def parse(cls, text: str, *, regex: bool = False, fields: bool = False) -> SearchQuery:
        """Parse what the user typed; raise `SearchError` for an unusable regex.
        `fields`: take `key=value` / `key~regex` terms out of it (see `search.fields`).

        Slow regexes are not refused here: a search stops with `SearchError` when one
        buffer block takes longer than its timeout (see `SearchJob`)."""
        if fields and not regex:
            text, terms = split_terms(text)
            if terms:
                needles = tuple(
                    replace(cls.parse(term.needle, regex=True), _bulk=term.bulk_needle)
                    for term in terms
                    if term.needle is not None
                )
                return replace(cls.parse(text), fields=terms, _needles=needles)
        if not regex and text.startswith("\\"):
            pattern, regex = text[1:], False
        elif text.startswith(REGEX_PREFIX):
            pattern, regex = text[len(REGEX_PREFIX) :], True
        else:
            pattern = text
        unescaped = re.sub(r"\\.", "", pattern) if regex else pattern
        ignore_case = not any(ch.isupper() for ch in unescaped)
        source = pattern if regex else re.escape(pattern)
        try:
            # `re` checks the syntax (the documented one, with its clear messages) ...
            re.compile(source)
        except re.error as exc:
            where = f" at position {exc.pos + 1}" if exc.pos is not None else ""
            raise SearchError(f"invalid regex{where}: {exc.msg}") from None
        # ... `regex` matches: it releases the GIL and honours a timeout (`search.scan`).
        flags = _regex.IGNORECASE if ignore_case else 0
        try:
            compiled = _regex.compile(source, flags)
            scan = _regex.compile(source, flags | _regex.MULTILINE)
        except _regex.error as exc:
            # `regex` sets `msg` as `re` does; types-regex leaves it out of `error`.
            raise SearchError(f"invalid regex: {exc.msg}") from None  # type: ignore[attr-defined]
        literal = None if regex else Literal.of(pattern, ignore_case=ignore_case)
        return cls(pattern, regex, ignore_case, compiled, scan, literal)

    @property
    def empty(self) -> bool:
        """Nothing to look for yet ("re:" alone): every line would match."""
        return not self.pattern and not self.fields

    def describe(self) -> str:
        """The query as the status line shows it."""
        terms = [term.describe() for term in self.fields]
        if self.pattern or not terms:
            terms.insert(0, (REGEX_PREFIX if self.regex else "") + self.pattern)
        return " ".join(terms)

    def _fields_ok(self, text: str) -> bool:
        if not self.fields:
            return True
        return fields_accept(text, self.fields)

    def _with_fields(self, texts: Sequence[str | None], base: int, hits: list[int]) -> list[int]:
        """The `hits` (absolute, `texts[i - base]` their text) whose fields match too."""
        if not self.fields:
            return hits
        ok = self._fields_ok
        return [i for i in hits if ok(texts[i - base] or "")]

    @property
    def line_local(self) -> bool:
        """True when the pattern must be matched one line at a time (see `_LINE_LOCAL`)."""
        if not self.regex:
            return "\n" in self.pattern
        return _LINE_LOCAL.search(self.pattern) is not None

    def matches(self, text: str) -> bool:
        """Whether one line's text matches; `SearchError` if that takes `LINE_TIMEOUT`."""
        if self.fields:
            return (not self.pattern or self._text_matches(text)) and self._fields_ok(text)
        return self._text_matches(text)

    def _text_matches(self, text: str) -> bool:
        if not self.regex and not self.ignore_case:
            return self.pattern in text
        try:
            found = self._scan.search(text, concurrent=True, timeout=LINE_TIMEOUT)
        except TimeoutError:
            raise SearchError(TOO_SLOW) from None
        return found is not None

    def spans(self, text: str, limit: int = MAX_SPANS) -> list[tuple[int, int]]:
        """(start, end) of up to `limit` non-empty matches in `text`, for highlighting
        (none when matching takes more than `LINE_TIMEOUT`: the UI thread waits).
        With field terms, none unless the whole query matches the line."""
        out: list[tuple[int, int]] = []
        if self.fields:
            try:
                if not self.matches(text):
                    return out
            except SearchError:
                return out
            for term in self.fields:
                out += term.spans(text)
            if not self.pattern:
                return sorted(out)[:limit]
        try:
            for match in self.compiled.finditer(text, timeout=LINE_TIMEOUT):
                if match.end() > match.start():
                    out.append(match.span())
                    if len(out) >= limit:
                        break
        except TimeoutError:
            return []
        return sorted(out) if self.fields else out

    def scan(self, texts: Sequence[str | None], base: int) -> list[int]:
        """Absolute indices (`base` + offset) of the texts that match, in order (None:
        a dropped line, never a match)."""
        if self.fields:
            hits = self._text_query().scan(texts, base) if self.pattern else None
            for needle in self._needles:
                hits = _both(hits, needle.scan(texts, base))
            if hits is None:
                hits = [base + i for i, t in enumerate(texts) if t is not None]
            return self._with_fields(texts, base, hits)
        deadline = time.monotonic() + CHUNK_TIMEOUT
        test = self._line_test(deadline)
        if self.line_local:
            return per_line(texts, base, test)
        try:
            bound = deadline if self.regex else None
            packed = pack(texts)
            found = bulk_hits(
                packed, 0, len(texts), self._scan, bound, test, self._literal, 0, self._bulk
            )
        except TooSlow:
            raise SearchError(TOO_SLOW) from None
        return [base + i for i in found if texts[i] is not None]

    def scan_chunk(self, chunk: Chunk) -> list[int]:
        """Absolute indices of the matching lines of one buffer chunk."""
        if self.fields:
            hits = self._text_query().scan_chunk(chunk) if self.pattern else None
            for needle in self._needles:
                hits = _both(hits, needle.scan_chunk(chunk))
            if hits is None:
                hits = clip(list(range(chunk.index, chunk.index + len(chunk.texts))), chunk)
            return self._with_fields(chunk.texts, chunk.index, hits)
        test = self._line_test(chunk.deadline)
        if self.line_local:
            return chunk_per_line(chunk, test)
        return chunk.hits(
            self._scan, test, bounded=self.regex, literal=self._literal, needle=self._bulk
        )

    def _text_query(self) -> SearchQuery:
        """This query without its field terms."""
        return replace(self, fields=(), _needles=())

    def _line_test(self, deadline: float) -> Callable[[str], bool]:
        """`matches`, bounded by `deadline` instead of `LINE_TIMEOUT`."""
        if self.fields:
            text_test = self._text_query()._line_test(deadline) if self.pattern else None
            fields_ok = self._fields_ok
            return lambda text: (text_test is None or text_test(text)) and fields_ok(text)
        if not self.regex and not self.ignore_case:
            return self.matches
        search = self._scan.search

        def test(text: str) -> bool:
            try:
                return search(text, concurrent=True, timeout=time_left(deadline)) is not None
            except TimeoutError:
                raise SearchError(TOO_SLOW) from None

        return test


def _both(hits: list[int] | None, more: list[int]) -> list[int]:
    """The ascending indices in both lists (None: no list yet, `more` is all there is)."""
    if hits is None:
        return more
    keep = set(more)
    return [i for i in hits if i in keep]


# --------------------------------------------------------------------- bulk search


def iter_text_chunks(
    buffer: LogBuffer, start: int, stop: int
) -> Iterator[tuple[int, Sequence[str]]]:
    """(absolute index of the first text, texts) for lines `start`..`stop` (absolute), one
    block at a time, clipped to what the buffer holds (see `LogBuffer.column_chunks`)."""
    for index, texts, *_ in buffer.column_chunks(start, stop):
        yield index, texts


def find_matches(
    buffer: LogBuffer,
    query: SearchQuery,
    start: int | None = None,
    stop: int | None = None,
    *,
    chunk_lines: int = 50_000,
) -> Iterator[list[int]]:
    """Absolute indices of matching lines in [start, stop), one list per ~`chunk_lines`
    lines scanned (possibly empty): stop iterating to cancel. `SearchError` when a regex
    is too slow (`CHUNK_TIMEOUT` per block)."""
    lo = buffer.first_index if start is None else start
    hi = buffer.next_index if stop is None else stop
    for _, hits in scan(buffer, query.scan_chunk, lo, hi, chunk_lines):
        yield hits


def count_matches(buffer: LogBuffer, query: SearchQuery) -> int:
    """How many lines in the buffer match `query`."""
    return sum(len(hits) for hits in find_matches(buffer, query))


# --------------------------------------------------------------------- filter mode


def _effective_level(level: Level) -> Level:
    # Lines without a recognised level (plain output, stack-trace continuations) count as
    # INFO: shown at "≥ DEBUG"/"≥ INFO", hidden at "≥ WARN", where they would be noise.
    return Level.INFO if level is Level.UNKNOWN else level


@dataclass(frozen=True)
class LineFilter:
    """What filter mode shows: lines matching every include and no exclude, at least
    `min_level`, from the chosen hosts and services (empty set = all).

    GAP and NOTICE markers ignore the level (a gap matters at any level) but not the
    rest. `Level.UNKNOWN` as `min_level` means "all levels".
    """

    includes: tuple[SearchQuery, ...] = ()
    excludes: tuple[SearchQuery, ...] = ()
    min_level: Level = Level.UNKNOWN
    hosts: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()

    @property
    def active(self) -> bool:
        """False when the filter accepts every line."""
        return self != LineFilter()

    def with_pattern(self, text: str, *, regex: bool = False, fields: bool = False) -> LineFilter:
        """Add what the user typed: `!pattern` excludes, anything else must match
        (`fields`: with field terms, see `SearchQuery.parse`)."""
        if text.startswith("!"):
            query = SearchQuery.parse(text[1:], regex=regex, fields=fields)
            return replace(self, excludes=(*self.excludes, query))
        query = SearchQuery.parse(text, regex=regex, fields=fields)
        return replace(self, includes=(*self.includes, query))

    def with_min_level(self, level: Level) -> LineFilter:
        return replace(self, min_level=level)

    def with_hosts(self, hosts: frozenset[str]) -> LineFilter:
        return replace(self, hosts=hosts)

    def with_services(self, services: frozenset[str]) -> LineFilter:
        return replace(self, services=services)

    def _level_ok(self, level: Level, kind: LineKind) -> bool:
        return kind != LineKind.LINE or _effective_level(level) >= self.min_level

    def _origin_ok(self, host: str, service: str) -> bool:
        return (not self.hosts or host in self.hosts) and (
            not self.services or service in self.services
        )

    def accepts(self, line: LogLine) -> bool:
        """Whether filter mode shows `line`."""
        return (
            self._level_ok(line.level, line.kind)
            and self._origin_ok(line.host, line.service)
            and all(q.matches(line.text) for q in self.includes)
            and not any(q.matches(line.text) for q in self.excludes)
        )

    def _meta_table(self) -> bytes:
        # One byte per possible `_Block.meta` value (level | kind << 6): 1 = accepted.
        levels = {int(level): level for level in Level}
        return bytes(
            self._level_ok(levels.get(m & 63, Level.UNKNOWN), LineKind(min(m >> 6, 2)))
            for m in range(256)
        )

    def find(
        self,
        buffer: LogBuffer,
        start: int | None = None,
        stop: int | None = None,
        *,
        chunk_lines: int = 50_000,
    ) -> Iterator[list[int]]:
        """Like `find_matches`, for the lines this filter accepts (column fast path: text
        search per chunk, then level and origin from the buffer's columns, no LogLine)."""
        lo = buffer.first_index if start is None else start
        hi = buffer.next_index if stop is None else stop
        for _, hits in scan(buffer, self.scan_chunk, lo, hi, chunk_lines):
            yield hits

    @cached_property
    def _table(self) -> bytes:
        return self._meta_table()

    def scan_chunk(self, chunk: Chunk) -> list[int]:
        """Absolute indices of the lines of one buffer chunk this filter accepts."""
        texts, base, meta, origins = chunk.texts, chunk.index, chunk.meta, chunk.origins
        columns = self.min_level or self.hosts or self.services
        table = origin_ok = b""  # read only with `columns`
        if columns:
            table = self._table
            origin_ok = bytes(self._origin_ok(h, s) for h, _, s in list(chunk.origin_table))
        if self.includes:
            hits = self.includes[0].scan_chunk(chunk)
            for query in self.includes[1:]:
                test = query._line_test(chunk.deadline)
                hits = [i for i in hits if test(texts[i - base] or "")]
            if columns:
                keep = [table[meta[i - base]] and origin_ok[origins[i - base]] for i in hits]
                hits = list(compress(hits, keep))
        elif columns:
            # Masks built in C: translate the meta bytes, map the origin ids.
            mask = meta.translate(table)
            if self.hosts or self.services:
                mask = bytes(map(and_, mask, map(origin_ok.__getitem__, origins)))
            hits = clip(list(compress(range(base, base + len(texts)), mask)), chunk)
        else:
            hits = clip(list(range(base, base + len(texts))), chunk)
        for query in self.excludes:
            excluded = set(query.scan_chunk(chunk))
            if excluded:
                hits = [i for i in hits if i not in excluded]
        return hits
