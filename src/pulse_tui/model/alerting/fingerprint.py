"""Message fingerprints for error grouping, as Sentry groups messages.

`fingerprint("timeout after 1234ms")` is `"timeout after <duration>"`: the variable parts of
a message are replaced by placeholders so that the same error, with different numbers, ids
or addresses in it, gets the same fingerprint. A leading timestamp / level / syslog header
and a logger name (`api: `) are dropped first (`strip_head`), so the same error written by
differently-formatted sources groups: `2026-12-02T03:30:01Z ERROR api: upstream timeout
after 30s` and a JSON line whose `msg` is `upstream timeout after 31s` are one group.

Placeholders, in the order the alternatives are tried at each position (first wins):

=============  ==============================================================
``<url>``      ``scheme://…`` up to whitespace or a quote
``<email>``    ``user@example.com``
``<ts>``       ISO 8601 date(-time)s, ``02/Jan/2024:15:04:05 +0000``,
               ``Jan  2 15:04:05``, ``15:04:05(.123)``, epoch-like 10/13-digit numbers
``<uuid>``     ``8-4-4-4-12`` hex
``<ip>``       IPv4 or IPv6, with an optional ``:port`` (IPv6 with a port as ``[…]:port``)
``'<str>'``    single- or double-quoted values (quotes kept, so the shape shows)
``<path>``     only the id-like segments of an absolute path are replaced, by ``<id>``:
               ``/v1/orders/12345`` -> ``/v1/orders/<id>``
``<duration>`` ``1234ms``, ``2.5s``, ``3 minutes``, ``1h30m``
``<size>``     ``10KiB``, ``512 bytes``, ``3.2GB``
``<num>``      any other whole-word number (``v1`` and ``sha256`` are words, kept)
``<hex>``      ``0x…``, and words of ≥ 6 hex digits with at least one digit
=============  ==============================================================

Words made only of hex letters (``facade``, ``deadbeef``) are kept: they are as likely to
be English as ids. Messages are cut to `MAX_MESSAGE` characters first, so a huge line
costs no more than a long one.

`pattern_query(fp)` turns a fingerprint back into a `re:` search that finds the group's
lines in the log pane (each placeholder becomes `.+?`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from pulse_tui.model.logs.parse.levels import LEVEL_WORDS

__all__ = [
    "MAX_MESSAGE",
    "PLACEHOLDERS",
    "fingerprint",
    "fingerprints",
    "pattern_query",
    "strip_head",
]

#: Characters of a message that take part in its fingerprint.
MAX_MESSAGE = 400

_HEX = "[0-9a-fA-F]"
_H16 = f"{_HEX}{{1,4}}"
_DURATION_UNITS = r"(?:ns|us|µs|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)"
# Go-style compound durations first (`1h30m5.5s`), then `<number><space?><unit>`.
_DURATION = (
    rf"\d+(?:\.\d+)?(?:h|m|s|ms|us|µs|ns)(?:\d+(?:\.\d+)?(?:h|m|s|ms|us|µs|ns))+\b"
    rf"|\d+(?:\.\d+)?\s?{_DURATION_UNITS}\b"
)
_SIZE = r"\d+(?:\.\d+)?\s?(?:[KMGTP]i?B|[kKMGTP]b|bytes?|B)\b"
_TS = (
    r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d)?(?:[.,]\d+)?\s?(?:Z|[+-]\d\d:?\d\d)?)?\b"
    r"|\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d(?: [+-]\d{4})?"
    r"|\d\d:\d\d:\d\d(?:[.,]\d+)?\b"
)
# Epoch seconds (2017..2033) or milliseconds, optionally fractional.
_EPOCH = r"\b1[5-9]\d{8}(?:\d{3})?(?:\.\d+)?\b"
_IPV4 = r"(?:\d{1,3}\.){3}\d{1,3}"
_IPV6 = (
    rf"(?:{_H16}:){{7}}{_H16}"
    rf"|(?:{_H16}:){{0,6}}(?:{_H16})?::(?:{_H16}:){{0,5}}(?:{_IPV4}|{_H16})?"
)

# What varies inside one space-separated token, one named alternative per class (the
# name is the placeholder, via `lastgroup`). Each starts at a word boundary of its own so
# part of a word (`v1`, `sha256`) is not taken for a number; where two could match at one
# place, the earlier wins. `re` tries every alternative at every position (~0.1 µs each),
# so a token is scanned only with the classes its characters allow (`_token_pattern`).
_CLASSES: tuple[tuple[str, str], ...] = (
    ("url", r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>]+"),
    ("email", r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    ("ts", rf"\b(?:{_TS})"),
    ("uuid", rf"\b{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}\b"),
    ("ip6", rf"\[(?:{_IPV6})\](?::\d{{1,5}})?|(?<![\w:])(?=[\w:.]*\d)(?:{_IPV6})(?![\w:])"),
    ("ip", rf"\b{_IPV4}(?::\d{{1,5}})?\b"),
    ("path", r"(?<![\w/.])(?:/[\w.~%@+-]+)+/?"),
    ("epoch", _EPOCH),
    ("duration", rf"\b(?:{_DURATION})"),
    ("size", rf"\b(?:{_SIZE})"),
    ("num", r"\b\d+(?:\.\d+)?\b"),
    ("hex", rf"\b0[xX]{_HEX}+\b|\b(?=[a-fA-F]*\d){_HEX}{{6,}}\b"),
)
_PATTERNS: dict[tuple[bool, ...], re.Pattern[str]] = {}


def _token_pattern(token: str) -> re.Pattern[str]:
    """The alternation of the classes that could occur in `token` (compiled once each)."""
    key = (
        "://" in token,
        "@" in token,
        ":" in token or "-" in token or "/" in token,
        "-" in token,
        "::" in token or token.count(":") >= 7,
        "." in token,
        "/" in token,
    )
    pattern = _PATTERNS.get(key)
    if pattern is None:
        wanted = [*key, True, True, True, True, True]
        pattern = re.compile(
            "|".join(
                f"(?P<{name}>{regex})"
                for (name, regex), on in zip(_CLASSES, wanted, strict=True)
                if on
            )
        )
        _PATTERNS[key] = pattern
    return pattern


# Variable parts that span spaces, replaced before the message is split into tokens.
# Each pattern starts with a character class (then checks the word boundary behind it)
# so the engine skips ahead in C to candidate characters.
_QUOTED = re.compile(r"'(?<!\w')[^'\n]{1,200}'(?!\w)|\"[^\"\n]{1,200}\"")
_SPANNING = re.compile(
    r"\d(?<![\w.]\d)(?:"
    r"(?P<ts>\d{3}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d)?(?:[.,]\d+)?(?: ?(?:Z|[+-]\d\d:?\d\d))?\b"
    r"|\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d(?: [+-]\d{4})?)"
    rf"|(?P<duration>\d*(?:\.\d+)? {_DURATION_UNITS}\b)"
    r"|(?P<size>\d*(?:\.\d+)? (?:[KMGTP]i?B|bytes?)\b)"
    r")"
)
_SYSLOG_TS = re.compile(
    r"[ADFJMNOS](?<!\w[ADFJMNOS])(?:an|eb|ar|pr|ay|un|ul|ug|ep|ct|ov|ec)"
    r" [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?"
)
_HAS_DIGIT = re.compile(r"\d")
_DIGIT_SPACE = re.compile(r"\d ")

#: Every placeholder a fingerprint may contain (what `pattern_query` turns into `.+?`).
PLACEHOLDERS = (
    "<url>",
    "<email>",
    "<ts>",
    "<uuid>",
    "<ip>",
    "<str>",
    "<id>",
    "<duration>",
    "<size>",
    "<num>",
    "<hex>",
)
# Keyed by `match.lastgroup` (None for no named group, which these patterns never give).
_SIMPLE: dict[str | None, str] = {
    "url": "<url>",
    "email": "<email>",
    "ts": "<ts>",
    "uuid": "<uuid>",
    "ip": "<ip>",
    "ip6": "<ip>",
    "epoch": "<ts>",
    "duration": "<duration>",
    "size": "<size>",
    "num": "<num>",
    "hex": "<hex>",
}

# A path segment that names one thing rather than a kind of thing: a number, a hex id
# (≥ 6, with a digit), a UUID, or a long token with several digits (`ord_8f3k29x9`).
_ID_SEGMENT = re.compile(
    r"(?<=/)(?:\d+|(?=[a-fA-F]*\d)[0-9a-fA-F]{6,}"
    rf"|{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}"
    r"|(?=(?:[^\d/]*\d){3})[\w-]{8,})(?=/|$)"
)
_WORD_NUMBER = re.compile(r"\b\d+\b")

# The head a line's writer put before the message: a timestamp (ISO, Apache, syslog with
# its host, glog's header, an epoch), then a level word (bare upper-case, bracketed, or
# `level=x`). Dropped so the same error from differently-formatted sources groups.
_PREFIX = re.compile(
    r"\s*(?:"
    r"\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d)?(?:[.,]\d+)?\s?(?:Z|[+-]\d\d:?\d\d)?\]?"
    r"|\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]"
    r"|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [\w.-]+(?= [\w./-]+(?:\[\d+\])?: ))?"
    r"|[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ [^\]\s]+\]"
    r"|\[?1[5-9]\d{8}(?:\d{3})?(?:\.\d+)?\]?(?= )"
    r")?"
    rf"\s*(?:\[(?:{LEVEL_WORDS}|{LEVEL_WORDS.lower()})\]:?|(?:{LEVEL_WORDS})\b:?"
    r"|level=\w+)?\s*"
    # Then the logger's (or program's) name as one word and a colon: `api: `, `db.pool: `,
    # `sshd[812]: `. A colon followed by a non-space (`http://`, `std::io`) is not one.
    r"(?:[A-Za-z_][\w.$/-]{0,63}(?:\[\d+\])?:(?=\s)\s*)?"
)


def _replace(match: re.Match[str]) -> str:
    simple = _SIMPLE.get(match.lastgroup)
    if simple is not None:
        return simple
    # A path: only id-like segments vary; numbers inside other segments still do.
    return _WORD_NUMBER.sub("<num>", _ID_SEGMENT.sub("<id>", match.group()))


def _quoted(match: re.Match[str]) -> str:
    quote = match.group()[0]
    return f"{quote}<str>{quote}"


def _spanning(match: re.Match[str]) -> str:
    return _SIMPLE[match.lastgroup]


# Token -> its fingerprint. Tokens repeat far more than whole messages do (`status=503`,
# `after`, `/healthz`); cleared when full rather than LRU, which is cheaper per lookup.
_TOKENS: dict[str, str] = {}
_TOKENS_MAX = 65_536


def _token(token: str) -> str:
    done = _TOKENS.get(token)
    if done is None:
        done = (
            _token_pattern(token).sub(_replace, token)
            if _HAS_DIGIT.search(token) or "@" in token or "://" in token
            else token
        )
        if len(_TOKENS) >= _TOKENS_MAX:
            _TOKENS.clear()
        _TOKENS[token] = done
    return done


def strip_head(message: str) -> str:
    """The message without the head its writer put before it: a timestamp, a level word
    and a logger name (`2026-12-02T03:30:01Z ERROR api: upstream timeout` ->
    `upstream timeout`). A message that is all head is kept whole."""
    head = _PREFIX.match(message)
    if head is not None and 0 < head.end() < len(message):
        return message[head.end() :]
    return message


def fingerprint(message: str) -> str:
    """The message with its head (timestamp, level, logger name) dropped and variable
    parts replaced by placeholders; equal fingerprints mean "the same error"."""
    # Cached after the head is dropped: the same message under a new timestamp hits.
    return _body(strip_head(message[:MAX_MESSAGE]))


@lru_cache(maxsize=8192)
def _body(message: str) -> str:
    if "'" in message or '"' in message:
        message = _QUOTED.sub(_quoted, message)
    if _HAS_DIGIT.search(message) is not None:
        if _DIGIT_SPACE.search(message) is not None:
            message = _SPANNING.sub(_spanning, message)
        if ":" in message:
            message = _SYSLOG_TS.sub("<ts>", message)
    token = _token
    # Words (the most common token) need nothing; everything else goes through the cache.
    return " ".join([tok if tok.isalpha() else token(tok) for tok in message.split(" ")]).strip()


def fingerprints(messages: list[str]) -> list[str]:
    """`fingerprint` of each message (repeated messages hit the cache)."""
    fp = fingerprint
    return [fp(message) for message in messages]


_PLACEHOLDER_SPLIT = re.compile("(" + "|".join(re.escape(p) for p in PLACEHOLDERS) + ")")
# Only what is special in a regex, so the query stays readable in the search box
# (`re.escape` would also escape spaces).
_REGEX_SPECIAL = re.compile(r"([.^$*+?{}\[\]\\|()])")


def pattern_query(fp: str) -> str:
    """A `re:` search (for `SearchQuery.parse`) that finds the lines of the group `fp`:
    its literal parts escaped, each placeholder as `.+?`.

    Lines whose message sits in a JSON field with escaped quotes (`\\"`) may be missed
    when the fingerprint holds a quoted value; everything else the group holds matches.
    """
    parts = _PLACEHOLDER_SPLIT.split(fp)
    out = [".+?" if i % 2 else _REGEX_SPECIAL.sub(r"\\\1", part) for i, part in enumerate(parts)]
    return "re:" + "".join(out)
