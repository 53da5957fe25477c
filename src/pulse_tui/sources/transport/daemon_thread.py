"""Blocking calls off the event loop in daemon threads, so that quitting never waits.

`asyncio.to_thread` runs calls in the loop's default `ThreadPoolExecutor`, whose workers
the interpreter joins at exit (`concurrent.futures.thread._python_exit`, and
`asyncio.run` waits for them too): one query hung on a silent server held the quit for
its whole timeout. A daemon thread is not waited for: cancelling the awaiting task
abandons the call, and the process exits while the thread is still blocked in a read.
The thread's result, if it ever comes, is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

__all__ = ["in_daemon_thread"]


async def in_daemon_thread(fn: Callable[[], T], name: str = "pulse-blocking") -> T:
    """`fn()` in a new daemon thread; its result or exception, raised here."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(outcome: tuple[bool, object]) -> None:
        if future.done():  # cancelled: nobody waits for it any more
            return
        ok, value = outcome
        if ok:
            future.set_result(value)  # type: ignore[arg-type]
        else:
            assert isinstance(value, BaseException)
            future.set_exception(value)

    def run() -> None:
        try:
            outcome: tuple[bool, object] = (True, fn())
        except BaseException as exc:  # handed to the awaiting task, which raises it
            outcome = (False, exc)
        # RuntimeError: the loop is closed, we are quitting and nobody waits.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, outcome)

    threading.Thread(target=run, name=name, daemon=True).start()
    return await future
