"""A PromQL tokeniser for text being typed (an unclosed string runs to the end, nothing
is an error), and PromQL's string quoting both ways."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pulse_tui.model.core.sanitize import is_safe

_IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_NUMBER = re.compile(r"[0-9.][0-9A-Za-z_.]*")
_OPERATORS = ("=~", "!~", "!=", "==", "<=", ">=")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "ident", "number", "string", "op", "punct"
    text: str
    start: int
    #: Strings only: whether the closing quote was reached.
    closed: bool = True


def lex(text: str) -> list[Token]:
    """PromQL tokens; an unclosed string runs to the end, `#` comments are dropped."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "#":
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
        elif ch in "\"'`":
            end, closed = string_end(text, i)
            tokens.append(Token("string", text[i:end], i, closed))
            i = end
        elif (m := _IDENT.match(text, i)) is not None:
            tokens.append(Token("ident", m.group(), i))
            i = m.end()
        elif (m := _NUMBER.match(text, i)) is not None:
            tokens.append(Token("number", m.group(), i))
            i = m.end()
        elif text.startswith(_OPERATORS, i):
            tokens.append(Token("op", text[i : i + 2], i))
            i += 2
        else:
            tokens.append(Token("op" if ch in "=<>+-*/%^@" else "punct", ch, i))
            i += 1
    return tokens


def string_end(text: str, start: int) -> tuple[int, bool]:
    """Where the string opened at `start` ends (past its closing quote) and if it closed.
    Backticks are raw; the other quotes take backslash escapes."""
    quote = text[start]
    i = start + 1
    while i < len(text):
        if text[i] == "\\" and quote != "`":
            i += 2
        elif text[i] == quote:
            return i + 1, True
        else:
            i += 1
    return len(text), False


def unquote_prefix(body: str, quote: str) -> str:
    """The characters an unfinished quoted string stands for so far (escapes undone)."""
    if quote == "`":
        return body
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def quote_value(value: str, quote: str = '"') -> str:
    """`value` as a PromQL string in `quote` (a backtick cannot hold one: double quotes).

    A character unsafe on a terminal (a control, a bidi override) is written as PromQL's
    escape of it (`\\x1b`, `\\u202e`): the query still matches the value exactly, and the
    prompt never holds the raw character."""
    if quote == "`" and "`" not in value and is_safe(value):
        return f"`{value}`"
    quote = "'" if quote == "'" else '"'
    escaped = value.replace("\\", "\\\\").replace(quote, "\\" + quote).replace("\n", "\\n")
    if not is_safe(escaped):
        escaped = "".join(ch if is_safe(ch) else _escape(ch) for ch in escaped)
    return f"{quote}{escaped}{quote}"


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x80:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
