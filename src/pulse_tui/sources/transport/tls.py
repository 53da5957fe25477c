"""One TLS setup for every HTTP client: whose certificates to trust, which one to present.

`TlsSettings` holds the four TLS options of the config (`ca_file`, `cert_file`,
`key_file`, `tls_insecure`); `TlsSettings()` is "verify as usual, no client certificate",
what probes, webhooks and Alertmanager use. From it come

* `ssl_context(where)`: the `ssl.SSLContext` for httpx clients, which also checks the
  files (readable, PEM, key matching the certificate, key not encrypted) and says which
  one is wrong, before any request is made;
* `requests_verify` / `requests_cert`: the same choice in the form requests takes.
  Requests is given paths, not our context, on purpose: its adapter loads a CA bundle
  into whatever context it is handed (certifi's, on top of the configured CA), so a
  context of ours would trust more than `ca_file` says.

Trust: only `ca_file` when it is set. Otherwise the system's store plus certifi's bundle
(the one requests and httpx use by default), so nothing that either trusted before is
refused now; OpenSSL's SSL_CERT_FILE / SSL_CERT_DIR are honoured through the system store.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import certifi

from pulse_tui.config import PrometheusConfig
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.transport.errors import ssl_reason

__all__ = ["TlsSettings"]

T = TypeVar("T")

#: Contexts built, by settings and their files' identity: loading the trust store costs
#: ~20 ms of CPU, and the Prometheus alerts, probes and webhooks make a client every few
#: seconds. A file replaced or changed (its inode, size, mtime or ctime) is read again.
_CONTEXTS: dict[tuple[object, ...], ssl.SSLContext] = {}
_MAX_CONTEXTS = 16


@dataclass(frozen=True, slots=True)
class TlsSettings:
    """What a client verifies and presents; `TlsSettings()` verifies with the default trust."""

    #: PEM bundle of the only CAs to trust (None: system store and certifi).
    ca_file: str | None = None
    #: Client certificate (PEM), with its key unless `key_file` is given.
    cert_file: str | None = None
    key_file: str | None = None
    #: Do not verify the server's certificate at all (the client certificate still goes).
    insecure: bool = False

    @classmethod
    def of(cls, config: PrometheusConfig) -> TlsSettings:
        """The TLS options of the `[prometheus]` section."""
        return cls(config.ca_file, config.cert_file, config.key_file, config.tls_insecure)

    @property
    def requests_verify(self) -> bool | str:
        """`requests.Session.verify`: False, the CA bundle's path, or True (requests' own)."""
        if self.insecure:
            return False
        return self.ca_file or True

    @property
    def requests_cert(self) -> str | tuple[str, str] | None:
        """`requests.Session.cert`: the certificate, with its key file if separate."""
        if not self.cert_file:
            return None
        return (self.cert_file, self.key_file) if self.key_file else self.cert_file

    def ssl_context(self, where: str) -> ssl.SSLContext:
        """A client context with these settings; SourceError (not retryable) naming the
        file that cannot be used, e.g. "TLS settings for Prometheus at …: ca_file …"."""
        try:
            key = self._cache_key()
            context = _CONTEXTS.get(key) if key is not None else None
            if context is None:
                context = self._build()
                if key is not None:
                    if len(_CONTEXTS) >= _MAX_CONTEXTS:
                        _CONTEXTS.clear()  # settings are few: only changed files add keys
                    _CONTEXTS[key] = context
            return context
        except _FileProblem as problem:
            raise SourceError(f"TLS settings for {where}: {problem}", retryable=False) from None

    def _cache_key(self) -> tuple[object, ...] | None:
        """These settings and what their files are now (None: one cannot be looked at,
        and building says why)."""
        key: list[object] = [self]
        for _, path in self._files():
            try:
                st = os.stat(path)
            except OSError:
                return None
            key.append((path, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
        return tuple(key)

    def _build(self) -> ssl.SSLContext:
        for option, path in self._files():
            _readable(option, path)
        if self.insecure:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            # Order matters: verify_mode cannot be CERT_NONE while check_hostname is on.
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        elif self.ca_file:
            # With a cafile, create_default_context loads that and not the system store.
            context = _load(
                f"ca_file {self.ca_file}", ssl.create_default_context, cafile=self.ca_file
            )
        else:
            context = ssl.create_default_context()
            context.load_verify_locations(certifi.where())
        if self.cert_file:
            files = " / ".join(f"{o} {p}" for o, p in self._files() if o != "ca_file")
            _load(
                files,
                context.load_cert_chain,
                self.cert_file,
                self.key_file,
                password=_no_passphrase,
            )
        return context

    def _files(self) -> list[tuple[str, str]]:
        """The files these settings name, as (option, path)."""
        named = [("ca_file", self.ca_file), ("cert_file", self.cert_file)]
        named.append(("key_file", self.key_file))
        return [(option, path) for option, path in named if path]


class _FileProblem(Exception):
    """A TLS file that cannot be used; `str()` names the option, the path and why."""


class _EncryptedKey(Exception):
    """Raised by `_no_passphrase`, so OpenSSL gives up on an encrypted key."""


def _no_passphrase() -> str:
    # Without a callback OpenSSL would prompt on the terminal, under the TUI, and hang.
    raise _EncryptedKey


def _readable(option: str, path: str) -> None:
    """Opened once up front: OpenSSL's own "No such file" does not say which file."""
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        text = exc.strerror or str(exc)
        raise _FileProblem(f"{option} {path}: {text[:1].lower()}{text[1:]}") from None


def _load(files: str, load: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`load(*args, **kwargs)`, its failures as a `_FileProblem` that names `files`."""
    try:
        return load(*args, **kwargs)
    except _EncryptedKey:
        raise _FileProblem(
            f"{files}: the key is encrypted and pulse-tui cannot ask for its passphrase "
            "(decrypt it: openssl pkey -in KEY -out PLAIN-KEY)"
        ) from None
    except ssl.SSLError as exc:
        reason = ssl_reason(exc)
        if reason == "PEM lib":  # OpenSSL's words for "not the PEM it expected"
            reason = "no PEM certificate with its private key there"
        raise _FileProblem(f"{files}: {reason}") from None
