"""`python -m pulse_tui` runs the same entry point as the `pulse-tui` script."""

import sys

from pulse_tui.cli import main

sys.exit(main())
