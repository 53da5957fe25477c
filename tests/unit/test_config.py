"""Config: good files load, each class of bad file names file, key and problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pulse_tui.config import (
    ConfigError,
    Overrides,
    SecretRef,
    apply_overrides,
    find_config_path,
    load_config,
    parse_config,
    parse_journal_spec,
    parse_logs_spec,
    resolve,
)
from pulse_tui.model.metrics.signals import Signal

DATA = Path(__file__).parent.parent / "data" / "config"
ROOT = Path(__file__).parent.parent.parent


def private_copy(name: str, tmp_path: Path) -> Path:
    """A copy readable only by us, as a careful user would keep it."""
    target = tmp_path / name
    shutil.copy(DATA / name, target)
    target.chmod(0o600)
    return target


def test_good_file_loads_every_section(tmp_path: Path) -> None:
    config = load_config(private_copy("good.toml", tmp_path))
    assert config.prometheus.url == "https://prom.example.com:9090"
    assert config.prometheus.service_label == "service"
    assert config.prometheus.timeout == 5
    assert config.prometheus.token == SecretRef(env="PROM_TOKEN")
    assert config.prometheus.headers == {"X-Scope-OrgID": "team-a"}
    assert config.dashboard.refresh == 10 and config.dashboard.range == 3 * 3600
    assert config.dashboard.glyphs == "ascii"
    assert config.thresholds(Signal.ERRORS).crit == 0.1
    assert config.thresholds(Signal.LATENCY, "checkout").warn == 0.3
    assert config.thresholds(Signal.LATENCY, "api").warn == 0.5  # default
    assert config.logs.max_lines == 5000 and config.logs.max_bytes == 8 * 2**20
    web, worker = config.logs.hosts
    assert web.user == "deploy" and web.service == "api"
    assert [(f.path, f.service) for f in web.files] == [
        ("/var/log/app.log", "api"),
        ("/var/log/nginx/*.log", "edge"),
    ]
    assert worker.port == 2222 and worker.journal[0].unit == "worker.service"
    assert not config.prometheus_defaulted


def test_example_file_loads(tmp_path: Path) -> None:
    """config.example.toml is loaded here so it can never drift from the code."""
    config = load_config(ROOT / "config.example.toml")
    assert config.prometheus.token.env == "PROMETHEUS_TOKEN"
    assert config.prometheus.headers["X-Scope-OrgID"] == "tenant-1"
    assert config.prometheus.headers["X-Api-Key"] == SecretRef(env="PROMETHEUS_API_KEY")
    assert config.signals[Signal.SATURATION].unit == "cores"
    assert [h.host for h in config.logs.hosts] == ["web-1", "worker-1"]
    assert config.logs.hosts[0].jump == "bastion"
    assert config.logs.history_bytes == 64 * 2**20
    assert config.keys == {"pause": "p"}


@pytest.mark.parametrize(
    ("value", "expected"), [("16MiB", 16 * 2**20), (0, 0), ("0", 0), (4096, 4096), (None, 2**26)]
)
def test_history_bytes_is_a_size_and_0_means_none(value: object, expected: int) -> None:
    logs = {} if value is None else {"history_bytes": value}
    assert parse_config({"logs": logs}, "t.toml").logs.history_bytes == expected


@pytest.mark.parametrize("value", [-1, "lots", "-5MiB"])
def test_a_bad_history_bytes_is_named(value: object) -> None:
    with pytest.raises(ConfigError, match=r"logs\.history_bytes"):
        parse_config({"logs": {"history_bytes": value}}, "t.toml")


def test_hot_lines_is_read_with_its_default_and_a_negative_one_is_named() -> None:
    assert parse_config({}, "t.toml").logs.hot_lines == 32_768
    assert parse_config({"logs": {"hot_lines": 0}}, "t.toml").logs.hot_lines == 0
    with pytest.raises(ConfigError, match=r"logs\.hot_lines"):
        parse_config({"logs": {"hot_lines": -1}}, "t.toml")


def test_the_host_search_bounds_are_read_with_their_defaults() -> None:
    logs = parse_config({}, "t.toml").logs
    assert (logs.remote_search_max_matches, logs.remote_search_max_bytes) == (10_000, 16 * 2**20)
    given = {"remote_search_max_matches": 500, "remote_search_max_bytes": "1MiB"}
    logs = parse_config({"logs": given}, "t.toml").logs
    assert (logs.remote_search_max_matches, logs.remote_search_max_bytes) == (500, 2**20)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("remote_search_max_matches", 0),
        ("remote_search_max_bytes", 0),
        ("remote_search_max_bytes", "x"),
    ],
)
def test_a_bad_host_search_bound_is_named(key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=rf"logs\.{key}"):
        parse_config({"logs": {key: value}}, "t.toml")


@pytest.mark.parametrize(
    ("name", "key", "problem"),
    [
        ("unknown_key.toml", "prometheus.service_lable", "did you mean 'service_label'"),
        ("wrong_type.toml", "logs.hosts[2].port", "expected an integer, got a string"),
        ("bad_duration.toml", "dashboard.range", "invalid duration '5x'"),
        ("bad_url.toml", "prometheus.url", "invalid URL"),
        ("invalid.toml", "", "invalid TOML"),
        ("inline_secret.toml", "prometheus.token", "chmod 600"),
    ],
)
def test_bad_files_name_file_key_and_problem(name: str, key: str, problem: str) -> None:
    path = DATA / name
    path.chmod(0o644)  # inline_secret must be "readable by others" for the refusal
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert key in message
    assert problem in message
    assert "s3cr3t" not in message  # the secret itself is never echoed


def test_inline_secret_allowed_in_private_file(tmp_path: Path) -> None:
    config = load_config(private_copy("inline_secret.toml", tmp_path))
    assert config.prometheus.token.resolve() == "s3cr3t-token-value"
    assert "s3cr3t" not in repr(config.prometheus.token)


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(binary)


def test_secret_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PT_TOKEN", "from-env\n")
    assert SecretRef(env="PT_TOKEN").resolve() == "from-env"
    token_file = tmp_path / "token"
    token_file.write_text("from-file\n")
    assert SecretRef(file=str(token_file)).resolve() == "from-file"
    assert SecretRef(command="echo from-command").resolve() == "from-command"
    monkeypatch.delenv("PT_TOKEN")
    with pytest.raises(ConfigError, match="PT_TOKEN: variable is not set"):
        SecretRef(env="PT_TOKEN").resolve()


def test_lookup_order(tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    (xdg / "pulse-tui").mkdir(parents=True)
    (xdg / "pulse-tui" / "config.toml").write_text("")
    env = {"XDG_CONFIG_HOME": str(xdg), "HOME": str(tmp_path)}
    assert find_config_path(None, env) == xdg / "pulse-tui" / "config.toml"
    env["PULSE_TUI_CONFIG"] = str(tmp_path / "env.toml")
    assert find_config_path(None, env) == tmp_path / "env.toml"
    assert find_config_path(str(tmp_path / "flag.toml"), env) == tmp_path / "flag.toml"
    assert find_config_path(None, {"HOME": str(tmp_path / "empty")}) is None


def test_no_file_no_flags_defaults_to_localhost(tmp_path: Path) -> None:
    config = resolve(None, Overrides(), {"HOME": str(tmp_path)})
    assert config.path is None
    assert config.prometheus.url == "http://localhost:9090"
    assert config.prometheus_defaulted


def test_flags_override_the_file(tmp_path: Path) -> None:
    config = load_config(private_copy("good.toml", tmp_path))
    flags = Overrides(
        prometheus="http://other:9090",
        service_label="app",
        range="15m",
        refresh="2s",
        glyphs="block",
        logs=["ops@web-1:/var/log/extra.log", "db-1:2200:/var/log/pg.log"],
        journal=["web-9:nginx.service"],
    )
    merged = apply_overrides(config, flags)
    assert merged.prometheus.url == "http://other:9090"
    assert merged.prometheus.service_label == "app"
    assert merged.prometheus.timeout == 5  # untouched by flags
    assert merged.dashboard.range == 900 and merged.dashboard.refresh == 2
    assert merged.dashboard.glyphs == "block"
    assert [h.host for h in merged.logs.hosts] == ["web-1", "worker-1", "web-1", "db-1", "web-9"]


@pytest.mark.parametrize(
    ("flags", "fragment"),
    [
        (Overrides(range="5x"), "--range: 5x: invalid duration"),
        (Overrides(refresh="0s"), "--refresh: 0s"),
        (Overrides(prometheus="ftp://x"), "--prometheus: ftp://x: invalid URL"),
        (Overrides(logs=["web-1/var/log"]), "--logs: web-1/var/log: expected [user@]host"),
        (Overrides(logs=["web-1:relative.log"]), "--logs"),
        (Overrides(service_label="bad-label"), "--service-label"),
    ],
)
def test_bad_flags(flags: Overrides, fragment: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve(None, flags, {"HOME": str(tmp_path)})
    assert fragment in str(caught.value)


def test_log_specs() -> None:
    host = parse_logs_spec("deploy@web-1:2222:/var/log/*.log")
    assert (host.user, host.host, host.port, host.files[0].path) == (
        "deploy",
        "web-1",
        2222,
        "/var/log/*.log",
    )
    bare = parse_logs_spec("web-2:/var/log/app.log")
    assert (bare.user, bare.port) == (None, None)
    journal = parse_journal_spec("ops@web-3:nginx.service")
    assert journal.journal[0].unit == "nginx.service" and journal.user == "ops"
    everything = parse_journal_spec("web-4")
    assert everything.journal[0].unit == ""
    assert parse_journal_spec("web-5:2200").port == 2200


def test_alert_rules_log_rules_silences_webhooks_and_probes(tmp_path: Path) -> None:
    from pulse_tui.config import AlertRule

    config = load_config(private_copy("alerts.toml", tmp_path))
    alerts = config.alerts
    errors, slow, cpu, queue = alerts.rules
    assert errors == AlertRule(
        name="High error ratio",
        severity="page",
        op=">",
        threshold=0.05,
        for_seconds=120,
        signal=Signal.ERRORS,
    )
    assert slow.services == ("checkout", "api") and slow.for_seconds == 300
    assert cpu.severity == "info" and cpu.for_seconds == 0
    assert queue.signal is Signal.QUEUE and queue.threshold == 5
    (timeouts,) = alerts.log_rules
    assert (timeouts.count, timeouts.window_seconds, timeouts.pattern) == (
        10,
        600,
        "payment timeout",
    )
    nightly, deploy = alerts.silences
    assert (nightly.daily_start, nightly.daily_end) == (23 * 60 + 30, 30)
    assert deploy.rules == ("Slow p99",) and deploy.end - deploy.start == 1800
    assert alerts.webhooks[0].severity == "page"
    assert alerts.webhooks[0].url.env == "PULSE_PAGE_WEBHOOK"
    assert alerts.alertmanager_url == "http://127.0.0.1:9093"
    (probe,) = alerts.probes
    assert (probe.interval, probe.timeout, probe.down_after, probe.expect_status) == (10, 2, 2, 200)


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [
        (
            '[[alerts.rules]]\nname = "x"\nsignal = "latncy"\nthreshold = 1',
            "alerts.rules[0] \"x\".signal: unknown signal 'latncy' (did you mean 'latency'?)",
        ),
        (
            '[[alerts.rules]]\nname = "x"\nsignal = "errors"\nthreshold = 1\nfor = "2x"',
            'alerts.rules[0] "x".for: invalid duration',
        ),
        (
            '[[alerts.log_rules]]\nname = "y"\npattern = "re:(oops"\ncount = 3',
            'alerts.log_rules[0] "y".pattern: invalid regex',
        ),
        ('[[alerts.rules]]\nsignal = "errors"\nthreshold = 1', "alerts.rules[0].name"),
        ('[[probes]]\nname = "p"\nurl = "nope"', 'probes[0] "p".url: invalid URL'),
        (
            '[[alerts.silences]]\nname = "s"\ndaily_start = "25:00"\ndaily_end = "01:00"',
            'alerts.silences[0] "s".daily_start',
        ),
    ],
)
def test_bad_rules_are_named(toml: str, fragment: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml)
    path.chmod(0o600)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("value", "seconds", "problem"),
    [
        ('"0.5s"', 0.5, None),
        ("0", 0.0, None),
        ('"0s"', 0.0, None),
        ("2", 2.0, None),
        ('"24h"', None, "logs.reorder_window: must be at most 10s, got '24h'"),
        ("inf", None, "logs.reorder_window: must be a finite number of seconds, zero or more"),
        ("-1", None, "logs.reorder_window: must be a finite number of seconds, zero or more"),
    ],
)
def test_reorder_window_is_zero_to_ten_seconds(
    value: str, seconds: float | None, problem: str | None, tmp_path: Path
) -> None:
    path = tmp_path / "window.toml"
    path.write_text(f"[logs]\nreorder_window = {value}\n")
    if problem is None:
        assert load_config(path).logs.reorder_window == seconds
        return
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert problem in str(caught.value)


def test_other_durations_refuse_infinity(tmp_path: Path) -> None:
    path = tmp_path / "refresh.toml"
    path.write_text("[dashboard]\nrefresh = inf\n")
    with pytest.raises(ConfigError, match=r"dashboard\.refresh: must be a finite number"):
        load_config(path)
