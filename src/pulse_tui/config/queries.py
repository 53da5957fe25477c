"""`[[queries]]` in the config: ad-hoc PromQL panels (the `:` prompt's `k`) that the
Ad-hoc dashboard starts with. pulse-tui never writes the config: `k` hands the user the
entry to add (`toml_entry`), which this reads back."""

from __future__ import annotations

import json

from pulse_tui.config.model import SavedQuery
from pulse_tui.config.reader import _Reader


def read_queries(tables: list[_Reader]) -> tuple[SavedQuery, ...]:
    """Each `[[queries]]` table: `expr` (required), `title`, `table`."""
    queries = []
    for reader in tables:
        expr = reader.string("expr")
        if not expr or not expr.strip():
            raise reader.error("expr", "missing: the PromQL expression of the panel")
        title = reader.string("title", "")
        table = reader.get("table", bool, False)
        reader.finish()
        queries.append(SavedQuery(expr, title, bool(table)))
    return tuple(queries)


def toml_entry(query: SavedQuery) -> str:
    """The `[[queries]]` entry that `read_queries` reads back as `query`, one line each."""
    lines = ["[[queries]]", f"expr = {_toml_string(query.expr)}"]
    if query.title:
        lines.append(f"title = {_toml_string(query.title)}")
    if query.table:
        lines.append("table = true")
    return "\n".join(lines)


def _toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but for DEL (escaped in TOML) and
    astral characters (kept as they are: TOML has no surrogate pairs)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
