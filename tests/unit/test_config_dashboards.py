"""`[[dashboards]] path` in the config and `--dashboard FILE` on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulse_tui.cli.main import build_parser
from pulse_tui.config import ConfigError
from pulse_tui.config.dashboards import with_dashboard_flags
from pulse_tui.config.load import parse_config


def test_paths_are_relative_to_the_config_file() -> None:
    data = {"dashboards": [{"path": "boards/team.json"}, {"path": "/abs/other.json"}]}
    config = parse_config(data, "/etc/pulse/config.toml", Path("/etc/pulse/config.toml"))
    assert config.dashboards == (Path("/etc/pulse/boards/team.json"), Path("/abs/other.json"))


@pytest.mark.parametrize(
    ("data", "key", "problem"),
    [
        ({"dashboards": [{}]}, "dashboards[0].path", "missing"),
        ({"dashboards": [{"path": "a.json", "paht": 1}]}, "dashboards[0].paht", "unknown key"),
        ({"dashboards": ["a.json"]}, "dashboards[0]", "expected a table"),
        ({"dashboards": [{"path": 3}]}, "dashboards[0].path", "expected a string"),
    ],
)
def test_bad_entries_name_the_key(data: dict, key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(data, "config.toml")
    assert key in str(info.value) and problem in str(info.value)


def test_the_flag_is_repeatable_and_adds_after_the_config() -> None:
    args = build_parser().parse_args(["--dashboard", "a.json", "--dashboard", "b.json"])
    assert args.dashboard == ["a.json", "b.json"]
    config = parse_config({"dashboards": [{"path": "/x/c.json"}]}, "c.toml")
    merged = with_dashboard_flags(config, args.dashboard)
    assert merged.dashboards == (Path("/x/c.json"), Path("a.json"), Path("b.json"))
    assert build_parser().parse_args([]).dashboard == []


def test_max_series_is_read_and_checked() -> None:
    assert parse_config({}, "c.toml").dashboard.max_series == 200
    assert parse_config({"dashboard": {"max_series": 50}}, "c.toml").dashboard.max_series == 50
    with pytest.raises(ConfigError, match=r"dashboard\.max_series"):
        parse_config({"dashboard": {"max_series": 0}}, "c.toml")
