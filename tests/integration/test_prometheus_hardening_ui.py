"""What the dashboard shows when the backend misbehaves (issue 15, Prometheus rows): the real
app, the real prometheus behind the FaultProxy, keys pressed with the Pilot and the screen
read back."""

from __future__ import annotations

import json
import re
import time
import urllib.parse
from dataclasses import replace

import pytest
from support.prometheus_fixtures import PrometheusData
from support.prometheus_server import Canned, FaultProxy
from textual.widget import Widget
from ui.harness import screen_text, wait_until

from pulse_tui.config import Config
from pulse_tui.model.core import clock
from pulse_tui.model.core.durations import format_duration
from pulse_tui.model.metrics.signals import Signal
from pulse_tui.sources.prometheus.source import PrometheusSource
from pulse_tui.ui.app import PulseApp
from pulse_tui.ui.widgets.status_header import StatusHeader

pytestmark = pytest.mark.integration

SIZE = (160, 48)


def make_app(config: Config) -> PulseApp:
    config = replace(
        config, dashboard=replace(config.dashboard, refresh=1.0), prometheus_defaulted=False
    )
    return PulseApp(config, PrometheusSource(config), [])


def loaded(app: PulseApp) -> bool:
    return all(app.dashboard.panel(s).result is not None for s in Signal)


def panel_text(app: PulseApp, widget: Widget) -> str:
    """The words on screen inside `widget`'s border, as one line (wrapped text joined)."""
    x, y, width, height = widget.region
    rows = screen_text(app).splitlines()[y : y + height]
    return " ".join(" ".join(row[x + 1 : x + width - 1].split()) for row in rows)


@pytest.fixture
def unfrozen():
    yield
    clock.freeze(None)


async def test_rate_limited_panels_wait_out_retry_after_across_refreshes_and_count_down(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy, unfrozen: None
) -> None:
    fault_proxy.mode = "canned"
    fault_proxy.canned = Canned(429, b"slow down", headers=(("Retry-After", "120"),))
    app = make_app(prometheus_data.config(fault_proxy.url))
    start = time.time()
    clock.freeze(start)
    async with app.run_test(size=SIZE) as pilot:
        panels = [app.dashboard.panel(s) for s in Signal]
        await wait_until(pilot, lambda: all(p.retry_at is not None for p in panels))
        await pilot.pause(0.5)  # requests of that first round still on their way
        sent = sum(1 for p in fault_proxy.paths if "query_range" in p)
        for panel in panels:
            assert panel.retry_at is not None
            assert 120 <= panel.retry_at - start <= 144  # never before; jittered apart
        # A minute later, with a refresh every second in between: nobody asked again.
        clock.freeze(start + 60)
        await pilot.pause(3.5)
        assert sum(1 for p in fault_proxy.paths if "query_range" in p) == sent
        for panel in panels:
            panel.tick()
        await pilot.pause()
        text = screen_text(app)
        traffic = app.dashboard.panel(Signal.TRAFFIC)
        assert traffic.retry_at is not None
        left = format_duration(traffic.retry_at - (start + 60))
        assert f"rate limited, next try in {left}" in text
        # Past the wait the panel asks again.
        clock.freeze(start + 150)
        await wait_until(
            pilot, lambda: sum(1 for p in fault_proxy.paths if "query_range" in p) > sent
        )


def with_warning(path: str, body: bytes) -> bytes:
    answer = json.loads(body)
    if "query_range" in path and "http_requests_total" in path:
        answer["warnings"] = ["partial response: store eu-west [down]"]
    return json.dumps(answer).encode()


async def test_a_partial_answer_has_a_badge_and_the_servers_words(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy
) -> None:
    fault_proxy.edit = with_warning
    app = make_app(prometheus_data.config(fault_proxy.url))
    async with app.run_test(size=SIZE) as pilot:
        app.view.set(replace(app.view.state, end=float(prometheus_data.end)))
        await wait_until(pilot, lambda: app.dashboard.panel(Signal.TRAFFIC).result is not None)
        # Markup-looking text is shown as it came, not interpreted. (The title's badge and
        # the warning's row may reach the screen in different frames: wait for both.)
        warning = "⚠ PARTIAL: partial response: store eu-west [down]"
        await wait_until(pilot, lambda: warning in screen_text(app))
        await wait_until(pilot, lambda: "Traffic ⚠ PARTIAL" in screen_text(app))
        text = screen_text(app)
        assert "Saturation ⚠ PARTIAL" not in text  # its answer was whole


async def test_a_capped_panel_says_how_many_series_it_left_out(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy
) -> None:
    app = make_app(prometheus_data.config(fault_proxy.url, max_series=2))
    async with app.run_test(size=SIZE) as pilot:
        app.view.set(replace(app.view.state, end=float(prometheus_data.end)))
        await wait_until(pilot, lambda: loaded(app))
        await wait_until(pilot, lambda: "showing 2 of 4 series" in screen_text(app))
        traffic = app.dashboard.panel(Signal.TRAFFIC)
        assert traffic.result is not None and len(traffic.result.series) == 2


async def test_a_server_clock_two_minutes_ahead_is_said_in_the_header(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy
) -> None:
    fault_proxy.date_offset = 120
    app = make_app(prometheus_data.config(fault_proxy.url))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.query_one(StatusHeader).clock_skew is not None)
        await pilot.pause()
        header = screen_text(app).splitlines()[0]
        assert "⚠ SERVER CLOCK 2m" in header and "ahead: ranges off" in header
        fault_proxy.date_offset = 0  # fixed: the warning goes
        await wait_until(pilot, lambda: app.query_one(StatusHeader).clock_skew is None)
        assert "SERVER CLOCK" not in screen_text(app)


