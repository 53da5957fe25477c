"""Log search over a `LogBuffer`: queries, filters, fast bulk matching, jobs, history.

Query syntax (what the user types after `/`):

* plain text is a literal substring: `timeout` finds "upstream timeout after 3s";
* `re:` starts a regular expression (Python `re` syntax): `re:timeout after \\d{4,}ms`;
* without `regex=True`, a leading backslash makes the rest literal: `\\re:x` finds the text "re:x";
* smart case: case-insensitive unless the pattern has an uppercase letter
  (escapes such as `\\d` or `\\S` do not count).

Case-insensitive matching means "the pattern matches `text.lower()`", in bulk and per line
alike, so counts and filters always agree; highlighting uses `re.IGNORECASE` on the text.

Bulk matching joins a run of texts with "\\n" into one string and runs `str.find` or the
compiled regex over it once, mapping each hit back to its line by counting newlines; Python
only runs once per *matching* line, never per line scanned.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # stdlib internals: walk a regex's parse tree
import threading
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate, compress, repeat
from operator import add, and_

from pulse_tui.model.log_buffer import _BLOCK, LogBuffer
from pulse_tui.model.logline import Level, LineKind, LogLine

REGEX_PREFIX = "re:"
#: Most highlight spans returned for one line; a pattern like `.` would otherwise give 1000s.
MAX_SPANS = 64
# Lookarounds and \A/\Z see the neighbouring line (or chunk edge) in a joined chunk, so
# patterns using them are matched line by line instead.
_LINE_LOCAL = re.compile(r"\(\?<?[=!]|\\[AZ]")


class SearchError(ValueError):
    """A query that cannot be used; the message is one line, fit for a status bar."""


@dataclass(frozen=True)
class SearchQuery:
    """One parsed search: what to look for and how. Build it with `SearchQuery.parse`."""

    #: The pattern without any prefix.
    pattern: str
    regex: bool
    ignore_case: bool
    #: For highlighting: the pattern, with IGNORECASE when case-insensitive.
    compiled: re.Pattern[str] = field(compare=False, repr=False)
    # Matched against the (lowered, when ignore_case) text; never IGNORECASE (see module doc).
    _scan: re.Pattern[str] = field(compare=False, repr=False)

    @classmethod
    def parse(cls, text: str, *, regex: bool = False) -> SearchQuery:
        """Parse what the user typed; raise `SearchError` for an unusable regex."""
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
            compiled = re.compile(source, re.IGNORECASE if ignore_case else 0)
            scan = re.compile(source, re.MULTILINE)
        except re.error as exc:
            where = f" at position {exc.pos + 1}" if exc.pos is not None else ""
            raise SearchError(f"invalid regex{where}: {exc.msg}") from None
        if regex:
            _reject_nested_repeats(pattern)
        return cls(pattern, regex, ignore_case, compiled, scan)

    @property
    def line_local(self) -> bool:
        """True when the pattern must be matched one line at a time (see `_LINE_LOCAL`)."""
        if not self.regex:
            return "\n" in self.pattern
        return _LINE_LOCAL.search(self.pattern) is not None

    def matches(self, text: str) -> bool:
        """Whether one line's text matches."""
        if self.ignore_case:
            text = text.lower()
        if not self.regex:
            return self.pattern.lower() in text if self.ignore_case else self.pattern in text
        return self._scan.search(text) is not None

    def spans(self, text: str, limit: int = MAX_SPANS) -> list[tuple[int, int]]:
        """(start, end) of up to `limit` non-empty matches in `text`, for highlighting."""
        out: list[tuple[int, int]] = []
        for match in self.compiled.finditer(text):
            if match.end() > match.start():
                out.append(match.span())
                if len(out) >= limit:
                    break
        return out

    def scan(self, texts: Sequence[str | None], base: int) -> list[int]:
        """Absolute indices (`base` + offset) of the texts that match, in order."""
        if self.line_local:
            return [base + i for i, t in enumerate(texts) if t is not None and self.matches(t)]
        try:
            haystack = "\n".join(texts)  # type: ignore[arg-type] - None raises, handled below
        except TypeError:
            # A line was dropped under us (the UI thread appends while we run): blank it;
            # the caller clips indices below `buffer.first_index` anyway.
            texts = [t or "" for t in texts]
            haystack = "\n".join(texts)  # type: ignore[arg-type]
        if self.ignore_case:
            haystack = haystack.lower()
        if not self.regex:
            needle = self.pattern.lower() if self.ignore_case else self.pattern
            if needle not in haystack:
                return []  # the common case: skip building line offsets
        # ends[k]: where line k+1 starts. `str.count("\n")` is a byte loop; accumulate is C.
        # lower() keeps lengths for ASCII; otherwise ("İ" -> "i̇") measure the lowered lines.
        same = not self.ignore_case or haystack.isascii()
        lines = texts if same else haystack.split("\n")
        ends = list(accumulate(map(add, map(len, lines), repeat(1))))  # type: ignore[arg-type]
        if not self.regex:
            return _literal_hits(haystack, needle, ends, base)
        return self._regex_hits(haystack, texts, ends, base)

    def _regex_hits(
        self, haystack: str, texts: Sequence[str | None], ends: list[int], base: int
    ) -> list[int]:
        out: list[int] = []
        search = self._scan.search
        pos, size = 0, len(haystack)
        while pos <= size and (match := search(haystack, pos)) is not None:
            start, end = match.span()
            line = bisect_right(ends, start)
            # A hit running past the line's "\n" (`\s`, `[^x]` can match it) proves nothing
            # about the line: check it on its own.
            if end < ends[line] or self.matches(texts[line] or ""):
                out.append(base + line)
            pos = ends[line]
        return out


