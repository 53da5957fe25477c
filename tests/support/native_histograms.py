"""An exporter of native histograms, and a real prometheus scraping it.

Prometheus 2.42 keeps native histograms only with `--enable-feature=native-histograms`
and only from a protobuf scrape (promtool cannot backfill them), so this serves the
protobuf exposition format: varint-length-delimited `io.prometheus.client.MetricFamily`
messages. The few fields needed are written by hand (field numbers from
prompb/io/prometheus/client/metrics.proto), so no protobuf dependency.

Every histogram holds all its observations in one bucket of schema 0 (bucket `i` is
(2^(i-1), 2^i]), growing at a steady rate: `histogram_quantile` over its rate then lands at
a known place inside that bucket (Prometheus 2.42 interpolates linearly within a bucket).
"""

from __future__ import annotations

import contextlib
import json
import struct
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from support.process import free_port
from support.prometheus_server import PrometheusProcess, run_prometheus

#: What a scrape gets back (the exposition format's own name for it).
PROTOBUF_TYPE = (
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
)
#: How long `native_prometheus` waits for the first rate to answer.
READY_TIMEOUT = 40.0
#: How far back a rate must answer before the server is handed out.
SETTLED = 10.0


# ----------------------------------------------------------------- protobuf encoding


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _zigzag(value: int) -> int:
    """sint32/sint64 encoding: small negative numbers stay short."""
    return (value << 1) ^ (value >> 63)


def _key(field: int, wire_type: int) -> bytes:
    return _varint(field << 3 | wire_type)


def _uint(field: int, value: int) -> bytes:
    return _key(field, 0) + _varint(value)


def _sint(field: int, value: int) -> bytes:
    return _key(field, 0) + _varint(_zigzag(value))


def _double(field: int, value: float) -> bytes:
    return _key(field, 1) + struct.pack("<d", value)


def _bytes(field: int, value: bytes) -> bytes:
    return _key(field, 2) + _varint(len(value)) + value


def _text(field: int, value: str) -> bytes:
    return _bytes(field, value.encode())


@dataclass(frozen=True)
class NativeHistogram:
    """One series: its labels, the bucket every observation falls in (schema 0) and how
    many observations a second it gets."""

    labels: dict[str, str]
    bucket: int
    per_second: float
    #: Where its observations sit inside the bucket (only the sum depends on it).
    value: float = 0.0

    @property
    def lower(self) -> float:
        return float(2.0 ** (self.bucket - 1))

    @property
    def upper(self) -> float:
        return float(2.0**self.bucket)

    def quantile(self, q: float) -> float:
        """What Prometheus 2.42's `histogram_quantile(q, ...)` answers for it: linear
        interpolation inside the one bucket holding every observation."""
        return self.lower + (self.upper - self.lower) * q

    metric_type = 4  # MetricType.HISTOGRAM

    def encode(self, elapsed: float) -> bytes:
        """The `Metric` message `elapsed` seconds after the exporter started."""
        count = 1 + int(elapsed * self.per_second)
        value = self.value or (self.lower + self.upper) / 2
        histogram = (
            _uint(1, count)  # sample_count
            + _double(2, count * value)  # sample_sum
            + _sint(5, 0)  # schema
            + _double(6, 2.0**-128)  # zero_threshold
            + _uint(7, 0)  # zero_count
            + _bytes(12, _sint(1, self.bucket) + _uint(2, 1))  # positive_span: offset, length
            + _sint(13, count)  # positive_delta: the first bucket's count
        )
        return _labels(self.labels) + _bytes(7, histogram)


@dataclass(frozen=True)
class Counter:
    """A counter growing by `per_second` (the panels' traffic and the service list)."""

    labels: dict[str, str]
    per_second: float

    metric_type = 0  # MetricType.COUNTER

    def encode(self, elapsed: float) -> bytes:
        return _labels(self.labels) + _bytes(3, _double(1, elapsed * self.per_second))


def _labels(labels: dict[str, str]) -> bytes:
    return b"".join(_bytes(1, _text(1, name) + _text(2, value)) for name, value in labels.items())


Exported = NativeHistogram | Counter


def family(name: str, series: list[Exported], elapsed: float) -> bytes:
    """A `MetricFamily` message, length-delimited as a scrape sends it."""
    message = (
        _text(1, name)
        + _text(2, f"{name}, served by tests/support/native_histograms.py")
        + _uint(3, series[0].metric_type)
        + b"".join(_bytes(4, item.encode(elapsed)) for item in series)
    )
    return _varint(len(message)) + message


# ----------------------------------------------------------------- the exporter


class NativeExporter:
    """Serves `families` (metric name -> its series) on 127.0.0.1, each series' count
    growing with the time since the exporter started."""

    def __init__(self, families: dict[str, list[Exported]]) -> None:
        self.families = families
        self.started = time.time()
        self.scrapes = 0
        self.port = free_port()
        exporter = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                body = exporter.body()
                exporter.scrapes += 1
                self.send_response(200)
                self.send_header("Content-Type", PROTOBUF_TYPE)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def body(self) -> bytes:
        elapsed = time.time() - self.started
        return b"".join(family(name, series, elapsed) for name, series in self.families.items())

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _answers(url: str, expr: str, at: float) -> bool:
    query = urllib.parse.urlencode({"query": expr, "time": f"{at:.3f}"})
    try:
        with urllib.request.urlopen(f"{url}/api/v1/query?{query}", timeout=5) as response:
            return bool(json.load(response)["data"]["result"])
    except OSError:
        return False


@contextlib.contextmanager
def native_prometheus(
    prometheus: str, families: dict[str, list[Exported]]
) -> Iterator[PrometheusProcess]:
    """A real prometheus with native histograms on, scraping `families` every second;
    yielded once every histogram's `histogram_count(rate(...))` answers `SETTLED` seconds
    back, so a chart whose end is floored to its step has data there too."""
    exporter = NativeExporter(families)
    scrape = (
        "  - job_name: native\n"
        "    honor_labels: true\n"  # the series' own `job` names their service
        f"    static_configs:\n      - targets: ['{exporter.address}']\n"
    )
    try:
        with (
            tempfile.TemporaryDirectory(prefix="pulse-native-") as tmp,
            run_prometheus(
                prometheus,
                Path(tmp),
                scrape,
                scrape_interval="1s",
                features=("native-histograms",),
            ) as server,
        ):
            deadline = time.monotonic() + READY_TIMEOUT
            histograms = [name for name, series in families.items() if series[0].metric_type == 4]
            for name in histograms:
                expr = f"histogram_count(rate({name}[1m]))"
                while not _answers(server.url, expr, time.time() - SETTLED):
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"prometheus never answered a rate of {name}")
                    time.sleep(0.5)
            yield server
    finally:
        exporter.close()
