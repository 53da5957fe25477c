"""Reading the file: each section validated into its dataclass; where the file is found."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pulse_tui.config.alerts import _tables, read_alerts
from pulse_tui.config.dashboards import read_dashboards
from pulse_tui.config.errors import ConfigError
from pulse_tui.config.headers import read_headers
from pulse_tui.config.model import (
    DEFAULT_PROMETHEUS_URL,
    DEFAULT_SIGNALS,
    GLYPH_SETS,
    MAX_REORDER_WINDOW,
    Config,
    DashboardConfig,
    JournalUnit,
    LogFile,
    LogHost,
    LogsConfig,
    PrometheusConfig,
    SecretRef,
    SignalConfig,
)
from pulse_tui.config.queries import read_queries
from pulse_tui.config.reader import _Reader, _secret, _thresholds, _url
from pulse_tui.model.metrics.signals import Signal, Thresholds


def _read_prometheus(reader: _Reader | None, file_path: Path | None) -> PrometheusConfig:
    if reader is None:
        return PrometheusConfig()
    url = _url(
        reader,
        "url",
        file_path,
        DEFAULT_PROMETHEUS_URL,
        alternative=" or move the password to basic_auth.password_env / _file / _command",
    )
    headers = read_headers(reader, file_path)
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
        url=url or DEFAULT_PROMETHEUS_URL,
        service_label=reader.string("service_label", "job"),
        status_label=reader.string("status_label", "code"),
        timeout=reader.duration("timeout", 10.0),
        scrape_interval=reader.duration("scrape_interval", 15.0),
        token=_secret(reader, "token", file_path),
        username=username,
        password=password,
        headers=headers,
        ca_file=reader.string("ca_file"),
        cert_file=reader.string("cert_file"),
        key_file=reader.string("key_file"),
        tls_insecure=reader.get("tls_insecure", bool, False),
        max_series=int(reader.number("max_series", 20, minimum=1)),
        max_body_bytes=reader.size("max_body_bytes", 32 * 1024 * 1024),
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
        hot_lines=int(reader.number("hot_lines", defaults.hot_lines)),
        max_line_bytes=reader.size("max_line_bytes", defaults.max_line_bytes),
        history_bytes=reader.size("history_bytes", defaults.history_bytes, zero=True),
        connect_timeout=reader.duration("connect_timeout", defaults.connect_timeout),
        keepalive_interval=reader.duration("keepalive_interval", defaults.keepalive_interval),
        reorder_window=reader.duration(
            "reorder_window", defaults.reorder_window, maximum=MAX_REORDER_WINDOW, zero=True
        ),
        remote_search_max_matches=int(
            reader.number(
                "remote_search_max_matches", defaults.remote_search_max_matches, minimum=1
            )
        ),
        remote_search_max_bytes=reader.size(
            "remote_search_max_bytes", defaults.remote_search_max_bytes
        ),
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
        export_dir=reader.string("export_dir", ""),
        max_series=_max_series(reader),
    )
    reader.finish()
    return config


def _max_series(reader: _Reader) -> int:
    value = reader.get("max_series", int, 200)
    if value < 1:
        raise reader.error("max_series", f"must be at least 1, got {value}")
    return int(value)


def _read_keys(reader: _Reader | None) -> dict[str, str]:
    if reader is None:
        return {}
    keys: dict[str, str] = {}
    for name in list(reader.table):
        keys[name] = reader.get(name, str)  # in the table: a string, or an error
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
        alerts=read_alerts(root.child("alerts"), _tables(root, "probes"), file_path),
        prometheus_defaulted="url" not in data.get("prometheus", {}),
        prometheus_asked="prometheus" in data,
        dashboards=read_dashboards(_tables(root, "dashboards"), file_path),
        queries=read_queries(_tables(root, "queries")),
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
