"""Builds the WeChat connector's parts from settings, for ``bot/runtime.py``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from redis.asyncio import Redis

from bot.inbox import Inbox
from bot.outbox import ReplySender
from bot.send_guard import SendGuard
from bot.settings import Settings
from bot.transcript import Transcripts
from connectors.wechat.client import KfClient, OfficialAccountClient, session_storage
from connectors.wechat.comments import CommentPoller
from connectors.wechat.kf import KfSender, KfSync
from connectors.wechat.kf_routes import router as kf_router
from connectors.wechat.parse import PLATFORM
from connectors.wechat.routes import router as wechat_router
from connectors.wechat.sender import UnreachableHook, WechatSender
from connectors.wechat.window import ServiceWindow


def _redis_url(settings: Settings) -> str:
    if not settings.redis.url:
        raise RuntimeError("the WeChat connector needs a Redis URL")
    return settings.redis.url


def official_account_client(settings: Settings) -> OfficialAccountClient:
    return OfficialAccountClient(settings.wechat, session_storage(_redis_url(settings)))


def kf_client(settings: Settings) -> KfClient:
    return KfClient(settings.wecom_kf, session_storage(_redis_url(settings)))


def _guard(redis: Redis, settings: Settings) -> SendGuard:
    transcripts = Transcripts(
        redis, settings.inbox.transcript_max, reply_ttl_seconds=settings.inbox.dedupe_ttl_seconds
    )
    return SendGuard(redis, transcripts, claim_ttl_seconds=settings.inbox.dedupe_ttl_seconds)


def wechat_senders(
    redis: Redis, settings: Settings, on_unreachable: UnreachableHook | None = None
) -> list[ReplySender]:
    senders: list[ReplySender] = []
    if settings.wechat.enabled:
        senders.append(
            WechatSender(
                redis,
                official_account_client(settings),
                _guard(redis, settings),
                ServiceWindow(redis, PLATFORM),
                on_unreachable=on_unreachable,
            )
        )
    if settings.wecom_kf.enabled:
        senders.append(KfSender(redis, kf_client(settings), _guard(redis, settings)))
    return senders


def wechat_routers(settings: Settings) -> list[APIRouter]:
    routers: list[APIRouter] = []
    if settings.wechat.enabled:
        routers.append(wechat_router)
    if settings.wecom_kf.enabled:
        routers.append(kf_router)
    return routers


LoopRun = Callable[[asyncio.Event], Awaitable[None]]


def wechat_loops(redis: Redis, settings: Settings) -> list[tuple[str, LoopRun]]:
    """(name, run) of the comment poller and the WeCom puller, when enabled."""
    inbox = Inbox(redis, settings.inbox, "wechat-connector")
    loops: list[tuple[str, LoopRun]] = []
    if settings.wechat.enabled and settings.wechat.comment_articles:
        poller = CommentPoller(redis, inbox, official_account_client(settings), settings.wechat)
        loops.append(("wechat-comments", poller.run))
    if settings.wecom_kf.enabled:
        loops.append(
            ("wecom-kf-sync", KfSync(redis, inbox, kf_client(settings), settings.wecom_kf).run)
        )
    return loops
