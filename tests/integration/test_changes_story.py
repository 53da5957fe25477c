"""What changed, as a user meets it: the real app against a real prometheus backfilled with
known changes (support/change_scenarios.py) and a real sshd holding the logs around them.

Without a key pressed, the strip's first line names the worst service, when it started and
its top new log error (the pattern injected at the step, from that service's host only);
at 80×24 the same line still fits in one row. Enter on it (or `i` from anywhere) focuses
the service, puts the chart cursor at the start and lands the logs there.
"""

from __future__ import annotations

import calendar
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from support.binaries import require_binary
from support.change_scenarios import TRUTH, changes_prometheus
from support.sshd_server import SshdServer
from ui.harness import screen_text, wait_until

from pulse_tui.config import Config, DashboardConfig, LogFile, LogHost, LogsConfig, PrometheusConfig
from pulse_tui.model.metrics.change_text import clock_time
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.sources.factory import log_sources
from pulse_tui.sources.prometheus.source import PrometheusSource
from pulse_tui.ui.app import PulseApp
from pulse_tui.ui.widgets.logs.log_view import LogView

pytestmark = pytest.mark.integration

PAYMENT = "payment gateway timeout after <duration> order=<num>"
DISK = "disk full on /data/<id>"
#: A log pane row: "12:27:00 web-1 ERROR …".
#: A log row: its host tag, then the line as written (its ISO time stamp first).
LOG_ROW = re.compile(r"^(web-\d) \d{4}-\d\d-\d\dT(\d\d:\d\d:\d\d)")


@pytest.fixture(scope="module")
def scenario() -> Iterator[tuple[str, int]]:
    """The scenarios' prometheus with data ending now (to the 30 s step): a live view."""
    end = int(time.time()) // 30 * 30
    with changes_prometheus(
        require_binary("prometheus"), require_binary("promtool"), end, 2 * 3600
    ) as server:
        yield server.url, end


def iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


def write_logs(tmp_path: Path, end: int) -> dict[str, list[float]]:
    """70 minutes of lines per host. web-1 (errstep): INFO every second, a steady error
    every 10 s, and from the error step on a payment timeout every 2 s; web-2 (p99step):
    a disk error every second from its own step on. Returns the payment lines' times."""
    now = time.time()
    step_at = end - TRUTH["errstep"].start
    p99_at = end - TRUTH["p99step"].start
    one: list[tuple[float, str]] = []
    two: list[tuple[float, str]] = []
    payments: list[float] = []
    t = now - 70 * 60
    n = 0
    while t < now:
        n += 1
        one.append((t, f"{iso(t)} INFO checkout: GET /cart 200"))
        two.append((t, f"{iso(t)} INFO search: GET /q 200"))
        if n % 10 == 0:
            one.append((t + 0.1, f"{iso(t + 0.1)} ERROR checkout: db pool slow after {n}ms"))
        if t >= step_at and n % 2 == 0:
            order = 1000 + n
            one.append(
                (
                    t + 0.2,
                    f"{iso(t + 0.2)} ERROR checkout: payment gateway timeout after "
                    f"{n % 9 + 1}s order={order}",
                )
            )
            payments.append(t + 0.2)
        if t >= p99_at:
            two.append((t + 0.3, f"{iso(t + 0.3)} ERROR search: disk full on /data/{n}"))
        t += 1.0
    (tmp_path / "checkout.log").write_text("".join(text + "\n" for _, text in sorted(one)))
    (tmp_path / "search.log").write_text("".join(text + "\n" for _, text in sorted(two)))
    return {"payments": payments}


def make_app(url: str, tmp_path: Path) -> PulseApp:
    config = Config(
        prometheus=PrometheusConfig(url=url, timeout=10.0),
        dashboard=DashboardConfig(range=3600.0),
        logs=LogsConfig(
            hosts=(
                LogHost(
                    "web-1", service="errstep", files=(LogFile(str(tmp_path / "checkout.log")),)
                ),
                LogHost("web-2", service="p99step", files=(LogFile(str(tmp_path / "search.log")),)),
            ),
            connect_timeout=5,
        ),
    )
    config = replace(
        config, dashboard=replace(config.dashboard, refresh=2.0), prometheus_defaulted=False
    )
    return PulseApp(config, PrometheusSource(config), log_sources(config))


