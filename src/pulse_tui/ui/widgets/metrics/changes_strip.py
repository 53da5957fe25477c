"""The "What changed" strip at the top of the dashboard: one line per changed service,
worst first, one to three lines; "no change in the last 1h" when nothing changed.

    ● checkout · errors 1% → 20% since 02:50 (32m) · p99 400ms → 2.5s since 02:50 (32m)
      · top new log error: payment gateway timeout after <duration> · 1,380 since 02:50

(one line on screen: the log error follows the findings). When a line does not fit, its
other findings fold into "+1 signal" first, then the log error's pattern is cut, keeping
its count ("log: payment gateway tim… ×1,380"), then its count goes, then the "+1 signal";
with no room left for `MIN_PATTERN` characters of it, the log error goes: the service,
the worst change and its time are what 80 columns must still say.

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
from pulse_tui.model.metrics.change_logs import RisingGroup
from pulse_tui.model.metrics.change_text import change_phrase, clock_time
from pulse_tui.model.metrics.changes import Finding
from pulse_tui.ui.widgets.palette import LEVEL_STYLES
from pulse_tui.ui.widgets.safe_text import append_safe

#: Lines the strip may use: at full size, and when the screen is narrow or short.
MAX_LINES, MAX_LINES_SMALL = 3, 1
#: Characters of a log error's pattern kept when a line is too narrow for all of it.
MIN_PATTERN = 16
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
        #: Whether the user has gone to a line yet (`next_line`, ↑/↓): until then the
        #: selection is the worst line whatever arrives; after, it follows its service.
        self._went = False
        #: What the strip says with no finding: waiting, or "no change in the last 1h".
        self.quiet = "what changed: waiting for data…"
        #: Panels not judged (no data, or failed): the strip says so.
        self.unjudged: tuple[str, ...] = ()
        #: Services at CRIT now. With no finding they have been bad since before the
        #: range (or no shift stood out): "no change" alone, with a tick, would read as
        #: "all is well" above a table that says CRIT.
        self.crit_now: tuple[str, ...] = ()
        #: Per changed service, the error group that rose most at its worst finding's
        #: start (`model/metrics/change_logs.py`); absent: no logs, or none rose.
        self.top_logs: dict[str, RisingGroup] = {}
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
        crit_now: Sequence[str] = (),
    ) -> None:
        """The findings of one round of results, for the view ending at `now`
        (`crit_now`: the services at CRIT now, changed or not)."""
        before = self.render() if self.is_mounted else None  # (it reads the screen's size)
        by_service: dict[str, list[Finding]] = {}
        for finding in findings:
            by_service.setdefault(finding.service, []).append(finding)
        old = self.lines[self.selected][0].service if self.lines else None
        self.lines = list(by_service.values())
        names = [line[0].service for line in self.lines]
        # Panels answer one by one: a first round's only line must not keep the selection
        # once worse lines arrive, or `i` would open with it.
        self.selected = names.index(old) if self._went and old in names else 0
        self._now, self._span = now, span
        self.unjudged = tuple(unjudged)
        self.crit_now = tuple(crit_now)
        where = (
            f"in the last {format_duration(span)}"
            if live
            else f"from {clock_time(now - span, span)} to {clock_time(now, span)}"
        )
        self.quiet = f"no change {where}"
        if before is None:
            self.refresh(layout=True)
            return
        after = self.render()
        # Every refresh round says it again: a repaint (and a layout, which the whole
        # screen pays) only when the strip would read differently, and taller or shorter.
        if after != before:
            self.refresh(layout=after.plain.count("\n") != before.plain.count("\n"))

    def show_logs(self, tops: dict[str, RisingGroup]) -> None:
        """Each changed service's top rising log error (`services_shown` says which)."""

        def seen(found: dict[str, RisingGroup]) -> dict[str, tuple[object, ...]]:
            # What the line shows of each (the group object itself stays the same).
            return {
                k: (v.fingerprint, v.after, v.before, v.new, v.known_before, v.since)
                for k, v in found.items()
            }

        if seen(tops) != seen(self.top_logs):
            self.top_logs = dict(tops)
            self.refresh()

    def services_shown(self) -> list[list[Finding]]:
        """The lines the strip has room for, each a service's findings, worst first."""
        return self.lines[:MAX_LINES]

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
            self._went = True
            self.refresh()

    def action_choose(self) -> None:
        finding = self.chosen()
        if finding is not None:
            self.post_message(self.FindingChosen(finding))

    def max_lines(self) -> int:
        small = self.screen.has_class("-w-narrow") or self.screen.has_class("-h-short")
        return MAX_LINES_SMALL if small else MAX_LINES

    def render(self) -> Text:
        if not self.lines and self.crit_now:
            # What matters first, for 80 columns: who is bad; then that the range shows
            # no shift (so it began earlier, or crept up), then what to do.
            text = Text("● ", style=LEVEL_STYLES["crit"], no_wrap=True, overflow="ellipsis")
            append_safe(text, ", ".join(self.crit_now), "bold")
            text.append(" at CRIT", style=LEVEL_STYLES["crit"])
            text.append(f" with {self.quiet} · began earlier? + widens the range", style="dim")
            return text
        if not self.lines:
            text = Text("✓ ", style=LEVEL_STYLES["ok"])
            text.append(self.quiet, style="dim")
            if self.unjudged:
                text.append(f" · not judged: {', '.join(self.unjudged)}", style="yellow")
            return text
        limit = self.max_lines()
        shown = self.lines[:limit]
        width = self.content_size.width or 10_000  # before layout: as wide as it likes
        hidden = len(self.lines) - len(shown)
        more = Text(f" +{hidden} more" if hidden else "", style="dim")
        rows = [
            self._line(i, line, width - (more.cell_len if i == len(shown) - 1 else 0))
            for i, line in enumerate(shown)
        ]
        if hidden:
            rows[-1].truncate(max(1, width - more.cell_len), overflow="ellipsis")
            rows[-1].append_text(more)
        out = Text("\n").join(rows)
        out.no_wrap = True
        out.overflow = "ellipsis"
        return out

    def _line(self, index: int, findings: list[Finding], width: int) -> Text:
        """The service's findings and its top log error, folded until `width` holds it."""
        top = self.top_logs.get(findings[0].service)
        full = self._build_line(index, findings, top, fold=False, cut=None)
        if full.cell_len <= width or (len(findings) == 1 and top is None):
            return full
        folded = self._build_line(index, findings, top, fold=True, cut=None)
        if folded.cell_len <= width or top is None:
            return folded
        # The short form: the group's count goes first, then the other signals' "+N";
        # with less than MIN_PATTERN left for the pattern, the line is the change alone.
        whole = len(top.fingerprint)
        for signals, count in ((True, True), (True, False), (False, False)):
            short = self._build_line(
                index, findings, top, fold=True, cut=whole, count=count, signals=signals
            )
            room = whole - (short.cell_len - width)
            if room >= MIN_PATTERN:
                return self._build_line(
                    index, findings, top, fold=True, cut=room, count=count, signals=signals
                )
        return self._build_line(index, findings, None, fold=True, cut=None)

    def _build_line(
        self,
        index: int,
        findings: list[Finding],
        top: RisingGroup | None,
        *,
        fold: bool,
        cut: int | None,
        count: bool = True,
        signals: bool = True,
    ) -> Text:
        worst = findings[0]
        mark = "▶ " if index == self.selected and self.has_focus else "● "
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(mark, style=SEVERITY_STYLES[worst.severity])
        append_safe(text, worst.service, "bold")
        for finding in findings[:1] if fold else findings:
            text.append(" · ", style="dim")
            style = SEVERITY_STYLES[finding.severity] if finding.ongoing else "dim"
            text.append(change_phrase(finding, self._now, self._span), style=style)
        if fold and signals and len(findings) > 1:
            more = len(findings) - 1
            text.append(f" +{more} signal{'s' if more > 1 else ''}", style="dim")
        if top is not None:
            text.append(" · ", style="dim")
            text.append_text(self._log_error(top, cut, count))
        return text

    def _log_error(self, top: RisingGroup, cut: int | None, count: bool = True) -> Text:
        """`top new log error: <pattern> · 1,380 since 02:50`, or cut to `cut` characters
        of pattern: `log: <pattern…> ×1,380` (without its count unless `count`)."""
        pattern = sanitize(top.fingerprint)
        if cut is not None:
            short = pattern if len(pattern) <= cut else pattern[: cut - 1].rstrip() + "…"
            text = Text("log: ", style="dim")
            text.append(short, style="bold")
            if count:
                text.append(f" ×{top.after:,}", style="dim")
            return text
        # "rising" only when the logs reach back before the start to say so.
        head = "new" if top.new else "rising" if top.known_before else "top"
        text = Text("top log error: " if head == "top" else f"top {head} log error: ", style="dim")
        text.append(pattern, style="bold")
        since = f" · {top.after:,} since {clock_time(top.since, self._span)}"
        if head == "rising":
            since += f" ({top.before:,} before)"
        text.append(since, style="dim")
        return text