def _literal_hits(haystack: str, needle: str, ends: list[int], base: int) -> list[int]:
    out: list[int] = []
    find = haystack.find
    pos = find(needle)
    while pos >= 0:
        line = bisect_right(ends, pos)  # the needle has no "\n" (else line_local)
        out.append(base + line)
        if line + 1 >= len(ends):
            break
        pos = find(needle, ends[line])
    return out


def _reject_nested_repeats(pattern: str) -> None:
    """Refuse `(a+)+`-style patterns: Python's `re` can take exponential time on them and,
    holding the GIL, would freeze the whole app, not just the search thread."""
    repeats = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT}

    def walk(items: object, inside_unbounded: bool) -> bool:
        for op, arg in items:  # type: ignore[attr-defined]
            if op in repeats:
                _low, high, sub = arg
                unbounded = high is sre_parse.MAXREPEAT
                if unbounded and inside_unbounded and op is not sre_parse.POSSESSIVE_REPEAT:
                    return True
                subs, inside = [sub], inside_unbounded or unbounded
            elif op is sre_parse.SUBPATTERN:
                subs, inside = [arg[-1]], inside_unbounded
            elif op is sre_parse.BRANCH:
                subs, inside = arg[1], inside_unbounded
            else:
                continue
            if any(walk(s, inside) for s in subs):
                return True
        return False

    if walk(sre_parse.parse(pattern), False):
        raise SearchError("regex nests repeats like (a+)+, which can hang; simplify it")


# --------------------------------------------------------------------- buffer access


def iter_text_chunks(
    buffer: LogBuffer, start: int, stop: int
) -> Iterator[tuple[int, list[str | None]]]:
    """(absolute index of the first text, texts) for lines `start`..`stop` (absolute), one
    block at a time, clipped to what the buffer holds.

    Reads `buffer._blocks` directly: LogBuffer has no bulk text API yet and building a
    LogLine per line would cost more than the search. May move into LogBuffer later. Safe
    to run in a thread while the event loop appends: texts dropped meanwhile come back as
    None (callers clip results to `buffer.first_index`).
    """
    while True:
        # A consistent snapshot: `dropped` unchanged across the copy; a head block already
        # counted as dropped but not yet popped (mid-`_drop`) is skipped.
        dropped = buffer.dropped
        blocks = list(buffer._blocks)  # one C-level copy: atomic under the GIL
        stop_now = min(stop, buffer.next_index)
        if buffer.dropped == dropped:
            break
    if blocks and len(blocks[0].texts) == _BLOCK and blocks[0].texts[-1] is None:
        blocks.pop(0)
    first_block = dropped // _BLOCK
    index = max(start, dropped)
    while index < stop_now:
        number, offset = divmod(index, _BLOCK)
        block = blocks[number - first_block]
        take = min(_BLOCK - offset, stop_now - index)
        yield index, block.texts[offset : offset + take]
        index += take


