"""`E`: the screen as SVG and the view's `summary` JSON side by side in a new directory,
with the view's command line, for the incident channel.

Only the screen's segments are taken on the event loop (they are the widgets' state,
~10 ms at 160×48); turning them into SVG text (~50 ms there, `benchmarks/
bench_export.py`) and writing the files happen in a thread, and the summary's missing
values are queried in the worker.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.app import App

from pulse_tui.model.core import clock
from pulse_tui.model.core.redact import scrub
from pulse_tui.model.metrics.signals import Signal, SignalResult
from pulse_tui.sources.base import SourceError
from pulse_tui.ui.dashboard import Dashboard
from pulse_tui.ui.feeds.metrics import MetricsFeed
from pulse_tui.ui.toast import toast

#: Every panel's result -> the `pulse-tui summary --format json` text of them (the CLI's
#: builder, handed down: the UI does not import the CLI).
SummaryJson = Callable[[Mapping[Signal, SignalResult]], str]

PREFIX = "pulse-tui-export-"
SCREEN = "screen.svg"
SUMMARY = "summary.json"
COMMAND = "command.txt"


@dataclass(frozen=True, slots=True)
class ExportFiles:
    """What one export writes; `summary` None when there is none to write."""

    screen_svg: str
    command: str
    summary: str | None


def screen_segments(app: App[Any]) -> Any:
    """On the event loop: the screen as `App.export_screenshot` renders it, before SVG.

    Textual's `export_screenshot` does this and `render_svg` in one call, on the loop;
    split, the costly half runs in a thread on segments no widget changes any more.
    """
    return app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=False
    )


def render_svg(segments: Any, width: int, height: int, title: str) -> str:
    """The SVG of `screen_segments`' result (pure Rich: run it in a thread)."""
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(segments)
    return console.export_svg(title=title)


def write_export(base: Path, now: float, files: ExportFiles) -> Path:
    """A new `pulse-tui-export-YYYYmmdd-HHMMSS` under `base` holding the files (`-2`, `-3`
    ... when one of that second exists). Blocking: run it in a thread."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    base.mkdir(parents=True, exist_ok=True)
    directory = base / f"{PREFIX}{stamp}"
    for n in range(2, 1000):
        try:
            directory.mkdir()
            break
        except FileExistsError:
            directory = base / f"{PREFIX}{stamp}-{n}"
    (directory / SCREEN).write_text(files.screen_svg, encoding="utf-8")
    (directory / COMMAND).write_text(files.command + "\n", encoding="utf-8")
    if files.summary is not None:
        (directory / SUMMARY).write_text(files.summary + "\n", encoding="utf-8")
    return directory


def _shown(directory: Path) -> str:
    """Where the export is, short when it is under the working directory (the default)."""
    try:
        return f"./{directory.relative_to(Path.cwd())}"
    except ValueError:
        return str(directory)


class Exporter:
    """Makes one export at a time, and says where it went (or why part of it did not)."""

    def __init__(
        self,
        app: App[Any],
        dashboard: Dashboard,
        metrics: MetricsFeed,
        *,
        base_dir: str,
        summary_json: SummaryJson | None,
    ) -> None:
        self._app = app
        self._dashboard = dashboard
        self._metrics = metrics
        #: Where the export directories go ("" = the working directory, read when used).
        self._base_dir = base_dir
        self._summary_json = summary_json
        #: The last export's directory (None: none yet, or it failed).
        self.last: Path | None = None
        self._running = False

    async def export(self, command: str) -> None:
        """The screen now, the view's summary and `command`, written; a toast says where."""
        if self._running:
            toast(self._app, "An export is already being written", timeout=3)
            return
        self._running = True
        try:
            await self._export(command)
        finally:
            self._running = False

    async def _export(self, command: str) -> None:
        # First: the screen as it was when asked.
        width, height = self._app.size
        segments = screen_segments(self._app)
        svg = await asyncio.to_thread(render_svg, segments, width, height, self._app.title)
        summary, note = await self._summary()
        base = Path(self._base_dir).expanduser() if self._base_dir else Path.cwd()
        files = ExportFiles(screen_svg=svg, command=command, summary=summary)
        try:
            directory = await asyncio.to_thread(write_export, base, clock.now(), files)
        except OSError as exc:
            self.last = None
            toast(self._app, f"Export failed: {exc}", severity="error", timeout=10)
            return
        self.last = directory
        written = ", ".join(
            name for name, done in [(SCREEN, True), (SUMMARY, summary is not None)] if done
        )
        # One line: the toast sanitises its text, a newline would show as an escape.
        message = f"{_shown(directory)}/ · {written}, {COMMAND}"
        toast(
            self._app,
            message + (f" · {note}" if note else ""),
            title="Exported",
            severity="information" if summary is not None or not note else "warning",
            timeout=10,
        )

    async def _summary(self) -> tuple[str | None, str]:
        """The summary JSON of the view shown, or None and why not."""
        if self._dashboard.logs_only:
            return None, "no metrics shown: no summary.json"
        if self._summary_json is None:
            return None, "no summary builder: no summary.json"
        try:
            results = await self._metrics.current_results()
        except SourceError as exc:
            return None, f"summary.json not written: {scrub(str(exc))}"
        return self._summary_json(results), ""