async def test_at_80_columns_the_clock_warning_is_short_and_live_stays_on_screen(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy
) -> None:
    fault_proxy.date_offset = -300
    app = make_app(prometheus_data.config(fault_proxy.url))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.query_one(StatusHeader).clock_skew is not None)
        await pilot.pause()
        header = screen_text(app).splitlines()[0]
        assert "⚠ CLOCK -5m" in header, header
        assert "● LIVE" in header, header  # not pushed off by the warning
        assert re.search(r"● LIVE +\d\d:\d\d:\d\d $", header), header  # nor the clock


async def test_a_deeply_nested_answer_is_the_same_one_line_on_the_panel(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy
) -> None:
    fault_proxy.mode = "canned"
    fault_proxy.canned = Canned(200, b"[" * 100_000 + b"]" * 100_000, "application/json")
    app = make_app(prometheus_data.config(fault_proxy.url))
    async with app.run_test(size=SIZE) as pilot:
        panel = app.dashboard.panel(Signal.TRAFFIC)
        await wait_until(pilot, lambda: panel.error is not None)
        assert panel.error == (
            f"{fault_proxy.url} answered with JSON nested too deeply to read (195 KiB); not a "
            "Prometheus answer: check prometheus.url and any proxy in between"
        )
        assert "nested too deeply" in screen_text(app)


async def test_a_query_timeout_says_what_helps_and_minus_applies_it(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy
) -> None:
    fault_proxy.rewrite = lambda path: path.replace("timeout=5s", "timeout=0.000001")
    app = make_app(prometheus_data.config(fault_proxy.url))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.dashboard.panel(Signal.LATENCY)
        await wait_until(pilot, lambda: panel.error is not None)
        assert "a shorter range (press -) or a coarser step helps" in panel.error
        assert "timed out evaluating" in screen_text(app)
        before = app.view.state.range_seconds
        await pilot.press("-")
        assert app.view.state.range_seconds < before
        fault_proxy.rewrite = None  # the shorter range gets its answer
        await wait_until(
            pilot,
            lambda: (
                panel.result is not None
                and panel.result.window.end - panel.result.window.start < before
            ),
        )
        assert panel.error is None


#: The latency panel's query and no other (the queue panel's is a histogram_quantile too).
LATENCY_QUERY = r"histogram_quantile\(.*http_request_duration_seconds"


async def test_one_hung_panel_times_out_while_the_others_keep_refreshing(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy
) -> None:
    fault_proxy.hang_queries(LATENCY_QUERY)
    app = make_app(prometheus_data.config(fault_proxy.url, timeout=1.0))
    async with app.run_test(size=SIZE) as pilot:
        latency = app.dashboard.panel(Signal.LATENCY)
        others = [app.dashboard.panel(s) for s in Signal if s is not Signal.LATENCY]

        def fetched() -> list[float]:
            return [p.result.fetched_at if p.result is not None else 0.0 for p in others]

        await wait_until(pilot, lambda: latency.error is not None and all(fetched()), timeout=20)
        assert latency.error is not None and latency.error.endswith("no answer within 1s")
        assert latency.result is None
        await wait_until(pilot, lambda: "no answer within 1s" in panel_text(app, latency))
        # Keys work while the query hangs: help opens and closes.
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: "Key bindings" in screen_text(app))
        await pilot.press("escape")
        await wait_until(pilot, lambda: "Key bindings" not in screen_text(app))
        # Every other panel is answered again, twice, while latency's queries still hang.
        for _ in range(2):
            before = fetched()

            def all_newer(before: list[float] = before) -> bool:
                return all(now > then for now, then in zip(fetched(), before, strict=True))

            await wait_until(pilot, all_newer, timeout=20)
        assert all(p.error is None for p in others)
        assert latency.result is None and "no answer within 1s" in (latency.error or "")
        assert fault_proxy.hung >= 1
        assert "no answer within 1s" in panel_text(app, latency)
        for panel in others:
            assert "updated just now" in panel_text(app, panel), panel_text(app, panel)


def fifty_thousand_services(path: str, body: bytes) -> bytes:
    """The traffic panel's real answer, its last two points given to 50,000 services."""
    query = urllib.parse.unquote_plus(path)
    if "query_range" not in path or "query=sum by (job) (rate(http_requests_total" not in query:
        return body
    answer = json.loads(body)
    points = answer["data"]["result"][0]["values"][-2:]
    answer["data"]["result"] = [
        {"metric": {"job": f"svc-{n}"}, "values": [[t, str(n)] for t, _ in points]}
        for n in range(50_000)
    ]
    return json.dumps(answer).encode()


async def test_fifty_thousand_series_are_capped_said_and_keys_still_work(
    prometheus_data: PrometheusData, fault_proxy: FaultProxy
) -> None:
    fault_proxy.edit = fifty_thousand_services
    app = make_app(prometheus_data.config(fault_proxy.url, timeout=30.0))
    async with app.run_test(size=SIZE) as pilot:
        traffic = app.dashboard.panel(Signal.TRAFFIC)
        await wait_until(pilot, lambda: traffic.result is not None, timeout=60)
        assert traffic.result is not None
        assert traffic.result.series_total == 50_000 and len(traffic.result.series) == 20
        # The top 20 by value now: svc-49999 (49,999/s) down to svc-49980.
        assert {s.service for s in traffic.result.series} == {
            f"svc-{n}" for n in range(49_980, 50_000)
        }
        await wait_until(
            pilot, lambda: "showing 20 of 50,000 series" in panel_text(app, traffic), timeout=20
        )
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: "Key bindings" in screen_text(app), timeout=20)
        await pilot.press("escape")
        await wait_until(pilot, lambda: "Key bindings" not in screen_text(app), timeout=20)
