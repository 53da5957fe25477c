"""Silences: nightly maintenance windows (wrapping midnight), deploy windows, `x` on an alert."""

from __future__ import annotations

import time
from datetime import datetime

from pulse_tui.config.alert_model import Silence
from pulse_tui.model.alerting.alerts import Alert
from pulse_tui.model.alerting.silences import SilenceBook


def at(hour: int, minute: int = 0, day: int = 15) -> float:
    return datetime(2024, 5, day, hour, minute).timestamp()  # local time


def alert(name: str = "High errors", key: str = "pulse:High errors:api") -> Alert:
    return Alert(key, name, "pulse", "page", "firing", service="api")


def test_daily_window_wrapping_midnight() -> None:
    book = SilenceBook([Silence("nightly", daily_start=23 * 60 + 30, daily_end=2 * 60)])
    assert book.silenced(alert(), at(23, 29)) is None
    assert book.silenced(alert(), at(23, 30)) == "silence nightly (23:30-02:00)"
    assert book.silenced(alert(), at(0, 15)) is not None
    assert book.silenced(alert(), at(1, 59)) is not None
    assert book.silenced(alert(), at(2, 0)) is None
    assert book.silenced(alert(), at(12, 0)) is None


def test_daily_window_within_a_day_and_the_rule_filter() -> None:
    book = SilenceBook([Silence("backups", rules=("Disk busy",), daily_start=180, daily_end=240)])
    assert book.silenced(alert("Disk busy", "k1"), at(3, 30)) == "silence backups (03:00-04:00)"
    assert book.silenced(alert("High errors"), at(3, 30)) is None
    assert book.silenced(alert("Disk busy", "k1"), at(4, 0)) is None


def test_absolute_deploy_window() -> None:
    book = SilenceBook([Silence("deploy", start=at(14), end=at(15))])
    assert book.silenced(alert(), at(13, 59)) is None
    assert book.silenced(alert(), at(14)) == "silence deploy"
    assert book.silenced(alert(), at(15)) is None


def test_manual_silence_until_a_time_then_expires_or_is_lifted() -> None:
    book = SilenceBook()
    book.silence("pulse:High errors:api", at(10, 30))
    reason = book.silenced(alert(), at(10))
    assert reason == f"silenced until {time.strftime('%H:%M', time.localtime(at(10, 30)))}"
    assert book.silenced(alert("Other", "other"), at(10)) is None
    assert book.silenced(alert(), at(10, 30)) is None
    assert book.manual == {}
    book.silence("pulse:High errors:api", at(11))
    book.unsilence("pulse:High errors:api")
    assert book.silenced(alert(), at(10)) is None
