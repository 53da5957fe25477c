"""`[[dashboards]]` in the config and `--dashboard FILE` on the command line: Grafana
dashboard files to import. Only the paths are read here; the files themselves are read
when the app starts, so one bad file is one line on screen and the app still runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from pulse_tui.config.model import Config
from pulse_tui.config.reader import _Reader


def read_dashboards(tables: list[_Reader], file_path: Path | None) -> tuple[Path, ...]:
    """Each `[[dashboards]]` table's `path`, relative to the config file's folder."""
    paths = []
    for reader in tables:
        path = reader.string("path")
        if not path or not path.strip():
            raise reader.error("path", "missing: the Grafana dashboard JSON file to import")
        reader.finish()
        resolved = Path(path).expanduser()
        if not resolved.is_absolute() and file_path is not None:
            resolved = file_path.parent / resolved
        paths.append(resolved)
    return tuple(paths)


def with_dashboard_flags(config: Config, paths: Sequence[str]) -> Config:
    """`--dashboard FILE` (repeatable): added after the config's own, relative to the
    working directory."""
    if not paths:
        return config
    extra = tuple(Path(p).expanduser() for p in paths)
    return replace(config, dashboards=(*config.dashboards, *extra))
