"""SSH connections for log tailing: ~/.ssh/config, known_hosts, jump hosts, clear errors.

Everything goes through asyncssh's own handling of ~/.ssh/config (Host aliases,
HostName, User, Port, IdentityFile) and the SSH agent, except what could weaken a
connection (see `ssh.policy`): the known_hosts files are always passed explicitly, so
host keys are always verified, and the agent is never forwarded. We also do:

* Jump hosts (`LogHost.jump`, or `ProxyJump` read from ~/.ssh/config) are connected
  once and shared: twenty hosts behind one bastion make one bastion connection, with
  one channel per host through it. They get the same checks as any host. Connecting
  to a bastion is one shared attempt too: the hosts behind it that ask while it is
  under way wait for that attempt, so a bastion that does not answer fails all of
  them at once ("via bastion: down"), not one connect_timeout after the other. After a
  failure the bastion has a backoff of its own: hosts that retry before its next try
  hear the same failure at once, without dialling, and the first one after it makes the
  one attempt the others join.
* Failures become `SourceError`s a user can act on. An unknown or changed host key is
  refused with its fingerprint and the command that would trust it (naming the host's
  own known_hosts file), and marked not retryable, as is an authentication failure.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncssh
from asyncssh.encryption import get_default_encryption_algs

from pulse_tui.config import LogHost, LogsConfig
from pulse_tui.model.core.redact import scrub
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.ssh.policy import HostKeys, Resolved, host_keys, resolve_alias
from pulse_tui.sources.transport.backoff import Backoff, BackoffPolicy
from pulse_tui.sources.transport.errors import describe_transport_error

#: Keepalive intervals without a byte from the server after which the connection
#: counts as dead: a silent partition is detected within interval × this.
KEEPALIVE_COUNT = 3
#: The share of that budget kept for what follows the detection (closing the connection,
#: the GAP line, the status): asyncssh's timer runs this much faster, so a partition is
#: *reported* within interval × KEEPALIVE_COUNT even when bytes flowed up to its start.
REPORT_SHARE = 0.1


#: The ciphers we ask for first (asyncssh's defaults follow, in their order). asyncssh
#: prefers chacha20-poly1305, which it drives from Python one packet at a time (a fresh
#: cipher context per packet, and a separate Poly1305 pass); AES-GCM is one call per
#: packet into OpenSSL, with AES-NI on any x86 or ARMv8 host. Both are AEAD ciphers in
#: OpenSSH's default list: this changes speed, not protection. Receiving 4 × 50 MiB over
#: the loopback sshd cost our process 540-570 ms of CPU with chacha20-poly1305 and
#: 260-400 ms with AES-GCM. A `Ciphers` line in ~/.ssh/config replaces this preference.
PREFERRED_CIPHERS = ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com")

#: A bastion's own retry delays: as a host's (`ssh.tail.RECONNECT`), so the hosts behind
#: it find an attempt to join about when they retry.
BASTION_RECONNECT = BackoffPolicy(first=1.0, cap=60.0, healthy_after=30.0)


class ConnectFailed(SourceError):
    """A connection could not be made; `reason` says why in a few words, without the
    host's name and address (for a status line that names the host already)."""

    def __init__(self, message: str, reason: str, *, retryable: bool = True) -> None:
        super().__init__(message, retryable=retryable)
        self.reason = scrub(reason)


def short_reason(exc: SourceError) -> str:
    """`exc`'s few words for a status line (its whole message if it has none)."""
    return exc.reason if isinstance(exc, ConnectFailed) else str(exc)


def _preferred_ciphers() -> list[str]:
    """`PREFERRED_CIPHERS` (those this asyncssh has), then its other default ciphers."""
    defaults = [alg.decode("ascii") for alg in get_default_encryption_algs()]
    first = [alg for alg in PREFERRED_CIPHERS if alg in defaults]
    return first + [alg for alg in defaults if alg not in first]


def _host_port(hostname: str, port: int) -> str:
    return hostname if port == 22 else f"[{hostname}]:{port}"