def strip_rows(app: PulseApp) -> list[str]:
    """The strip's rows as on screen."""
    strip = app.dashboard.changes_strip
    top = strip.region.y
    return screen_text(app).splitlines()[top : top + strip.region.height]


def told_payment(app: PulseApp) -> bool:
    top = app.dashboard.changes_strip.top_logs.get("errstep")
    return top is not None and top.fingerprint == PAYMENT


async def loaded(pilot, app: PulseApp) -> None:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: bool(app.metrics.findings), timeout=30)
    order = app.logs.order
    assert order is not None
    await wait_until(pilot, lambda: not order.settling and not order.loading, timeout=30)
    await wait_until(pilot, lambda: told_payment(app), timeout=30)
    await pilot.pause(0.2)


def payments_since(payments: list[float], start: float) -> tuple[int, int]:
    """The shown count's bounds: lines are counted by the minute (error_groups.py)."""
    return (
        sum(1 for t in payments if t >= start + 60),
        sum(1 for t in payments if t >= start - 60),
    )


@pytest.fixture
def home(sshd: SshdServer, ssh_home: Callable[..., Path]) -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()
    ssh_home(["web-1", "web-2"])


async def test_at_160x48_the_first_line_names_the_service_its_start_and_its_new_log_error(
    scenario: tuple[str, int], home: None, tmp_path: Path
) -> None:
    url, end = scenario
    payments = write_logs(tmp_path, end)["payments"]
    app = make_app(url, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await loaded(pilot, app)
        worst = app.metrics.findings[0]
        assert (worst.service, worst.signal) == ("errstep", Signal.ERRORS)
        assert abs(worst.start - (end - TRUTH["errstep"].start)) <= worst.step
        rows = strip_rows(app)
        first = rows[0]
        since = clock_time(worst.start, 3600)
        assert first.startswith(f" ● errstep · errors 1% → 20% since {since} (")
        assert f"top new log error: {PAYMENT} · " in first
        shown = int(first.split(f"{PAYMENT} · ")[1].split(" since ")[0].replace(",", ""))
        low, high = payments_since(payments, worst.start)
        assert low <= shown <= high
        # p99step's line tells its own host's error; errstep's never names web-2's.
        p99 = next(row for row in rows if "p99step" in row)
        assert f"top new log error: {DISK} · " in p99
        assert DISK not in first
        assert len(rows) == 3 and rows[-1].rstrip().endswith("more")

        app.dashboard.changes_strip.focus()
        await pilot.pause()
        await pilot.press("enter")
        await landed_at(pilot, app, worst.start, worst.step)


async def test_at_80x24_one_row_still_says_it_and_i_lands_on_the_logs(
    scenario: tuple[str, int], home: None, tmp_path: Path
) -> None:
    url, end = scenario
    write_logs(tmp_path, end)
    app = make_app(url, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app)
        worst = app.metrics.findings[0]
        [row] = strip_rows(app)
        since = clock_time(worst.start, 3600)
        assert row.startswith(f" ● errstep · errors 1% → 20% since {since} (")
        # Folded to fit: the pattern cut (its count too, here), the other services counted.
        assert re.search(r" · log: payment gateway\S*… \+6 more$", row.rstrip()), row
        assert len(row.rstrip()) <= 80
        await pilot.press("i")  # from anywhere: the worst line first
        await landed_at(pilot, app, worst.start, worst.step)


async def landed_at(pilot, app: PulseApp, start: float, step: float) -> None:  # type: ignore[no-untyped-def]
    """The service focused, the errors chart's cursor at the start, and the log pane on
    screen showing that service's host's lines from the step before the start."""
    await wait_until(pilot, lambda: app.view.state.services == frozenset({"errstep"}))
    # On the chart's first point at or after the start (a finer window may date it).
    panel = app.dashboard.panel(Signal.ERRORS)
    assert panel.result is not None
    window = panel.result.window
    assert panel.cursor is not None and window.start <= panel.cursor <= window.end
    assert (panel.cursor - window.start) % window.step == 0
    assert start <= panel.cursor < start + window.step

    def log_rows() -> list[tuple[float, str]]:
        day = time.strftime("%Y-%m-%d", time.gmtime(start))
        rows = []
        for row in screen_text(app).splitlines():
            found = LOG_ROW.match(row)
            if found:
                stamp = time.strptime(f"{day} {found[2]}", "%Y-%m-%d %H:%M:%S")
                rows.append((calendar.timegm(stamp), found[1]))
        return rows

    def at_start() -> bool:
        # From the step before the start's point (the change began within it), so the
        # first lines of the change are on screen, not cut off above.
        rows = log_rows()
        return bool(rows) and start - 2 * step <= rows[0][0] <= start - step / 2

    await wait_until(pilot, at_start, timeout=20)
    assert isinstance(app.focused, LogView)
    assert {host for _, host in log_rows()} == {"web-1"}  # errstep's host only


async def test_quiet_services_say_no_change_in_the_range_in_force(
    scenario: tuple[str, int],
) -> None:
    """The steady, diurnal, spiky, reset, gappy and idle services, live: nothing changed
    in the last 1h; the same at a past range names its start and end."""
    url, end = scenario
    config = Config(
        prometheus=PrometheusConfig(url=url, timeout=10.0),
        dashboard=DashboardConfig(range=3600.0, refresh=2.0),
    )
    app = PulseApp(config, PrometheusSource(config), [])
    quiet = frozenset({"diurnal", "spike", "reset", "gaps", "idle"})
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: bool(app.metrics.findings), timeout=30)
        app.view.set(app.view.state.with_services(quiet))

        def says(text: str) -> bool:
            rows = strip_rows(app)
            return bool(rows) and rows[0].strip() == text

        await wait_until(pilot, lambda: says("✓ no change in the last 1h"), timeout=30)
        assert app.metrics.findings == []
        app.view.set(replace(app.view.state, end=float(end)))
        past = f"from {clock_time(end - 3600, 3600)} to {clock_time(end, 3600)}"
        await wait_until(pilot, lambda: says(f"✓ no change {past}"), timeout=30)


