"""What the user looks at, key by key: `+`/`-` zoom, `[`/`]` pan, `0` back to live."""

from __future__ import annotations

from datetime import UTC, datetime

from pulse_tui.model.core.view_state import ViewState

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC).timestamp()


def test_plus_and_minus_step_through_presets_and_stay_live() -> None:
    live = ViewState(range_seconds=3600)
    assert live.zoom(+1, NOW).range_seconds == 3 * 3600
    assert live.zoom(-1, NOW).range_seconds == 900
    assert live.zoom(+1, NOW).live and live.zoom(-1, NOW).live


def test_a_typed_range_zooms_to_the_next_preset() -> None:
    typed = ViewState(range_seconds=7200)
    assert typed.zoom(+1, NOW).range_seconds == 3 * 3600
    assert typed.zoom(-1, NOW).range_seconds == 3600


def test_pan_back_leaves_live_zoom_keeps_the_centre_and_zero_goes_live() -> None:
    past = ViewState(range_seconds=3600).pan(-1, NOW)
    assert past.end == NOW - 1800 and not past.live  # a past range: no live refresh
    zoomed = past.zoom(-1, NOW)
    assert zoomed.range_seconds == 900 and zoomed.end == NOW - 1800 - 1800 + 450
    assert not zoomed.live
    assert zoomed.go_live().live and zoomed.go_live().range_seconds == 900


def test_zoom_keeps_services_pause_and_compare() -> None:
    state = ViewState(services=frozenset({"checkout"}), paused=True, compare_offset=86400.0)
    zoomed = state.zoom(+1, NOW)
    assert (zoomed.services, zoomed.paused, zoomed.compare_offset) == (
        state.services,
        True,
        86400.0,
    )
