"""A log row shows the line's text exactly once, whole (inline) or from its cut (columns),
whatever its shape: the spans it colours never drop or repeat a character."""

from __future__ import annotations

import pytest

from pulse_tui.model.logs.line import Level, LogLine
from pulse_tui.model.logs.parse import timestamp_and_level
from pulse_tui.model.logs.parse.spans import level_span, stamp_span
from pulse_tui.ui.widgets.logs.log_row import row_pieces

TEXTS = [
    "2026-12-02T03:29:06.057Z INFO  worker: job done",
    "[2026-12-02 03:29:06,123] [error] boom",
    "Jan  2 15:04:05 host sshd[1]: WARN x",
    "E0102 15:04:05.123456 1 main.go:12] disk full",
    "E0102 15:04:05.123456 [main] disk full",
    '1.2.3.4 - - [02/Jan/2024:15:04:05 +0000] "GET / HTTP/1.1" 500 12',
    "ts=2024-01-02T15:04:05Z level=warn msg=hi",
    '{"level":"error","ts":"2024-01-02T15:04:05Z","msg":"x"}',
    '{"time":1700000000,"level":30,"msg":"pino"}',
    "INFO 2024-01-02T15:04:05Z level first",
    "\\x1b[31m escaped [bold]not markup[/] \\u202e",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("columns", [False, True])
def test_the_text_is_shown_once_and_whole(text: str, columns: bool) -> None:
    ts, level = timestamp_and_level(text)
    line = LogLine(1.0, ts or 1.0, "web-1", "/x", "api", level, text)
    row = row_pieces(line, 8, columns=columns, day=(2026, 12, 2))
    shown = "".join(piece for piece, _ in row.pieces)
    assert shown[row.text_start :] == text[row.cut :]
    assert columns or row.cut == 0
    stamp = stamp_span(text)
    if columns and stamp is not None and stamp[0] <= 1:
        assert row.cut >= stamp[1]  # a leading time is in its column, never shown again


def test_spans_point_at_the_time_and_level_the_parser_read() -> None:
    text = "E0102 15:04:05.123456 1 main.go:12] disk full"
    assert stamp_span(text) == (0, 21) and level_span(text, Level.ERROR) == (0, 1)
    assert level_span(text, Level.INFO) is None  # not what the parser decided: no colour
    text = "[2026-12-02 03:29:06,123] [error] boom"
    start, end = stamp_span(text) or (0, 0)
    assert text[start:end] == "2026-12-02 03:29:06,123"
    start, end = level_span(text, Level.ERROR) or (0, 0)
    assert text[start:end] == "error"
