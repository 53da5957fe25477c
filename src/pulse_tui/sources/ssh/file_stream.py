"""Where one followed file stands (`ssh.tail`): its reader, offsets, history and the
last line's time."""

from __future__ import annotations

from dataclasses import dataclass, field

from pulse_tui.sources.ssh.history import HistoryStart
from pulse_tui.sources.ssh.line_reader import LineReader
from pulse_tui.sources.ssh.rotated import Segment

#: Lines read this soon after the last ones may continue them (a stack trace's next read).
CONTINUATION_SECONDS = 1.0


@dataclass(slots=True)
class FileStream:
    """Where one followed file stands: bytes received and the inode they came from."""

    path: str
    service: str
    reader: LineReader
    offset: int | None = None
    inode: str | None = None
    #: `offset` may be mid-line (a history start that is not a line start): skip to the
    #: next newline before the first line.
    unaligned: bool = False
    #: How the history start was found, if it was searched for.
    history: HistoryStart | None = None
    #: The file's size when its history was searched: bytes before it are history
    #: (None: no history to wait for, or all of it arrived).
    history_end: int | None = None
    #: Rotated files to load before it, oldest first (until its first tail starts).
    segments: list[Segment] = field(default_factory=list)
    #: The time from which its stream delivers every line (its history's first line);
    #: None: not known (no history searched, or no timestamps).
    loaded_from: float | None = None
    #: The last line's timestamp, if the lines so far had one, and when it arrived
    #: (monotonic): a stack trace split across two reads keeps its head's time.
    last_stamp: float | None = None
    last_at: float = 0.0
