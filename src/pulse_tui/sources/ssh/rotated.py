"""A file's rotated predecessors, for a range that starts before the file's first line.

logrotate's names are looked for: `app.log.1` (plain, as with `delaycompress`), then
`app.log.2.gz`, … (or `app.log.1.gz` without `delaycompress`), up to `MAX_ROTATED` back.
Walking back from `.1`, a predecessor whose first line is still in the range is loaded
whole and the walk goes on; the first one that starts before the range is loaded from the
range's start, and the walk stops. A plain file gets the same binary search as the
current one (`history.plan_history`). A compressed one cannot be read at an offset without
decompressing everything before it, so its decompressed content is streamed, and its
lines before the range are dropped as they arrive (`DropBefore`). `logs.history_bytes`
counts every file: when it runs out, the oldest file loaded starts that many bytes before
its end and says so.

The result is a list of `Segment`s, oldest first, each read once before the current file
is tailed (`remote_commands.read_once_command`).
"""

from __future__ import annotations

from dataclasses import dataclass

from pulse_tui.model.logs.parse import timestamp_and_level
from pulse_tui.sources.ssh.history import BLOCK, Outcome, first_stamp
from pulse_tui.sources.ssh.range_reader import RangeReader, search_file

#: How many rotations back are looked at.
MAX_ROTATED = 5


def rotated_names(path: str) -> list[tuple[str, bool]]:
    """Each name a predecessor of `path` may have, newest first, and if it is gzipped."""
    return [
        (f"{path}.{k}{ext}", bool(ext)) for k in range(1, MAX_ROTATED + 1) for ext in ("", ".gz")
    ]


async def first_existing(
    reader: RangeReader, names: list[tuple[str, bool]]
) -> tuple[str, bool, int] | None:
    """The first of `names` (one generation: `app.log.N`, then `app.log.N.gz`) that
    exists on the host, with whether it is compressed and its size; None: neither."""
    for name, compressed in names:
        state = await reader.stat(name)
        if state.inode is not None:
            return name, compressed, state.size
    return None


@dataclass(frozen=True, slots=True)
class Segment:
    """The part of one rotated file to load before the current file."""

    path: str
    compressed: bool
    #: Where to start (in the decompressed content, for a compressed file).
    offset: int
    #: `offset` is a line start; else skip to the next newline.
    aligned: bool = True
    #: Drop the lines before the last one at or before this time (a compressed file that
    #: holds the range's start); None: keep them all.
    since: float | None = None
    #: The history bound cut this file: say so before its first line.
    cut: bool = False


async def find_predecessors(
    reader: RangeReader, path: str, since: float, budget: int
) -> tuple[list[Segment], list[str]]:
    """The segments to load before `path` (oldest first), at most `budget` bytes, and
    what to tell the user about predecessors that could not be read."""
    segments: list[Segment] = []
    problems: list[str] = []
    names = rotated_names(path)
    for k in range(0, len(names), 2):
        if budget <= 0:
            break
        found = await first_existing(reader, names[k : k + 2])
        if found is None:
            break
        name, compressed, size = found
        if not compressed:
            searched = await search_file(reader, name, since, budget)
            if searched is None or searched[0].offset is None:
                break  # unreadable, or no timestamps: nothing tells where the range is
            start, state = searched
            offset = start.offset
            assert offset is not None
            cut = start.outcome is Outcome.CUT
            segments.insert(0, Segment(name, False, offset, start.aligned, None, cut))
            budget -= state.size - offset
            if start.outcome is not Outcome.ALL:
                break
            continue
        # The gzip trailer's last 4 bytes: the decompressed size (mod 4 GiB).
        _, trailer = await reader.read(name, max(0, size - 4), 4)
        full = int.from_bytes(trailer, "little") if len(trailer) == 4 else 0
        _, head = await reader.read(name, 0, BLOCK, compressed=True)
        head = head.rstrip(b"\0")
        if not head:
            problems.append(f"{name}: not readable as gzip; older history not loaded")
            break
        stamp = first_stamp(head)
        if stamp is None:
            break
        offset = max(0, full - budget)
        keep_from = since if stamp < since else None
        segments.insert(0, Segment(name, True, offset, offset == 0, keep_from, offset > 0))
        budget -= full - offset
        if keep_from is not None or offset > 0:
            break
    return segments, problems


class DropBefore:
    """Passes a file's lines on from the last stamped one before `since` (the first
    shown is at or before it), holding back those that are older."""

    def __init__(self, since: float) -> None:
        self.since = since
        self._open = False
        self._held: list[str] = []

    def feed(self, texts: list[str]) -> list[str]:
        """The lines of `texts` to show (with any held back that now belong)."""
        if self._open:
            return texts
        for i, text in enumerate(texts):
            stamp = timestamp_and_level(text)[0]
            if stamp is None:
                self._held.append(text)  # goes with the stamped line before it
            elif stamp >= self.since:
                self._open = True
                shown, self._held = self._held + texts[i:], []
                return shown
            else:
                self._held = [text]
        return []
