"""How a feed starts its background jobs on the app (Textual's `@work` needs a DOMNode)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from textual.app import App
from textual.worker import Worker


def start_worker(
    app: App[Any],
    work: Callable[[], Coroutine[Any, Any, None]],
    *,
    name: str,
    group: str,
    exclusive: bool = False,
) -> Worker[None]:
    """Run `work()` as an app worker, as `@work(exit_on_error=False)` would.

    A callable rather than a coroutine: a worker cancelled before it starts (`exclusive`)
    then leaves no coroutine behind that was never awaited. A failure is the feed's to
    show (a panel's error line), never a reason to end the app.
    """
    # A description of our own: Textual's default is `repr(work)`, which for a partial
    # holding the panels' results formats every point of every series, every refresh.
    return app.run_worker(
        work, name=name, group=group, description=name, exclusive=exclusive, exit_on_error=False
    )
