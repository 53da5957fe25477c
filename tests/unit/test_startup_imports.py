"""The demo and a metrics-only start do not import the SSH and Prometheus client stacks.

asyncssh (with its cryptography) and prometheus_api_client (with requests) are about a
third of a second of start-up on a bastion-sized machine; the demo uses neither, so its
first frame should not wait for them. Run in a fresh interpreter: this test process has
imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

HEAVY = ("asyncssh", "cryptography", "prometheus_api_client", "requests")

# Runs the demo app for a moment in Textual's headless mode, then prints which of HEAVY
# it imported.
_DEMO = """
import asyncio, json, sys
from pulse_tui.config import Config
from pulse_tui.ui.app import build_app

async def main():
    app = build_app(Config(demo=True))
    async with app.run_test(size=(160, 48)) as pilot:
        for _ in range(40):
            await pilot.pause(0.05)
            if len(app.dashboard.log_panel.store):
                break
        lines = len(app.dashboard.log_panel.store)
    print(json.dumps({"lines": lines, "imported": [m for m in HEAVY if m in sys.modules]}))

HEAVY = json.loads(sys.argv[1])
asyncio.run(main())
"""


def _run(code: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_demo_shows_lines_without_importing_the_ssh_or_prometheus_clients() -> None:
    seen = _run(_DEMO)
    assert seen["lines"], "the demo showed no log lines: the check below would prove nothing"
    assert seen["imported"] == []


def test_the_cli_and_the_app_module_import_neither_client() -> None:
    code = (
        "import json, sys; import pulse_tui.cli.main; import pulse_tui.ui.app; "
        "print(json.dumps({'imported': [m for m in json.loads(sys.argv[1]) if m in sys.modules]}))"
    )
    assert _run(code)["imported"] == []
