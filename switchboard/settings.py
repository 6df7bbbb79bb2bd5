"""The whole of config.yml: the engine's sections plus those of the parts plugged into it.

``bot.settings.EngineSettings`` holds what the engine reads (Redis, inbox, understanding,
assessment, policy, HTTP limits). Handoff adds ``handoff`` (the SLA table, teams, sign-in
limits) and every registered connector adds its own sections (``webchat``, ``telegram``,
``wechat``, ``wecom_kf``...), so that adding a platform never touches the engine's settings.
Sources and precedence are the engine's (see bot/settings.py).
"""

from __future__ import annotations

from typing import Any

from pydantic import create_model
from pydantic_settings import SettingsConfigDict

from bot.settings import EngineSettings
from connectors.registry import CONNECTORS
from handoff.settings import HandoffSettings


def _plugged_sections() -> dict[str, Any]:
    sections: dict[str, Any] = {"handoff": (HandoffSettings, HandoffSettings())}
    for connector in CONNECTORS:
        for name, model in connector.sections.items():
            if name in sections or name in EngineSettings.model_fields:
                raise RuntimeError(f"settings section {name!r} is declared twice")
            sections[name] = (model, model())
    return sections


class _AllSections(EngineSettings):
    # All sections are known here: a misspelt one in config.yml is an error, not ignored.
    model_config = SettingsConfigDict(extra="forbid")


Settings = create_model(  # type: ignore[call-overload]
    "Settings",
    __base__=_AllSections,
    __doc__="Everything config.yml can hold (see the module docstring).",
    **_plugged_sections(),
)


def load_settings(**overrides: Any) -> Settings:  # type: ignore[valid-type]
    """Build the settings from config.yml, the environment and ``overrides``."""
    return Settings(**overrides)


def connector_sections(settings: EngineSettings) -> dict[str, Any]:
    """Each registered connector's sections, by section name, read from ``settings``."""
    return {
        name: getattr(settings, name) for connector in CONNECTORS for name in connector.sections
    }
