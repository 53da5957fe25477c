"""The ring buffer keeps the newest lines within both bounds."""

from __future__ import annotations

from pulse_tui.model.logs.batch import LineBatch
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.line import Level, LineKind, LogLine


def line(i: int, host: str = "h", ts: float | None = None, received: float = 0.0) -> LogLine:
    return LogLine(received, float(i) if ts is None else ts, host, "/f", "svc", Level.INFO, f"l{i}")


def batch(start: int, count: int, host: str = "h") -> LineBatch:
    return LineBatch(
        [f"b{i}" for i in range(start, start + count)],
        [float(i) for i in range(start, start + count)],
        [Level.WARN] * count,
        1.5,
        host,
        "/var/log/x",
        "api",
    )


def test_lines_bound_drops_oldest_and_keeps_sequence_numbers() -> None:
    buf = LogBuffer(max_lines=5000, max_bytes=10**9)
    buf.append_many([line(i) for i in range(3000)])
    buf.append_many(batch(3000, 9000))
    assert len(buf) == 5000
    assert buf.dropped == 7000 and buf.first_index == 7000
    assert buf[0].text == "b7000" and buf[-1].text == "b11999"
    got = buf[0]
    assert (got.host, got.source, got.service, got.level, got.received) == (
        "h",
        "/var/log/x",
        "api",
        Level.WARN,
        1.5,
    )
    assert buf.get_absolute(7001).text == "b7001"  # type: ignore[union-attr]
    assert buf.get_absolute(10) is None


def test_bytes_bound() -> None:
    buf = LogBuffer(max_lines=10**6, max_bytes=1000)
    buf.append_many([LogLine(0, 0, "h", "s", "v", Level.INFO, "x" * 100) for _ in range(25)])
    assert buf.total_bytes <= 1000 and len(buf) == 10 and buf.dropped == 15
    buf.append_many(batch(0, 20000))
    assert buf.total_bytes <= 1000


def test_kinds_and_explicit_fields_survive() -> None:
    buf = LogBuffer(100, 10**6)
    gap = LogLine(1, 1, "h", "", "", Level.UNKNOWN, "gap", LineKind.GAP, None)
    journal = LogLine(1, 1, "h", "journal", "", Level.ERROR, "m", fields={"_PID": "1"})
    buf.append_many([gap, journal])
    assert buf[0].kind is LineKind.GAP
    assert buf[1].fields == {"_PID": "1"} and buf[1].level is Level.ERROR


def test_slicing_a_batch_keeps_it_a_batch() -> None:
    part = batch(0, 10)[2:5]
    assert isinstance(part, LineBatch) and [x.text for x in part] == ["b2", "b3", "b4"]
    buf = LogBuffer(100, 10**6)
    buf.append_many(part)
    assert buf[0].service == "api" and len(buf) == 3
