"""The configuration: TOML in (tomllib), validated into dataclasses, TOML out (tomli_w).

Every error names the file, the key path (`logs.hosts[2].port`) and what is wrong, so a
user fixing a config at 3 a.m. never has to guess. No Textual here: `check` and `summary`
use this module without a UI.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import stat
import subprocess
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pulse_tui.model.durations import DurationError, parse_duration
from pulse_tui.model.signals import DEFAULT_UNITS, Signal, Thresholds

DEFAULT_PROMETHEUS_URL = "http://localhost:9090"
GLYPH_SETS = ("braille", "block", "ascii")


class ConfigError(ValueError):
    """A problem in the config or the flags; the message is one line, ready to print."""

    def __init__(self, where: str, key: str, problem: str) -> None:
        self.where = where
        self.key = key
        self.problem = problem
        location = f"{where}: {key}" if key else where
        super().__init__(f"{location}: {problem}")


# --------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class SecretRef:
    """Where a secret comes from. Only `inline` holds the value itself, and never prints."""

    env: str | None = None
    file: str | None = None
    command: str | None = None
    inline: str | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return any((self.env, self.file, self.command, self.inline))

    def resolve(self) -> str:
        """The secret's value; raises ConfigError naming the source (never the value)."""
        if self.inline is not None:
            return self.inline
        if self.env:
            value = os.environ.get(self.env)
            if value is None:
                raise ConfigError("environment", self.env, "variable is not set")
            return value.strip()
        if self.file:
            try:
                return Path(self.file).expanduser().read_text().strip()
            except OSError as exc:
                raise ConfigError(self.file, "", f"cannot read secret: {exc.strerror}") from exc
        if self.command:
            try:
                done = subprocess.run(
                    shlex.split(self.command), capture_output=True, text=True, timeout=15
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise ConfigError("command", self.command, f"failed: {exc}") from exc
            if done.returncode != 0:
                raise ConfigError("command", self.command, f"exited with status {done.returncode}")
            return done.stdout.strip()
        return ""


@dataclass(frozen=True, slots=True)
class PrometheusConfig:
    url: str = DEFAULT_PROMETHEUS_URL
    service_label: str = "job"
    status_label: str = "code"
    timeout: float = 10.0
    scrape_interval: float = 15.0
    token: SecretRef = SecretRef()
    username: str | None = None
    password: SecretRef = SecretRef()
    headers: Mapping[str, str] = field(default_factory=dict)
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    tls_insecure: bool = False


@dataclass(frozen=True, slots=True)
class SignalConfig:
    """A panel's query template (None = built-in default), unit and thresholds."""

    query: str | None = None
    unit: str = ""
    thresholds: Thresholds = field(default_factory=Thresholds)
    #: Saturation only: a query whose value is 100 %, to show usage as a percentage.
    limit_query: str | None = None


@dataclass(frozen=True, slots=True)
class LogFile:
    path: str
    service: str = ""


@dataclass(frozen=True, slots=True)
class JournalUnit:
    unit: str
    service: str = ""


@dataclass(frozen=True, slots=True)
class LogHost:
    """One remote host and what to tail on it. `host` goes through ~/.ssh/config."""

    host: str
    port: int | None = None
    user: str | None = None
    jump: str | None = None
    service: str = ""
    files: tuple[LogFile, ...] = ()
    journal: tuple[JournalUnit, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.user}@{self.host}" if self.user else self.host


@dataclass(frozen=True, slots=True)
class LogsConfig:
    max_lines: int = 200_000
    max_bytes: int = 256 * 1024 * 1024
    max_line_bytes: int = 64 * 1024
    connect_timeout: float = 10.0
    keepalive_interval: float = 5.0
    known_hosts: str | None = None
    hosts: tuple[LogHost, ...] = ()


@dataclass(frozen=True, slots=True)
class DashboardConfig:
    refresh: float = 5.0
    range: float = 3600.0
    glyphs: str = "braille"
    bell: bool = True


DEFAULT_SIGNALS: dict[Signal, SignalConfig] = {
    Signal.LATENCY: SignalConfig(unit="s", thresholds=Thresholds(warn=0.5, crit=1.0)),
    Signal.TRAFFIC: SignalConfig(unit="req/s"),
    Signal.ERRORS: SignalConfig(unit="ratio", thresholds=Thresholds(warn=0.01, crit=0.05)),
    Signal.SATURATION: SignalConfig(unit="cores", thresholds=Thresholds(warn=0.7, crit=0.9)),
    Signal.QUEUE: SignalConfig(unit="s", thresholds=Thresholds(warn=2.0, crit=5.0)),
}


@dataclass(frozen=True, slots=True)
class Config:
    """Everything pulse-tui runs with. `path` is None when no file was found."""

    path: Path | None = None
    prometheus: PrometheusConfig = PrometheusConfig()
    dashboard: DashboardConfig = DashboardConfig()
    signals: Mapping[Signal, SignalConfig] = field(default_factory=lambda: dict(DEFAULT_SIGNALS))
    #: Per-service threshold overrides: service -> signal -> thresholds.
    service_thresholds: Mapping[str, Mapping[Signal, Thresholds]] = field(default_factory=dict)
    logs: LogsConfig = LogsConfig()
    #: Action name -> key(s), overriding the default bindings.
    keys: Mapping[str, str] = field(default_factory=dict)
    demo: bool = False
    #: True when the Prometheus URL is the built-in default (the header says so).
    prometheus_defaulted: bool = True

    def thresholds(self, signal: Signal, service: str | None = None) -> Thresholds:
        if service is not None:
            override = self.service_thresholds.get(service, {}).get(signal)
            if override is not None:
                return override
        return self.signals[signal].thresholds

    def unit(self, signal: Signal) -> str:
        return self.signals[signal].unit or DEFAULT_UNITS[signal]


# --------------------------------------------------------------------------- reading


class _Reader:
    """Walks a TOML table, remembering the key path and reporting unknown keys."""

    def __init__(self, where: str, table: Mapping[str, Any], path: str = "") -> None:
        self.where = where
        self.table = table
        self.path = path
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, problem: str) -> ConfigError:
        return ConfigError(self.where, self.key(name), problem)

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        self.seen.add(name)
        if name not in self.table:
            return default
        value = self.table[name]
        # bool is an int in Python, but `port = true` is a mistake worth naming.
        if isinstance(value, bool) and kind is not bool and bool not in _as_tuple(kind):
            raise self.error(name, f"expected {_kind_name(kind)}, got a boolean")
        if not isinstance(value, kind):
            raise self.error(name, f"expected {_kind_name(kind)}, got {_toml_type(value)}")
        return value

    def string(self, name: str, default: str | None = None) -> str | None:
        return self.get(name, str, default)

    def number(self, name: str, default: float | None = None, *, minimum: float = 0) -> Any:
        value = self.get(name, (int, float), default)
        if value is not None and value < minimum:
            raise self.error(name, f"must be at least {minimum}, got {value}")
        return value

    def duration(self, name: str, default: float) -> float:
        value = self.get(name, (str, int, float), None)
        if value is None:
            return default
        if isinstance(value, (int, float)):
            if value <= 0:
                raise self.error(name, "must be greater than zero")
            return float(value)
        try:
            return parse_duration(value)
        except DurationError as exc:
            raise self.error(name, str(exc)) from exc

    def size(self, name: str, default: int) -> int:
        value = self.get(name, (str, int), None)
        if value is None:
            return default
        if isinstance(value, int):
            if value <= 0:
                raise self.error(name, "must be greater than zero")
            return value
        try:
            return parse_size(value)
        except ValueError as exc:
            raise self.error(name, str(exc)) from exc

    def child(self, name: str) -> _Reader | None:
        table = self.get(name, dict)
        return None if table is None else _Reader(self.where, table, self.key(name))

    def items(self, name: str) -> list[Any]:
        return list(self.get(name, list, []))

    def finish(self) -> None:
        """Reject keys nobody asked for, suggesting the closest known one."""
        for name in self.table:
            if name not in self.seen:
                close = difflib.get_close_matches(name, sorted(self.seen), n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                known = ", ".join(sorted(self.seen))
                raise self.error(name, f"unknown key{hint}; known keys here: {known}")


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        dict: "a table",
        list: "an array",
    }
    kinds = _as_tuple(kind)
    if set(kinds) == {int, float}:
        return "a number"
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _toml_type(value: Any) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        dict: "a table",
        list: "an array",
    }.get(type(value), type(value).__name__)


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes in "64KiB", "256MiB", "1GB" or a plain number."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"invalid size {text!r}; use e.g. 65536, 64KiB, 256MiB")
    number = float(match.group(1))
    unit = (match.group(2) or "b").lower().rstrip("b") or "b"
    factor = {"b": 1, "k": 1000, "ki": 1024, "m": 10**6, "mi": 2**20, "g": 10**9, "gi": 2**30}
    value = int(number * factor[unit])
    if value <= 0:
        raise ValueError(f"size {text!r} must be greater than zero")
    return value


