"""Loading one rotated file's part of a file's history on connect (`rotated.Segment`),
read once on a channel of its own before the current file is tailed."""

from __future__ import annotations

from collections.abc import Callable

import asyncssh

from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.logs.line import LogLine
from pulse_tui.model.logs.parse import timestamp_and_level
from pulse_tui.sources.base import LogSink
from pulse_tui.sources.ssh.connect import StreamChannel
from pulse_tui.sources.ssh.history import cut_notice_text
from pulse_tui.sources.ssh.line_reader import LineReader
from pulse_tui.sources.ssh.remote_commands import read_once_command
from pulse_tui.sources.ssh.rotated import DropBefore, Segment

#: Makes a NOTICE line: (text, source, at).
Notice = Callable[[str, str, float | None], LogLine]
#: Hands a segment's lines (texts) to the sink, as lines of `source`.
Deliver = Callable[[str, list[str]], None]


async def load_segment(
    conn: asyncssh.SSHClientConnection,
    segment: Segment,
    reader: LineReader,
    sink: LogSink,
    *,
    notice: Notice,
    deliver: Deliver,
    history_bytes: int,
) -> None:
    """Delivers one rotated file's part of a history, under its own name."""
    command = read_once_command(segment.path, segment.offset, segment.compressed)
    chan, session = await conn.create_session(StreamChannel, command, encoding=None)
    assert isinstance(session, StreamChannel)
    source = sanitize(segment.path)
    keep = DropBefore(segment.since) if segment.since is not None else None
    skip_partial, say_cut, said = not segment.aligned, segment.cut, False
    stderr = LineReader(4096)
    while (item := await session.get()) is not None:
        kind, data = item
        if kind == 1:  # a corrupt .gz: gzip says why (after a blank line)
            texts = [t for t in stderr.feed(data) if t.strip()]
            said = said or bool(texts)
            sink.on_lines([notice(t, source, None) for t in texts])
            continue
        if skip_partial:
            newline = data.find(b"\n")
            if newline < 0:
                continue
            data, skip_partial = data[newline + 1 :], False
        texts = reader.feed(data)
        if keep is not None:
            texts = keep.feed(texts)
        if texts and say_cut:
            first = timestamp_and_level(texts[0])[0]
            text = cut_notice_text(segment.path, first, history_bytes)
            sink.on_lines([notice(text, source, first)])
            say_cut = False
        deliver(source, texts)
    rest = reader.flush()
    deliver(source, keep.feed(rest) if keep is not None else rest)
    rest_err = [t for t in stderr.flush() if t.strip()]
    sink.on_lines([notice(t, source, None) for t in rest_err])
    if session.exit_status not in (None, 0) and not said and not conn.is_closed():
        sink.on_lines([notice(f"exited with status {session.exit_status}", source, None)])
    chan.close()
