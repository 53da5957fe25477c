"""The `[alerts]` and `[[probes]]` sections: rules, log rules, silences, webhooks, probes.

Errors name the rule as well as the key (`alerts.rules[1] "High errors".signal`), so a
config with twenty rules still says which one is wrong.
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime
from pathlib import Path

from pulse_tui.config.alert_model import AlertsConfig, Probe, Webhook
from pulse_tui.config.reader import _Reader, _secret, _url
from pulse_tui.model.alerting.definitions import (
    CHANGE_LEVELS,
    COMPARISONS,
    QUANTILES,
    SEVERITIES,
    AlertRule,
    LogRule,
    Silence,
)
from pulse_tui.model.logs.line import Level
from pulse_tui.model.metrics.signals import Signal

_LEVELS = {"debug": Level.DEBUG, "info": Level.INFO, "warn": Level.WARN, "error": Level.ERROR}
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _severity(reader: _Reader, default: str) -> str:
    severity = reader.string("severity", default) or default
    if severity not in SEVERITIES:
        raise reader.error("severity", f"must be one of {', '.join(SEVERITIES)}, got {severity!r}")
    return severity


def _name(reader: _Reader, index: int) -> str:
    name = reader.string("name")
    if not name:
        raise reader.error("name", "every rule needs a name (it is what alerts are called)")
    # Later errors in this table name the rule too.
    reader.path = f'{reader.path} "{name}"'
    return name


def _strings(reader: _Reader, key: str) -> tuple[str, ...]:
    values = reader.items(key)
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise reader.error(f"{key}[{index}]", "expected a string")
    return tuple(values)


def _read_rule(reader: _Reader, index: int) -> AlertRule:
    name = _name(reader, index)
    signal_name = reader.string("signal")
    query = reader.string("query")
    if (signal_name is None) == (query is None):
        raise reader.error("signal", "give exactly one of signal (e.g. errors) or query (PromQL)")
    signal = None
    if signal_name is not None:
        names = [s.value for s in Signal]
        if signal_name not in names:
            close = difflib.get_close_matches(signal_name, names, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise reader.error(
                "signal", f"unknown signal {signal_name!r}{hint}; one of {', '.join(names)}"
            )
        signal = Signal(signal_name)
    if "change" in reader.table:
        return _read_change_rule(reader, name, signal)
    op = reader.string("op", ">") or ">"
    if op not in COMPARISONS:
        raise reader.error("op", f"must be one of {' '.join(COMPARISONS)}, got {op!r}")
    threshold = reader.number("threshold", None, minimum=float("-inf"))
    if threshold is None:
        raise reader.error("threshold", "is required")
    quantile = reader.string("quantile", "p99") or "p99"
    if quantile not in QUANTILES:
        raise reader.error("quantile", f"must be one of {', '.join(QUANTILES)}")
    rule = AlertRule(
        name=name,
        severity=_severity(reader, "warn"),
        op=op,
        threshold=float(threshold),
        for_seconds=reader.duration("for", 0.0) if "for" in reader.table else 0.0,
        signal=signal,
        quantile=quantile,
        query=query,
        services=_strings(reader, "services"),
    )
    reader.finish()
    return rule


def _read_change_rule(reader: _Reader, name: str, signal: Signal | None) -> AlertRule:
    """`change = "crit"`: fires on what-changed's findings, not on a threshold of its own."""
    if signal is None:
        raise reader.error("query", "a change rule watches a signal (e.g. errors), not a query")
    level = reader.string("change")
    if level not in CHANGE_LEVELS:
        raise reader.error("change", f"must be one of {', '.join(CHANGE_LEVELS)}, got {level!r}")
    for key in ("op", "threshold", "quantile"):
        if key in reader.table:
            raise reader.error(
                key, "a change rule has none: the signal's warn/crit thresholds say how bad"
            )
    rule = AlertRule(
        name=name,
        severity=_severity(reader, "warn"),
        op=">",
        threshold=0.0,
        for_seconds=reader.duration("for", 0.0) if "for" in reader.table else 0.0,
        signal=signal,
        services=_strings(reader, "services"),
        change=level,
    )
    reader.finish()
    return rule


def _read_log_rule(reader: _Reader, index: int) -> LogRule:
    from pulse_tui.model.search.query import SearchError, SearchQuery

    name = _name(reader, index)
    pattern = reader.string("pattern", "") or ""
    if pattern:
        try:
            SearchQuery.parse(pattern)
        except SearchError as exc:
            raise reader.error("pattern", str(exc)) from exc
    level_name = reader.string("level")
    level = Level.UNKNOWN
    if level_name is not None:
        if level_name not in _LEVELS:
            raise reader.error("level", f"must be one of {', '.join(_LEVELS)}, got {level_name!r}")
        level = _LEVELS[level_name]
    if not pattern and level is Level.UNKNOWN:
        raise reader.error("pattern", "a log rule needs a pattern, a level, or both")
    count = reader.get("count", int)
    if count is None or count < 0:
        raise reader.error("count", "is required: fire when MORE than this many lines match")
    rule = LogRule(
        name=name,
        severity=_severity(reader, "warn"),
        count=count,
        window_seconds=reader.duration("window", 600.0),
        pattern=pattern,
        min_level=level,
        services=_strings(reader, "services"),
        hosts=_strings(reader, "hosts"),
    )
    reader.finish()
    return rule


