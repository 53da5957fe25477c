"""An incident lab for trying pulse-tui as a user does: real servers, true numbers.

    python tools/incident_lab.py [--root DIR] [--minutes-ago 20]

Starts a real prometheus whose TSDB holds two hours of backfilled history for api,
checkout, worker and a service whose name is Rich markup and an escape, scraping a live
exporter that continues every series; an incident on checkout (5xx 1% -> 20%, p99 0.3 s
-> 2.5 s) started --minutes-ago minutes ago and is still on. A real sshd serves two host
aliases: web-1 (app.log with app.log.1 and app.log.2.gz before it, worker.log) and web-2
(checkout-a.log, checkout-b.log, with payment gateway timeouts since the incident), an
hour of lines each and more as the lab runs. Writes ROOT/pulse.toml and ROOT/env.sh,
prints the true values every minute, runs until SIGINT/SIGTERM and then stops it all.
See "Trying it by hand" in README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The servers start as the integration tests start them (tests/support).
sys.path.insert(0, str(HERE.parent / "tests"))

from lab.run import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(repo=HERE.parent))
