"""What the cursor is completing in a PromQL expression being typed, and what accepting a
candidate does to the text.

`context_at(text, cursor)` lexes the text up to the cursor (an unfinished word or an
unclosed string is where the user is) and follows the brackets: inside `{…}` before an
operator a label name is typed, inside quotes after one its value; inside `by (…)` and
the like a label name; inside `[…]` a duration; elsewhere a metric or a function. It also
says which series narrow the label look-ups (`match`: the selector's metric and its
finished matchers, or the expression's metrics) and which text a candidate replaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from pulse_tui.model.metrics.promql_lex import Token, lex, quote_value, string_end, unquote_prefix
from pulse_tui.model.metrics.promql_words import CALLABLE, GROUPING, KEYWORDS

_IDENT_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_:")
_MATCH_OPS = frozenset({"=", "!=", "=~", "!~"})
#: A label name as the API takes it in a URL path (no quoting needed).
LABEL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: After these, an expression (so a metric or a function) may start.
_STARTS_EXPR = frozenset("(,+-*/%^=<>!")
#: How many of an expression's metrics narrow a `by (…)` label look-up.
MAX_MATCH = 5


class Kind(StrEnum):
    NONE = "none"
    METRIC = "metric"  # a metric, function or aggregation name
    LABEL_NAME = "label name"
    LABEL_VALUE = "label value"
    DURATION = "duration"


@dataclass(frozen=True, slots=True)
class Completing:
    """What is being typed at the cursor and the text `[start, end)` a candidate replaces."""

    kind: Kind
    prefix: str = ""
    start: int = 0
    end: int = 0
    #: Series selectors narrowing a label look-up (`match[]`), e.g. `up{job="api"}`.
    match: tuple[str, ...] = ()
    #: LABEL_VALUE: the label whose values are wanted, and the quote typed ("" for none).
    label: str = ""
    quote: str = ""
    #: LABEL_NAME: inside `by (…)` and the like, where no `="` follows a name.
    grouping: bool = False


@dataclass
class _Group:
    """An open bracket: `(` with the word before it, `{` with its metric, or `[`."""

    bracket: str
    head: str = ""
    #: `{` only: the finished matchers, and the label and operator of the one being typed.
    matchers: list[str] | None = None
    label: str = ""
    op: str = ""


def context_at(text: str, cursor: int) -> Completing:
    """What completing at `cursor` means in `text` (Kind.NONE: nothing to offer)."""
    cursor = max(0, min(cursor, len(text)))
    tokens = lex(text[:cursor])
    stack: list[_Group] = []
    previous: Token | None = None
    for index, token in enumerate(tokens):
        last = index == len(tokens) - 1
        top = stack[-1] if stack else None
        if token.kind == "string" and not token.closed:
            return _in_string(text, cursor, token, top)
        if top is not None and top.bracket == "{":
            _follow_matcher(top, token)
        elif token.kind == "punct" and token.text in "([{":
            stack.append(_opened(token.text, previous, stack))
        if token.kind == "punct" and token.text in ")]}" and stack:
            stack.pop()
        if last and token.kind in ("ident", "number") and token.start + len(token.text) == cursor:
            return _in_word(text, cursor, token, top, tokens)
        previous = token
    return _between(text, cursor, previous, stack[-1] if stack else None, tokens)


def _opened(bracket: str, previous: Token | None, stack: list[_Group]) -> _Group:
    head = previous.text if previous is not None and previous.kind == "ident" else ""
    if bracket == "{":
        metric = head if head and head not in KEYWORDS and head not in CALLABLE else ""
        return _Group("{", metric, matchers=[])
    return _Group(bracket, head)


def _follow_matcher(group: _Group, token: Token) -> None:
    """Inside `{…}`: name, operator, value, comma, and again."""
    assert group.matchers is not None
    if token.text == ",":
        group.label, group.op = "", ""
    elif token.kind == "ident" and not group.op:
        group.label = token.text
    elif token.text in _MATCH_OPS and group.label:
        group.op = token.text
    elif token.kind == "string" and group.label and group.op:
        group.matchers.append(f"{group.label}{group.op}{token.text}")
        if group.label == "__name__" and group.op == "=" and not group.head:
            group.head = unquote_prefix(token.text[1:-1], token.text[0])
        group.label, group.op = "", ""


def _selector(group: _Group, skip: str = "") -> tuple[str, ...]:
    """The `match[]` of a selector: its metric and finished matchers (not `skip`'s)."""
    matchers = [m for m in group.matchers or () if not skip or not m.startswith(skip)]
    if not matchers:
        return (group.head,) if group.head else ()
    return (f"{group.head}{{{','.join(matchers)}}}",)


def _in_string(text: str, cursor: int, token: Token, top: _Group | None) -> Completing:
    if top is None or top.bracket != "{" or not (top.label and top.op):
        return Completing(Kind.NONE)
    quote = token.text[0]
    body_start = token.start + 1
    closing, closed = string_end(text, token.start)
    end = closing - 1 if closed else len(text)
    return Completing(
        Kind.LABEL_VALUE,
        prefix=unquote_prefix(text[body_start:cursor], quote),
        start=body_start,
        end=max(end, cursor),
        match=_selector(top, skip=top.label),
        label=top.label,
        quote=quote,
    )


def _word_end(text: str, cursor: int) -> int:
    end = cursor
    while end < len(text) and text[end] in _IDENT_CHARS:
        end += 1
    return end


def _in_word(
    text: str, cursor: int, token: Token, top: _Group | None, tokens: list[Token]
) -> Completing:
    start, end = token.start, _word_end(text, cursor)
    prefix = token.text
    if top is not None and top.bracket == "[":
        return Completing(Kind.DURATION, prefix, start, end)
    if token.kind == "number":
        return Completing(Kind.NONE)
    if top is not None and top.bracket == "{":
        if top.op:  # a value written without quotes: not PromQL, nothing to offer
            return Completing(Kind.NONE)
        return Completing(Kind.LABEL_NAME, prefix, start, end, match=_selector(top))
    if top is not None and top.bracket == "(" and top.head in GROUPING:
        return _grouping(prefix, start, end, text)
    before = _token_before(tokens, token)
    if before is not None and before.text in ("offset", "@"):
        return Completing(Kind.NONE)
    return Completing(Kind.METRIC, prefix, start, end)


def _token_before(tokens: list[Token], token: Token) -> Token | None:
    index = tokens.index(token)
    return tokens[index - 1] if index else None


def _grouping(prefix: str, start: int, end: int, text: str) -> Completing:
    return Completing(Kind.LABEL_NAME, prefix, start, end, match=metrics_in(text), grouping=True)


def _between(
    text: str, cursor: int, previous: Token | None, top: _Group | None, tokens: list[Token]
) -> Completing:
    """The cursor after a space or a bracket: what may start there."""
    if top is not None and top.bracket == "{":
        if top.op:  # `{job=` : the value, quotes and all
            return Completing(
                Kind.LABEL_VALUE,
                start=cursor,
                end=cursor,
                match=_selector(top, skip=top.label),
                label=top.label,
            )
        if top.label:  # `{job ` : the operator comes next
            return Completing(Kind.NONE)
        return Completing(Kind.LABEL_NAME, start=cursor, end=cursor, match=_selector(top))
    if top is not None and top.bracket == "(" and top.head in GROUPING:
        if previous is not None and previous.text in ("(", ","):
            return _grouping("", cursor, cursor, text)
        return Completing(Kind.NONE)
    if top is not None and top.bracket == "[":
        return Completing(Kind.DURATION, start=cursor, end=cursor)
    if previous is None or previous.text[-1] in _STARTS_EXPR or previous.text in KEYWORDS:
        if previous is not None and previous.text in ("offset", "@", *GROUPING):
            return Completing(Kind.NONE)
        return Completing(Kind.METRIC, start=cursor, end=cursor)
    return Completing(Kind.NONE)


def metrics_in(text: str) -> tuple[str, ...]:
    """The metric names an expression selects (at most MAX_MATCH, in order, once each):
    identifiers outside `{}`/`[]`/strings and grouping lists that are not a function, an
    aggregation or a keyword."""
    tokens = lex(text)
    found: list[str] = []
    depth_skip: list[bool] = []
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.text in "([{" and token.kind == "punct":
            before = tokens[index - 1].text if index else ""
            depth_skip.append(token.text != "(" or before in GROUPING)
            continue
        if token.text in ")]}" and token.kind == "punct":
            if depth_skip:
                depth_skip.pop()
            continue
        if token.kind != "ident" or any(depth_skip):
            continue
        if token.text in KEYWORDS or token.text in CALLABLE:
            continue
        if following is not None and following.text == "(":
            continue
        if token.text not in found:
            found.append(token.text)
    return tuple(found[:MAX_MATCH])


def apply(text: str, at: Completing, candidate: str) -> tuple[str, int]:
    """The text with `candidate` accepted where `at` says, and the cursor after it.

    A function gets its `(`, a label name in a selector its `="` (the value's completion
    follows), a value its quotes (escaped as the quote needs)."""
    after = text[at.end :]
    if at.kind is Kind.LABEL_VALUE:
        quoted = quote_value(candidate, at.quote or '"')
        start = at.start - 1 if at.quote else at.start
        end = at.end + 1 if at.quote and after.startswith(at.quote) else at.end
        new = text[:start] + quoted + text[end:]
        return new, start + len(quoted)
    insert = candidate
    if at.kind is Kind.METRIC and candidate in CALLABLE and not after.lstrip().startswith("("):
        insert += "("
    elif at.kind is Kind.LABEL_NAME and not at.grouping and after.lstrip()[:1] not in ("=", "!"):
        insert += '="'
    return text[: at.start] + insert + after, at.start + len(insert)
