"""The header at 80 columns: LIVE/PAUSED and the clock stay on screen; what tells least
gives way first (the URL's scheme, the app's name, the default's advice, the URL's path),
and a URL is cut only when nothing else is left. The real header in an app, on screen."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from textual.app import App, ComposeResult
from ui.harness import screen_text, wait_until

from pulse_tui.model.core import clock
from pulse_tui.model.core.view_state import ViewState
from pulse_tui.ui.widgets.status_header import StatusHeader, cut_host, short_url

NOW = 1767225600.0  # the clock frozen, so the header's time is known
CLOCK = r"\d\d:\d\d:\d\d"


class HeaderApp(App[None]):
    def __init__(self, backend: str, view: ViewState, **flags: bool) -> None:
        super().__init__()
        self.header = StatusHeader(backend, view, **flags)

    def compose(self) -> ComposeResult:
        yield self.header


async def header_line(backend: str, view: ViewState | None = None, **flags: bool) -> str:
    clock.freeze(NOW)
    app = HeaderApp(backend, view or ViewState(), **flags)
    async with app.run_test(size=(80, 3)) as pilot:
        await wait_until(pilot, lambda: bool(screen_text(app).strip()))
        return screen_text(app).splitlines()[0]


def test_short_url_drops_the_scheme_then_the_path_and_user() -> None:
    url = "https://***@prometheus.example.com:9090/prom/"
    assert short_url(url, drop_scheme=False, host=False) == url
    assert short_url(url, drop_scheme=True, host=False) == "***@prometheus.example.com:9090/prom"
    assert short_url(url, drop_scheme=True, host=True) == "prometheus.example.com:9090/…"
    assert short_url("http://h:9090/", drop_scheme=True, host=True) == "h:9090"
    assert short_url("logs only", drop_scheme=True, host=True) == "logs only"


def test_cut_host_keeps_the_port() -> None:
    assert cut_host("prometheus.example.com:9090/…", 20) == "prometheus.e…:9090/…"
    assert cut_host("prometheus.example.com:9090", 40) == "prometheus.example.com:9090"
    assert cut_host("prometheus.example.com", 12) == "prometheus.…"


@pytest.mark.parametrize(
    ("backend", "flags", "shown"),
    [
        # The scheme goes first; the rest fits.
        ("http://127.0.0.1:47145", {}, " pulse-tui 127.0.0.1:47145  │ last 1h"),
        # The default's hint keeps saying it is the default, without its advice.
        ("http://localhost:9090", {"defaulted": True}, " localhost:9090 (default)  │ last 1h"),
        # A long URL: its path and the user go, then the host's end, never its port.
        (
            "https://***@prometheus.monitoring.example.com:9090/api/prom",
            {},
            " prometheus.monitoring.exa…:9090/… │ last 1h",
        ),
    ],
)
async def test_at_80_columns_the_clock_and_live_stay_on_screen(
    backend: str, flags: dict[str, bool], shown: str
) -> None:
    line = await header_line(backend, **flags)
    assert line.startswith(shown), line
    assert re.search(f"│ ● LIVE +{CLOCK} $", line), line
    assert len(line) == 80


async def test_a_host_too_long_for_the_line_is_cut_visibly_and_the_clock_stays() -> None:
    backend = "https://prometheus-long-name.eu-west-1.monitoring.internal.example.com:9090"
    line = await header_line(backend, replace(ViewState(), paused=True))
    assert line.startswith(" prometheus-long-name.eu-…:9090 │"), line
    assert "…:9090 │ last 1h │ all services │ ❚❚ PAUSED " in line, line
    assert re.search(f"❚❚ PAUSED +{CLOCK} $", line), line


async def test_at_160_columns_nothing_is_shortened() -> None:
    clock.freeze(NOW)
    backend = "http://localhost:9090"
    app = HeaderApp(backend, ViewState(), defaulted=True)
    async with app.run_test(size=(160, 3)) as pilot:
        await wait_until(pilot, lambda: bool(screen_text(app).strip()))
        line = screen_text(app).splitlines()[0]
    assert line.startswith(" pulse-tui http://localhost:9090 (default; set --prometheus)  │"), line
    assert re.search(f"● LIVE +{CLOCK} $", line), line
