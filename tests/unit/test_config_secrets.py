"""Secrets in the config: header values from env/file/command, and what a shared file refuses.

An inline secret (a header value, credentials in a URL) is refused in a file that group or
others can read, like an inline `prometheus.token`, with one line naming file and key and
never the value. Tenant ids (X-Scope-OrgID, THANOS-TENANT) are not secrets.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pulse_tui.config import ConfigError, SecretRef, load_config
from pulse_tui.config.model import PrometheusConfig
from pulse_tui.model.core.redact import SECRETS, scrub
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.prometheus.http import auth_settings

SECRET = "hdr-secret-41c7e9"


def write(tmp_path: Path, text: str, mode: int) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(mode)
    return path


def refusal(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message and SECRET not in message
    return message


@pytest.mark.parametrize("name", ["X-Api-Key", "Authorization", "Cookie"])
def test_an_inline_header_in_a_shared_file_is_refused_in_one_line(
    tmp_path: Path, name: str
) -> None:
    path = write(tmp_path, f'[prometheus.headers]\n{name} = "{SECRET}"\n', 0o644)
    message = refusal(path)
    assert message.startswith(f"{path}: prometheus.headers.{name}: inline header value")
    assert f"chmod 600 {path}" in message and '{ env = "…" }' in message


def test_tenant_ids_may_stay_inline_in_a_shared_file(tmp_path: Path) -> None:
    text = '[prometheus.headers]\nX-Scope-OrgID = "team-a"\nTHANOS-TENANT = "team-b"\n'
    config = load_config(write(tmp_path, text, 0o644))
    assert config.prometheus.headers == {"X-Scope-OrgID": "team-a", "THANOS-TENANT": "team-b"}


def test_an_inline_header_in_a_private_file_is_a_secret(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, f'[prometheus.headers]\nX-Api-Key = "{SECRET}"\n', 0o600))
    value = config.prometheus.headers["X-Api-Key"]
    assert value == SecretRef(inline=SECRET) and SECRET not in repr(config)
    headers, _ = auth_settings(config.prometheus)
    assert headers == {"X-Api-Key": SECRET}
    assert scrub(f"echo: X-Api-Key: {SECRET}") == "echo: X-Api-Key: ***"


def test_header_values_from_env_file_and_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULSE_TEST_HEADER", "from-env-77a1")
    key_file = tmp_path / "key"
    key_file.write_text("from-file-9e02\n")
    script = tmp_path / "print_key.py"
    script.write_text("print('from-command-3b5f')\n")
    text = (
        "[prometheus.headers]\n"
        'A = { env = "PULSE_TEST_HEADER" }\n'
        f'B = {{ file = "{key_file}" }}\n'
        f'C = {{ command = "{sys.executable} {script}" }}\n'
    )
    config = load_config(write(tmp_path, text, 0o644))  # no secret in the file itself
    assert config.prometheus.headers["A"] == SecretRef(env="PULSE_TEST_HEADER")
    headers, _ = auth_settings(config.prometheus)
    assert headers == {"A": "from-env-77a1", "B": "from-file-9e02", "C": "from-command-3b5f"}
    for value in headers.values():  # each is a secret from now on
        assert scrub(value) == "***"


@pytest.mark.parametrize(
    ("entry", "key", "problem"),
    [
        ('X = { env = "A", file = "b" }', "prometheus.headers.X", "exactly one of env, file"),
        ("X = {}", "prometheus.headers.X", "exactly one of env, file"),
        ('X = { envv = "A" }', "prometheus.headers.X.envv", "did you mean 'env'"),
        ("X = 3", "prometheus.headers.X", "expected a string or a table"),
        ('"X Y" = "v"', "prometheus.headers.X Y", "not a valid HTTP header name"),
        ('X-Scope-OrgID = "a\\nX-Injected: 1"', "prometheus.headers.X-Scope-OrgID", "line break"),
    ],
)
def test_bad_header_entries_name_the_key(
    tmp_path: Path, entry: str, key: str, problem: str
) -> None:
    message = refusal(write(tmp_path, f"[prometheus.headers]\n{entry}\n", 0o600))
    assert f": {key}: " in message and problem in message


def test_a_header_secret_with_a_line_break_is_refused_without_quoting_it(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(f"{SECRET}\nX-Injected: 1\n")
    prometheus = PrometheusConfig(headers={"X-Api-Key": SecretRef(file=str(key_file))})
    with pytest.raises(SourceError) as info:
        auth_settings(prometheus)
    assert "prometheus.headers.X-Api-Key" in str(info.value)
    assert "line break" in str(info.value) and SECRET not in str(info.value)


def test_a_missing_header_variable_names_header_and_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PULSE_TEST_NO_SUCH_KEY", raising=False)
    prometheus = PrometheusConfig(headers={"X-Api-Key": SecretRef(env="PULSE_TEST_NO_SUCH_KEY")})
    with pytest.raises(SourceError, match=r"prometheus\.headers\.X-Api-Key: .*PULSE_TEST_NO_SUCH"):
        auth_settings(prometheus)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (f'[prometheus]\nurl = "http://ops:{SECRET}@prom:9090"\n', "prometheus.url"),
        (
            f'[alerts]\nalertmanager_url = "http://o:{SECRET}@am"\n',
            "alerts.alertmanager_url",
        ),
        (f'[[probes]]\nname = "p"\nurl = "https://{SECRET}@api/health"\n', 'probes[0] "p".url'),
    ],
)
def test_credentials_in_a_url_follow_the_inline_secret_rule(
    tmp_path: Path, text: str, key: str
) -> None:
    path = write(tmp_path, text, 0o644)
    message = refusal(path)
    assert message.startswith(f"{path}: {key}: credentials in a URL in a file readable")
    path.chmod(0o600)
    load_config(path)
    assert scrub(f"echo {SECRET}") == "echo ***"  # registered as a secret on load


def test_an_invalid_url_is_quoted_with_its_password_masked(tmp_path: Path) -> None:
    message = refusal(write(tmp_path, f'[prometheus]\nurl = "http://ops:{SECRET}@prom:x"\n', 0o600))
    assert "invalid URL 'http://ops:***@prom:x'" in message


def test_resolving_any_secret_registers_it() -> None:
    SECRETS.clear()
    assert scrub(SECRET) == SECRET
    assert SecretRef(inline=SECRET).resolve() == SECRET
    assert scrub(f"token {SECRET}!") == "token ***!"
