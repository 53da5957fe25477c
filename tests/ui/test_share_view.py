"""Issue #14, items 12 and 13: a view someone else can open (`y` copies it as a command
line, the flags start on it) and an export for the incident channel (`E`)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from ui.harness import frozen_demo_app, has_data, screen_text, wait_until

from pulse_tui.cli.main import _overrides, _start_view, build_parser
from pulse_tui.cli.summary import JSON_KEYS, export_json
from pulse_tui.config import resolve
from pulse_tui.model.core import clock
from pulse_tui.model.core.view_command import StartView
from pulse_tui.model.logs.line import Level
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.sources.demo import DemoMetricsSource, demo_log_sources
from pulse_tui.ui.app import PulseApp, with_demo_alerts

WIDE = (160, 48)
SMALL = (80, 24)


async def type_text(pilot, text: str) -> None:
    keys = {".": "full_stop", "-": "minus", " ": "space", "=": "equals_sign"}
    await pilot.press(*[keys.get(c, c) for c in text])


def app_from_command_line(line: str) -> PulseApp:
    """A second app made from a pasted command line by the real parser, as `cmd_run` does
    it, with the demo frozen like the first one's."""
    program, *argv = shlex.split(line)
    assert program == "pulse-tui"
    args = build_parser().parse_args(argv)
    config = with_demo_alerts(resolve(args.config, _overrides(args), env={}))
    assert config.demo
    first = frozen_demo_app(config)  # freezes the clock and the time zone
    return PulseApp(
        config,
        DemoMetricsSource(config),
        demo_log_sources(live=False),
        start=_start_view(args),
        origin=first._origin,
    )


async def test_a_view_set_by_keys_is_copied_and_a_second_app_opens_on_it() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await pilot.press("s")  # the service picker: checkout alone
        await type_text(pilot, "checkout")
        await pilot.press("enter")
        await pilot.press("t")  # the time dialog: a past window
        await type_text(pilot, "now-2h..now-30m")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.view.state.end is not None)
        await pilot.press("slash")  # a search, kept with Enter
        await type_text(pilot, "timeout")
        await pilot.press("enter")
        await pilot.press("l", "l")  # minimum level: error, then warn
        await wait_until(pilot, lambda: "level ≥ WARN" in screen_text(app))
        first = app.view.state

        await pilot.press("y")
        await pilot.pause()
        line = app.clipboard
        assert line.startswith("pulse-tui --demo --service checkout --range ")
        assert "--search timeout --level warn" in line
        # The toast shows what was copied.
        await wait_until(pilot, lambda: "Copied the view as a command line" in screen_text(app))
        assert "--service checkout" in screen_text(app)

    second = app_from_command_line(line)
    async with second.run_test(size=WIDE, notifications=True) as pilot:
        await wait_until(pilot, lambda: second.dashboard.panel(Signal.TRAFFIC).result is not None)
        state = second.view.state
        assert state.services == first.services == {"checkout"}
        assert state.range_seconds == first.range_seconds == 5400
        assert state.end == first.end
        query = second.dashboard.log_panel.query_state.state
        assert (query.search, query.min_level) == ("timeout", Level.WARN)
        assert second.dashboard.panel(Signal.TRAFFIC).result.services() == ["checkout"]
        header = screen_text(second).splitlines()[0]
        assert "checkout" in header
        assert "level ≥ WARN" in screen_text(second) and "'timeout'" in screen_text(second)
        await pilot.press("y")
        await pilot.pause()
        assert second.clipboard == line  # the same view: the same command line


async def test_the_flags_start_on_a_live_view_with_excludes_and_filter() -> None:
    start = StartView(
        range_seconds=900.0,
        services=("api",),
        search="re:time.?out",
        filter_mode=True,
        excludes=("healthz",),
        level="error",
    )
    config = frozen_demo_app().config
    app = PulseApp(config, DemoMetricsSource(config), demo_log_sources(live=False), start=start)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        panel = app.dashboard.log_panel
        await wait_until(pilot, lambda: len(app.logs.buffer) > 0 and not panel.query_state.busy)
        status = screen_text(app)
        assert "filter 're:time.?out'" in status and "level ≥ ERROR" in status
        assert "!healthz" in status
        assert app.view.state.live and app.view.state.range_seconds == 900
        query = app.dashboard.log_panel.query_state.state
        assert query.filter_mode and query.excludes == ["healthz"]
        assert query.min_level is Level.ERROR
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == (
            "pulse-tui --demo --service api --range 15m --search 're:time.?out' --filter "
            "--exclude healthz --level error"
        )


async def test_what_the_command_line_cannot_say_is_named_in_the_toast() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await pilot.press("c", "y")  # compare a day back: no flag says it
        await wait_until(pilot, lambda: "· not in it: compare" in screen_text(app))


def _export_dir(tmp_path: Path) -> PulseApp:
    from dataclasses import replace

    config = frozen_demo_app().config
    config = replace(config, dashboard=replace(config.dashboard, export_dir=str(tmp_path)))
    return PulseApp(
        config,
        DemoMetricsSource(config),
        demo_log_sources(live=False),
        summary_json=export_json,
    )