async def test_a_service_bad_since_before_the_range_is_named_not_ticked(
    scenario: tuple[str, int],
) -> None:
    """errstep has been at 20% errors for 20 minutes: in the last 5 minutes nothing
    changed, and the strip must not read "✓" above a table that says CRIT."""
    url, _ = scenario
    config = Config(
        prometheus=PrometheusConfig(url=url, timeout=10.0),
        dashboard=DashboardConfig(range=300.0, refresh=2.0),
    )
    app = PulseApp(config, PrometheusSource(config), [])
    async with app.run_test(size=(160, 48)) as pilot:
        app.view.set(app.view.state.with_services(frozenset({"errstep", "diurnal"})))

        def says(text: str) -> bool:
            rows = strip_rows(app)
            return bool(rows) and rows[0].strip() == text

        await wait_until(
            pilot,
            lambda: says(
                "● errstep at CRIT with no change in the last 5m"
                " · began earlier? + widens the range"
            ),
            timeout=30,
        )
        assert app.metrics.findings == []
        # Zoomed out to the hour (5m, 15m, 1h), the step 20 minutes ago is a finding again.
        await pilot.press("plus", "plus")
        await wait_until(
            pilot,
            lambda: any(f.service == "errstep" for f in app.metrics.findings),
            timeout=30,
        )
        await wait_until(pilot, lambda: strip_rows(app)[0].lstrip().startswith("● errstep ·"))
