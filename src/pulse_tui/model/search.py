"""Log search over a `LogBuffer`: queries, filters, fast bulk matching, jobs, history.

Query syntax (what the user types after `/`):

* plain text is a literal substring: `timeout` finds "upstream timeout after 3s";
* `re:` starts a regular expression (Python `re` syntax): `re:timeout after \\d{4,}ms`;
* a leading backslash makes the rest literal: `\\re:x` finds the text "re:x";
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
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import compress, count

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
        if text.startswith("\\"):
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
            haystack = haystack.lower()  # never adds or removes "\n", so lines still map
        if not self.regex:
            needle = self.pattern.lower() if self.ignore_case else self.pattern
            return _literal_hits(haystack, needle, base)
        return self._regex_hits(haystack, texts, base)

    def _regex_hits(self, haystack: str, texts: Sequence[str | None], base: int) -> list[int]:
        out: list[int] = []
        search, find, newlines = self._scan.search, haystack.find, haystack.count
        pos = last = line = 0
        while (match := search(haystack, pos)) is not None:
            start, end = match.span()
            line += newlines("\n", last, start)
            # A hit that spans a newline (`\s`, `[^x]` can match it) proves nothing about
            # either line: check the line it starts in on its own.
            if find("\n", start, end) < 0 or self.matches(texts[line] or ""):
                out.append(base + line)
            nl = find("\n", start)
            if nl < 0:
                break
            line, last, pos = line + 1, nl + 1, nl + 1
        return out


def _literal_hits(haystack: str, needle: str, base: int) -> list[int]:
    out: list[int] = []
    find, newlines = haystack.find, haystack.count
    last = line = 0
    pos = find(needle)
    while pos >= 0:
        line += newlines("\n", last, pos)
        out.append(base + line)
        nl = find("\n", pos + len(needle))  # the needle has no "\n" (else line_local)
        if nl < 0:
            break
        line, last = line + 1, nl + 1
        pos = find(needle, last)
    return out


def _reject_nested_repeats(pattern: str) -> None:
    """Refuse `(a+)+`-style patterns: Python's `re` can take exponential time on them and,
    holding the GIL, would freeze the whole app, not just the search thread."""
    import re._parser as sre_parse  # noqa: PLC0415 - stdlib internals, only for regexes

    repeats = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT}

    def walk(items: object, inside_unbounded: bool) -> bool:
        for op, arg in items:  # type: ignore[attr-defined]
            if op in repeats:
                low, high, sub = arg
                unbounded = high is sre_parse.MAXREPEAT
                if unbounded and inside_unbounded and op is not sre_parse.POSSESSIVE_REPEAT:
                    return True
                if walk(sub, inside_unbounded or unbounded):
                    return True
            elif op is sre_parse.SUBPATTERN and walk(arg[-1], inside_unbounded):
                return True
            elif op is sre_parse.BRANCH and any(walk(b, inside_unbounded) for b in arg[1]):
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
    buffer: LogBuffer, test: Callable[[Sequence[str | None], int], list[int]], start: int,
    stop: int, chunk_lines: int,
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
    buffer: LogBuffer, query: SearchQuery, start: int | None = None,
    stop: int | None = None, *, chunk_lines: int = 50_000,
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
