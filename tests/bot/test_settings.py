from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from switchboard.settings import Settings, load_settings


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.yml"
    path.write_text(
        "mode: dev\nserver:\n  port: 9100\nunderstanding:\n  confidence_threshold: 0.6\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SWITCHBOARD_CONFIG", str(path))
    for name in ("REDIS_URL", "SWITCHBOARD_REDIS__URL", "SWITCHBOARD_SERVER__PORT"):
        monkeypatch.delenv(name, raising=False)
    return path


def test_values_come_from_the_yaml_file(config_file: Path) -> None:
    settings = load_settings()
    assert settings.server.port == 9100
    assert settings.understanding.confidence_threshold == 0.6
    assert settings.server.host == "127.0.0.1"  # untouched keys keep their defaults


def test_environment_overrides_nested_keys(config_file: Path, monkeypatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_SERVER__PORT", "9200")
    assert load_settings().server.port == 9200


def test_plain_redis_url_is_honoured(config_file: Path, monkeypatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://example:6379/2")
    assert load_settings().redis.url == "redis://example:6379/2"
    monkeypatch.setenv("SWITCHBOARD_REDIS__URL", "redis://other:6379/0")
    assert load_settings().redis.url == "redis://other:6379/0"


def test_placeholder_secret_is_refused_outside_dev(config_file: Path) -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(mode="production", secret_key="change-me")
    assert Settings(mode="production", secret_key="x" * 40).mode == "production"
    assert Settings(mode="dev", secret_key="change-me").mode == "dev"


def test_unknown_keys_are_errors_not_silently_ignored(config_file: Path) -> None:
    config_file.write_text("servre:\n  port: 1\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="servre"):
        load_settings()


def test_missing_explicit_config_file_is_a_clear_error(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SWITCHBOARD_CONFIG", str(tmp_path / "nope.yml"))
    with pytest.raises(FileNotFoundError, match=r"nope\.yml"):
        load_settings()


def test_shipped_config_file_loads_and_documents_every_key(monkeypatch) -> None:
    root = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("SWITCHBOARD_CONFIG", str(root / "config.yml"))
    assert load_settings().understanding.model == "builtin:multilingual-e5-small"
    lines = (root / "config.yml").read_text(encoding="utf-8").splitlines()
    key = re.compile(r"^( {0,2})[a-z_]+:")
    for index, line in enumerate(lines):
        match = key.match(line)
        if match is None:
            continue  # comments, values continued over lines, entries of a documented table
        if not match.group(1) and line.rstrip().endswith(":"):
            continue  # a section header; its keys carry the comments
        previous = lines[index - 1].strip()
        assert previous.startswith("#") or previous.endswith(":"), f"undocumented: {line}"


@pytest.mark.parametrize("limits", [{"webchat": 1024}, {"/webchat": 0}])
def test_body_limits_must_be_paths_with_positive_sizes(limits: dict[str, int]) -> None:
    with pytest.raises(ValidationError, match=r"http\.body_limits"):
        Settings(http={"body_limits": limits})


def test_http_limits_can_be_set_from_the_environment(config_file: Path, monkeypatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_HTTP__MAX_BODY_BYTES", "4096")
    monkeypatch.setenv("SWITCHBOARD_WECHAT__TIMESTAMP_WINDOW_SECONDS", "60")
    settings = load_settings()
    assert settings.http.max_body_bytes == 4096
    assert settings.http.body_limits["/telegram"] == 1024 * 1024  # defaults kept
    assert settings.wechat.timestamp_window_seconds == 60
