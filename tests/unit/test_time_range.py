"""Time ranges: type `1h`, `-90m`, `now-2h..now-30m` or ISO bounds; pan and zoom them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pulse_tui.model.core.time_range import (
    PRESETS,
    ZOOM_STEPS,
    TimeRangeError,
    compare_offsets,
    pan,
    parse_time_range,
    zoom,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC).timestamp()


def local(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


@pytest.mark.parametrize("preset", PRESETS)
def test_presets_are_live(preset: str) -> None:
    seconds, end = parse_time_range(preset, NOW)
    assert end is None and seconds > 0


def test_durations_and_minus_form() -> None:
    assert parse_time_range("1h30m", NOW) == (5400, None)
    assert parse_time_range(" -90m ", NOW) == (5400, None)
    assert parse_time_range("24h", NOW) == (86400, None)


def test_relative_bounds() -> None:
    assert parse_time_range("now-2h..now-30m", NOW) == (5400, NOW - 1800)
    assert parse_time_range("now-1d..now", NOW) == (86400, None)  # ends now: live
    assert parse_time_range("NOW-1h .. NOW", NOW) == (3600, None)


def test_absolute_bounds_local_time_without_zone() -> None:
    seconds, end = parse_time_range("2026-11-21T10:00..2026-11-21T11:30", NOW + 86400)
    assert seconds == 5400 and end == local("2026-11-21T11:30")
    spaced = parse_time_range("2026-11-21 10:00..2026-11-21 11:30", NOW + 86400)
    assert spaced == (seconds, end)


def test_absolute_bounds_honour_z_and_offsets() -> None:
    assert parse_time_range("2026-11-21T10:00Z..2026-11-21T11:00Z", NOW) == (3600, NOW - 3600)
    seconds, end = parse_time_range("2026-11-21T10:00+01:00..2026-11-21T11:00Z", NOW)
    assert seconds == 7200 and end == NOW - 3600


def test_an_end_given_as_a_time_of_day_is_on_the_starts_day() -> None:
    # The dialog's own example form.
    seconds, end = parse_time_range("2026-11-21T10:00..11:30", NOW + 86400)
    assert seconds == 5400 and end == local("2026-11-21T11:30")
    assert parse_time_range("2026-11-21T10:00Z..11:00", NOW) == (3600, NOW - 3600)
    assert parse_time_range("2026-11-21T10:00Z..11:00:30Z", NOW) == (3630, NOW - 3570)
    with pytest.raises(TimeRangeError, match="time of day"):
        parse_time_range("now-2h..11:30", NOW)
    with pytest.raises(TimeRangeError, match="before it starts"):
        parse_time_range("2026-11-21T10:00..09:00", NOW + 86400)
    with pytest.raises(TimeRangeError, match="cannot read"):
        parse_time_range("2026-11-21T10:00..25:00", NOW + 86400)


def test_mixed_absolute_and_now() -> None:
    assert parse_time_range("2026-11-21T11:00Z..now", NOW) == (3600, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty time range"),
        ("banana", "cannot read 'banana'"),
        ("now-30m..now-2h", "ends before it starts"),
        ("now-1h..now-1h", "empty range"),
        ("now-2y..now", "longer than a year"),
        ("400d", "longer than a year"),
        ("2026-13-01T00:00..now", "cannot read '2026-13-01T00:00'"),
        ("now-1h..now+1h", "cannot read 'now+1h'"),
        ("now-1h..2027-01-01T00:00Z", "ends in the future"),
        ("now-xh..now", "cannot read 'now-xh'"),
    ],
)
def test_errors_are_one_line(text: str, message: str) -> None:
    with pytest.raises(TimeRangeError) as info:
        parse_time_range(text, NOW)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_pan_moves_half_a_range_and_never_into_the_future() -> None:
    assert pan(3600, None, NOW, -1) == NOW - 1800
    assert pan(3600, NOW - 7200, NOW, +1) == NOW - 5400
    assert pan(3600, NOW - 1000, NOW, +1) is None  # would pass now: back to live
    assert pan(3600, None, NOW, +1) is None


def test_zoom_steps_are_the_presets_in_order() -> None:
    assert tuple(parse_time_range(p, NOW)[0] for p in PRESETS) == ZOOM_STEPS
    assert list(ZOOM_STEPS) == sorted(ZOOM_STEPS)


def test_zoom_steps_through_the_presets_and_stays_live() -> None:
    assert zoom(3600, None, NOW, +1) == (3 * 3600, None)  # 1h -> 3h, not 2h
    assert zoom(3600, None, NOW, -1) == (900, None)
    assert zoom(86400, None, NOW, +1) == (2 * 86400, None)


def test_zoom_from_a_custom_range_goes_to_the_next_preset_that_way() -> None:
    assert zoom(7200, None, NOW, +1) == (3 * 3600, None)  # typed 2h
    assert zoom(7200, None, NOW, -1) == (3600, None)
    assert zoom(30 * 86400, None, NOW, -1) == (7 * 86400, None)  # longer than every preset
    assert zoom(60, None, NOW, +1) == (300, None)


def test_zoom_stops_at_the_first_and_last_preset() -> None:
    assert zoom(300, None, NOW, -1) == (300, None)
    assert zoom(7 * 86400, None, NOW, +1) == (7 * 86400, None)
    assert zoom(30 * 86400, None, NOW, +1) == (30 * 86400, None)
    assert zoom(60, None, NOW, -1) == (60, None)


def test_zoom_treats_a_hair_off_preset_as_that_preset() -> None:
    # `now-1h..now` with a fractional now: the subtraction is not exactly 3600.
    assert zoom(3600.0000002, None, NOW, -1) == (900, None)
    assert zoom(3599.9999998, None, NOW, +1) == (3 * 3600, None)


def test_zoom_keeps_the_centre_of_a_past_range() -> None:
    end = NOW - 7200  # 1h ending 2h ago: centred 2h30m ago
    assert zoom(3600, end, NOW, -1) == (900, end - 1800 + 450)
    assert zoom(3600, end, NOW, +1) == (3 * 3600, end - 1800 + 5400)


def test_zoom_out_past_now_returns_to_live() -> None:
    assert zoom(3600, NOW - 600, NOW, +1) == (3 * 3600, None)
    assert zoom(3600, NOW - 3600, NOW, +1) == (3 * 3600, None)  # would end exactly now


def test_compare_offsets() -> None:
    assert compare_offsets == {"1d": 86400, "1w": 604800}
