"""A view as a command line and back (issue #14, item 12): the flags `y` writes are the
ones the CLI reads, through the real argparse parser and the time dialog's parser."""

from __future__ import annotations

import shlex

import pytest

from pulse_tui.cli.main import _start_view, build_parser, build_summary_parser
from pulse_tui.config import ConfigError, start_view
from pulse_tui.model.core.time_range import parse_time_range
from pulse_tui.model.core.view_command import StartView, command_line, format_range

NOW = 1_796_212_800.0  # 2026-12-02T12:00:00Z


def parsed(line: str) -> StartView:
    """A copied command line read back as the CLI reads its argv."""
    program, *argv = shlex.split(line)
    assert program == "pulse-tui"
    args = build_parser().parse_args(argv)
    return start_view(
        services=args.service,
        range_text=args.range,
        search=args.search,
        filter_mode=args.filter,
        excludes=args.exclude,
        level=args.level,
        now=NOW,
    )


@pytest.mark.parametrize(
    "text",
    ["1h", "-90m", "now-2h..now-30m", "now-1d..now", "2026-12-02T10:00Z..2026-12-02T11:30Z"],
)
def test_every_range_the_dialog_takes_is_a_range_flag(text: str) -> None:
    view = start_view(range_text=text, now=NOW)
    assert (view.range_seconds, view.end) == parse_time_range(text, NOW)


@pytest.mark.parametrize(
    ("range_seconds", "end"),
    [(3600.0, None), (5400.0, None), (5400.0, NOW - 1800), (900.0, NOW - 1234.5)],
)
def test_a_range_written_back_reads_as_the_same_range(range_seconds, end) -> None:
    text = format_range(range_seconds, end)
    seconds, read_end = parse_time_range(text, NOW)
    assert seconds == pytest.approx(range_seconds, abs=1e-3)
    assert (read_end is None) == (end is None)
    if end is not None:
        assert read_end == pytest.approx(end, abs=1e-3)
        assert text.endswith("Z")  # UTC: the same window in a teammate's time zone


def test_a_past_range_is_written_in_utc() -> None:
    assert format_range(5400, NOW - 1800) == "2026-12-02T10:00:00Z..2026-12-02T11:30:00Z"


def test_a_view_round_trips_through_the_real_parser() -> None:
    view = StartView(
        range_seconds=5400.0,
        end=NOW - 1800,
        services=("checkout", "pay ments"),
        search="timeout re:'x' $(rm -rf /)",
        filter_mode=True,
        excludes=("healthz", "queue=emails"),
        level="warn",
    )
    line = command_line(view, ["--demo"])
    assert parsed(line) == view
    # Quoted: the search is one word, not shell code.
    assert "'timeout re:'\"'\"'x'\"'\"' $(rm -rf /)'" in line


def test_an_empty_view_is_just_the_origin() -> None:
    assert command_line(StartView(), ["--demo"]) == "pulse-tui --demo"


def test_the_cli_reads_the_view_flags() -> None:
    args = build_parser().parse_args(
        ["--service", "checkout", "--service", "api", "--search", "timeout", "--level", "WARN"]
    )
    view = _start_view(args)
    assert view.services == ("checkout", "api")
    assert (view.search, view.level) == ("timeout", "warn")


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--range", "now-1h..now-2h"], "--range"),
        (["--range", "yesterday"], "--range"),
        (["--search", "re:("], "--search"),
        (["--exclude", "re:["], "--exclude"),
        (["--service", " "], "--service"),
    ],
)
def test_a_bad_view_flag_is_a_config_error_naming_it(argv, flag) -> None:
    with pytest.raises(ConfigError) as error:
        _start_view(build_parser().parse_args(argv))
    assert str(error.value).startswith(flag)


def test_a_level_the_pane_cannot_show_is_refused() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--level", "debug"])


def test_summary_takes_service_and_range() -> None:
    args = build_summary_parser().parse_args(
        ["--service", "checkout", "--range", "now-2h..now-30m"]
    )
    assert args.service == ["checkout"]
    assert args.range == "now-2h..now-30m"
