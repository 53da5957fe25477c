"""UI tests run the real app (demo sources) in Textual's headless driver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulse_tui import clock


@pytest.fixture(autouse=True)
def _unfreeze_clock() -> Iterator[None]:
    yield
    clock.freeze(None)
