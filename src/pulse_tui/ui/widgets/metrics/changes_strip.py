"""The "What changed" strip at the top of the dashboard: one line per changed service,
worst first, one to three lines; "no change in the last 1h" when nothing changed.

    ● checkout · errors 1% → 20% since 02:50 (32m) · p99 400ms → 2.5s since 02:50 (32m)

The line under the selection is marked ▶; Enter (or the app's `i`, which also moves the
selection to the next line) posts `FindingChosen` with that line's worst finding.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from pulse_tui.model.core.durations import format_duration
from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.metrics.change_text import change_phrase, clock_time
from pulse_tui.model.metrics.changes import Finding
from pulse_tui.ui.widgets.palette import LEVEL_STYLES

#: Lines the strip may use: at full size, and when the screen is narrow or short.
MAX_LINES, MAX_LINES_SMALL = 3, 1
SEVERITY_STYLES = {"crit": LEVEL_STYLES["crit"], "warn": LEVEL_STYLES["warn"], "info": "dim"}


class ChangesStrip(Widget, can_focus=True):
    """Shows the findings it is given (`show`); owns which line is selected."""

    DEFAULT_CSS = """
    ChangesStrip {
        height: auto; max-height: 3; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    ChangesStrip:focus { background: $boost; }
    """

    BINDINGS = [
        Binding("up,k", "move(-1)", "Previous change", show=False),
        Binding("down,j", "move(1)", "Next change", show=False),
        Binding("enter", "choose", "Go to the change", show=False),
    ]

    class FindingChosen(Message):
        """Go to this finding: its service, its chart at its start, its logs."""

        def __init__(self, finding: Finding) -> None:
            super().__init__()
            self.finding = finding

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        #: One entry per changed service, worst first: its findings, worst first.
        self.lines: list[list[Finding]] = []
        #: The line Enter goes to.
        self.selected = 0
        #: Whether `next_line` has gone to a line yet (its first call goes to the worst).
        self._went = False
        #: What the strip says with no finding: waiting, or "no change in the last 1h".
        self.quiet = "what changed: waiting for data…"
        #: Panels not judged (no data, or failed): the strip says so.
        self.unjudged: tuple[str, ...] = ()
        self._now = 0.0
        self._span = 3600.0

    def show(
        self,
        findings: Sequence[Finding],
        *,
        now: float,
        span: float,
        live: bool,
        unjudged: Sequence[str] = (),
    ) -> None:
        """The findings of one round of results, for the view ending at `now`."""
        by_service: dict[str, list[Finding]] = {}
        for finding in findings:
            by_service.setdefault(finding.service, []).append(finding)
        old = self.lines[self.selected][0].service if self.lines else None
        self.lines = list(by_service.values())
        names = [line[0].service for line in self.lines]
        self.selected = names.index(old) if old in names else 0
        self._now, self._span = now, span
        self.unjudged = tuple(unjudged)
        where = (
            f"in the last {format_duration(span)}"
            if live
            else f"from {clock_time(now - span, span)} to {clock_time(now, span)}"
        )
        self.quiet = f"no change {where}"
        self.refresh(layout=True)

    def chosen(self) -> Finding | None:
        """The selected line's worst finding, if there is one."""
        return self.lines[self.selected][0] if self.lines else None

    def next_line(self) -> Finding | None:
        """Select the next line (the first after the last) and return its finding."""
        if self.lines and self._went:
            self.selected = (self.selected + 1) % len(self.lines)
            self.refresh()
        self._went = bool(self.lines)
        return self.chosen()

    def action_move(self, delta: int) -> None:
        if self.lines:
            self.selected = (self.selected + delta) % len(self.lines)
            self.refresh()

    def action_choose(self) -> None:
        finding = self.chosen()
        if finding is not None:
            self.post_message(self.FindingChosen(finding))

    def max_lines(self) -> int:
        small = self.screen.has_class("-w-narrow") or self.screen.has_class("-h-short")
        return MAX_LINES_SMALL if small else MAX_LINES

    def render(self) -> Text:
        if not self.lines:
            text = Text("✓ ", style=LEVEL_STYLES["ok"])
            text.append(self.quiet, style="dim")
            if self.unjudged:
                text.append(f" · not judged: {', '.join(self.unjudged)}", style="yellow")
            return text
        limit = self.max_lines()
        shown = self.lines[:limit]
        rows = [self._line(i, line) for i, line in enumerate(shown)]
        hidden = len(self.lines) - len(shown)
        if hidden:
            more = Text(f" +{hidden} more", style="dim")
            width = max(1, self.content_size.width)
            rows[-1].truncate(max(1, width - more.cell_len), overflow="ellipsis")
            rows[-1].append_text(more)
        out = Text("\n").join(rows)
        out.no_wrap = True
        out.overflow = "ellipsis"
        return out

    def _line(self, index: int, findings: list[Finding]) -> Text:
        worst = findings[0]
        mark = "▶ " if index == self.selected and self.has_focus else "● "
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(mark, style=SEVERITY_STYLES[worst.severity])
        text.append(sanitize(worst.service), style="bold")
        for finding in findings:
            text.append(" · ", style="dim")
            style = SEVERITY_STYLES[finding.severity] if finding.ongoing else "dim"
            text.append(change_phrase(finding, self._now, self._span), style=style)
        return text