async def test_export_writes_the_screen_and_the_views_summary(tmp_path: Path) -> None:
    app = _export_dir(tmp_path)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await pilot.press("s")
        await type_text(pilot, "checkout")
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: (
                (r := app.dashboard.panel(Signal.TRAFFIC).result) and r.services() == ["checkout"]
            ),
        )
        await pilot.press("E")
        await wait_until(pilot, lambda: app.exporter.last is not None)
        directory = app.exporter.last
        assert directory.parent == tmp_path
        assert directory.name.startswith("pulse-tui-export-20260101-00")
        # Says where (a long path wraps in the toast; its last part is whole).
        await wait_until(pilot, lambda: directory.name in screen_text(app))
        assert "summary.json, command.txt" in screen_text(app)

        svg = (directory / "screen.svg").read_text()
        assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
        assert "Latency" in svg and "checkout" in svg  # the screen's own text
        rows = json.loads((directory / "summary.json").read_text())
        assert [row["service"] for row in rows] == ["checkout"]  # the services shown
        assert set(rows[0]) == set(JSON_KEYS)
        assert rows[0]["traffic_rps"] is not None
        command = (directory / "command.txt").read_text().strip()
        assert command == "pulse-tui --demo --service checkout --range 1h"


async def test_export_of_a_panel_without_a_result_queries_it_once(tmp_path: Path) -> None:
    # The model's values are used when every panel has one; one that has none yet (or
    # failed last) is asked for, off the event loop, and the JSON names every service.
    app = _export_dir(tmp_path)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        del app.metrics.results[Signal.QUEUE]
        await pilot.press("E")
        await wait_until(pilot, lambda: app.exporter.last is not None)
        rows = json.loads((app.exporter.last / "summary.json").read_text())
        assert [row["service"] for row in rows] == ["api", "checkout", "worker"]
        assert any(row["queue_p99_s"] is not None for row in rows)


async def test_the_help_lists_copy_and_export() -> None:
    app = frozen_demo_app()
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: has_data(app))
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: "Key bindings" in screen_text(app))
        seen = screen_text(app)
        for _ in range(30):  # the help is longer than the screen: page until both are seen
            if "Copy the view as a command line" in seen and "Export the screen" in seen:
                break
            await pilot.press("pagedown")
            await pilot.pause()
            seen += screen_text(app)
        assert "Copy the view as a command line" in seen
        assert "Export the screen (SVG) and the view's summary (JSON)" in seen


async def test_a_start_on_a_past_range_lands_the_logs_at_its_start() -> None:
    # As when the range is chosen with `t`: the pane is at the range's start, not
    # following lines from after its end.
    config = frozen_demo_app().config
    end = clock.now() - 1800
    start = StartView(range_seconds=5400.0, end=end)
    # Live: lines keep arriving after the opening backlog, as they do in the real app.
    app = PulseApp(config, DemoMetricsSource(config), demo_log_sources(live=True), start=start)
    async with app.run_test(size=WIDE) as pilot:
        panel = app.dashboard.log_panel
        await wait_until(pilot, lambda: panel.shown_time() is not None)
        assert end - 5400 <= panel.shown_time() <= end
        assert "00:11:40" not in screen_text(app).split("Logs")[-1]  # no line from now


async def test_a_past_range_lands_a_filtered_log_pane_at_its_start() -> None:
    # The fetched window is merged by a rebuild, which computes the service filter again:
    # the landing waits for it (before, the filtered pane followed the newest lines).
    config = frozen_demo_app().config
    end = clock.now() - 1800
    app = PulseApp(
        config,
        DemoMetricsSource(config),
        demo_log_sources(live=True),
        start=StartView(range_seconds=5400.0, end=end, services=("checkout",), level="warn"),
    )
    async with app.run_test(size=WIDE) as pilot:
        panel = app.dashboard.log_panel
        await wait_until(pilot, lambda: panel.shown_time() is not None)
        assert end - 5400 <= panel.shown_time() <= end
        view = panel.view
        top = view.top_position
        shown = [view._line(i) for i in range(top, min(top + 5, view.count))]
        assert shown and all(line.service == "checkout" for line in shown)
        assert all(end - 5400 <= line.timestamp <= end for line in shown)


async def test_a_logs_only_export_says_there_is_no_summary(tmp_path: Path, monkeypatch) -> None:
    from test_layout_asked import logs_only_app

    monkeypatch.chdir(tmp_path)  # the default base: the working directory
    app = logs_only_app()
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_until(pilot, lambda: app.dashboard.log_panel.view.count == 200)
        await pilot.press("E")
        await wait_until(pilot, lambda: app.exporter.last is not None)
        directory = app.exporter.last
        assert directory.parent == tmp_path
        assert sorted(p.name for p in directory.iterdir()) == ["command.txt", "screen.svg"]
        await wait_until(pilot, lambda: "metrics shown: no summary.json" in screen_text(app))
        assert f"./{directory.name}/" in screen_text(app)  # under the working directory
        # Made without the CLI: no origin flags are known.
        assert (directory / "command.txt").read_text() == "pulse-tui --range 1h\n"
