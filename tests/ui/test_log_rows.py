"""Log rows say each thing once: the line as written after its host, its time and level
coloured where they are written; `|` switches to columns (issue #14, item 5)."""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Iterator

import pytest
from rich.style import Style
from test_log_pane import ScriptedLogSource, app_with
from test_triage import open_logs, type_text
from ui.harness import wait_until

from pulse_tui.model.core import clock
from pulse_tui.model.logs.line import Level, LogLine
from pulse_tui.ui.widgets.logs.log_row import ARRIVAL_MARK, STAMP_STYLE
from pulse_tui.ui.widgets.palette import LOG_LEVEL_STYLES

SIZE = (160, 40)
STAMPED_AT = calendar.timegm((2026, 12, 2, 3, 29, 6)) + 0.057
STAMPED = "2026-12-02T03:29:06.057Z INFO  worker: job done"
YESTERDAY = calendar.timegm((2026, 12, 1, 23, 59, 59))
PINO = '{"time":1796182147000,"level":30,"msg":"pino says hi"}'  # 03:29:07 UTC, in ms


@pytest.fixture(autouse=True)
def _utc_morning(monkeypatch) -> Iterator[None]:
    """03:30 UTC on 2 December 2026, read in UTC: 'today' and 'another day' are known."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    clock.freeze(STAMPED_AT + 54)
    yield
    monkeypatch.undo()
    time.tzset()


def _line(at: float, text: str, level: Level) -> LogLine:
    return LogLine(at, at, "web-1", "/var/log/app.log", "api", level, text)


BATCH = [
    _line(YESTERDAY, "no stamp of its own", Level.UNKNOWN),
    _line(STAMPED_AT, STAMPED, Level.INFO),
    _line(STAMPED_AT + 1, "arrived without a time", Level.UNKNOWN),
    _line(STAMPED_AT + 1, PINO, Level.INFO),
]


def _rows(app) -> list[list[tuple[str, Style]]]:
    """The screen as rows of (character, style)."""
    rows = []
    for strip in app.screen._compositor.render_strips():
        rows.append([(char, seg.style or Style()) for seg in strip for char in seg.text])
    return rows


def _row(app, needle: str) -> tuple[str, list[Style]]:
    """The text and per-character styles of the one screen row holding `needle`."""
    found = [row for row in _rows(app) if needle in "".join(c for c, _ in row)]
    assert len(found) == 1, (needle, len(found))
    return "".join(c for c, _ in found[0]), [s for _, s in found[0]]


def _styles_of(text: str, styles: list[Style], word: str) -> list[Style]:
    at = text.index(word)
    return styles[at : at + len(word)]


async def test_a_row_shows_the_lines_own_time_and_level_once_coloured_in_place() -> None:
    app = app_with(ScriptedLogSource("web-1", [BATCH]))
    async with app.run_test(size=SIZE) as pilot:
        await open_logs(pilot, app, len(BATCH))
        await pilot.pause()
        text, styles = _row(app, "worker: job done")
        assert re.search(r"web-1 +2026-12-02T03:29:06\.057Z INFO  worker: job done", text)
        assert text.count("03:29:06") == 1 and text.count("INFO") == 1
        level_colour = Style.parse(LOG_LEVEL_STYLES[Level.INFO]).color
        assert {s.color for s in _styles_of(text, styles, "INFO")} == {level_colour}
        stamp = _styles_of(text, styles, "2026-12-02T03:29:06.057Z")
        assert {s.color for s in stamp} == {Style.parse(STAMP_STYLE).color}
        assert {s.color for s in _styles_of(text, styles, "worker")} == {None}

        # No time of its own: the arrival time, dimmed and marked, with the date when it
        # was another day.
        text, styles = _row(app, "arrived without a time")
        assert re.search(rf"web-1 +{ARRIVAL_MARK}03:29:07 arrived without a time", text)
        assert all(s.dim and s.italic for s in _styles_of(text, styles, "03:29:07"))
        text, _ = _row(app, "no stamp of its own")
        assert re.search(rf"web-1 +{ARRIVAL_MARK}Dec 01 23:59:59 no stamp of its own", text)

        # An epoch is the line's own time but unreadable: read out (not marked), and a level
        # written as a number is named.
        text, _ = _row(app, "pino says hi")
        assert re.search(r"web-1 +03:29:07 INFO  \{", text) and ARRIVAL_MARK not in text


async def test_the_columns_key_shows_time_host_level_message() -> None:
    app = app_with(ScriptedLogSource("web-1", [BATCH]))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_logs(pilot, app, len(BATCH))
        await pilot.press("vertical_line")
        await pilot.pause()
        assert view.columns
        text, _ = _row(app, "worker: job done")
        assert re.search(r"03:29:06 web-1 +INFO  worker: job done", text)
        assert "2026-12-02" not in text and text.count("INFO") == 1
        text, styles = _row(app, "no stamp of its own")
        assert re.search(r"Dec 01 23:59:59 web-1 +no stamp of its own", text)
        assert all(s.italic for s in _styles_of(text, styles, "Dec 01 23:59:59"))
        assert "columns" in _row(app, "following")[0]
        await pilot.press("vertical_line")
        await pilot.pause()
        assert re.search(r"web-1 +2026-12-02T03:29:06\.057Z INFO", _row(app, "job done")[0])


@pytest.mark.parametrize("columns", [False, True])
async def test_search_highlights_land_on_the_matched_characters(columns: bool) -> None:
    app = app_with(ScriptedLogSource("web-1", [BATCH]))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_logs(pilot, app, len(BATCH))
        if columns:
            await pilot.press("vertical_line")
        await pilot.press("slash")
        await type_text(pilot, "job")
        await wait_until(pilot, lambda: len(view.hits) == 1)
        await pilot.press("enter")
        await pilot.pause()
        text, styles = _row(app, "worker: job done")
        at = text.index("job")
        marked = [i for i, style in enumerate(styles) if style.bgcolor is not None]
        assert marked == [at, at + 1, at + 2], (text, marked)
