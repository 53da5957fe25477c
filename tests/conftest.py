"""Root fixtures: the real-server fixtures live in tests/support and register here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulse_tui.model.core import clock
from pulse_tui.model.core.redact import SECRETS

pytest_plugins = [
    "support.prometheus_fixtures",
    "support.sshd_fixtures",
]


@pytest.fixture(autouse=True)
def _unfreeze_clock() -> Iterator[None]:
    """Tests that freeze the app's clock (tests/ui/harness.py) never leak it to others."""
    yield
    clock.freeze(None)


@pytest.fixture(autouse=True)
def _forget_secrets() -> Iterator[None]:
    """Secrets one test registers never mask text in another."""
    yield
    SECRETS.clear()