def _split_jump(spec: str) -> tuple[str, int | None, str | None]:
    """`[user@]host[:port]` -> (host, port, user)."""
    user = None
    if "@" in spec:
        user, spec = spec.rsplit("@", 1)
    port = None
    if spec.count(":") == 1:
        spec, port_text = spec.split(":")
        port = int(port_text)
    return spec.strip("[]"), port, user


def _files_holding(keys: HostKeys, resolved: Resolved) -> list[Path]:
    """The checked files that hold a key for this host (and port), each read on its own."""
    holding = []
    for path in keys.existing():
        try:
            found = asyncssh.read_known_hosts(str(path)).match(
                resolved.hostname, resolved.hostname, resolved.port
            )
        except (OSError, ValueError, asyncssh.Error):
            continue  # unreadable here: asyncssh.connect reported it, or will
        if found[0]:
            holding.append(path)
    return holding


class ConnectionPool:
    """Opens connections to log hosts, sharing one connection per jump host."""

    def __init__(self, logs: LogsConfig) -> None:
        self.logs = logs
        self._bastions: dict[str, asyncssh.SSHClientConnection] = {}
        #: The attempt under way to connect each bastion, shared by every host behind it.
        self._attempts: dict[str, asyncio.Task[asyncssh.SSHClientConnection]] = {}
        #: Each bastion's failures in a row, and its last failure with when (monotonic)
        #: the next attempt may be made: until then, hosts get that failure again.
        self._backoffs: dict[str, Backoff] = {}
        self._failed: dict[str, tuple[SourceError, float]] = {}

    def _options(self, keys: HostKeys, resolved: Resolved) -> dict[str, object]:
        options: dict[str, object] = {
            "connect_timeout": self.logs.connect_timeout,
            "login_timeout": self.logs.connect_timeout,
            "keepalive_interval": self.logs.keepalive_interval * (1 - REPORT_SHARE),
            # asyncssh closes when its timer fires once more than this without a byte
            # received: count - 1 makes that interval × count after the last byte (less
            # the share kept for reporting it).
            "keepalive_count_max": KEEPALIVE_COUNT - 1,
            # Both always explicit, so ~/.ssh/config cannot switch checking off
            # (UserKnownHostsFile none) or hand our agent to the host (ForwardAgent).
            "known_hosts": keys.argument(),
            "agent_forwarding": False,
        }
        if resolved.ciphers is None:
            options["encryption_algs"] = _preferred_ciphers()
        return options

    async def connect(
        self, host: LogHost, client_factory: type[asyncssh.SSHClient] | None = None
    ) -> asyncssh.SSHClientConnection:
        """A new connection to `host` (through its jump host's shared connection)."""
        resolved = resolve_alias(host.host, host.port, host.user)
        jump = host.jump or resolved.proxy_jump
        tunnel = await self._bastion_for(host.host, jump) if jump else None
        return await self._open(
            host.host, host.port, host.user, tunnel, resolved, client_factory, via=jump
        )

    async def _bastion_for(self, name: str, spec: str) -> asyncssh.SSHClientConnection:
        """The shared connection to `spec`, or a SourceError saying it is down."""
        try:
            return await self._bastion(spec)
        except SourceError as exc:
            # The message is the bastion's own (it names the bastion); the reason, for
            # the host's status line, says the host was not the one that failed.
            reason = f"via {spec}: down ({short_reason(exc)})"
            raise ConnectFailed(str(exc), reason, retryable=exc.retryable) from exc

    async def _bastion(self, spec: str) -> asyncssh.SSHClientConnection:
        conn = self._bastions.get(spec)
        if conn is not None and not conn.is_closed():
            return conn
        attempt = self._attempts.get(spec)
        failed = self._failed.get(spec)
        if attempt is None and failed is not None and time.monotonic() < failed[1]:
            # Not yet time for the next attempt: the last one's answer (a new exception
            # each time: re-raising one would grow its traceback with every retry).
            last = failed[0]
            raise ConnectFailed(str(last), short_reason(last), retryable=last.retryable)
        if attempt is None:  # the first host to ask starts it; the rest join it
            attempt = asyncio.ensure_future(self._connect_bastion(spec))
            self._attempts[spec] = attempt
            attempt.add_done_callback(lambda done: self._attempt_done(spec, done))
        # Shielded: a host stopped while waiting must not cancel the others' attempt.
        return await asyncio.shield(attempt)

    def _attempt_done(
        self, spec: str, attempt: asyncio.Future[asyncssh.SSHClientConnection]
    ) -> None:
        if self._attempts.get(spec) is attempt:
            del self._attempts[spec]
        if attempt.cancelled():
            return
        backoff = self._backoffs.setdefault(spec, Backoff(BASTION_RECONNECT))
        error = attempt.exception()  # retrieved: a failure nobody awaited is not "never seen"
        if error is None:
            backoff.succeeded()
            self._failed.pop(spec, None)
        elif isinstance(error, SourceError):
            delay = backoff.failed(retryable=error.retryable)
            self._failed[spec] = (error, time.monotonic() + delay)

    async def _connect_bastion(self, spec: str) -> asyncssh.SSHClientConnection:
        # A ProxyJump chain "a,b": connect through all but the last, share the last.
        *before, last = [part.strip() for part in spec.split(",")]
        tunnel = await self._bastion(",".join(before)) if before else None
        name, port, user = _split_jump(last)
        resolved = resolve_alias(name, port, user)
        conn = await self._open(name, port, user, tunnel, resolved, None, via=None)
        self._bastions[spec] = conn
        return conn

    async def _open(
        self,
        name: str,
        port: int | None,
        user: str | None,
        tunnel: asyncssh.SSHClientConnection | None,
        resolved: Resolved,
        client_factory: type[asyncssh.SSHClient] | None,
        via: str | None,
    ) -> asyncssh.SSHClientConnection:
        # Refuses (not retryable) a host whose ssh config turns checking off.
        keys = host_keys(name, resolved, self.logs.known_hosts)
        options = self._options(keys, resolved)
        if port:
            options["port"] = port
        if user:
            options["username"] = user
        if tunnel is not None:
            # Explicit, so asyncssh does not also apply ProxyJump from the config.
            options["tunnel"] = tunnel
        if client_factory is not None:
            options["client_factory"] = client_factory
        where = f"{name} ({resolved.hostname}:{resolved.port}" + (f" via {via})" if via else ")")
        try:
            return await asyncssh.connect(name, **options)
        except asyncssh.HostKeyNotVerifiable as exc:
            message = await self._host_key_message(name, resolved, tunnel, keys)
            reason = "host key mismatch" if "HOST KEY CHANGED" in message else "unknown host key"
            raise ConnectFailed(message, reason, retryable=False) from exc
        except asyncssh.PermissionDenied as exc:
            raise ConnectFailed(
                f"{where}: authentication failed for user {resolved.user!r} ({exc.reason}); "
                "check IdentityFile in ~/.ssh/config or that your agent holds the key",
                "authentication failed",
                retryable=False,
            ) from exc
        except (OSError, asyncssh.Error) as exc:
            # Refused, unresolvable, timed out, dropped: worded as for every other source.
            reason = describe_transport_error(exc, timeout=self.logs.connect_timeout)
            raise ConnectFailed(f"{where}: {reason}", reason) from exc
        except ValueError as exc:  # asyncssh raises it for bad config/keys
            raise ConnectFailed(f"{where}: {exc}", str(exc), retryable=False) from exc

    async def _host_key_message(
        self,
        name: str,
        resolved: Resolved,
        tunnel: asyncssh.SSHClientConnection | None,
        keys: HostKeys,
    ) -> str:
        entry = _host_port(resolved.hostname, resolved.port)
        fingerprint = "unknown fingerprint"
        try:
            key = await asyncio.wait_for(
                asyncssh.get_server_host_key(
                    resolved.hostname, resolved.port, tunnel=tunnel if tunnel else ()
                ),
                self.logs.connect_timeout,
            )
            if key is not None:
                fingerprint = f"{key.get_algorithm()} {key.get_fingerprint()}"
        except (OSError, asyncssh.Error, TimeoutError):
            pass
        holding = _files_holding(keys, resolved)
        path = keys.quoted(keys.primary)
        port = f"-p {resolved.port} " if resolved.port != 22 else ""
        scan = f"ssh-keyscan {port}{resolved.hostname} >> {path}"
        # ssh would have connected anyway with StrictHostKeyChecking no: say why we do not.
        lenient = (
            f" (StrictHostKeyChecking {keys.lenient} in ~/.ssh/config is not honoured: "
            "pulse-tui only connects to keys already in known_hosts)"
            if keys.lenient
            else ""
        )
        if holding:  # some file has another key for this host: changed, not unknown
            forget = " && ".join(f"ssh-keygen -R '{entry}' -f {keys.quoted(p)}" for p in holding)
            return (
                f"{name}: HOST KEY CHANGED for {entry} (now {fingerprint}); this may be an "
                f"attack{lenient}. If the change is expected: {forget} && {scan}"
            )
        checked = (
            f"is not in {path}"
            if len(keys.files) == 1
            else "is in none of " + ", ".join(keys.quoted(p) for p in keys.files)
        )
        return (
            f"{name}: host key for {entry} {checked} ({fingerprint}); refusing to "
            f"connect{lenient}. If you trust it: {scan}"
        )

    async def close(self) -> None:
        """Close the shared jump-host connections (and give up attempts under way)."""
        for attempt in list(self._attempts.values()):
            attempt.cancel()
        for conn in self._bastions.values():
            conn.close()
        for conn in self._bastions.values():
            await conn.wait_closed()
        self._bastions.clear()


