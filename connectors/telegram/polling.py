"""Polling mode: one process at a time long-polls ``getUpdates`` and queues what arrives.

Telegram serves one ``getUpdates`` caller per bot (a second gets 409 Conflict), so the API
processes share a Redis lease; whoever holds it polls, the others wait to take over. The offset
is kept in Redis and moved past an update only once the update is queued: a crash in between
means a redelivery, which the inbox's dedupe absorbs.
"""

from __future__ import annotations

import asyncio
import json
import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot import keys
from bot.inbox import Inbox
from bot.lease import Lease
from connectors.telegram.client import (
    BotIdentity,
    TokenRejected,
    build_bot,
    close_bot,
    fetch_identity,
)
from connectors.telegram.intake import TelegramIntake
from connectors.telegram.loops import sleep_unless_stopped, until_stopped
from connectors.telegram.settings import TelegramSettings

logger = logging.getLogger(__name__)

_LOCK_RETRY_SECONDS = 5.0
_MAX_BACKOFF_SECONDS = 60.0


class Poller:
    def __init__(self, redis: Redis, settings: TelegramSettings, inbox: Inbox) -> None:
        self.redis = redis
        self.settings = settings
        self.intake = TelegramIntake(redis, inbox)
        lease_seconds = self.settings.poll_timeout_seconds + self.settings.request_timeout_seconds
        self.lock = Lease(redis, keys.telegram_poll_lock(), int((lease_seconds + 30) * 1000))

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 1.0
        while not stop.is_set():
            try:
                if not await self.lock.acquire():
                    await sleep_unless_stopped(stop, _LOCK_RETRY_SECONDS)
                    continue
                try:
                    await self._poll_while_leader(stop)
                    backoff = 1.0
                finally:
                    await self.lock.release()
            except (TelegramError, TokenRejected, RedisError, OSError) as exc:
                logger.warning("Telegram polling failed (%s); retrying in %.0f s", exc, backoff)
            except Exception:
                logger.exception("Telegram polling failed; retrying in %.0f s", backoff)
            else:
                continue
            await sleep_unless_stopped(stop, backoff)
            backoff = min(backoff * 2, _MAX_BACKOFF_SECONDS)

    async def _poll_while_leader(self, stop: asyncio.Event) -> None:
        bot = build_bot(self.settings, poll=True)
        try:
            me = await fetch_identity(bot, self.redis)
            # getUpdates is refused while a webhook is set.
            await bot.delete_webhook(drop_pending_updates=False)
            logger.info("Polling Telegram for updates")
            while not stop.is_set():
                if not await self.lock.renew():
                    logger.warning("Lost the Telegram polling lease; another process polls")
                    return
                updates = await until_stopped(stop, self._fetch(bot))
                for update in updates or ():
                    await self._handle(update, me)
        finally:
            await close_bot(bot)

    async def _fetch(self, bot: ExtBot[None]) -> tuple[Update, ...]:
        raw = await self.redis.get(keys.telegram_poll_offset())
        return await bot.get_updates(
            offset=json.loads(raw) if raw else None,
            timeout=self.settings.poll_timeout_seconds,
            allowed_updates=self.settings.allowed_updates,
        )

    async def _handle(self, update: Update, me: BotIdentity) -> None:
        try:
            await self.intake.handle(update, me)
        except RedisError:
            raise  # not queued: leave the offset, so the update comes again
        except Exception:
            # One update our code cannot handle must not stop every later one.
            logger.exception("Telegram update %d could not be handled; skipped", update.update_id)
        await self.redis.set(keys.telegram_poll_offset(), json.dumps(update.update_id + 1))
