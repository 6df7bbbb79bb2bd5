"""The WeChat connector: the official account (pushes, comments) and WeCom customer service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from fastapi import APIRouter
from pydantic import BaseModel

from bot.outbox import ReplySender
from connectors.base import Connector, ConnectorLoop, Plug
from connectors.wechat.client import KfClient, OfficialAccountClient, session_storage
from connectors.wechat.comments import CommentPoller
from connectors.wechat.kf import KfSender, KfSync
from connectors.wechat.kf_routes import router as kf_router
from connectors.wechat.parse import PLATFORM
from connectors.wechat.routes import router as wechat_router
from connectors.wechat.sender import WechatSender
from connectors.wechat.settings import WechatSettings, WecomKfSettings
from connectors.wechat.window import ServiceWindow


class WechatConnector(Connector):
    name = "wechat"
    sections: ClassVar[Mapping[str, type[BaseModel]]] = {
        "wechat": WechatSettings,
        "wecom_kf": WecomKfSettings,
    }

    def routers(self, sections: Mapping[str, BaseModel]) -> list[APIRouter]:
        routers: list[APIRouter] = []
        if _enabled(sections, "wechat"):
            routers.append(wechat_router)
        if _enabled(sections, "wecom_kf"):
            routers.append(kf_router)
        return routers

    def senders(self, plug: Plug) -> list[ReplySender]:
        senders: list[ReplySender] = []
        if _enabled(plug.sections, "wechat"):
            senders.append(
                WechatSender(
                    plug.redis,
                    official_account_client(plug),
                    plug.send_guard(),
                    ServiceWindow(plug.redis, PLATFORM),
                    on_unreachable=plug.on_unreachable,
                )
            )
        if _enabled(plug.sections, "wecom_kf"):
            senders.append(KfSender(plug.redis, kf_client(plug), plug.send_guard()))
        return senders

    def loops(self, plug: Plug) -> list[ConnectorLoop]:
        """The comment poller and the WeCom puller, when enabled."""
        inbox = plug.inbox("wechat-connector")
        loops: list[ConnectorLoop] = []
        official = plug.section("wechat", WechatSettings)
        if official.enabled and official.comment_articles:
            poller = CommentPoller(plug.redis, inbox, official_account_client(plug), official)
            loops.append(ConnectorLoop("wechat-comments", poller.run))
        kf = plug.section("wecom_kf", WecomKfSettings)
        if kf.enabled:
            sync = KfSync(plug.redis, inbox, kf_client(plug), kf)
            loops.append(ConnectorLoop("wecom-kf-sync", sync.run))
        return loops


def official_account_client(plug: Plug) -> OfficialAccountClient:
    return OfficialAccountClient(
        plug.section("wechat", WechatSettings), session_storage(plug.redis_url)
    )


def kf_client(plug: Plug) -> KfClient:
    return KfClient(plug.section("wecom_kf", WecomKfSettings), session_storage(plug.redis_url))


def _enabled(sections: Mapping[str, BaseModel], name: str) -> bool:
    return bool(getattr(sections[name], "enabled", False))
