"""Log search from the keyboard: where `n`/`N` go first, and field terms (`queue=emails`)."""

from __future__ import annotations

from test_log_pane import ScriptedLogSource, app_with
from test_triage import BASE, open_logs, type_text
from ui.harness import screen_text, wait_until

from pulse_tui.model.logs.line import Level, LogLine

SIZE = (160, 40)


def numbered(count: int, hits: set[int]) -> list[LogLine]:
    """`count` lines, those numbered in `hits` saying "timeout"."""
    return [
        LogLine(
            BASE + n,
            BASE + n,
            "web-1",
            "/var/log/app.log",
            "api",
            Level.INFO,
            f"request {n:03d} " + ("upstream timeout" if n in hits else "ok"),
        )
        for n in range(count)
    ]


async def test_n_after_a_search_while_following_goes_to_the_newest_match_then_older() -> None:
    # Following the tail, the last page (lines 460-499 at this size) holds no match: `n`
    # went on past the tail and wrapped round to the oldest match, line 100.
    app = app_with(ScriptedLogSource("web-1", [numbered(500, {100, 300, 450})]))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_logs(pilot, app, 500)
        await pilot.press("slash")
        await type_text(pilot, "timeout")
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(view.hits) == 3)
        assert view.follow
        await pilot.press("n")
        await wait_until(pilot, lambda: "3 of 3" in screen_text(app))
        assert "request 450 upstream timeout" in screen_text(app)
        assert "request 100 " not in screen_text(app)
        await pilot.press("n")  # on, towards older lines, as after `?` in less
        await wait_until(pilot, lambda: "2 of 3" in screen_text(app))
        assert "request 300 upstream timeout" in screen_text(app)
        await pilot.press("N")
        await wait_until(pilot, lambda: "3 of 3" in screen_text(app))


async def test_n_in_a_scrolled_view_starts_from_the_view() -> None:
    app = app_with(ScriptedLogSource("web-1", [numbered(500, {10, 200, 260})]))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_logs(pilot, app, 500)
        await pilot.press("slash")
        await type_text(pilot, "timeout")
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(view.hits) == 3)
        # Page up from the tail until line 200 is on screen (a page is the pane's height).
        while "request 200 " not in screen_text(app):
            await pilot.press("pageup")
            await pilot.pause()
        assert not view.follow
        await pilot.press("n")
        await wait_until(pilot, lambda: "2 of 3" in screen_text(app))
        assert "request 200 upstream timeout" in screen_text(app)
        await pilot.press("n")  # forward, the way the view was read
        await wait_until(pilot, lambda: "3 of 3" in screen_text(app))


FIELDED = [
    '{"level":"info","queue":"emails","msg":"sent 1"}',
    '{"level":"error","queue":"emails","msg":"upstream timeout"}',
    "level=info queue=sms msg=sent",
    'level=warn queue=emails msg="upstream timeout after 3s"',
    "level=info queue=emails-bulk msg=queued",
    "the text queue=emails in prose",
]


def fielded() -> list[LogLine]:
    return [
        LogLine(BASE + n, BASE + n, "web-1", "/var/log/app.log", "api", Level.INFO, text)
        for n, text in enumerate(FIELDED)
    ]


async def test_field_terms_search_filter_and_n() -> None:
    # `/queue=emails` searched the text "queue=emails": the JSON lines, which write
    # `"queue":"emails"`, were never found.
    app = app_with(ScriptedLogSource("web-1", [fielded()]))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_logs(pilot, app, len(FIELDED))
        await pilot.press("slash")
        await type_text(pilot, "queue=emails")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "4 matches" in screen_text(app))
        await pilot.press("n")  # following: the newest match first
        await wait_until(pilot, lambda: "4 of 4" in screen_text(app))
        assert view.current_hit == view.store.first_index + 5
        # Combined with a text term (AND), and filtered with `f`.
        await pilot.press("slash", "ctrl+u")
        await type_text(pilot, "queue=emails timeout")
        await pilot.press("enter", "f")
        await wait_until(pilot, lambda: view.count == 2)
        texts = [view._line(i).text for i in range(view.count)]
        assert texts == [FIELDED[1], FIELDED[3]]
        assert "2 of 6 lines" in screen_text(app)
        # Quoted, the same words are text again: only the lines that write them so.
        await pilot.press("slash", "ctrl+u", "quotation_mark")
        await type_text(pilot, "queue=emails")
        await pilot.press("quotation_mark")
        await pilot.press("enter")
        await wait_until(pilot, lambda: view.count == 3 and view._line(0).text == FIELDED[3])
        assert [view._line(i).text for i in range(3)] == FIELDED[3:]


async def test_levels_are_shown_whole_not_cut_to_four_letters() -> None:
    texts = [("disk full", Level.ERROR), ("cache warm", Level.DEBUG), ("ok", Level.WARN)]
    batch = [
        LogLine(BASE + n, BASE + n, "web-1", "/var/log/app.log", "api", level, text)
        for n, (text, level) in enumerate(texts)
    ]
    app = app_with(ScriptedLogSource("web-1", [batch]))
    async with app.run_test(size=SIZE) as pilot:
        await open_logs(pilot, app, 3)
        await pilot.pause()
        text = screen_text(app)
        assert "ERROR disk full" in text and "DEBUG cache warm" in text
        assert "WARN  ok" in text  # padded: the messages line up
