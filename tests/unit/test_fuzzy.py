"""Service picker type-ahead: type a few letters, the likeliest services come first."""

from __future__ import annotations

from pulse_tui.model.core.fuzzy import fuzzy_filter, fuzzy_match

SERVICES = ["checkout-api", "cart", "catalog-worker", "payments", "api-gateway", "chat"]


def names(query: str) -> list[str]:
    return [name for name, _ in fuzzy_filter(query, SERVICES)]


def test_subsequence_case_insensitive() -> None:
    assert names("CHK") == ["checkout-api"]
    assert names("zzz") == []


def test_prefix_and_contiguous_beat_scattered() -> None:
    assert names("ca")[:2] == ["cart", "catalog-worker"]
    assert names("api") == ["api-gateway", "checkout-api"]
    assert names("ct") == ["catalog-worker", "cart", "chat", "checkout-api"]  # smaller gaps first


def test_word_starts_are_preferred() -> None:
    assert fuzzy_match("ca", "checkout-api")[1] == [0, 9]  # type: ignore[index]
    assert fuzzy_match("w", "catalog-worker")[1] == [8]  # type: ignore[index]


def test_positions_for_highlighting() -> None:
    assert fuzzy_filter("gw", ["api-gateway"]) == [("api-gateway", [4, 8])]
    assert fuzzy_filter("pay", ["payments"]) == [("payments", [0, 1, 2])]


def test_empty_query_lists_everything_in_order() -> None:
    assert fuzzy_filter("", SERVICES) == [(name, []) for name in SERVICES]
