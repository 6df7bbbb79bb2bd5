"""The registry: every platform package is registered, its sections are composed into settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from connectors.base import Connector
from connectors.registry import CONNECTORS
from connectors.telegram.settings import TelegramSettings
from switchboard.runtime import build_routers
from switchboard.settings import Settings, connector_sections

PACKAGE = Path(__file__).resolve().parents[2] / "connectors"


def test_every_platform_package_is_registered_once() -> None:
    packages = {p.parent.name for p in PACKAGE.glob("*/connector.py")}
    assert {c.name for c in CONNECTORS} == packages
    assert all(isinstance(c, Connector) for c in CONNECTORS)
    sections = [name for c in CONNECTORS for name in c.sections]
    assert len(sections) == len(set(sections))


def test_each_connectors_sections_are_part_of_the_settings() -> None:
    settings = Settings(telegram={"enabled": False, "mode": "webhook"})
    sections = connector_sections(settings)
    assert set(sections) == {"webchat", "telegram", "wechat", "wecom_kf"}
    assert isinstance(sections["telegram"], TelegramSettings)
    assert sections["telegram"].mode == "webhook"


def test_a_misspelt_section_is_an_error_not_silently_ignored() -> None:
    with pytest.raises(ValidationError, match="telegramm"):
        Settings(telegramm={"enabled": True})


def test_a_disabled_connector_contributes_no_routes() -> None:
    paths = {r.prefix for r in build_routers(Settings(webchat={"enabled": False}))}
    assert "/webchat" not in paths
    assert "/webchat" in {r.prefix for r in build_routers(Settings())}
