"""One golden-signal panel: the headline value (the one now), a legend, a line chart (on its
aligned step) and a status line."""

from __future__ import annotations

import math
import time

from rich.console import Console, RenderableType
from rich.style import Style
from rich.text import Text
from textual.actions import SkipAction
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from pulse_tui.model.core import clock
from pulse_tui.model.core.durations import format_duration
from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.core.units import format_value
from pulse_tui.model.metrics.bucket_query import HEATMAP_SIGNALS
from pulse_tui.model.metrics.heatmap import BucketAnswer
from pulse_tui.model.metrics.signals import Series, Signal, SignalResult, Thresholds
from pulse_tui.ui.charts import ChartSeries, plot_points, render_line_chart
from pulse_tui.ui.charts.heatmap import needs_shade
from pulse_tui.ui.widgets.metrics import heatmap_view
from pulse_tui.ui.widgets.metrics.folded_row import folded_row, short_legend
from pulse_tui.ui.widgets.metrics.queue_rows import (
    extra_rows,
    headline_queue,
    queue_rows,
    worst_of,
)
from pulse_tui.ui.widgets.metrics.signal_series import chart_series, current_series, headline
from pulse_tui.ui.widgets.palette import LEVEL_STYLES, series_colour
from pulse_tui.ui.widgets.safe_text import append_safe
from pulse_tui.ui.widgets.strips import text_strip

_CONSOLE = Console(width=200)

#: Rows the panel uses besides the chart: headline, legend, status.
CHROME_ROWS = 3
#: Chart rows (the time axis one of them) a short panel makes room for by folding its
#: legend, then its status, into the headline's row: three rows of braille show a shape.
FOLD_UNDER = 4


def _wrapped(text: Text, width: int, limit: int) -> list[Text]:
    lines = list(text.wrap(_CONSOLE, max(1, width)))
    if len(lines) > limit:
        lines = lines[: max(1, limit)]
        lines[-1].truncate(max(1, width - 1))
        lines[-1].append("…")
    return lines


