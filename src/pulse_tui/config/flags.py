"""Command-line flags that override the file: log specs, and merging them in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from pulse_tui.config.errors import ConfigError
from pulse_tui.config.load import find_config_path, load_config
from pulse_tui.config.model import (
    GLYPH_SETS,
    Config,
    JournalUnit,
    LogFile,
    LogHost,
)
from pulse_tui.config.reader import check_url
from pulse_tui.model.core import clock
from pulse_tui.model.core.durations import DurationError, parse_duration
from pulse_tui.model.core.redact import display_url
from pulse_tui.model.core.time_range import TimeRangeError, parse_time_range
from pulse_tui.model.core.view_command import LEVELS, StartView
from pulse_tui.model.search.query import SearchError, SearchQuery

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
    export_dir: str | None = None
    demo: bool = False


def _flag_duration(flag: str, value: str) -> float:
    try:
        return parse_duration(value)
    except DurationError as exc:
        raise ConfigError(flag, value, str(exc)) from exc


def parse_range_flag(value: str, now: float | None = None) -> tuple[float, float | None]:
    """`--range` as the time dialog reads it: `(range_seconds, end)`, end None = live.

    A plain duration (`1h`, `-90m`) keeps the duration's own error; bounds
    (`now-2h..now-30m`, `2026-12-02T10:00..11:30`) are the dialog's parser's.
    """
    if ".." not in value:
        return _flag_duration("--range", value.strip().removeprefix("-")), None
    try:
        return parse_time_range(value, clock.now() if now is None else now)
    except TimeRangeError as exc:
        raise ConfigError("--range", value, str(exc)) from exc


def start_view(
    *,
    services: list[str] | None = None,
    range_text: str | None = None,
    search: str | None = None,
    filter_mode: bool = False,
    excludes: list[str] | None = None,
    level: str | None = None,
    now: float | None = None,
) -> StartView:
    """The view the flags ask to start with, every term checked as the log pane would."""
    for service in services or []:
        if not service.strip():
            raise ConfigError("--service", service, "empty service name")
    patterns = [("--exclude", pattern) for pattern in excludes or []]
    if search:
        patterns.insert(0, ("--search", search))
    for flag, pattern in patterns:
        try:
            SearchQuery.parse(pattern, fields=True)
        except SearchError as exc:
            raise ConfigError(flag, pattern, str(exc)) from exc
    if level is not None and level not in LEVELS:
        raise ConfigError("--level", level, f"must be one of {', '.join(LEVELS)}")
    range_seconds, end = (None, None)
    if range_text is not None:
        range_seconds, end = parse_range_flag(range_text, now)
    return StartView(
        range_seconds=range_seconds,
        end=end,
        services=tuple(dict.fromkeys(services or [])),
        search=search or "",
        filter_mode=filter_mode,
        excludes=tuple(excludes or []),
        level=level or "all",
    )


def apply_overrides(config: Config, flags: Overrides) -> Config:
    """Flags win over the file, so a bastion user can start with no file at all."""
    prometheus = config.prometheus
    defaulted = config.prometheus_defaulted
    # A `--service-label` is about Prometheus: metrics were asked for (`metrics_wanted`).
    asked = config.prometheus_asked
    if flags.prometheus is not None:
        try:
            prometheus = replace(prometheus, url=check_url(flags.prometheus))
        except ValueError as exc:
            raise ConfigError("--prometheus", display_url(flags.prometheus), str(exc)) from exc
        defaulted = False
    if flags.service_label is not None:
        if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", flags.service_label):
            raise ConfigError("--service-label", flags.service_label, "not a valid label name")
        prometheus = replace(prometheus, service_label=flags.service_label)
        asked = True
    dashboard = config.dashboard
    if flags.range is not None:
        dashboard = replace(dashboard, range=parse_range_flag(flags.range)[0])
    if flags.refresh is not None:
        dashboard = replace(dashboard, refresh=_flag_duration("--refresh", flags.refresh))
    if flags.glyphs is not None:
        if flags.glyphs not in GLYPH_SETS:
            raise ConfigError("--glyphs", flags.glyphs, f"must be one of {', '.join(GLYPH_SETS)}")
        dashboard = replace(dashboard, glyphs=flags.glyphs)
    if flags.export_dir is not None:
        dashboard = replace(dashboard, export_dir=flags.export_dir)
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
        prometheus_asked=asked,
    )


def resolve(
    explicit_path: str | None, flags: Overrides, env: Mapping[str, str] | None = None
) -> Config:
    """Find and load the config (if any), then apply the flags."""
    path = find_config_path(explicit_path, env)
    config = load_config(path) if path is not None else Config()
    return apply_overrides(config, flags)
