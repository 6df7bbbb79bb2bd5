"""The Telegram connector: private chats, groups and channel discussions (docs/telegram.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from fastapi import APIRouter
from pydantic import BaseModel

from bot.outbox import ReplySender
from connectors.base import Connector, ConnectorLoop, Plug
from connectors.telegram.polling import Poller
from connectors.telegram.sender import TelegramSender
from connectors.telegram.settings import TelegramSettings
from connectors.telegram.webhook import WebhookRegistration, build_router


class TelegramConnector(Connector):
    name = "telegram"
    sections: ClassVar[Mapping[str, type[BaseModel]]] = {"telegram": TelegramSettings}

    def routers(self, sections: Mapping[str, BaseModel]) -> list[APIRouter]:
        telegram = sections["telegram"]
        assert isinstance(telegram, TelegramSettings)
        if telegram.enabled and telegram.mode == "webhook":
            return [build_router(telegram)]
        return []

    def senders(self, plug: Plug) -> list[ReplySender]:
        telegram = plug.section("telegram", TelegramSettings)
        if not telegram.enabled:
            return []
        ttl = plug.engine.inbox.dedupe_ttl_seconds
        return [TelegramSender(plug.redis, plug.transcripts(), telegram, claim_ttl_seconds=ttl)]

    def loops(self, plug: Plug) -> list[ConnectorLoop]:
        """Long polling, or registering the webhook, whichever the mode says."""
        telegram = plug.section("telegram", TelegramSettings)
        if not telegram.enabled:
            return []
        if telegram.mode == "webhook":
            registration = WebhookRegistration(plug.redis, telegram)
            return [ConnectorLoop("telegram-webhook", registration.run)]
        poller = Poller(plug.redis, telegram, plug.inbox("telegram-poller"))
        return [ConnectorLoop("telegram-poller", poller.run)]
