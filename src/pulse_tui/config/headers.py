"""`[prometheus.headers]`: extra request headers, each a plain string or a secret source.

    [prometheus.headers]
    X-Scope-OrgID = "tenant-1"                  # a tenant id: fine in any file
    X-Api-Key = { env = "PROMETHEUS_API_KEY" }  # or { file = "…" } or { command = "…" }
    X-Other = "…"                               # inline: refused unless the file is chmod 600

Headers are where API keys travel (`X-Api-Key`, `Authorization` behind a proxy, `Cookie`),
and a header's name says nothing reliable about whether its value is one. So an inline
value is a secret, under the same rule as an inline `prometheus.token`, unless the header is
one of `NON_SECRET_HEADERS`: tenant ids of the backends pulse-tui names, which select data
and grant nothing. Failing closed on every other name means a new kind of key is never
left in a world-readable file by mistake.
"""

from __future__ import annotations

import re
from pathlib import Path

from pulse_tui.config.reader import _is_exposed, _Reader, _toml_type
from pulse_tui.config.secrets import SecretRef

#: Lower-cased names of headers whose inline values are not secrets: the tenant of Mimir,
#: Cortex and Loki, and of Thanos' multi-tenancy.
NON_SECRET_HEADERS = frozenset({"x-scope-orgid", "thanos-tenant"})
#: RFC 9110 token characters.
_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
#: Control characters other than tab: a line break would split or inject a header.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def header_problem(value: str) -> str | None:
    """Why `value` cannot be sent as a header value, or None; never quotes the value."""
    if _CONTROL.search(value):
        return "the value contains a line break or control character"
    return None


def read_headers(reader: _Reader, file_path: Path | None) -> dict[str, str | SecretRef]:
    """The `headers` table: a str is not a secret, a SecretRef is (resolved when used)."""
    headers: dict[str, str | SecretRef] = {}
    for name, value in reader.get("headers", dict, {}).items():
        key = f"headers.{name}"
        if not _NAME.fullmatch(name):
            raise reader.error(key, "is not a valid HTTP header name")
        if isinstance(value, str):
            problem = header_problem(value)
            if problem:
                raise reader.error(key, problem)
            if name.lower() in NON_SECRET_HEADERS:
                headers[name] = value
                continue
            if _is_exposed(file_path):
                raise reader.error(
                    key,
                    "inline header value in a file readable by group/others; "
                    f'run `chmod 600 {file_path}` or use {{ env = "…" }} / {{ file = "…" }} / '
                    '{ command = "…" } (X-Scope-OrgID and THANOS-TENANT may stay inline)',
                )
            headers[name] = SecretRef(inline=value)
        elif isinstance(value, dict):
            headers[name] = _source(reader, key, value)
        else:
            raise reader.error(
                key,
                f'expected a string or a table {{ env = "…" }} / {{ file = "…" }} / '
                f'{{ command = "…" }}, got {_toml_type(value)}',
            )
    return headers


def _source(reader: _Reader, key: str, table: dict[str, object]) -> SecretRef:
    """`{ env = … }`, `{ file = … }` or `{ command = … }`: exactly one of them."""
    child = _Reader(reader.where, table, reader.key(key))
    ref = SecretRef(
        env=child.string("env"), file=child.string("file"), command=child.string("command")
    )
    child.finish()
    if len(ref.given()) != 1:
        raise reader.error(key, "give exactly one of env, file or command")
    return ref
