"""What the Prometheus caps cost and save (issue 15, row 9), over a local HTTP server
that answers every query with one canned body, through the real PrometheusSource
(prometheus-api-client, the response hook, parse, top-N).

Figures:
* prom_50k_series_query_s: one traffic panel's query answered with 50,000 series of
  20 points (about 26 MB of JSON, under the default 32 MiB cap): seconds until the
  SignalResult is there, the top 20 kept (best of 3). JSON parsing, series and top-N all
  run in the call's thread, off the event loop. Reference: none (before the cap, every
  series went to the chart: 3-19 s per key press).
* prom_50k_series_peak_mib: tracemalloc's peak during that query; reference: the body
  size (ratio < ~10: the parsed JSON dominates, nothing is held per series afterwards).
* prom_100mib_body_peak_mib: a 100 MiB answer against the default cap of 32 MiB; the
  peak of traced memory until the error; reference: the body size (ratio well under
  1: it is never held whole, at most the cap and a chunk). Before: the whole body, 589 MB peak RSS.
"""

from __future__ import annotations

import asyncio
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from run import figure

from pulse_tui.config import Config, PrometheusConfig
from pulse_tui.model.metrics.signals import QueryWindow, Signal
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.prometheus.source import PrometheusSource

MiB = 1 << 20


def _matrix(series: int, points: int) -> bytes:
    start = 1_700_000_000

    def values(n: int) -> str:
        # Each series its own level, so the top 20 by value is a real choice.
        return ",".join(f'[{start + 15 * i},"{(n % 97) + i % 7}"]' for i in range(points))

    items = ",".join(
        f'{{"metric":{{"job":"svc-{n}"}},"values":[{values(n)}]}}' for n in range(series)
    )
    return f'{{"status":"success","data":{{"resultType":"matrix","result":[{items}]}}}}'.encode()


def _serve(chunks: Callable[[], Iterable[bytes]]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for chunk in chunks():
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass  # the client stopped reading: what the cap is for

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


async def _query(url: str, traced: bool) -> tuple[float, float, str]:
    """Seconds, peak MiB (if `traced`: tracemalloc slows the run, so time untraced runs)
    and what came back."""
    source = PrometheusSource(Config(prometheus=PrometheusConfig(url=url, timeout=60.0)))
    window = QueryWindow(start=1_700_000_000, end=1_700_000_300, step=15, rate_window=60)
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        result = await source.query_signal(Signal.TRAFFIC, window)
        outcome = f"{len(result.series)} of {result.series_total}"
    except SourceError as exc:
        outcome = str(exc)
    took = time.perf_counter() - started
    peak = 0
    if traced:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    await source.close()
    return took, peak / MiB, outcome


def _pieces(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for index in range(0, len(body), size):
        yield body[index : index + size]


def _huge(total: int) -> Iterator[bytes]:
    yield b'{"status":"success","data":{"resultType":"matrix","result":['
    item = b'{"metric":{"job":"svc"},"values":[[1700000000,"1"]]},' * 1000
    for _ in range(total // len(item)):
        yield item
    yield b'{"metric":{},"values":[]}]}}'


def run() -> Iterator[dict[str, object]]:
    body = _matrix(50_000, 20)
    server, url = _serve(lambda: _pieces(body))
    try:
        took = min(asyncio.run(_query(url, traced=False))[0] for _ in range(3))
        _, peak, outcome = asyncio.run(_query(url, traced=True))
    finally:
        server.shutdown()
    assert outcome == "20 of 50000", outcome
    yield figure("prom_50k_series_query_s", took, "s")
    yield figure("prom_50k_series_peak_mib", peak, "MiB", "body MiB", peak / (len(body) / MiB))

    total = 100 * MiB
    server, url = _serve(lambda: _huge(total))
    try:
        _, peak, outcome = asyncio.run(_query(url, traced=True))
    finally:
        server.shutdown()
    assert "prometheus.max_body_bytes" in outcome, outcome
    yield figure("prom_100mib_body_peak_mib", peak, "MiB", "body MiB", peak / (total / MiB))
