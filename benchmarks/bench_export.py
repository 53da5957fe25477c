"""What `E` (export) costs the event loop, for the demo dashboard at 160×48 and 80×24.

On the loop: taking the screen's segments (`screen_segments`), against Textual's
`export_screenshot`, which would make the whole SVG there. In the export's thread:
the SVG text (`render_svg`) and the files (`write_export`).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from run import figure

from pulse_tui.sources.demo import DemoMetricsSource, demo_log_sources
from pulse_tui.ui.app import PulseApp, demo_config
from pulse_tui.ui.export import ExportFiles, render_svg, screen_segments, write_export

SAMPLES = 15


def _median_ms(call: Callable[[], object], samples: int = SAMPLES) -> float:
    call()
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def _measure(size: tuple[int, int]) -> dict[str, float]:
    config = demo_config()
    app = PulseApp(config, DemoMetricsSource(config), demo_log_sources(live=False))
    async with app.run_test(size=size) as pilot:
        deadline = time.monotonic() + 20
        while len(app.metrics.results) < 5 and time.monotonic() < deadline:
            await pilot.pause(0.1)
        await pilot.pause(0.5)
        on_loop_ms = _median_ms(lambda: screen_segments(app))
        textual_ms = _median_ms(app.export_screenshot)
        segments = screen_segments(app)
        svg_ms = _median_ms(lambda: render_svg(segments, size[0], size[1], "pulse-tui"))
        svg = render_svg(segments, size[0], size[1], "pulse-tui")
        files = ExportFiles(screen_svg=svg, command="pulse-tui --demo", summary="[]")
        with tempfile.TemporaryDirectory() as base:
            write_ms = _median_ms(lambda: write_export(Path(base), time.time(), files))
    return {
        "on_loop": on_loop_ms,
        "textual": textual_ms,
        "svg": svg_ms,
        "write": write_ms,
        "bytes": len(svg),
    }


def run() -> Iterator[dict[str, object]]:
    for width, height in [(160, 48), (80, 24)]:
        got = asyncio.run(_measure((width, height)))
        size = f"{width}x{height}"
        yield figure(
            f"export_on_loop_{size}",
            got["on_loop"],
            "ms",
            reference="App.export_screenshot (the whole SVG on the loop)",
            ratio=got["on_loop"] / got["textual"],
        )
        yield figure(f"export_svg_in_thread_{size}", got["svg"], "ms")
        yield figure(f"export_files_write_in_thread_{size}", got["write"], "ms")
        yield figure(f"export_svg_size_{size}", got["bytes"] / 1024, "KiB")


if __name__ == "__main__":
    import json

    for fig in run():
        print(json.dumps(fig))