def _scan(
    buffer: LogBuffer,
    test: Callable[[Sequence[str | None], int], list[int]],
    start: int,
    stop: int,
    chunk_lines: int,
) -> Iterator[tuple[int, list[int]]]:
    """(absolute index scanned up to, hits) every ~`chunk_lines` lines."""
    hits: list[int] = []
    pending = 0
    end = start
    for base, texts in iter_text_chunks(buffer, start, stop):
        hits.extend(test(texts, base))
        pending += len(texts)
        end = base + len(texts)
        if pending >= chunk_lines:
            yield end, hits
            hits, pending = [], 0
    if pending or hits:
        yield end, hits


def find_matches(
    buffer: LogBuffer,
    query: SearchQuery,
    start: int | None = None,
    stop: int | None = None,
    *,
    chunk_lines: int = 50_000,
) -> Iterator[list[int]]:
    """Absolute indices of matching lines in [start, stop), one list per ~`chunk_lines`
    lines scanned (possibly empty): stop iterating to cancel."""
    lo = buffer.first_index if start is None else start
    hi = buffer.next_index if stop is None else stop
    for _, hits in _scan(buffer, query.scan, lo, hi, chunk_lines):
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

    def with_pattern(self, text: str, *, regex: bool = False) -> LineFilter:
        """Add what the user typed: `!pattern` excludes, anything else must match."""
        if text.startswith("!"):
            return replace(
                self, excludes=(*self.excludes, SearchQuery.parse(text[1:], regex=regex))
            )
        return replace(self, includes=(*self.includes, SearchQuery.parse(text, regex=regex)))

    def without_patterns(self) -> LineFilter:
        return replace(self, includes=(), excludes=())

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
        table = self._meta_table()
        for _, hits in _scan(buffer, self._chunk_test(buffer, table), lo, hi, chunk_lines):
            yield hits

    def _chunk_test(
        self, buffer: LogBuffer, table: bytes
    ) -> Callable[[Sequence[str | None], int], list[int]]:
        def test(texts: Sequence[str | None], base: int) -> list[int]:
            columns = self.min_level or self.hosts or self.services
            if columns:
                block = buffer._blocks[base // _BLOCK - buffer.first_index // _BLOCK]
                offset = base % _BLOCK
                meta = block.meta[offset : offset + len(texts)]
                origins = block.origins[offset : offset + len(texts)]
                origin_ok = bytes(self._origin_ok(h, s) for h, _, s in list(buffer._origins))
            if self.includes:
                hits = self.includes[0].scan(texts, base)
                for query in self.includes[1:]:
                    hits = [i for i in hits if query.matches(texts[i - base] or "")]
                if columns:
                    keep = [table[meta[i - base]] and origin_ok[origins[i - base]] for i in hits]
                    hits = list(compress(hits, keep))
            elif columns:
                # Masks built in C: translate the meta bytes, map the origin ids.
                mask = meta.translate(table)
                if self.hosts or self.services:
                    mask = bytes(map(and_, mask, map(origin_ok.__getitem__, origins)))
                hits = list(compress(range(base, base + len(texts)), mask))
            else:
                hits = list(range(base, base + len(texts)))
            for query in self.excludes:
                excluded = set(query.scan(texts, base))
                if excluded:
                    hits = [i for i in hits if i not in excluded]
            return hits

        return test


# --------------------------------------------------------------------- jobs


class SearchJob:
    """Runs a search in a daemon thread so the caller never waits for it.

    `cancel()` is checked between chunks (~`chunk_lines` lines each), so a new keystroke
    stops the previous search within one chunk. Results: poll `done`, `progress` (0..1)
    and `result_indices`, or pass `on_progress(job)` / `on_done(job)`, which run in the
    worker thread (a Textual caller wraps them in `app.call_from_thread`).

    Honest limit: Python's `re` holds the GIL and cannot be interrupted inside one call,
    so a pathological regex would stall every thread, the UI included, for as long as one
    chunk takes. `SearchQuery.parse` therefore refuses nested repeats such as `(a+)+`,
    the usual culprit; overlapping alternations like `(a|aa)+$` on long lines can still
    be slow, bounded by one chunk. The cure would be the third-party `regex` module
    (`timeout=`, GIL released), or a forked process per search.
    """

    def __init__(
        self,
        buffer: LogBuffer,
        matcher: SearchQuery | LineFilter,
        *,
        start: int | None = None,
        stop: int | None = None,
        chunk_lines: int = 50_000,
        on_progress: Callable[[SearchJob], None] | None = None,
        on_done: Callable[[SearchJob], None] | None = None,
    ) -> None:
        self.buffer, self.matcher = buffer, matcher
        self.start_index = buffer.first_index if start is None else start
        self.stop_index = buffer.next_index if stop is None else stop
        self.chunk_lines = chunk_lines
        self.on_progress, self.on_done = on_progress, on_done
        #: Absolute indices of matching lines found so far, ascending.
        self.result_indices: list[int] = []
        #: The exception the search raised, if any.
        self.error: BaseException | None = None
        self._scanned_to = self.start_index
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pulse-search", daemon=True)

    def start(self) -> SearchJob:
        """Start the worker thread; returns self for chaining."""
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the worker to stop after the current chunk; returns at once."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def done(self) -> bool:
        """True once the worker has stopped: finished, cancelled or failed."""
        return self._done.is_set()

    @property
    def progress(self) -> float:
        """Fraction of the range scanned so far."""
        total = self.stop_index - self.start_index
        return 1.0 if total <= 0 else (self._scanned_to - self.start_index) / total

    def wait(self, timeout: float | None = None) -> bool:
        """Block until done (tests and scripts; never from the event loop)."""
        return self._done.wait(timeout)

    def _run(self) -> None:
        matcher = self.matcher
        try:
            if isinstance(matcher, LineFilter):
                test = matcher._chunk_test(self.buffer, matcher._meta_table())
            else:
                test = matcher.scan
            chunks = _scan(self.buffer, test, self.start_index, self.stop_index, self.chunk_lines)
            for scanned_to, hits in chunks:
                if self._cancel.is_set():
                    break
                self.result_indices.extend(hits)
                self._scanned_to = scanned_to
                if self.on_progress is not None:
                    self.on_progress(self)
        except Exception as exc:  # reported through `error`, never lost in the thread
            self.error = exc
        finally:
            self._done.set()
            if self.on_done is not None:
                self.on_done(self)


# --------------------------------------------------------------------- navigation


def next_match(indices: Sequence[int], current: int | None, direction: int) -> int | None:
    """The match after (`direction` +1) or before (-1) `current` in ascending `indices`,
    wrapping around; None when there are none. `current` need not be a match."""
    if not indices:
        return None
    if current is None:
        return indices[0] if direction > 0 else indices[-1]
    if direction > 0:
        pos = bisect_right(indices, current)
        return indices[pos] if pos < len(indices) else indices[0]
    pos = bisect_left(indices, current) - 1
    return indices[pos] if pos >= 0 else indices[-1]


def match_counter(position: int | None, total: int) -> str:
    """Status text: "37 of 1,204" (`position` 1-based), "1,204 matches", "no matches"."""
    if total == 0:
        return "no matches"
    if position is None:
        return f"{total:,} match" + ("" if total == 1 else "es")
    return f"{position:,} of {total:,}"


class SearchHistory:
    """Past queries, newest last, browsed with up/down like a shell's history."""

    def __init__(self, max: int = 100) -> None:
        self._items: deque[str] = deque(maxlen=max)
        self._cursor: int | None = None  # None: not browsing (editing a new line)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def items(self) -> list[str]:
        return list(self._items)

    def add(self, text: str) -> None:
        """Remember a submitted query (blank ignored; a repeat moves to the newest)."""
        self._cursor = None
        if not text.strip():
            return
        if text in self._items:
            self._items.remove(text)
        self._items.append(text)

    def previous(self) -> str | None:
        """Up: the next older query (stays on the oldest); None when history is empty."""
        if not self._items:
            return None
        cursor = len(self._items) if self._cursor is None else self._cursor
        self._cursor = max(cursor - 1, 0)
        return self._items[self._cursor]

    def next(self) -> str | None:
        """Down: the next newer query; "" past the newest (back to an empty input)."""
        if self._cursor is None:
            return None
        if self._cursor + 1 >= len(self._items):
            self._cursor = None
            return ""
        self._cursor += 1
        return self._items[self._cursor]
