"""Fingerprints: the same error with different values groups; different errors do not."""

from __future__ import annotations

import pytest

from pulse_tui.model.alerting.fingerprint import (
    PLACEHOLDERS,
    fingerprint,
    fingerprints,
    pattern_query,
    strip_head,
)
from pulse_tui.model.search.query import SearchQuery


def test_the_timeout_example_groups() -> None:
    assert fingerprint("timeout after 1234ms") == fingerprint("timeout after 98ms")
    assert fingerprint("timeout after 1234ms") == "timeout after <duration>"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("retry 3 of 5", "retry <num> of <num>"),
        ("took 2.5s", "took <duration>"),
        ("took 1h30m5s", "took <duration>"),
        ("waited 3 minutes", "waited <duration>"),
        ("body of 10KiB rejected", "body of <size> rejected"),
        ("wrote 512 bytes", "wrote <size>"),
        ("bad pointer 0xdeadbeef", "bad pointer <hex>"),
        ("commit 3f9a1c2b7e missing", "commit <hex> missing"),
        ("request 123e4567-e89b-12d3-a456-426614174000 failed", "request <uuid> failed"),
        ("connect to 10.0.0.1:5432 refused", "connect to <ip> refused"),
        ("no route to 192.168.1.7", "no route to <ip>"),
        ("connect to [2001:db8::1]:443 refused", "connect to <ip> refused"),
        ("peer fe80::1ff:fe23:4567:890a gone", "peer <ip> gone"),
        ("mail to bob@example.com bounced", "mail to <email> bounced"),
        ("fetch https://api.example.com/v1?q=2 failed", "fetch <url> failed"),
        ("GET /v1/orders/12345 returned 503", "GET /v1/orders/<id> returned <num>"),
        ("GET /v1/users/ord_8f3k29x9/items", "GET /v1/users/<id>/items"),
        ("user 'bob smith' not found", "user '<str>' not found"),
        ('user "alice" not found', 'user "<str>" not found'),
        ("job started 2024-01-02T03:04:05Z failed", "job started <ts> failed"),
        ("since 2024-01-02 03:04:05.123 down", "since <ts> down"),
        ("cert expired at 1704207845", "cert expired at <ts>"),
        ("at 12:30:45.123 stalled", "at <ts> stalled"),
    ],
)
def test_each_variable_class(message: str, expected: str) -> None:
    assert fingerprint(message) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-02T15:04:05.123Z ERROR timeout after 98ms",
        "[2024-01-02 15:04:05,123] [WARN] timeout after 98ms",
        "2024-01-02 15:04:05 ERROR: timeout after 98ms",
        "E0102 15:04:05.123456 1234 server.go:88] timeout after 98ms",
        "ERROR timeout after 98ms",
    ],
)
def test_the_head_of_a_line_is_not_part_of_the_message(text: str) -> None:
    assert fingerprint(text) == "timeout after <duration>"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("connection refused", "connection reset"),
        ("disk full on /dev/sda1", "disk full on /dev/sdb1"),
        ("timeout after 3s", "timeout before 3s"),
        ("api v1 failed", "api v2 failed"),
    ],
)
def test_different_errors_do_not_group(one: str, other: str) -> None:
    assert fingerprint(one) != fingerprint(other)


def test_words_are_not_numbers_or_hex() -> None:
    # Hex-letter words and digits inside words are text, not variables.
    assert fingerprint("facade decade sha256 v1 ipv6") == "facade decade sha256 v1 ipv6"
    assert fingerprint("std::io::Error") == "std::io::Error"
    assert fingerprint("can't connect") == "can't connect"


def test_batch_and_cache_agree() -> None:
    messages = ["timeout after 1ms", "timeout after 2ms", "timeout after 1ms", "oops"]
    assert fingerprints(messages) == [fingerprint(m) for m in messages]


def test_huge_message_is_cut() -> None:
    assert len(fingerprint("x" * 100_000)) <= 400


def _matches(query: str, text: str) -> bool:
    return SearchQuery.parse(query).compiled.search(text) is not None


def test_pattern_query_finds_the_groups_lines_and_only_them() -> None:
    members = [
        "2024-01-02T15:04:05Z ERROR GET /v1/orders/12345 (retry 1) took 1234ms",
        "2024-01-02T15:04:06Z ERROR GET /v1/orders/7 (retry 3) took 98ms",
    ]
    others = [
        "2024-01-02T15:04:07Z ERROR GET /v1/users/12345 (retry 1) took 1234ms",
        "2024-01-02T15:04:07Z ERROR connection refused",
    ]
    fp = fingerprint(members[0])
    assert all(fingerprint(m) == fp for m in members)
    query = pattern_query(fp)
    assert query.startswith("re:")
    assert all(_matches(query, m) for m in members)
    assert not any(_matches(query, o) for o in others)


def test_pattern_query_escapes_regex_characters() -> None:
    query = pattern_query("a.b (c) [d] x+y? <num>")
    assert query == r"re:a\.b \(c\) \[d\] x\+y\? .+?"
    assert _matches(query, "a.b (c) [d] x+y? 42")
    assert not _matches(query, "aXb (c) [d] x+y? 42")


def test_every_placeholder_becomes_a_wildcard() -> None:
    assert pattern_query(" ".join(PLACEHOLDERS)) == "re:" + " ".join([".+?"] * len(PLACEHOLDERS))


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-02T03:30:01Z ERROR api: upstream timeout after 30s",
        "upstream timeout after 31s",
        "[2026-12-02 03:30:01,512] [error] checkout.client: upstream timeout after 2s",
        "Dec  2 03:30:01 web-2 api[812]: upstream timeout after 30s",
        "WARN api: upstream timeout after 9s",
    ],
)
def test_one_error_in_several_formats_has_one_fingerprint(text: str) -> None:
    # The logger's name is part of the line's head, not of the error (#14.7).
    assert fingerprint(text) == "upstream timeout after <duration>"


def test_strip_head_keeps_the_message_and_its_values() -> None:
    assert strip_head("2026-12-02T03:30:01Z ERROR api: upstream timeout after 30s") == (
        "upstream timeout after 30s"
    )
    assert strip_head("ERROR api:") == "api:"  # all head: kept as it is, never empty
    # A colon that is not followed by a space is part of the message.
    assert strip_head("std::io::Error: broken pipe") == "std::io::Error: broken pipe"
    assert strip_head("http://x/ failed") == "http://x/ failed"
