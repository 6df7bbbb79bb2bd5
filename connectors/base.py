"""What a platform connector is: the interface every package under connectors/ implements.

A connector turns a platform's events into ``bot.messages.InboundMessage`` (queued with
``bot.inbox.Inbox``) and delivers ``OutboundReply`` back (a ``bot.outbox.ReplySender``). It
declares:

- ``sections``: the config.yml sections it owns, each a pydantic model (validated at start);
- ``routers``: the HTTP endpoints the platform calls (webhooks, the web chat page);
- ``senders``: one per platform name it delivers to;
- ``loops``: its long-running jobs (pollers, webhook registration), run by the API process.

Adding a platform is one package with a ``connector.py`` and one line in
``connectors/registry.py``; docs/connectors.md walks through the web chat as the example.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, TypeVar

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from redis.asyncio import Redis

from bot.deps import SettingsDep
from bot.inbox import Inbox
from bot.outbox import ReplySender
from bot.ports import UnreachableHook
from bot.send_guard import SendGuard
from bot.settings import EngineSettings
from bot.streams import consumer_name
from bot.transcript import Transcripts

Section = TypeVar("Section", bound=BaseModel)


@dataclass(frozen=True)
class ConnectorLoop:
    """A connector's own long-running job, run by the API process until ``stop`` is set."""

    name: str
    run: Callable[[asyncio.Event], Awaitable[None]]


@dataclass(frozen=True)
class Plug:
    """What the composition root hands a connector to build its running parts with."""

    redis: Redis
    engine: EngineSettings
    sections: Mapping[str, BaseModel]
    # Tells the people's side that a customer cannot be written to (WeChat's 48-hour window).
    on_unreachable: UnreachableHook | None = None

    def section(self, name: str, model: type[Section]) -> Section:
        section = self.sections[name]
        if not isinstance(section, model):
            raise TypeError(f"settings section {name!r} is not a {model.__name__}")
        return section

    @property
    def redis_url(self) -> str:
        if not self.engine.redis.url:
            raise RuntimeError("this connector needs a Redis URL")
        return self.engine.redis.url

    def transcripts(self) -> Transcripts:
        inbox = self.engine.inbox
        return Transcripts(
            self.redis, inbox.transcript_max, reply_ttl_seconds=inbox.dedupe_ttl_seconds
        )

    def inbox(self, role: str) -> Inbox:
        """The inbox, as a producer named after ``role`` (readable in XINFO CONSUMERS)."""
        return Inbox(self.redis, self.engine.inbox, consumer_name(role))

    def send_guard(self) -> SendGuard:
        """Once-only sending with in-doubt bookkeeping (see bot/send_guard.py)."""
        ttl = self.engine.inbox.dedupe_ttl_seconds
        return SendGuard(self.redis, self.transcripts(), claim_ttl_seconds=ttl)


class Connector(ABC):
    """One platform (or a family of them, such as WeChat's official account and WeCom)."""

    name: ClassVar[str]
    sections: ClassVar[Mapping[str, type[BaseModel]]]

    @abstractmethod
    def routers(self, sections: Mapping[str, BaseModel]) -> list[APIRouter]:
        """The endpoints of the enabled parts (built before the app starts: no Redis yet)."""

    @abstractmethod
    def senders(self, plug: Plug) -> list[ReplySender]: ...

    def loops(self, plug: Plug) -> list[ConnectorLoop]:
        return []


def settings_section(name: str, model: type[Section]) -> Any:
    """A route dependency giving the connector's own settings section, e.g.
    ``WechatConfig = settings_section("wechat", WechatSettings)``; ``config: WechatConfig``."""

    async def read(settings: SettingsDep) -> BaseModel:
        section = getattr(settings, name)
        if not isinstance(section, model):
            raise TypeError(f"settings section {name!r} is not a {model.__name__}")
        return section

    return Annotated[model, Depends(read)]
