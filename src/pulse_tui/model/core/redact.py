"""Secrets are never shown: one registry of secret values, and URLs made safe to display.

Every secret the process loads is registered in `SECRETS` where it is resolved for use:
`SecretRef.resolve` (the bearer token, basic-auth passwords, header values, webhook URLs)
and `split_credentials` / `check_url` (passwords in URLs). `scrub(text)` masks each of
them, and the password of any `scheme://user:password@` in the text, as `***`.

Where it is applied:

* `SourceError` and `ConfigError` scrub their own message, so no code path that builds one
  can leak: panels, the Alerts pane, `check` and `summary` all show those.
* The CLI scrubs every line it prints, and the app the few texts that are not errors of
  those two types (a webhook's last error, an unexpected exception in a panel).
* httpx logs every request's full URL (a webhook URL *is* the credential), so its logger
  and urllib3's get a filter that scrubs their records (installed on import).

`display_url(url)` is the only form in which a configured URL reaches the screen:
`http://user:***@host:9090/path`, its query elided (`?…`), as queries carry API keys too.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
from urllib.parse import quote, unquote

__all__ = ["MASK", "SECRETS", "Secrets", "display_url", "scrub", "split_credentials"]

MASK = "***"
#: Shorter values are masked in URLs but not searched for in free text: replacing every
#: "ab" in a message would garble it and hide little.
MIN_LENGTH = 4
#: `scheme://userinfo@`: greedy up to the authority's last `@`, as URL parsers read it.
_URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^\s/?#]*)@")
#: Loggers whose records carry request URLs.
_URL_LOGGERS = ("httpx", "urllib3.connectionpool")


class Secrets:
    """Every secret value seen so far; `scrub` replaces each with `***`. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: Longest first, so a secret containing another is masked whole.
        self._values: tuple[str, ...] = ()

    def add(self, value: str) -> None:
        """Register `value`, and the JSON- and URL-escaped forms a server may echo it in."""
        forms = {value, json.dumps(value)[1:-1], quote(value, safe="")}
        forms = {form for form in forms if len(form) >= MIN_LENGTH}
        with self._lock:
            known = set(self._values)
            if not forms <= known:
                self._values = tuple(sorted(known | forms, key=len, reverse=True))

    def add_basic(self, username: str, password: str) -> None:
        """A basic-auth password, and the base64 `user:password` of its Authorization header
        (an echoed header decodes to the password in one step)."""
        self.add(password)
        self.add(base64.b64encode(f"{username}:{password}".encode()).decode())

    def add_url(self, url: str) -> None:
        """The credentials in `url`'s userinfo, if any (see `split_credentials`)."""
        split_credentials(url, self)

    def clear(self) -> None:
        """Forget every value (for tests)."""
        with self._lock:
            self._values = ()

    def scrub(self, text: str) -> str:
        """`text` with every registered secret and every URL password replaced by `***`."""
        for value in self._values:  # a snapshot: `add` replaces the tuple, never edits it
            if value in text:
                text = text.replace(value, MASK)
        return _URL_USERINFO.sub(_mask_userinfo, text)


def _mask_userinfo(match: re.Match[str]) -> str:
    return f"{match['scheme']}{_masked(match['userinfo'])}@"


def _masked(userinfo: str) -> str:
    """`user:***`; a userinfo without a colon is often a token, so all of it goes."""
    user, colon, _ = userinfo.partition(":")
    return f"{user}:{MASK}" if colon else MASK


#: The process's registry: secrets are loaded once per process, and shown nowhere.
SECRETS = Secrets()


def scrub(text: str) -> str:
    """`SECRETS.scrub(text)`: what any message must go through before it is shown."""
    return SECRETS.scrub(text)


def _split_authority(url: str) -> tuple[str, str, str]:
    """(`scheme://`, authority, the rest) by plain string work, so even a URL that no parser
    accepts (a bad port, no scheme) is split where its credentials are."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    else:
        scheme += sep
    cut = min((i for i in map(rest.find, "/?#") if i >= 0), default=len(rest))
    return scheme, rest[:cut], rest[cut:]


def display_url(url: str) -> str:
    """`url` safe to show or log: its password masked, its query elided, no fragment."""
    scheme, authority, tail = _split_authority(url)
    userinfo, at, host = authority.rpartition("@")
    if at:
        authority = f"{_masked(userinfo)}@{host}"
    path, question, query = tail.partition("#")[0].partition("?")
    return f"{scheme}{authority}{path}{'?…' if question and query else ''}"


def split_credentials(
    url: str, registry: Secrets | None = None
) -> tuple[str, tuple[str, str] | None]:
    """`url` without its userinfo, and the (user, password) it held, registered as secrets.

    Clients get the bare URL and the credentials as basic auth, so no URL with a password
    reaches a library that may log or quote it (httpx logs every request's URL).
    """
    scheme, authority, tail = _split_authority(url)
    userinfo, at, host = authority.rpartition("@")
    if not at:
        return url, None
    raw_user, colon, raw_password = userinfo.partition(":")
    user, password = unquote(raw_user), unquote(raw_password)
    registry = SECRETS if registry is None else registry
    registry.add_basic(user, password)
    registry.add(raw_password)  # as written, percent-encoding and all
    if not colon:  # `https://TOKEN@host`: a lone user name is usually the credential
        registry.add(user)
        registry.add(raw_user)
    return f"{scheme}{host}{tail}", (user, password)


class _ScrubRecords(logging.Filter):
    """Rewrites a record whose message holds a secret; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # malformed args: logging reports those itself
            return True
        scrubbed = scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


def _install_log_filter() -> None:
    # A logger's filters see only records logged on that very logger, hence the full names.
    for name in _URL_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _ScrubRecords) for f in logger.filters):
            logger.addFilter(_ScrubRecords())


_install_log_filter()
