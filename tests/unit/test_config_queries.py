"""`[[queries]]`: the ad-hoc panels the Ad-hoc dashboard starts with, read from the config,
and the entry `k` hands out, which reads back as the same query."""

from __future__ import annotations

import tomllib

import pytest

from pulse_tui.config import ConfigError, SavedQuery, parse_config
from pulse_tui.config.queries import toml_entry


def test_queries_are_read_in_order_with_their_options() -> None:
    config = parse_config(
        {
            "queries": [
                {"expr": "up"},
                {"expr": "rate(x[5m])", "title": "x per second", "table": True},
            ]
        },
        "test.toml",
    )
    assert config.queries == (
        SavedQuery("up"),
        SavedQuery("rate(x[5m])", "x per second", table=True),
    )


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({}, "queries[0].expr: missing"),
        ({"expr": "  "}, "queries[0].expr: missing"),
        ({"expr": "up", "table": "yes"}, "queries[0].table: expected"),
        ({"expr": "up", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_entry_names_its_key(entry: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config({"queries": [entry]}, "test.toml")
    assert problem in str(raised.value)


@pytest.mark.parametrize(
    "query",
    [
        SavedQuery("up"),
        SavedQuery('sum by (job) (rate(http_requests_total{job=~"a|b\\\\.c"}[5m]))'),
        SavedQuery("a\nb\tc\x7f\x01 é 😀 \\ ' \"", title='weird "title"', table=True),
    ],
)
def test_the_entry_k_hands_out_reads_back_as_the_same_query(query: SavedQuery) -> None:
    data = tomllib.loads(toml_entry(query))
    assert parse_config(data, "pasted.toml").queries == (query,)
