"""Field terms in a search: `queue=emails` (exact) and `queue~^em` (regex) on a line's
parsed fields (JSON object or logfmt pairs, `logs.parse.fields`).

`split_terms` takes the field terms out of what the user typed; the rest is the text term,
searched as before. A token is a field term when it is a key (the characters a logfmt key
may hold) then `=` or `~`, unquoted; its value may be quoted (`msg="upstream timeout"`).
To search for such text literally, quote the token (`"queue=emails"`) or start the query
with `\\` (all of it literal) or `re:` (all of it a regex).

Matching: the key exactly; the value with smart case (case-insensitive unless it has an
uppercase letter), as text terms are. A line that is not JSON or logfmt still has the
`key=value` pairs written in it (one is enough here, unlike `parse_fields`), so
`user=alice` finds "login ok user=alice" as well.

Parsing fields costs a Python step per line, so a field term first narrows the lines
with a bulk literal search for text a matching line must hold (its value, or its key),
see `FieldTerm.needle`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import regex as _regex

from pulse_tui.model.logs.parse.fields import parse_fields
from pulse_tui.model.search.needle import FieldNeedle
from pulse_tui.model.search.scan import TOO_SLOW, SearchError

#: What the user types as one token: quoted runs (with `\"` inside) and other non-space.
_TOKEN = re.compile(r'(?:"(?:[^"\\]|\\.)*"?|[^\s"]+)+')
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
#: A field term: key, operator, value (a logfmt key's characters, see `parse.fields`).
_FIELD = re.compile(r"([\w.\-/@]+)([=~])(.*)", re.DOTALL)
#: `key=value` pairs anywhere in a line (the logfmt pair of `parse.fields`).
_PAIR = re.compile(r'([\w.\-/@]+)=("[^"\\]*(?:\\.[^"\\]*)*"|[^\s"]*)')
#: Characters JSON and logfmt write as they are: a value made only of these appears in a
#: matching line's text verbatim, so a literal search for it may narrow the lines.
_VERBATIM = re.compile(r"[ !#-.0-\[\]-~]+")
#: Seconds one field value may take to match a `~` regex.
_VALUE_TIMEOUT = 0.25


def line_fields(text: str) -> dict[str, str]:
    """The fields a search term looks in: JSON / logfmt fields, else the `k=v` pairs."""
    if text[:1] == "{":
        fields = parse_fields(text)
        if fields is not None:
            return fields
    if "=" not in text:
        return {}
    # Logfmt or not, the pairs: `parse_fields` would find the same ones, and then
    # return them only if there are two or more (one pass here, not two).
    return {key: _unquote(value) for key, value in _PAIR.findall(text)}


def fields_accept(text: str, terms: Sequence[FieldTerm]) -> bool:
    """Whether every term accepts the fields of `text` (`line_fields`): for a line that
    is not JSON, only the values the terms look at are unquoted (a field search parses
    thousands of lines; a Python call per pair was most of it)."""
    if text[:1] == "{":
        fields = parse_fields(text)
        if fields is not None:
            return all(term.accepts(fields) for term in terms)
    if "=" not in text:
        return all(term.accepts_value(None) for term in terms)
    raw = dict(_PAIR.findall(text))  # the last pair of a key wins, as in `line_fields`
    for term in terms:
        value = raw.get(term.key)
        if not term.accepts_value(None if value is None else _unquote(value)):
            return False
    return True


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def _smart_case(text: str, *, regex: bool) -> bool:
    """Case-insensitive unless `text` has an uppercase letter (escapes do not count)."""
    unescaped = re.sub(r"\\.", "", text) if regex else text
    return not any(ch.isupper() for ch in unescaped)


@dataclass(frozen=True)
class FieldTerm:
    """One `key=value` or `key~regex` term."""

    key: str
    #: "=" (the whole value, exactly) or "~" (a regex found in the value).
    op: str
    value: str
    ignore_case: bool
    _value: _regex.Pattern[str] = field(compare=False, repr=False)
    #: Where this term's field shows in a line that it accepts, for highlighting.
    _where: _regex.Pattern[str] = field(compare=False, repr=False)

    @classmethod
    def parse(cls, key: str, op: str, value: str) -> FieldTerm:
        """A term; `SearchError` for a `~` regex that does not compile."""
        if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
            value = _unquote(value)
        ignore_case = _smart_case(value, regex=op == "~")
        flags = _regex.IGNORECASE if ignore_case else 0
        source = value if op == "~" else re.escape(value)
        try:
            re.compile(source)  # `re`'s messages, as for a text regex
            compiled = _regex.compile(source, flags)
        except (re.error, _regex.error) as exc:
            raise SearchError(f"invalid regex in {key}~: {getattr(exc, 'msg', exc)}") from None
        name = re.escape(key)
        shown = rf'"?{re.escape(value)}"?' if op == "=" and value else ""
        where = _regex.compile(rf'"{name}"\s*:\s*{shown}|(?<![\w.\-/@]){name}={shown}', flags)
        return cls(key, op, value, ignore_case, compiled, where)

    @property
    def needle(self) -> str | None:
        """A regex every line this term accepts matches (searched first, in bulk), or
        None: the key, then `=` or `":` (JSON), then the value when `=` and it is written
        verbatim, then its end. A superset: the fields decide. It starts with the key as a literal,
        which the regex engine skips to in C (an alternation measured 6x slower)."""
        parts = self._needle_parts()
        if parts is None:
            return None  # JSON may have escaped it
        key, value = parts
        needle = rf'(?-i:{re.escape(key)})"?\s*[=:]'
        if value is not None:
            flags = "i" if self.ignore_case else "-i"
            # ... and where the value ends (`shard=1` is not in "shard=12"): a space,
            # the line's end, or what closes a JSON value.
            needle += rf'\s*"?(?{flags}:{re.escape(value)})(?:[\s",}}\]]|$)'
        return needle

    @property
    def bulk_needle(self) -> FieldNeedle | None:
        """`needle` as numpy finds it in Latin-1 blocks (`search.needle`), or None."""
        parts = self._needle_parts()
        if parts is None:
            return None
        key, value = parts
        if value is not None and self.ignore_case:
            value = value.lower()
        return FieldNeedle(key, value, self.ignore_case)

    def _needle_parts(self) -> tuple[str, str | None] | None:
        """What `needle` looks for: the key, and the value when it is part of it."""
        if not _VERBATIM.fullmatch(self.key):
            return None
        if self.op == "=" and self.value and _VERBATIM.fullmatch(self.value):
            return self.key, self.value
        return self.key, None

    def accepts(self, fields: dict[str, str]) -> bool:
        """Whether a line with these fields has this one, with a value that matches."""
        return self.accepts_value(fields.get(self.key))

    def accepts_value(self, value: str | None) -> bool:
        """Whether a line whose field `key` is `value` (None: it has none) matches."""
        if value is None:
            return False
        if self.op == "=":
            return self._value.fullmatch(value) is not None
        try:
            return self._value.search(value, timeout=_VALUE_TIMEOUT) is not None
        except TimeoutError:
            raise SearchError(TOO_SLOW) from None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the field shows in `text` (a line this term accepts)."""
        return [m.span() for m in self._where.finditer(text) if m.end() > m.start()]

    def describe(self) -> str:
        return f"{self.key}{self.op}{self.value}"


def split_terms(text: str) -> tuple[str, tuple[FieldTerm, ...]]:
    """What the user typed -> (the text term, the field terms). Without field terms the
    text comes back as typed; with them, the other tokens joined by one space."""
    if text.startswith(("\\", "re:")):
        return text, ()
    tokens = _TOKEN.findall(text)
    terms: list[FieldTerm] = []
    rest: list[str] = []
    changed = False
    for token in tokens:
        match = _FIELD.fullmatch(token)
        if match:
            terms.append(FieldTerm.parse(*match.groups()))
            changed = True
        elif _quoted(token) and _FIELD.fullmatch(token[1:-1]):
            rest.append(_unquote(token))  # `"queue=emails"`: that text, literally
            changed = True
        else:
            rest.append(token)
    if not changed:
        return text, ()
    return " ".join(rest), tuple(terms)


def _quoted(token: str) -> bool:
    """One quoted run: `"a=b"`, not `"a":"b"`."""
    return _QUOTED.fullmatch(token) is not None
