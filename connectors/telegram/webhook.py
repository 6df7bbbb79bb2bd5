"""Webhook mode: ``POST /telegram/webhook`` checks, parses and queues; nothing slow runs inside.

At start-up ``WebhookRegistration`` asks Telegram who the bot is (getMe) and registers the
webhook (setWebhook with the secret token and the allowed update types) when a public URL is
configured.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging

from fastapi import APIRouter, HTTPException, Request, status
from redis.asyncio import Redis
from redis.exceptions import RedisError
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.deps import InboxDep, RedisDep
from connectors.telegram.client import (
    IdentityCache,
    TokenRejected,
    build_bot,
    close_bot,
    fetch_identity,
)
from connectors.telegram.intake import TelegramIntake
from connectors.telegram.loops import sleep_unless_stopped
from connectors.telegram.schemas import WebhookAck
from connectors.telegram.settings import TelegramSettings
from connectors.telegram.shape import MalformedUpdate, check_update

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram/webhook"
_MAX_BACKOFF_SECONDS = 300
_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"description": "The body is not a Telegram Update"},
    403: {"description": f"{SECRET_HEADER} is missing or wrong"},
    415: {"description": "The body is not JSON"},
    503: {"description": "Starting up; Telegram delivers the update again"},
}


def build_router(settings: TelegramSettings) -> APIRouter:
    router = APIRouter(prefix="/telegram", tags=["telegram"])
    identities = IdentityCache(settings)
    expected = settings.secret_token.get_secret_value().encode()

    @router.post("/webhook", responses=_RESPONSES)
    async def receive(request: Request, redis: RedisDep, inbox: InboxDep) -> WebhookAck:
        """Receive one update from Telegram; it is queued and answered shortly."""
        given = request.headers.get(SECRET_HEADER, "").encode("latin-1")
        if not expected or not hmac.compare_digest(given, expected):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"missing or wrong {SECRET_HEADER}")
        if "json" not in request.headers.get("content-type", ""):
            raise HTTPException(
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "an update is sent as application/json"
            )
        update = _parse(await request.body())
        me = await identities.get(redis)
        if me is None:  # start-up has not reached getMe yet; Telegram delivers it again
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "starting up; retry")
        await TelegramIntake(redis, inbox).handle(update, me)
        return WebhookAck(ok=True)

    return router


def _parse(body: bytes) -> Update:
    """The update in ``body``, or a 400 with a short reason (logged with the update id only)."""
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"body is not JSON: {exc.msg} at character {exc.pos}"
        ) from None
    except (UnicodeDecodeError, RecursionError) as exc:  # depth is limited upstream, too
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"body is not JSON ({type(exc).__name__})"
        ) from None
    try:
        update = Update.de_json(check_update(data), None)
    except MalformedUpdate as exc:
        reason = str(exc)
    except Exception as exc:  # python-telegram-bot raises whatever its constructors raise
        reason = f"not a valid Telegram Update ({type(exc).__name__})"
    else:
        return update
    update_id = data.get("update_id") if isinstance(data, dict) else None
    logger.warning("Refused Telegram update %s: %s", update_id, reason)
    raise HTTPException(status.HTTP_400_BAD_REQUEST, reason)


class WebhookRegistration:
    """Start-up job: getMe, then setWebhook; retried with backoff until it succeeds."""

    def __init__(self, redis: Redis, settings: TelegramSettings) -> None:
        self.redis = redis
        self.settings = settings

    @property
    def url(self) -> str:
        return self.settings.public_url.rstrip("/") + WEBHOOK_PATH

    async def run(self, stop: asyncio.Event) -> None:
        bot = build_bot(self.settings)
        backoff = 1.0
        try:
            while not stop.is_set():
                try:
                    await self.register(bot)
                    break
                except (TelegramError, TokenRejected, RedisError, OSError) as exc:
                    logger.warning(
                        "Telegram webhook set-up failed (%s); retrying in %.0f s", exc, backoff
                    )
                except Exception:
                    logger.exception("Telegram webhook set-up failed; retrying in %.0f s", backoff)
                await sleep_unless_stopped(stop, backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF_SECONDS)
            # Stay alive until shutdown: a finished job would read as a crash to /healthz.
            await stop.wait()
        finally:
            await close_bot(bot)

    async def register(self, bot: ExtBot[None]) -> None:
        await fetch_identity(bot, self.redis)
        if not self.settings.public_url:
            logger.warning(
                "telegram.public_url is empty: register the webhook yourself "
                "(setWebhook with url=<your URL>%s and the secret token)",
                WEBHOOK_PATH,
            )
            return
        await bot.set_webhook(
            url=self.url,
            secret_token=self.settings.secret_token.get_secret_value(),
            allowed_updates=self.settings.allowed_updates,
            drop_pending_updates=False,
        )
        logger.info("Telegram webhook registered at %s", self.url)