def check_url(url: str) -> str:
    """The URL without a trailing slash, or ValueError saying why it is unusable."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"invalid URL {url!r}; expected http(s)://host[:port][/path]")
    try:
        parsed.port  # noqa: B018 - raises on a non-numeric port
    except ValueError as exc:
        raise ValueError(f"invalid URL {url!r}: {exc}") from exc
    return url.rstrip("/")


def _is_exposed(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRWXG | stat.S_IRWXO))


def _secret(
    reader: _Reader, prefix: str, file_path: Path | None, inline_name: str | None = None
) -> SecretRef:
    """Reads `<prefix>_env`, `<prefix>_file`, `<prefix>_command` and the inline form."""
    inline_name = inline_name or prefix
    ref = SecretRef(
        env=reader.string(f"{prefix}_env"),
        file=reader.string(f"{prefix}_file"),
        command=reader.string(f"{prefix}_command"),
        inline=reader.string(inline_name),
    )
    given = [n for n in ("env", "file", "command", "inline") if getattr(ref, n)]
    if len(given) > 1:
        raise reader.error(prefix, "set only one of " + ", ".join(f"{prefix}_{n}" for n in given))
    if ref.inline is not None and _is_exposed(file_path):
        raise reader.error(
            inline_name,
            f"inline secret in a file readable by group/others; run `chmod 600 {file_path}` "
            f"or move it to {prefix}_env / {prefix}_file / {prefix}_command",
        )
    return ref


def _thresholds(reader: _Reader, default: Thresholds) -> Thresholds:
    warn = reader.number("warn", default.warn, minimum=float("-inf"))
    crit = reader.number("crit", default.crit, minimum=float("-inf"))
    if warn is not None and crit is not None and warn > crit:
        raise reader.error("warn", f"warn ({warn}) is above crit ({crit})")
    return Thresholds(warn=warn, crit=crit)


def _read_prometheus(reader: _Reader | None, file_path: Path | None) -> PrometheusConfig:
    if reader is None:
        return PrometheusConfig()
    url = reader.string("url", DEFAULT_PROMETHEUS_URL)
    try:
        url = check_url(url)
    except ValueError as exc:
        raise reader.error("url", str(exc)) from exc
    headers = reader.get("headers", dict, {})
    for name, value in headers.items():
        if not isinstance(value, str):
            raise reader.error(f"headers.{name}", f"expected a string, got {_toml_type(value)}")
    basic = reader.child("basic_auth")
    username: str | None = None
    password = SecretRef()
    if basic is not None:
        username = basic.string("username")
        if not username:
            raise basic.error("username", "is required for basic_auth")
        password = _secret(basic, "password", file_path)
        basic.finish()
    config = PrometheusConfig(
        url=url,
        service_label=reader.string("service_label", "job"),
        status_label=reader.string("status_label", "code"),
        timeout=reader.duration("timeout", 10.0),
        scrape_interval=reader.duration("scrape_interval", 15.0),
        token=_secret(reader, "token", file_path),
        username=username,
        password=password,
        headers=dict(headers),
        ca_file=reader.string("ca_file"),
        cert_file=reader.string("cert_file"),
        key_file=reader.string("key_file"),
        tls_insecure=reader.get("tls_insecure", bool, False),
    )
    for label_key in ("service_label", "status_label"):
        value = getattr(config, label_key)
        if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", value):
            raise reader.error(label_key, f"{value!r} is not a valid Prometheus label name")
    if config.key_file and not config.cert_file:
        raise reader.error("key_file", "needs cert_file as well")
    reader.finish()
    return config


def _read_signals(reader: _Reader | None) -> dict[Signal, SignalConfig]:
    signals = dict(DEFAULT_SIGNALS)
    if reader is None:
        return signals
    for signal in Signal:
        child = reader.child(signal.value)
        if child is None:
            continue
        default = DEFAULT_SIGNALS[signal]
        query = child.string("query")
        if query is not None and not query.strip():
            raise child.error("query", "is empty; remove it to use the built-in query")
        limit = child.string("limit_query") if signal is Signal.SATURATION else None
        signals[signal] = SignalConfig(
            query=query,
            unit=child.string("unit", default.unit),
            thresholds=_thresholds(child, default.thresholds),
            limit_query=limit,
        )
        child.finish()
    reader.finish()
    return signals


def _read_service_overrides(reader: _Reader | None) -> dict[str, dict[Signal, Thresholds]]:
    overrides: dict[str, dict[Signal, Thresholds]] = {}
    if reader is None:
        return overrides
    for service in list(reader.table):
        service_reader = reader.child(service)
        assert service_reader is not None
        per_signal: dict[Signal, Thresholds] = {}
        for signal in Signal:
            child = service_reader.child(signal.value)
            if child is not None:
                per_signal[signal] = _thresholds(child, Thresholds())
                child.finish()
        service_reader.finish()
        overrides[service] = per_signal
    return overrides


def _read_host(reader: _Reader) -> LogHost:
    host = reader.string("host")
    if not host:
        raise reader.error("host", "is required")
    port = reader.get("port", int)
    if port is not None and not 0 < port < 65536:
        raise reader.error("port", f"must be between 1 and 65535, got {port}")
    service = reader.string("service", "") or ""
    files: list[LogFile] = []
    for index, item in enumerate(reader.items("files")):
        key = f"files[{index}]"
        if isinstance(item, str):
            files.append(LogFile(path=item, service=service))
        elif isinstance(item, dict):
            child = _Reader(reader.where, item, reader.key(key))
            path = child.string("path")
            if not path:
                raise child.error("path", "is required")
            files.append(LogFile(path=path, service=child.string("service", service) or ""))
            child.finish()
        else:
            raise reader.error(key, "expected a path string or a table {path, service}")
    for index, log_file in enumerate(files):
        if not log_file.path.startswith("/"):
            raise reader.error(f"files[{index}]", f"{log_file.path!r} is not an absolute path")
    units: list[JournalUnit] = []
    for index, item in enumerate(reader.items("journal")):
        key = f"journal[{index}]"
        if isinstance(item, str):
            units.append(JournalUnit(unit=item, service=service))
        elif isinstance(item, dict):
            child = _Reader(reader.where, item, reader.key(key))
            units.append(
                JournalUnit(
                    unit=child.string("unit", "") or "",
                    service=child.string("service", service) or "",
                )
            )
            child.finish()
        else:
            raise reader.error(key, "expected a unit name or a table {unit, service}")
    if not files and not units:
        raise reader.error("files", "a host needs at least one entry in files or journal")
    result = LogHost(
        host=host,
        port=port,
        user=reader.string("user"),
        jump=reader.string("jump"),
        service=service,
        files=tuple(files),
        journal=tuple(units),
    )
    reader.finish()
    return result


def _read_logs(reader: _Reader | None) -> LogsConfig:
    if reader is None:
        return LogsConfig()
    defaults = LogsConfig()
    hosts = []
    for index, item in enumerate(reader.items("hosts")):
        if not isinstance(item, dict):
            raise reader.error(f"hosts[{index}]", "expected a table ([[logs.hosts]])")
        hosts.append(_read_host(_Reader(reader.where, item, reader.key(f"hosts[{index}]"))))
    config = LogsConfig(
        max_lines=int(reader.number("max_lines", defaults.max_lines, minimum=100)),
        max_bytes=reader.size("max_bytes", defaults.max_bytes),
        max_line_bytes=reader.size("max_line_bytes", defaults.max_line_bytes),
        connect_timeout=reader.duration("connect_timeout", defaults.connect_timeout),
        keepalive_interval=reader.duration("keepalive_interval", defaults.keepalive_interval),
        known_hosts=reader.string("known_hosts"),
        hosts=tuple(hosts),
    )
    reader.finish()
    return config


def _read_dashboard(reader: _Reader | None) -> DashboardConfig:
    if reader is None:
        return DashboardConfig()
    glyphs = reader.string("glyphs", "braille")
    if glyphs not in GLYPH_SETS:
        raise reader.error("glyphs", f"must be one of {', '.join(GLYPH_SETS)}, got {glyphs!r}")
    config = DashboardConfig(
        refresh=reader.duration("refresh", 5.0),
        range=reader.duration("range", 3600.0),
        glyphs=glyphs,
        bell=reader.get("bell", bool, True),
    )
    reader.finish()
    return config


def _read_keys(reader: _Reader | None) -> dict[str, str]:
    if reader is None:
        return {}
    keys = {}
    for name in list(reader.table):
        keys[name] = reader.string(name)
    reader.finish()
    return keys


def parse_config(data: Mapping[str, Any], where: str, file_path: Path | None = None) -> Config:
    """Validate a parsed TOML document; `where` names it in errors."""
    root = _Reader(where, data)
    prometheus = _read_prometheus(root.child("prometheus"), file_path)
    config = Config(
        path=file_path,
        prometheus=prometheus,
        dashboard=_read_dashboard(root.child("dashboard")),
        signals=_read_signals(root.child("signals")),
        service_thresholds=_read_service_overrides(root.child("services")),
        logs=_read_logs(root.child("logs")),
        keys=_read_keys(root.child("keys")),
        prometheus_defaulted="url" not in data.get("prometheus", {}),
    )
    root.finish()
    return config


def load_config(path: Path) -> Config:
    """Read and validate one TOML file."""
    where = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(where, "", "file not found") from exc
    except OSError as exc:
        raise ConfigError(where, "", f"cannot read: {exc.strerror}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(where, "", "not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(where, "", f"invalid TOML: {exc}") from exc
    return parse_config(data, where, path)


def find_config_path(explicit: str | None, env: Mapping[str, str] | None = None) -> Path | None:
    """`--config`, then $PULSE_TUI_CONFIG, then $XDG_CONFIG_HOME/pulse-tui/config.toml."""
    env = os.environ if env is None else env
    if explicit:
        return Path(explicit).expanduser()
    if env.get("PULSE_TUI_CONFIG"):
        return Path(env["PULSE_TUI_CONFIG"]).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    candidate = Path(base) / "pulse-tui" / "config.toml"
    return candidate if candidate.exists() else None


# --------------------------------------------------------------------------- flags


_SCP_SPEC = re.compile(
    r"^(?:(?P<user>[^@\s/]+)@)?(?P<host>\[[^\]]+\]|[^:@\s/]+)(?::(?P<port>\d+))?:(?P<path>/\S*)$"
)
_JOURNAL_SPEC = re.compile(
    r"^(?:(?P<user>[^@\s/]+)@)?(?P<host>\[[^\]]+\]|[^:@\s/]+)(?::(?P<port>\d+))?(?::(?P<unit>[^\s:]+))?$"
)


def parse_logs_spec(spec: str) -> LogHost:
    """`[user@]host[:port]:/abs/path` (as scp writes it) -> a host with one file."""
    match = _SCP_SPEC.match(spec.strip())
    if not match:
        raise ConfigError(
            "--logs",
            spec,
            "expected [user@]host[:port]:/absolute/path, e.g. deploy@web-1:/var/log/app.log",
        )
    return LogHost(
        host=match["host"].strip("[]"),
        port=_port(match["port"], "--logs", spec),
        user=match["user"],
        files=(LogFile(path=match["path"]),),
    )


def parse_journal_spec(spec: str) -> LogHost:
    """`[user@]host[:port][:unit]` -> a host tailing journald (all units if none given)."""
    match = _JOURNAL_SPEC.match(spec.strip())
    if not match:
        raise ConfigError(
            "--journal", spec, "expected [user@]host[:port][:unit], e.g. web-1:nginx.service"
        )
    return LogHost(
        host=match["host"].strip("[]"),
        port=_port(match["port"], "--journal", spec),
        user=match["user"],
        journal=(JournalUnit(unit=match["unit"] or ""),),
    )


def _port(text: str | None, flag: str, spec: str) -> int | None:
    if text is None:
        return None
    port = int(text)
    if not 0 < port < 65536:
        raise ConfigError(flag, spec, f"port {port} is out of range 1-65535")
    return port


def merge_hosts(hosts: list[LogHost]) -> tuple[LogHost, ...]:
    """Several specs for the same user@host:port become one host (one connection)."""
    merged: dict[tuple[str, int | None, str | None], LogHost] = {}
    for host in hosts:
        key = (host.host, host.port, host.user)
        if key in merged:
            old = merged[key]
            merged[key] = replace(
                old, files=old.files + host.files, journal=old.journal + host.journal
            )
        else:
            merged[key] = host
    return tuple(merged.values())


@dataclass(slots=True)
class Overrides:
    """Flags that override the file; None means "not given"."""

    prometheus: str | None = None
    service_label: str | None = None
    logs: list[str] = field(default_factory=list)
    journal: list[str] = field(default_factory=list)
    range: str | None = None
    refresh: str | None = None
    glyphs: str | None = None
    demo: bool = False


def apply_overrides(config: Config, flags: Overrides) -> Config:
    """Flags win over the file, so a bastion user can start with no file at all."""
    prometheus = config.prometheus
    defaulted = config.prometheus_defaulted
    if flags.prometheus is not None:
        try:
            prometheus = replace(prometheus, url=check_url(flags.prometheus))
        except ValueError as exc:
            raise ConfigError("--prometheus", flags.prometheus, str(exc)) from exc
        defaulted = False
    if flags.service_label is not None:
        if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", flags.service_label):
            raise ConfigError("--service-label", flags.service_label, "not a valid label name")
        prometheus = replace(prometheus, service_label=flags.service_label)
    dashboard = config.dashboard
    for flag, name in (("range", "range"), ("refresh", "refresh")):
        value = getattr(flags, name)
        if value is not None:
            try:
                dashboard = replace(dashboard, **{name: parse_duration(value)})
            except DurationError as exc:
                raise ConfigError(f"--{flag}", value, str(exc)) from exc
    if flags.glyphs is not None:
        if flags.glyphs not in GLYPH_SETS:
            raise ConfigError("--glyphs", flags.glyphs, f"must be one of {', '.join(GLYPH_SETS)}")
        dashboard = replace(dashboard, glyphs=flags.glyphs)
    logs = config.logs
    extra = [parse_logs_spec(s) for s in flags.logs] + [
        parse_journal_spec(s) for s in flags.journal
    ]
    if extra:
        logs = replace(logs, hosts=merge_hosts([*logs.hosts, *extra]))
    return replace(
        config,
        prometheus=prometheus,
        dashboard=dashboard,
        logs=logs,
        demo=flags.demo or config.demo,
        prometheus_defaulted=defaulted,
    )


def resolve(
    explicit_path: str | None, flags: Overrides, env: Mapping[str, str] | None = None
) -> Config:
    """Find and load the config (if any), then apply the flags."""
    path = find_config_path(explicit_path, env)
    config = load_config(path) if path is not None else Config()
    return apply_overrides(config, flags)


# --------------------------------------------------------------------------- writing


def starter_config() -> dict[str, Any]:
    """The data of `pulse-tui init`: every section, with the defaults spelled out."""
    return {
        "prometheus": {
            "url": DEFAULT_PROMETHEUS_URL,
            "service_label": "job",
            "timeout": "10s",
            "scrape_interval": "15s",
        },
        "dashboard": {"refresh": "5s", "range": "1h", "glyphs": "braille"},
        "logs": {"max_lines": LogsConfig().max_lines, "max_bytes": "256MiB", "hosts": []},
    }


def render_starter(dump: Callable[[dict[str, Any]], str]) -> str:
    """The starter file: tomli_w writes the data, and we add the comments around it."""
    header = (
        "# pulse-tui configuration. Every key is documented in config.example.toml\n"
        "# and in the README's config reference.\n"
        "#\n"
        "# Secrets: never write tokens here; use token_env, token_file or token_command.\n"
        "#   [prometheus]\n"
        '#   token_env = "PROMETHEUS_TOKEN"\n'
        "#\n"
        "# Tail logs over SSH (host names go through ~/.ssh/config):\n"
        "#   [[logs.hosts]]\n"
        '#   host = "web-1"\n'
        '#   service = "api"\n'
        '#   files = ["/var/log/app/*.log"]\n'
        '#   journal = ["nginx.service"]\n\n'
    )
    return header + dump(starter_config())