class SignalPanel(Widget, can_focus=True):
    """A panel for one Signal; the app feeds it results and errors, it draws itself."""

    DEFAULT_CSS = """
    SignalPanel {
        border: round $panel-lighten-2;
        padding: 0 1;
        height: 1fr;
    }
    SignalPanel:focus { border: round $accent; }
    """

    BINDINGS = [
        Binding("left,h", "move_cursor(-1)", "Cursor ←", show=False),
        Binding("right,l", "move_cursor(1)", "Cursor →", show=False),
        Binding("shift+left,H", "move_cursor(-10)", "Cursor ←←", show=False),
        Binding("shift+right,L", "move_cursor(10)", "Cursor →→", show=False),
        Binding("enter", "enter", "Logs at cursor / maximise", show=False),
        Binding("escape", "clear_cursor", "Clear cursor", show=False),
        # Latency and queue only (check_action hides it on the others).
        Binding("m", "toggle_heatmap", "Heatmap", id="heatmap"),
    ]

    class JumpToTime(Message):
        """Enter on the chart cursor: show the logs around this instant."""

        def __init__(self, timestamp: float) -> None:
            super().__init__()
            self.timestamp = timestamp

    class ViewChanged(Message):
        """The panel now draws something that needs another query (the heatmap's
        buckets, at one step per cell): fetch it again."""

        def __init__(self, signal: Signal) -> None:
            super().__init__()
            self.signal = signal

    #: The time the status line ages the data against. No automatic repaint: five panels
    #: redrawn every second cost input latency; `watch_now` repaints when the text changes.
    now: reactive[float] = reactive(clock.now, repaint=False)

    def __init__(
        self,
        signal: Signal,
        thresholds: Thresholds,
        *,
        glyphs: str = "braille",
        stale_after: float = 30.0,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id or f"panel-{signal.value}")
        self.signal = signal
        self.thresholds = thresholds
        self.glyphs = glyphs
        self.stale_after = stale_after
        self.result: SignalResult | None = None
        self.error: str | None = None
        self.retry_at: float | None = None
        #: What the countdown to `retry_at` says ("retry in", "rate limited, next try in").
        self.retry_words = "retry in"
        #: The chart rows drawn last (and, in the heatmap view, its legend), by what
        #: they show.
        self._chart_cache: tuple[tuple[object, ...], list[Text], Text | None] | None = None
        #: `m`: the histogram heatmap instead of the lines (latency and queue panels).
        self.heatmap_on = False
        #: The heatmap's buckets that came with `result` (None: not fetched yet).
        self.buckets: BucketAnswer | None = None
        #: The chart rows as strips, made with the chart (in `prerender`'s thread): the
        #: rows list they were made from, the base style, the strips. One tuple, stored
        #: at once, so the event loop never sees a half-made entry.
        self._chart_strip_cache: tuple[list[Text], Style, list[Strip]] | None = None
        #: The whole panel as strips, rebuilt on the first line painted after a refresh.
        self._strips: list[Strip] = []
        self._last_status = ""
        self.focused_services: frozenset[str] = frozenset()
        #: Seconds back the result's compare overlay was asked for (None: not asked).
        self.compare_offset: float | None = None
        self.cursor: float | None = None
        #: Where changes on this signal began ("what changed"): a ▲ under the chart.
        self.markers: tuple[float, ...] = ()
        self.border_title = signal.heading

    def set_markers(self, markers: tuple[float, ...]) -> None:
        """Mark these instants on the time axis (a repaint only when they moved)."""
        if markers != self.markers:
            self.markers = markers
            self.refresh()

    def put_cursor(self, timestamp: float) -> None:
        """Show the time cursor at `timestamp` (a finding's start), as if moved there: on
        the first of the chart's points at or after it, the first whose average holds the
        change. A finding is dated to the minute where a point is 5 minutes (at 6h); the
        cursor between points would say "12:01:00 1%", the value of the point before."""
        if self.result is not None:
            window = self.result.window
            steps = math.ceil((timestamp - window.start) / window.step - 1e-9)
            timestamp = min(window.end, max(window.start, window.start + steps * window.step))
        self.cursor = timestamp
        self.refresh()

    def action_move_cursor(self, steps: int) -> None:
        """Move the time cursor by whole steps of the current data, inside its window."""
        if self.result is None:
            return
        window = self.result.window
        if self.cursor is None:
            # The first press shows the cursor on the newest point, where incidents are.
            self.cursor = window.end
        else:
            target = self.cursor + steps * window.step
            self.cursor = min(window.end, max(window.start, target))
        self.refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # No histogram behind the other panels: `m` is neither shown nor acted on there.
        return action != "toggle_heatmap" or self.signal in HEATMAP_SIGNALS

    def action_toggle_heatmap(self) -> None:
        """Heatmap of the histogram's buckets, or back to the lines (`m`)."""
        self.heatmap_on = not self.heatmap_on
        self.buckets = None  # the buckets come with the next fetch, at the heatmap's step
        self.refresh()
        self.post_message(self.ViewChanged(self.signal))

    def shade(self) -> bool:
        """Whether the heatmap shades by characters, not a colour ramp: on a terminal of
        16 colours or fewer (or NO_COLOR), where the ramp's colours would merge."""
        return needs_shade(self.app.console.color_system, self.app.no_color, self.glyphs)

    def action_clear_cursor(self) -> None:
        if self.cursor is None:
            raise SkipAction()  # no cursor to clear: Escape means what it does elsewhere
        self.cursor = None
        self.refresh()

    async def action_enter(self) -> None:
        if self.cursor is not None:
            self.post_message(self.JumpToTime(self.cursor))
        else:
            await self.app.run_action("maximize")

    def values_at_cursor(self) -> list[tuple[str, float | None]]:
        """(legend name, value) of every drawn series at the cursor's instant."""
        if self.result is None or self.cursor is None:
            return []
        cursor = self.cursor
        drawn, _ = chart_series(self.result, self.focused_services)
        out: list[tuple[str, float | None]] = []
        for series in drawn:
            value = None
            if series.timestamps:
                stamps = series.timestamps
                nearest = min(range(len(stamps)), key=lambda i: abs(stamps[i] - cursor))
                candidate = series.values[nearest]
                value = candidate if math.isfinite(candidate) else None
            out.append((series.name, value))
        return out

    def plot_points(self) -> int:
        """How many points the chart can draw at its current width, for the query step."""
        width = self.content_size.width
        if width <= 0:
            # Hidden (narrow layout): assume the full width it gets when shown.
            width = max(12, self.app.size.width - 4)
        if self.heatmap_on:
            return heatmap_view.heatmap_points(width)
        return max(10, plot_points(width, self.glyphs))

    def show_result(
        self,
        result: SignalResult,
        focused: frozenset[str],
        compare_offset: float | None = None,
        buckets: BucketAnswer | None = None,
    ) -> None:
        """Show `result`, fetched with the compare overlay `compare_offset` back (if set),
        and the heatmap's `buckets` fetched with it (if the heatmap is on)."""
        self.result = result
        self.buckets = buckets if self.heatmap_on else None
        self.error = None
        self.focused_services = focused
        self.compare_offset = compare_offset
        self._show_badges(result)
        self._repaint_if_changed()

    def _repaint_if_changed(self) -> None:
        """Repaint only if the panel reads differently: most refreshes bring the same
        points back (the window moves by whole steps), and five panels redrawn and sent
        to the terminal every refresh were most of the CPU of an idle dashboard."""
        if len(self._strips) != self.content_size.height or self._dirty_regions:
            self.refresh()
            return
        strips = self._rows(as_strips=True)
        if strips != self._strips:
            self._strips = strips
            self.refresh()

    def _show_badges(self, result: SignalResult) -> None:
        """The border says what the chart does not: a partial answer (the warning's text
        is in the status line), and lines left out by `prometheus.max_series`."""
        heading = self.signal.heading
        title = f"{heading} ⚠ PARTIAL" if result.warnings else heading
        total = result.series_total
        shown = f"showing {len(result.series)} of {total:,} series" if result.capped else ""
        # Set only when they change: setting either repaints the whole panel.
        if self.border_title != title:
            self.border_title = title
        if (self.border_subtitle or "") != shown:
            self.border_subtitle = shown

    def show_error(
        self, message: str, retry_in: float | None = None, retry_words: str = "retry in"
    ) -> None:
        """Keep the last data (marked with its age) and say what failed and when we retry
        (`retry_words` before the countdown: why we wait, when the server asked us to)."""
        self.error = sanitize(message)
        self.retry_at = None if retry_in is None else clock.now() + retry_in
        self.retry_words = retry_words
        self.refresh()

    def tick(self) -> None:
        self.now = clock.now()

    def watch_now(self) -> None:
        # Repaint only when the status line would read differently: five panels redrawn
        # every second for nothing cost input latency.
        shown = self._status(200).plain
        if shown != self._last_status:
            self._last_status = shown
            self.refresh()

    def render(self) -> RenderableType:
        return Text("\n").join(self._rows(as_strips=False))

    def render_line(self, y: int) -> Strip:
        # Strips made here rather than by Textual from `render()`: its conversion of a
        # Text costs ~1 ms per chart row, and a status line that ages every few seconds
        # would pay it for the whole panel. Chart rows come ready-made from `prerender`.
        if self._dirty_regions or len(self._strips) != self.content_size.height:
            self._strips = self._rows(as_strips=True)
            self._dirty_regions.clear()
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.content_size.width, self.visual_style.rich_style)

    def _rows(self, *, as_strips: bool) -> list:
        """The panel's rows, top to bottom, as Text (for `render`) or as Strips."""
        width = max(1, self.content_size.width)
        height = max(1, self.content_size.height)
        lines: list = [self._headline(width)]
        result = self.result
        folds = (False, False)
        if result is not None and height >= CHROME_ROWS + 2:
            if result.warnings and height >= CHROME_ROWS + 3:
                lines.append(self._warnings_row(result, width))
            drawn, compare, chart_height, legend = self._chart_layout(
                result, self.focused_services, height
            )
            folds = self._folds(result, height)
            if any(folds):
                lines[0] = self._folded_headline(drawn, width, *folds)
            readout = self._heatmap_readout(width, chart_height)
            chart_height -= max(0, len(readout) - 1)
            rows = self._chart(
                result, drawn, compare, width, chart_height, self.focused_services, self.buckets
            )
            if readout:
                lines.extend(readout)
            elif folds[0]:
                pass  # the legend (or the cursor's values) is in the headline's row
            elif self.cursor is not None:
                lines.append(self._cursor_line(width))
            elif legend and self.heatmap_on:
                lines.append(self._heatmap_legend(width))
            elif legend and self.signal is Signal.QUEUE:
                lines.extend(
                    queue_rows(result, drawn, width, legend, self.thresholds)
                    or [self._legend(drawn, width)]
                )
            elif legend:
                lines.append(self._legend(drawn, width))
            lines.extend(self._chart_strips(rows, width) if as_strips else rows)
        elif result is None and self.error:
            # No data to keep showing: the whole body explains what went wrong.
            lines.extend(_wrapped(Text(self.error, style="#ff8787"), width, height - 2))
        elif result is None:
            lines.append(Text("waiting for data…", style="dim"))
        status_rows = 0 if folds[1] else 1  # folded: the status is in the top row
        while len(lines) < height - status_rows:
            lines.append(Text(""))
        lines = lines[: max(1, height - status_rows)]
        if status_rows:
            lines.append(self._status(width))
        if as_strips:
            return [line if isinstance(line, Strip) else self._strip(line, width) for line in lines]
        return lines

    def _strip(self, text: Text, width: int) -> Strip:
        """One row as Textual would paint it: the panel's colours under the text's own."""
        return text_strip(text, width, self._base_style())

    def _base_style(self) -> Style:
        return self.visual_style.rich_style

    def _chart_layout(
        self, result: SignalResult, focused: frozenset[str], height: int
    ) -> tuple[list[Series], list[Series], int, int]:
        """(series drawn, compare series, chart rows, legend rows: 0 for none)."""
        drawn, compare = chart_series(result, focused)
        chart_height = height - CHROME_ROWS
        if result.warnings and height >= CHROME_ROWS + 3:
            chart_height -= 1  # the row that says what the answer may be missing
        fold_legend, fold_status = self._folds(result, height)
        chart_height += fold_status
        if fold_legend:
            return drawn, compare, chart_height + 1, 0
        if not (self.cursor is not None or chart_height >= 5 or len(drawn) > 1):
            return drawn, compare, chart_height + 1, 0
        extra = 0
        if self.signal is Signal.QUEUE and not self.heatmap_on and self.cursor is None:
            extra = extra_rows(len(drawn), chart_height)  # a row per queue, room allowing
        return drawn, compare, chart_height - extra, 1 + extra

    def _folds(self, result: SignalResult, height: int) -> tuple[bool, bool]:
        """(legend folded, status folded) into the headline's row, to give the chart
        `FOLD_UNDER` rows. The queue panel keeps its legend row (each queue's p99 and
        worst), the heatmap all its rows (its legend says what its shades count)."""
        chart_height = height - CHROME_ROWS
        if result.warnings and height >= CHROME_ROWS + 3:
            chart_height -= 1
        if self.heatmap_on or chart_height >= FOLD_UNDER:
            return False, False
        if self.signal is Signal.QUEUE:
            return False, True
        return True, chart_height + 1 < FOLD_UNDER

    def _folded_headline(
        self, drawn: list[Series], width: int, fold_legend: bool, fold_status: bool
    ) -> Text:
        """The top row of a short panel: the headline (or, with the cursor, the values
        at it) with the legend if folded, and the status line at the right if folded."""
        status = self._status(width) if fold_status and self.cursor is None else None
        if self.cursor is not None and fold_legend:
            return folded_row(self._cursor_line(width), None, status, width)
        legend = short_legend(drawn) if fold_legend and len(drawn) > 1 else None
        return folded_row(self._headline(width), legend, status, width)

    def prerender(
        self, result: SignalResult, focused: frozenset[str], buckets: BucketAnswer | None = None
    ) -> None:
        """Draw the chart for `result` (and `buckets`) ahead of `show_result` (the app
        calls this in a thread), so the repaint that shows it costs the loop almost nothing."""
        width = max(1, self.content_size.width)
        height = max(1, self.content_size.height)
        if height < CHROME_ROWS + 2 or width <= 1:
            return
        drawn, compare, chart_height, _ = self._chart_layout(result, focused, height)
        if not self.heatmap_on:
            buckets = None
        rows = self._chart(result, drawn, compare, width, chart_height, focused, buckets)
        self._chart_strips(rows, width)

    def _chart_strips(self, rows: list[Text], width: int) -> list[Strip]:
        """`rows` (a list `_chart` returned) as strips, made once per list."""
        base = self._base_style()
        cached = self._chart_strip_cache
        if cached is None or cached[0] is not rows or cached[1] != base:
            cached = self._chart_strip_cache = (rows, base, [self._strip(r, width) for r in rows])
        return cached[2]

    def _chart(
        self,
        result: SignalResult,
        drawn: list[Series],
        compare: list[Series],
        width: int,
        height: int,
        focused: frozenset[str],
        buckets: BucketAnswer | None = None,
    ) -> list[Text]:
        """The chart rows, re-drawn only when what they show changed.

        The panel repaints whenever its "updated Ns ago" line changes; redrawing five
        braille charts each time would cost a frame's worth of work for nothing.
        """
        # The lines by what they draw, not by the answer they came in: a refresh whose
        # chart is the same (a settled window, sources/prometheus/settled.py) draws
        # nothing again. The series themselves are in the key (compared by identity
        # first), so a key never matches an answer since freed; the heatmap reads the
        # whole result.
        what: tuple[object, ...] = (
            (id(result), id(buckets), self.shade())
            if self.heatmap_on
            else (
                result.series,
                result.compare,
                result.window,
                result.unit,
                result.hint,
                bool(result.current()),
            )
        )
        key = (*what, width, height, self.cursor, focused, self.glyphs, self.markers)
        if self._chart_cache is not None and self._chart_cache[0] == key:
            return self._chart_cache[1]
        if self.heatmap_on:
            rows, legend = heatmap_view.draw(
                result,
                buckets,
                width=width,
                height=height,
                cursor=self.cursor,
                shade=self.shade(),
                glyphs=self.glyphs,
                markers=self.markers,
            )
            self._chart_cache = (key, rows, legend)
            return rows
        chart = [
            ChartSeries(s.name, s.timestamps, s.values, series_colour(i), dim=True)
            for i, s in enumerate(compare)
        ] + [
            ChartSeries(s.name, s.timestamps, s.values, series_colour(i))
            for i, s in enumerate(drawn)
        ]
        empty = "no data"
        if result.hint and not result.current():
            # What would fill the panel (a native histogram's query): in the chart's place,
            # wrapped, where the one-line headline has no room for it.
            empty = result.hint
        elif not result.series and result.current():
            # Data younger than the chart's newest step (a fresh Prometheus at 30d): the
            # headline has the value now, the chart has no point to draw yet.
            empty = f"data newer than the last {format_duration(result.window.step)} step"
        rows = render_line_chart(
            chart,
            width=width,
            height=height,
            start=result.window.start,
            end=result.window.end,
            unit=result.unit,
            glyphs=self.glyphs,
            cursor=self.cursor,
            empty=empty,
            markers=self.markers,
        )
        self._chart_cache = (key, rows, None)
        return rows

    def _heatmap_legend(self, width: int) -> Text:
        """The legend drawn with the heatmap's rows (`_chart` ran just before)."""
        cached = self._chart_cache
        legend = cached[2] if cached is not None and cached[2] is not None else Text("")
        legend = legend.copy()
        legend.truncate(width, overflow="ellipsis")
        return legend

    def _headline(self, width: int) -> Text:
        if self.result is None:
            return Text("—", style="dim")
        value, what, _ = headline(self.result, self.focused_services)
        if value is None:
            # Cut visibly: a note naming a long metric name does not fit a narrow panel.
            note = Text(self.result.note or "no data", style="dim")
            note.truncate(width, overflow="ellipsis")
            return note
        level = self.thresholds.level(value)
        text = Text(format_value(value, self.result.unit), style=LEVEL_STYLES[level])
        text.stylize("bold")
        append_safe(text.append("  ", style="dim"), what, "dim")
        series = headline_queue(self.result, self.focused_services)
        if self.signal is Signal.QUEUE and series is not None:
            # The worst of the headline's own queue, not of all (each has its row).
            worst = worst_of(self.result, series)
            if worst is not None and math.isfinite(worst):
                text.append(f"  worst {format_value(worst, self.result.unit)}", style="dim")
        if self.compare_offset or self.result.compare:
            text.append_text(self._compare_delta(value))
        text.truncate(width, overflow="ellipsis")
        return text

    def _compare_delta(self, value: float) -> Text:
        assert self.result is not None
        compare = current_series(self.result, self.focused_services, compare=True)
        earlier = [newest for s in compare if (newest := s.latest()) is not None]
        if not earlier:
            if not self.compare_offset:
                return Text("")
            # Asked for and empty (the server holds less history): say so, or `c` seems
            # to do nothing.
            back = format_duration(self.compare_offset)
            return Text(f"  no data {back} earlier", style="dim italic")
        before = max(earlier) if self.signal is not Signal.TRAFFIC else sum(earlier)
        if not before:
            return Text("")
        change = (value - before) / abs(before) * 100
        arrow = "▲" if change >= 0 else "▼"
        return Text(f"  {arrow}{abs(change):.0f}% vs before", style="dim italic")

    def _heatmap_readout(self, width: int, chart_height: int) -> list[Text]:
        """The heatmap cursor's read-out: the quantiles, then every bucket's count, on
        as many rows as they take (up to three, taken from the chart); [] without one."""
        if not self.heatmap_on or self.cursor is None or self.result is None:
            return []
        room = max(1, min(3, chart_height - 4))
        return heatmap_view.cursor_lines(
            self.result, self.buckets, self.cursor, self.glyphs, width, room
        )

    def _cursor_line(self, width: int) -> Text:
        assert self.cursor is not None and self.result is not None
        window = self.result.window
        fmt = "%H:%M:%S" if window.end - window.start <= 86400 else "%m-%d %H:%M"
        stamp = time.strftime(fmt, time.localtime(self.cursor))
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"◆ {stamp} ", style="bold")
        for index, (name, value) in enumerate(self.values_at_cursor()):
            text.append("━ ", style=series_colour(index))
            append_safe(text, name, "dim").append(" ")
            text.append(f"{format_value(value, self.result.unit, compact=True)}  ")
        text.truncate(width, overflow="ellipsis")
        return text

    def _warnings_row(self, result: SignalResult, width: int) -> Text:
        """The server's `warnings`/`infos`, as data: why the answer may be incomplete."""
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("⚠ PARTIAL: ", style="bold #ffd75f")
        append_safe(text, "; ".join(result.warnings), "#ffd75f")
        text.truncate(width, overflow="ellipsis")
        return text

    def _legend(self, drawn: list[Series], width: int) -> Text:
        legend = Text(no_wrap=True, overflow="ellipsis")
        for index, series in enumerate(drawn):
            if index:
                legend.append("  ")
            legend.append("━ ", style=series_colour(index))
            append_safe(legend, series.name or "value", "dim")
        legend.truncate(width, overflow="ellipsis")
        return legend

    def _status(self, width: int) -> Text:
        if self.cursor is not None:
            text = Text("←/→ move · Enter: logs here · Esc: clear cursor", style="italic")
        elif self.error:
            text = Text("✖ ", style="bold red")
            if self.retry_at is not None:
                wait = max(0.0, self.retry_at - self.now)
                countdown = f"{self.retry_words} {format_duration(max(1.0, wait))}"
                text.append(countdown, style="bold red")
            if self.result is not None:
                text.append(f" · data {self._age()} old · ", style="dim")
                text.append(self.error, style="red")
            else:
                text.append(" · failed", style="red")
        elif self.result is None:
            text = Text("connecting…", style="dim")
        else:
            age = self.now - self.result.fetched_at
            stale = age > self.stale_after
            text = Text(
                f"{'STALE ' if stale else ''}updated {self._age_phrase()} · step "
                f"{format_duration(self.result.window.step)}",
                style="bold yellow" if stale else "dim",
            )
            if self.result.warnings:
                text.append(" · PARTIAL", style="bold #ffd75f")
        text.truncate(width, overflow="ellipsis")
        return text

    def _age_phrase(self) -> str:
        if self.result is not None and self.now - self.result.fetched_at < 5:
            return "just now"
        return f"{self._age()} ago"

    def _age(self) -> str:
        if self.result is None:
            return "?"
        age = max(1.0, self.now - self.result.fetched_at)
        # Under a minute, 5 s steps are precise enough and repaint a fifth as often.
        return format_duration(age if age >= 60 else max(5.0, age // 5 * 5))
