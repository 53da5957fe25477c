"""`python -m pulse_tui` and the `pulse-tui` script: one entry point, `run`."""

import gc
import sys


def run() -> int:
    """The command line, with the cyclic collector off until the dashboard's first frame.

    Nothing the imports and the first frame make is garbage, yet the collector would walk
    it dozens of times on the way (about 30 ms of a half-second start). `PulseApp` turns it
    back on once the first frame is drawn, and every other command as it starts.
    """
    gc.disable()
    from pulse_tui.cli import main

    return main()


if __name__ == "__main__":
    sys.exit(run())
