"""The command line reads what was typed, no more: no abbreviations, a help text for every
option of every command, and a usage that names the commands."""

from __future__ import annotations

import argparse
import re

import pytest

from pulse_tui.cli.main import (
    build_check_parser,
    build_init_parser,
    build_parser,
    build_summary_parser,
)

PARSERS = {
    "run": build_parser,
    "init": build_init_parser,
    "check": build_check_parser,
    "summary": build_summary_parser,
}


def help_of(parser: argparse.ArgumentParser, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as done:
        parser.parse_args(["--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def option_helps(text: str) -> dict[str, str]:
    """Each option of an argparse --help output -> its description ("" if it has none).

    An entry starts on a line indented by two spaces and a dash; its description follows
    on the same line after two spaces, and goes on over the more indented lines after it.
    """
    entries: dict[str, str] = {}
    flag = None
    for line in text.splitlines():
        match = re.match(r"^  (-[^ ].*?)(?:  +(\S.*))?$", line)
        if match:
            flag = match[1].split()[0].rstrip(",")
            entries[flag] = match[2] or ""
        elif flag is not None and re.match(r"^ {4,}\S", line):
            entries[flag] = f"{entries[flag]} {line.strip()}".strip()
        else:
            flag = None
    return entries


@pytest.mark.parametrize("parser", ["run", "check", "summary"])
def test_an_abbreviated_flag_is_refused_not_guessed(parser: str) -> None:
    # `--service-l` used to be read as `--service-label`; an unknown prefix must be an error.
    with pytest.raises(SystemExit) as done:
        PARSERS[parser]().parse_args(["--service-l", "checkout"])
    assert done.value.code == 2


def test_service_is_not_read_as_service_label() -> None:
    args = build_parser().parse_args(["--service", "checkout"])
    assert args.service == ["checkout"]
    assert args.service_label is None


def test_init_refuses_an_abbreviated_force() -> None:
    with pytest.raises(SystemExit):
        build_init_parser().parse_args(["--for"])


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_every_option_of_every_command_has_a_help_text(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    helps = option_helps(help_of(PARSERS[name](), capsys))
    assert "-h" in helps  # the parse found the options section at all
    missing = sorted(flag for flag, text in helps.items() if not text)
    assert missing == []


def test_check_and_summary_describe_their_own_flags(capsys: pytest.CaptureFixture[str]) -> None:
    check = option_helps(help_of(build_check_parser(), capsys))
    assert "journald" in check["--journal"] and "remote file" in check["--logs"]
    summary = option_helps(help_of(build_summary_parser(), capsys))
    assert "json" in summary["--format"] and "csv" in summary["--format"]


def test_top_level_usage_names_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(build_parser(), capsys)
    usage = text.split("\n\n")[0]
    for command in ("init", "check", "summary"):
        assert f"pulse-tui {command} " in usage
