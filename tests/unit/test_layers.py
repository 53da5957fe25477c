"""The layers hold at run time too: model, sources and config load without Textual or Rich.

`make lint` checks the import graph statically (import-linter, see pyproject.toml); this
checks what a real import pulls into `sys.modules`, lazy imports included.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE_PACKAGES = [
    "pulse_tui.model.core.sanitize, pulse_tui.model.logs.buffer, pulse_tui.model.logs.parse",
    "pulse_tui.model.search.query, pulse_tui.model.metrics.promql",
    "pulse_tui.model.alerting.rules, pulse_tui.model.alerting.error_groups",
    "pulse_tui.config",
    "pulse_tui.sources.factory, pulse_tui.sources.ssh.tail, pulse_tui.sources.prometheus.source",
    "pulse_tui.sources.transport.errors, pulse_tui.sources.transport.tls",
    "pulse_tui.cli.summary, pulse_tui.cli.check",
]


@pytest.mark.parametrize("modules", PURE_PACKAGES)
def test_core_layers_load_without_textual_or_rich(modules: str) -> None:
    code = (
        f"import sys, {modules}\n"
        "ui = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "sys.exit(', '.join(ui) or None)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, f"importing {modules} loaded {done.stderr.strip()}"


def test_model_never_loads_sources_or_config() -> None:
    code = (
        "import sys, pkgutil, importlib, pulse_tui.model as model\n"
        "for info in pkgutil.walk_packages(model.__path__, 'pulse_tui.model.'):\n"
        "    importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('pulse_tui.sources', "
        "'pulse_tui.config', 'pulse_tui.ui', 'pulse_tui.cli')))\n"
        "sys.exit(', '.join(bad) or None)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, f"the model loaded {done.stderr.strip()}"
