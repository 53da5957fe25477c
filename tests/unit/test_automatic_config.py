"""The automatic alerts in the config: `alerts.automatic`, change rules in
`[[alerts.rules]]`, and `pulse-tui init` writing the automatic rules out so that loading
the file gives the very same rules."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from pulse_tui.cli.main import main
from pulse_tui.config import ConfigError, load_config, parse_config
from pulse_tui.model.alerting.automatic import AUTOMATIC_RULES
from pulse_tui.model.alerting.definitions import AlertRule
from pulse_tui.model.metrics.signals import Signal


def test_no_alerts_table_runs_the_automatic_rules() -> None:
    config = parse_config({}, "test")
    assert config.alerts.automatic and config.alerts.rules == ()
    assert config.alerts.rules_in_force == AUTOMATIC_RULES


def test_automatic_false_runs_nothing() -> None:
    config = parse_config({"alerts": {"automatic": False}}, "test")
    assert config.alerts.rules_in_force == ()


def test_rules_of_ones_own_replace_the_automatic_ones() -> None:
    rule = {"name": "Mine", "signal": "errors", "threshold": 0.1}
    config = parse_config({"alerts": {"rules": [rule]}}, "test")
    assert [r.name for r in config.alerts.rules_in_force] == ["Mine"]


def test_a_change_rule_reads_back() -> None:
    rule = {
        "name": "Errors rose",
        "signal": "errors",
        "change": "warn",
        "for": "5m",
        "severity": "page",
        "services": ["checkout"],
    }
    (read,) = parse_config({"alerts": {"rules": [rule]}}, "test").alerts.rules
    assert read == AlertRule(
        "Errors rose", "page", ">", 0.0, 300.0, Signal.ERRORS, services=("checkout",), change="warn"
    )


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ({"change": "bad"}, '"x".change: must be one of warn, crit'),
        ({"change": "crit", "threshold": 1}, '"x".threshold: a change rule has none'),
        ({"change": "crit", "op": "<"}, '"x".op: a change rule has none'),
        ({"change": "crit", "signal": None, "query": "up"}, '"x".query: a change rule watches'),
        ({"change": "crit", "colour": "red"}, "colour"),
    ],
)
def test_bad_change_rules_are_named(rule: dict[str, object], fragment: str) -> None:
    table = {"name": "x", "signal": "errors", **rule}
    table = {k: v for k, v in table.items() if v is not None}
    with pytest.raises(ConfigError) as caught:
        parse_config({"alerts": {"rules": [table]}}, "test")
    assert fragment in str(caught.value)


def test_init_writes_the_automatic_rules_and_loading_them_gives_the_same(tmp_path: Path) -> None:
    target = tmp_path / "pulse.toml"
    assert main(["init", str(target)]) == 0
    text = target.read_text()
    data = tomllib.loads(text)
    assert data["alerts"]["automatic"] is True
    assert [r["signal"] for r in data["alerts"]["rules"]] == [
        r.signal.value for r in AUTOMATIC_RULES if r.signal is not None
    ]
    config = load_config(target)
    # Written out they are the user's rules, the very ones the automatic alerts run.
    assert config.alerts.rules == AUTOMATIC_RULES
    assert config.alerts.rules_in_force == AUTOMATIC_RULES
    assert "automatic = false" in text  # the comment says how to turn them off
