"""Regenerate the README's screenshots from the demo: `make screenshots`.

Time is frozen (see tests/ui/harness.py) so the pictures only change when the UI does.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from ui.harness import frozen_demo_app, settled  # noqa: E402

SHOTS = {
    "dashboard-160x48.svg": ((160, 48), ()),
    "dashboard-80x24.svg": ((80, 24), ()),
    "service-focus-160x48.svg": ((160, 48), ("6", "down", "enter")),
    "help-100x40.svg": ((100, 40), ("question_mark",)),
    # The log pane maximised, searching: matches highlighted, counted, n/N to move.
    "logs-search-160x48.svg": (
        (160, 48),
        ("7", "z", "slash", *"timeout", "enter", "g", "n"),
    ),
}


async def shoot(name: str, size: tuple[int, int], keys: tuple[str, ...]) -> None:
    app = frozen_demo_app()
    async with app.run_test(size=size) as pilot:
        await settled(pilot)  # as the snapshot tests wait
        if keys:
            await pilot.press(*keys)
        await pilot.pause(0.6)
        app.save_screenshot(filename=name, path=str(HERE))
    print(f"wrote screenshots/{name}")


async def main() -> None:
    for name, (size, keys) in SHOTS.items():
        await shoot(name, size, keys)


if __name__ == "__main__":
    asyncio.run(main())
