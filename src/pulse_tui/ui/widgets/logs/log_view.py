"""The log lines themselves: a virtualised view over the ring buffer.

Only the rows on screen are ever rendered, so the cost of a repaint does not depend on how
many lines the buffer holds. Scrolling is by log line; with wrapping on, a page is filled
from the top line down (or, when following, from the newest line up).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Protocol

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from pulse_tui.model.logs.line import LineKind, LogLine
from pulse_tui.model.search.query import SearchQuery, match_counter, next_match
from pulse_tui.ui.widgets.logs.log_row import format_row, plain_row_segments, today
from pulse_tui.ui.widgets.strips import text_segments

#: The style of padding and blank rows. Never None (what Rich pads with by default):
#: Textual's NO_COLOR filter reads every segment's colour and crashed on the
#: "no log lines yet" row's padding.
_PAD = Style()


def _styled(row: list[Segment]) -> list[Segment]:
    """`row` with `_PAD` for the segments that have no style (the row's plain spaces)."""
    if all(segment.style is not None for segment in row):
        return row
    return [
        segment if segment.style is not None else Segment(segment.text, _PAD, segment.control)
        for segment in row
    ]


class LineStore(Protocol):
    """What the view needs of the buffer (pulse_tui.model.logs.buffer.LogBuffer)."""

    @property
    def first_index(self) -> int:
        """The absolute index of item 0 (lines dropped so far)."""
        ...

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> LogLine: ...


LinePredicate = Callable[[LogLine], bool]


#: Narrower than this, wrapped rows use the whole width rather than a hanging indent.
_MIN_WRAPPED_WIDTH = 20


class LogView(Widget, can_focus=True):
    """Shows the lines of a LineStore that pass the filter; follows the tail by default."""

    DEFAULT_CSS = """
    LogView { height: 1fr; }
    """

    BINDINGS = [
        Binding("j,down", "scroll_lines(1)", "Down", show=False),
        Binding("k,up", "scroll_lines(-1)", "Up", show=False),
        Binding("pagedown,space", "scroll_pages(1)", "Page down", show=False),
        Binding("pageup,b", "scroll_pages(-1)", "Page up", show=False),
        Binding("g,home", "scroll_home", "Oldest", show=False),
        Binding("G,end", "follow", "Follow"),
        Binding("w", "toggle_wrap", "Wrap"),
        Binding(
            "vertical_line",
            "toggle_columns",
            "Columns: time · host · level · text",
            show=False,
            key_display="|",
        ),
        Binding("n", "next_hit(1)", "Next match", show=False),
        Binding("N", "next_hit(-1)", "Previous match", show=False),
    ]

    class Moved(Message):
        """Position or follow mode changed; the status line shows it."""

    def __init__(self, store: LineStore, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.follow = True
        self.wrap = False
        #: Rows in columns (time · host · level · message) rather than each line as
        #: written after its host tag.
        self.columns = False
        #: Absolute index of the top line when not following.
        self.top = 0
        #: The filter whose result `_matches` holds; new lines are tested against it.
        self.predicate: LinePredicate | None = None
        #: Absolute indices of lines passing the predicate (None = every line passes).
        self._matches: list[int] | None = None
        self._scanned_to = 0
        #: The search being highlighted, and the absolute indices of the lines it hits.
        self.search: SearchQuery | None = None
        self.hits: list[int] = []
        self._hits_to = 0
        #: The hit `n`/`N` last moved to.
        self.current_hit: int | None = None
        #: Hits among the lines the filter shows, kept up as lines arrive (the status line
        #: counts them every repaint: recounting would cost the whole buffer each time).
        self._visible_hits: list[int] = []
        self._visible_hits_to = -1  # the newest hit looked at; -1: none (start over)
        #: `n` walks to older hits (the search started from the tail, see `_first_hit`).
        self.hits_backward = False
        #: The rows of the repaint being drawn (None: built when the first is asked for).
        self._page: list[Strip] | None = None
        #: What the page shows at the latest repaint new lines asked for (`_page_state`;
        #: None: repaint at the next lines).
        self._painted: tuple[object, ...] | None = None
        #: Columns the host tag takes (the longest host name known, at most 16).
        self.host_width = 8
        self._row_cache: dict[int, list[list[Segment]]] = {}
        self._row_cache_key: tuple[object, ...] = ()

    # ----------------------------------------------------------------- data

    def _moved(self) -> None:
        """Tell the status line now, in this frame (a Moved message would cost another)."""
        parent = self.parent
        update = getattr(parent, "update_status", None)
        if update is not None:
            update()
        else:
            self.post_message(self.Moved())

    def set_visible(
        self, predicate: LinePredicate | None, matches: list[int] | None, scanned_to: int
    ) -> None:
        """Install a filter's result computed up to `scanned_to` (e.g. by a search job)."""
        self.predicate = predicate
        self._matches = matches
        self._scanned_to = scanned_to
        self._forget_visible_hits()
        self._take_new_lines()
        self.refresh()
        self._moved()

    def set_search(self, query: SearchQuery | None, hits: list[int], scanned_to: int) -> None:
        """Highlight `query`; `hits` are its matching lines up to `scanned_to`."""
        self.search = query
        self.hits = hits
        self._hits_to = scanned_to
        self.current_hit = None
        self._forget_visible_hits()
        self._take_new_lines()
        self.refresh()
        self._moved()

    def forget_lines(self) -> None:
        """The store was rebuilt and numbered anew: drop what the view knew of its lines
        (filter results and hits are computed again, off the event loop, and installed
        by `set_visible` and `set_search`)."""
        end = self.store.first_index + len(self.store)
        if self._matches is not None:
            self._matches, self._scanned_to = [], end
        self.hits, self._hits_to, self.current_hit = [], end, None
        self._forget_visible_hits()
        self.top = self.store.first_index
        self._row_cache.clear()
        self._painted = None

    def set_host_width(self, width: int) -> None:
        """Hosts known changed: pad host tags to `width` columns (taken at the next paint)."""
        self.host_width = width

    def lines_arrived(self) -> None:
        """Called after the buffer grew: filters and searches the new lines, and repaints
        if the rows on screen change (following, or a page not yet full)."""
        moved = self._take_new_lines()
        state = self._page_state()
        if moved or state != self._painted:
            # Recorded as asked, not as painted: the repaint shows these lines or newer.
            self._painted = state
            self.refresh()

    def _page_state(self) -> tuple[object, ...]:
        """What decides the rows on screen when lines arrive: following, the newest lines
        (the store's first index and the count); scrolled back, the top line, while the
        page below it is full (the new lines fall below it, or a filter let none in)."""
        height = self.size.height
        if self.follow:
            return (True, height, self.store.first_index, self.count)
        full = self.count - self.top_position >= height
        return (False, height, self.top, full, None if full else self.count)

    def _take_new_lines(self) -> bool:
        """Filter and search the lines that arrived; whether the top line moved (it was
        evicted)."""
        first = self.store.first_index
        end = first + len(self.store)
        store = self.store
        if self._matches is not None and self.predicate is not None:
            start = max(self._scanned_to, first)
            predicate = self.predicate
            self._matches.extend(i for i in range(start, end) if predicate(store[i - first]))
            self._scanned_to = end
            if self._matches and self._matches[0] < first:
                self._matches = self._matches[bisect.bisect_left(self._matches, first) :]
        if self.search is not None:
            start = max(self._hits_to, first)
            matches = self.search.matches
            self.hits.extend(i for i in range(start, end) if matches(store[i - first].text))
            self._hits_to = end
            if self.hits and self.hits[0] < first:
                self.hits = self.hits[bisect.bisect_left(self.hits, first) :]
        if self.top < first:
            self.top = first
            return True
        return False

    def visible_hits(self) -> list[int]:
        """Search hits among the lines the filter shows, ascending."""
        matches = self._matches
        if matches is None or not self.hits:
            return self.hits
        visible, hits = self._visible_hits, self.hits
        if visible and visible[0] < hits[0]:  # the oldest lines were evicted
            del visible[: bisect.bisect_left(visible, hits[0])]
        # Only the hits not looked at yet, and only those on lines the filter has judged
        # (a filter job may be behind the search's): the others wait for the next call.
        start = bisect.bisect_right(hits, self._visible_hits_to)
        stop = bisect.bisect_left(hits, self._scanned_to, lo=start)
        for hit in hits[start:stop]:
            at = bisect.bisect_left(matches, hit)
            if at < len(matches) and matches[at] == hit:
                visible.append(hit)
        if stop > start:
            self._visible_hits_to = hits[stop - 1]
        return visible

    def _forget_visible_hits(self) -> None:
        """The filter or the search changed: count the visible hits again."""
        self._visible_hits, self._visible_hits_to = [], -1

    def action_next_hit(self, direction: int) -> None:
        hits = self.visible_hits()
        if not hits:
            self.app.bell()
            return
        if self.current_hit is None:
            target, self.hits_backward = self._first_hit(hits)
        else:
            step = -direction if self.hits_backward else direction
            target = next_match(hits, self.current_hit, step)
        if target is None:
            return
        self.current_hit = target
        self._move_to(max(0, self._position(target) - max(1, self.size.height // 3)))

    def _first_hit(self, hits: list[int]) -> tuple[int | None, bool]:
        """Where the first `n`/`N` after a search goes, and whether `n` then walks back.

        Following the tail, the newest hit (as `?` does in less: `n` goes on to older
        ones); scrolled, the first hit at or below the top line, else the nearest above.
        """
        if self.follow or not self.count:
            return hits[-1], True
        top = self._absolute(self.top_position)
        below = bisect.bisect_left(hits, top)
        return (hits[below] if below < len(hits) else hits[-1]), False

    def hit_counter(self) -> str:
        """ "37 of 1,204" (or "1,204 matches" before n/N was pressed)."""
        hits = self.visible_hits()
        if self.current_hit is None or self.current_hit not in hits:
            return match_counter(None, len(hits))
        return match_counter(bisect.bisect_left(hits, self.current_hit) + 1, len(hits))

    @property
    def count(self) -> int:
        """Lines shown (all of the store's, or those passing the filter)."""
        return len(self.store) if self._matches is None else len(self._matches)

    @property
    def narrowed(self) -> bool:
        """A filter hides lines (or one is being computed): `count` is not the store's."""
        return self.predicate is not None or self._matches is not None

    def _position(self, absolute: int) -> int:
        """Position (0-based among visible lines) of an absolute index, or the nearest after."""
        if self._matches is None:
            return max(0, absolute - self.store.first_index)
        return bisect.bisect_left(self._matches, absolute)

    def _absolute(self, position: int) -> int:
        if self._matches is None:
            return self.store.first_index + position
        return self._matches[position]

    def _line(self, position: int) -> LogLine:
        return self.store[self._absolute(position) - self.store.first_index]

    @property
    def top_position(self) -> int:
        if self.follow:
            return max(0, self.count - self.size.height)
        return min(self._position(self.top), max(0, self.count - 1))

    # ----------------------------------------------------------------- movement

    def _move_to(self, position: int) -> None:
        last_page_top = max(0, self.count - self.size.height)
        if position >= last_page_top:
            self.follow = True
        else:
            self.follow = False
            self.top = self._absolute(max(0, position)) if self.count else 0
        self.refresh()
        self._moved()

    def action_scroll_lines(self, delta: int) -> None:
        self._move_to(self.top_position + delta)

    def action_scroll_pages(self, delta: int) -> None:
        self._move_to(self.top_position + delta * max(1, self.size.height - 1))

    def action_scroll_home(self) -> None:
        self.follow = False
        self.top = self._absolute(0) if self.count else 0
        self.refresh()
        self._moved()

    def action_follow(self) -> None:
        self.follow = True
        self.refresh()
        self._moved()

    def action_toggle_wrap(self) -> None:
        self.wrap = not self.wrap
        self.refresh()
        self._moved()

    def action_toggle_columns(self) -> None:
        self.columns = not self.columns
        self.refresh()
        self._moved()

    def top_line_time(self) -> float:
        """The timestamp of the top line on screen (the view has lines)."""
        return self._line(self.top_position).timestamp

    def scroll_to_time(self, timestamp: float, *, context: bool = True) -> None:
        """Show the first line at or after `timestamp`: a third of a page down with
        `context` (jump to time, the lines before it in view), else at the top."""
        low, high = 0, self.count
        while low < high:
            mid = (low + high) // 2
            if self._line(mid).timestamp < timestamp:
                low = mid + 1
            else:
                high = mid
        self._move_to(max(0, low - (self.size.height // 3 if context else 0)))

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.action_scroll_lines(-3)

    def _on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.action_scroll_lines(3)

    # ----------------------------------------------------------------- render

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height

    def render_lines(self, crop: Region) -> list[Strip]:
        # Build the whole page once per repaint, at the first row asked for; render_line
        # then just indexes it. Not at all when Textual has every row cached (the screen
        # is drawn again, e.g. by a screenshot, and this view did not change).
        self._page = None
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        if self._page is None:
            self._page = self._build_page()
        return self._page[y] if y < len(self._page) else Strip.blank(self.size.width, _PAD)

    def _render_rows(self, line: LogLine, width: int, absolute: int) -> list[list[Segment]]:
        # A line renders the same until width, wrap, host column or search change: while
        # following a flood, nearly every row on the new page was on the last one too.
        day = today()  # a row shows its date once midnight has passed
        key: tuple[object, ...] = (width, self.wrap, self.columns, day, self.host_width)
        key += (id(self.search), self.current_hit)
        if key != self._row_cache_key:
            self._row_cache = {}
            self._row_cache_key = key
        cached = self._row_cache.get(absolute)
        if cached is not None:
            return cached
        rows = [_styled(row) for row in self._render_rows_uncached(line, width, absolute, day)]
        if len(self._row_cache) > 4 * max(1, self.size.height):
            self._row_cache = {}  # bounded: dropping it all is cheaper than an LRU here
        self._row_cache[absolute] = rows
        return rows

    def _highlight(self, text: Text, line_text: str, start: int, cut: int, current: bool) -> None:
        """Mark the search's matches in `text`, a row showing `line_text[cut:]` from
        `start`: on the very characters matched, whatever the row put before them."""
        assert self.search is not None
        style = "bold black on #ffaf00" if current else "black on #ffd75f"
        for begin, end in self.search.spans(line_text):
            begin = max(begin, cut)  # in columns, a match in the time shows from the text
            if end > begin:
                text.stylize(style, start + begin - cut, start + end - cut)

    def _render_rows_uncached(
        self, line: LogLine, width: int, absolute: int, day: tuple[int, int, int]
    ) -> list[list[Segment]]:
        columns = self.columns
        if not self.wrap and self.search is None:
            segments = plain_row_segments(line, self.host_width, columns=columns, day=day)
            if segments is not None:
                return [Segment.adjust_line_length(segments, width, _PAD, pad=True)]
        text, text_start, cut = format_row(
            line, host_width=self.host_width, columns=columns, day=day
        )
        if self.search is not None and line.kind is LineKind.LINE:
            self._highlight(text, line.text, text_start, cut, absolute == self.current_hit)
        if not self.wrap:
            # One row, cropped: a quarter of `render_lines`' cost, and while following a
            # flood every row of every page is new.
            return [Segment.adjust_line_length(text_segments(text), width, _PAD, pad=True)]
        console = self.app.console
        prefix, message = text.divide([text_start])
        indent = prefix.cell_len  # cells, not characters: a host name may be wide
        if text_start and width - indent >= _MIN_WRAPPED_WIDTH:
            # A hanging indent: continuation rows start under the text, so the host tag
            # (and the time and level columns) stay clear to scan.
            pad = Text(" " * indent)
            parts = message.wrap(console, width - indent, overflow="fold") or [Text()]
            return [
                Segment.adjust_line_length(
                    text_segments((prefix if i == 0 else pad) + part), width, _PAD, pad=True
                )
                for i, part in enumerate(parts)
            ]
        options = console.options.update(width=width, height=None)
        text.overflow = "fold"
        return console.render_lines(text, options, style=_PAD, pad=True)

    def _build_page(self) -> list[Strip]:
        width, height = self.size.width, self.size.height
        if width <= 0 or height <= 0:
            return []
        count = self.count
        if count == 0:
            empty = Text("no log lines yet", style="dim")
            if self.predicate is not None and len(self.store):
                empty = Text("no lines match the current filter", style="dim")
            lines = self.app.console.render_lines(
                empty, self.app.console.options.update(width=width), style=_PAD, pad=True
            )
            return [Strip(line, width) for line in lines][:height]
        rows: list[list[Segment]] = []
        if self.follow:
            position = count - 1
            while position >= 0 and len(rows) < height:
                absolute = self._absolute(position)
                rows[:0] = self._render_rows(self._line(position), width, absolute)
                position -= 1
            rows = rows[-height:]
        else:
            position = self.top_position
            while position < count and len(rows) < height:
                absolute = self._absolute(position)
                rows.extend(self._render_rows(self._line(position), width, absolute))
                position += 1
            rows = rows[:height]
        strips = [Strip(row, width) for row in rows]
        strips.extend(
            Strip([Segment(" " * width, _PAD)], width) for _ in range(height - len(strips))
        )
        return strips
