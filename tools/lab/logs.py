"""The lab's log files: an hour of history per file, rotated predecessors, live lines.

Each file has a `LineMaker`: a seeded stream of timed events at a mean rate (a Poisson
process), each written as one line with an ISO time and a level, now and then a stack
trace under it. Checkout's files start writing `payment gateway timeout after <n>ms
order=<id>` errors at the incident's start. The history is the same stream from an hour
(two for app.log, whose older hour goes to `app.log.1` and `app.log.2.gz`) before the
lab's start; `LiveWriter` goes on appending it as the clock passes.
"""

from __future__ import annotations

import gzip
import os
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

#: How often the live writer appends what the clock has passed.
LIVE_EVERY = 0.25
#: The error the incident writes in checkout's logs (what a user searches for).
TIMEOUT_TEXT = "payment gateway timeout after"


def stamp(t: float) -> str:
    """`t` as the files write it: ISO 8601, milliseconds, UTC."""
    moment = datetime.fromtimestamp(t, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _python_trace(
    rnd: random.Random, frames: Sequence[tuple[str, int, str, str]], last: str
) -> list[str]:
    lines = ["Traceback (most recent call last):"]
    for path, line, func, code in frames:
        lines += [f'  File "{path}", line {line + rnd.randrange(3)}, in {func}', f"    {code}"]
    return [*lines, last]


@dataclass(frozen=True)
class FileSpec:
    """One tailed file: where it is, what writes it and how fast."""

    path: Path
    #: "api", "worker" or "checkout": which kind of lines it holds.
    kind: str
    #: Mean lines per second (events; a stack trace adds its lines to its event).
    rate: float
    #: When the incident starts (checkout files write timeouts from then on).
    incident_start: float
    seed: int


class LineMaker:
    """The lines of one file, in time order, from `start` on."""

    def __init__(self, spec: FileSpec, start: float) -> None:
        self.spec = spec
        self._random = random.Random(spec.seed)
        #: The time of the first timeout line made, once there is one.
        self.first_timeout: float | None = None
        self._next = start + self._random.expovariate(spec.rate)

    def until(self, end: float) -> list[str]:
        """Every line whose time is before `end` not yet made."""
        out: list[str] = []
        while self._next < end:
            out += self._event(self._next)
            self._next += self._random.expovariate(self.spec.rate)
        return out

    def _event(self, t: float) -> list[str]:
        make: Callable[[float], list[str]] = {
            "api": self._api,
            "worker": self._worker,
            "checkout": self._checkout,
        }[self.spec.kind]
        return make(t)

    def _head(self, t: float, level: str, logger: str, message: str) -> str:
        return f"{stamp(t)} {level:<5} [{logger}] {message}"

    def _api(self, t: float) -> list[str]:
        rnd = self._random
        roll = rnd.random()
        rid = f"{rnd.getrandbits(32):08x}"
        if roll < 0.002:
            trace = _python_trace(
                rnd,
                [
                    ("/srv/api/app/handlers.py", 88, "get_order", "order = repo.load(order_id)"),
                    ("/srv/api/app/repo.py", 41, "load", "raise KeyError(order_id)"),
                ],
                f"KeyError: 'ord-{rnd.randrange(10**6):06d}'",
            )
            message = f"unhandled exception in GET /api/v1/orders request_id={rid}"
            return [self._head(t, "ERROR", "api.http", message), *trace]
        if roll < 0.007:
            message = f"upstream inventory answered 503 request_id={rid}"
            return [self._head(t, "ERROR", "api.http", message)]
        if roll < 0.02:
            message = f"slow query on orders took {rnd.randrange(300, 900)}ms"
            return [self._head(t, "WARN", "api.db", message)]
        path = rnd.choice(("/api/v1/items", "/api/v1/orders", "/api/v1/users/me", "/healthz"))
        method = "POST" if path == "/api/v1/orders" and rnd.random() < 0.3 else "GET"
        status = 404 if rnd.random() < 0.02 else 200
        took = int(rnd.lognormvariate(3.2, 0.6))
        message = f"{method} {path} status={status} duration={took}ms request_id={rid}"
        return [self._head(t, "INFO", "api.http", message)]

    def _worker(self, t: float) -> list[str]:
        rnd = self._random
        roll = rnd.random()
        queue = "emails" if rnd.random() < 0.7 else "payments"
        job = rnd.randrange(10**7)
        if roll < 0.002:
            trace = _python_trace(
                rnd,
                [
                    ("/srv/worker/run.py", 57, "handle", "send(message)"),
                    ("/srv/worker/smtp.py", 120, "send", "conn.sendmail(sender, to, body)"),
                ],
                "smtplib.SMTPServerDisconnected: Connection unexpectedly closed",
            )
            message = f"job failed queue={queue} id={job}"
            return [self._head(t, "ERROR", "worker", message), *trace]
        if roll < 0.02:
            message = f"retrying job queue={queue} id={job} attempt={rnd.randrange(2, 5)}"
            return [self._head(t, "WARN", "worker", message)]
        if roll < 0.1:
            message = f"heartbeat pending={rnd.randrange(0, 40)} workers=8"
            return [self._head(t, "DEBUG", "worker", message)]
        took = rnd.lognormvariate(-1.2, 0.7)
        message = f"job done queue={queue} id={job} duration={took:.3f}s"
        return [self._head(t, "INFO", "worker", message)]

    def _checkout(self, t: float) -> list[str]:
        rnd = self._random
        roll = rnd.random()
        order = f"ord-{rnd.randrange(10**6):06d}"
        incident = t >= self.spec.incident_start
        # A roll of its own: the file's other errors and warnings go on during the incident.
        if incident and rnd.random() < 0.17:
            if self.first_timeout is None:
                self.first_timeout = t
            took = rnd.choice((2500, 2500, 2500, 5000))
            message = f"{TIMEOUT_TEXT} {took}ms order={order}"
            lines = [self._head(t, "ERROR", "checkout.payments", message)]
            if rnd.random() < 0.02:
                lines += _python_trace(
                    rnd,
                    [
                        ("/srv/checkout/pay.py", 212, "charge", "resp = gateway.post(body)"),
                        ("/srv/checkout/gateway.py", 77, "post", "raise GatewayTimeout(ms)"),
                    ],
                    f"checkout.gateway.GatewayTimeout: no answer in {took}ms",
                )
            return lines
        if roll < 0.004:
            message = f"card declined by issuer order={order}"
            return [self._head(t, "ERROR", "checkout.payments", message)]
        if roll < 0.03:
            message = f"cart validation slow order={order} took={rnd.randrange(200, 600)}ms"
            return [self._head(t, "WARN", "checkout.cart", message)]
        took = int(rnd.lognormvariate(4.0 if not incident else 5.5, 0.5))
        message = f"POST /checkout status=200 duration={took}ms order={order}"
        return [self._head(t, "INFO", "checkout.http", message)]


def _write(path: Path, lines: list[str], last: float) -> None:
    text = "".join(line + "\n" for line in lines).encode()
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text, mtime=int(last)))
    else:
        path.write_bytes(text)
    # A rotated file's mtime is when it was last written, as logrotate leaves it.
    os.utime(path, (last, last))


def write_history(
    spec: FileSpec, start: float, end: float, rotated: Sequence[tuple[Path, float]] = ()
) -> LineMaker:
    """Write `spec`'s lines from `start` to `end`: first into each rotated file up to its
    end time (oldest first), the rest into the file itself; the maker goes on from `end`."""
    maker = LineMaker(spec, start)
    for path, until in rotated:
        _write(path, maker.until(until), until)
    _write(spec.path, maker.until(end), end)
    return maker


class LiveWriter:
    """Appends each maker's lines to its file as the clock passes them, from a thread."""

    def __init__(self, makers: Sequence[LineMaker]) -> None:
        self._makers = tuple(makers)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lab-logs", daemon=True)

    def start(self) -> LiveWriter:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        files = [maker.spec.path.open("a", encoding="utf-8") for maker in self._makers]
        try:
            while not self._stop.wait(LIVE_EVERY):
                now = time.time()
                for maker, out in zip(self._makers, files, strict=True):
                    lines = maker.until(now)
                    if lines:
                        out.write("".join(line + "\n" for line in lines))
                        out.flush()
        finally:
            for out in files:
                out.close()