#: Bytes of stdout already queued that one `StreamChannel.get` joins into one chunk.
COALESCE_BYTES = 1 << 20

_NOTHING_HELD = (-1, b"")


class StreamChannel(asyncssh.SSHClientSession[bytes]):
    """Queues stdout/stderr in arrival order (the order tail wrote them, near enough).

    `get` joins the stdout chunks already waiting (up to `COALESCE_BYTES`) into one: while
    history streams in, each line then costs its share of one call per megabyte through
    the reader, the parser and the sink, instead of one per SSH packet (32 KiB); a live
    tail, whose queue is empty, gets each chunk as it comes."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[int, bytes] | None] = asyncio.Queue()
        self.exit_status: int | None = None
        self._chan: asyncssh.SSHClientChannel[bytes] | None = None
        # An item taken from the queue while joining that was not stdout, for the next get.
        self._held: tuple[int, bytes] | None = _NOTHING_HELD

    def connection_made(self, chan: asyncssh.SSHClientChannel[bytes]) -> None:
        self._chan = chan

    def data_received(self, data: bytes, datatype: int | None) -> None:
        self.queue.put_nowait((1 if datatype == asyncssh.EXTENDED_DATA_STDERR else 0, data))
        # Back-pressure: stop reading the channel until the consumer catches up.
        if self.queue.qsize() > 256 and self._chan is not None:
            self._chan.pause_reading()

    def exit_status_received(self, status: int) -> None:
        self.exit_status = status

    def connection_lost(self, exc: Exception | None) -> None:
        self.queue.put_nowait(None)

    async def get(self) -> tuple[int, bytes] | None:
        if self._held is not _NOTHING_HELD:
            item, self._held = self._held, _NOTHING_HELD
        else:
            item = await self.queue.get()
        if item is not None and item[0] == 0:
            item = self._join(item[1])
        if self.queue.qsize() < 64 and self._chan is not None:
            self._chan.resume_reading()
        return item

    def _join(self, data: bytes) -> tuple[int, bytes]:
        """`data` and the stdout chunks queued after it, up to `COALESCE_BYTES`."""
        parts = [data]
        size = len(data)
        while size < COALESCE_BYTES and not self.queue.empty():
            item = self.queue.get_nowait()
            if item is None or item[0] != 0:
                self._held = item  # stderr or the end: after these bytes, in order
                break
            parts.append(item[1])
            size += len(item[1])
        return 0, data if len(parts) == 1 else b"".join(parts)


class TrackingClient(asyncssh.SSHClient):
    """Remembers why the connection ended, for the GAP line and the status."""

    def __init__(self) -> None:
        self.lost: Exception | None = None

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = exc