def _clock_minutes(reader: _Reader, key: str) -> int:
    text = reader.string(key) or ""
    match = _CLOCK.match(text)
    if not match:
        raise reader.error(key, f"expected a local time HH:MM, got {text!r}")
    return int(match.group(1)) * 60 + int(match.group(2))


def _timestamp(reader: _Reader, key: str) -> float:
    text = reader.get(key, (str, datetime))
    if isinstance(text, datetime):
        return text.timestamp()
    try:
        return datetime.fromisoformat(text).timestamp()
    except (TypeError, ValueError) as exc:
        raise reader.error(key, f"expected an ISO 8601 time, got {text!r}") from exc


def _read_silence(reader: _Reader, index: int) -> Silence:
    name = _name(reader, index)
    daily = "daily_start" in reader.table or "daily_end" in reader.table
    absolute = "start" in reader.table or "end" in reader.table
    if daily == absolute:
        raise reader.error(
            "daily_start", "give daily_start + daily_end (HH:MM) or start + end (ISO 8601)"
        )
    if daily:
        silence = Silence(
            name=name,
            rules=_strings(reader, "rules"),
            daily_start=_clock_minutes(reader, "daily_start"),
            daily_end=_clock_minutes(reader, "daily_end"),
        )
    else:
        start, end = _timestamp(reader, "start"), _timestamp(reader, "end")
        if end <= start:
            raise reader.error("end", "is not after start")
        silence = Silence(name=name, rules=_strings(reader, "rules"), start=start, end=end)
    reader.finish()
    return silence


def _read_probe(reader: _Reader, index: int, file_path: Path | None) -> Probe:
    name = _name(reader, index)
    url = _url(reader, "url", file_path, "") or ""
    status = reader.get("expect_status", int, 200)
    if not 100 <= status <= 599:
        raise reader.error("expect_status", f"not an HTTP status: {status}")
    down_after = reader.get("down_after", int, 3)
    if down_after < 1:
        raise reader.error("down_after", "must be at least 1")
    probe = Probe(
        name=name,
        url=url,
        interval=reader.duration("interval", 30.0),
        timeout=reader.duration("timeout", 5.0),
        expect_status=status,
        down_after=down_after,
        severity=_severity(reader, "page"),
    )
    reader.finish()
    return probe


def _tables(reader: _Reader, key: str) -> list[_Reader]:
    out = []
    for index, item in enumerate(reader.items(key)):
        if not isinstance(item, dict):
            raise reader.error(f"{key}[{index}]", f"expected a table ([[{reader.key(key)}]])")
        out.append(_Reader(reader.where, item, reader.key(f"{key}[{index}]")))
    return out


def read_alerts(
    reader: _Reader | None, probes: list[_Reader], file_path: Path | None
) -> AlertsConfig:
    """The [alerts] table (may be None) and the [[probes]] tables."""
    read_probes = tuple(_read_probe(r, i, file_path) for i, r in enumerate(probes))
    if reader is None:
        return AlertsConfig(probes=read_probes)
    rules = tuple(_read_rule(r, i) for i, r in enumerate(_tables(reader, "rules")))
    log_rules = tuple(_read_log_rule(r, i) for i, r in enumerate(_tables(reader, "log_rules")))
    silences = tuple(_read_silence(r, i) for i, r in enumerate(_tables(reader, "silences")))
    names = [r.name for r in rules] + [r.name for r in log_rules]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise reader.error("rules", f"rule names must be unique; repeated: {', '.join(duplicates)}")
    webhooks = []
    hooks = reader.child("webhooks")
    if hooks is not None:
        for severity in SEVERITIES:
            if any(k.startswith(severity) for k in hooks.table):
                url = _secret(hooks, f"{severity}_url", file_path)
                webhooks.append(Webhook(severity, url))
        hooks.finish()
    alertmanager = _url(reader, "alertmanager_url", file_path)
    config = AlertsConfig(
        rules=rules,
        log_rules=log_rules,
        silences=silences,
        webhooks=tuple(webhooks),
        alertmanager_url=alertmanager,
        prometheus_alerts=reader.get("prometheus_alerts", bool, True),
        new_error_groups=reader.get("new_error_groups", bool, False),
        automatic=reader.get("automatic", bool, True),
        max_error_groups=reader.get("max_error_groups", int, 500),
        probes=read_probes,
    )
    reader.finish()
    return config
