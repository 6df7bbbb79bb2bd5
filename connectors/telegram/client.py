"""The python-telegram-bot client, built from settings, and the bot's own identity.

The token is part of every Bot API URL, and httpx logs each request's URL at INFO: a filter on
the ``httpx`` logger blanks it out, so the token never reaches a log.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from redis.asyncio import Redis
from telegram.error import InvalidToken
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot import keys
from bot.errors import SetupError
from connectors.telegram.ratelimit import retry_on_flood
from connectors.telegram.settings import TelegramSettings

logger = logging.getLogger(__name__)

PLATFORM = "telegram"


class TokenRejected(SetupError):
    """Telegram refused the bot token (the message never contains the token)."""


@dataclass(frozen=True, slots=True)
class BotIdentity:
    """Who the bot is: what group messages must mention or reply to, to be for us."""

    id: int
    username: str

    def to_json(self) -> str:
        return json.dumps({"id": self.id, "username": self.username})

    @classmethod
    def from_json(cls, raw: str) -> BotIdentity:
        data = json.loads(raw)
        return cls(id=int(data["id"]), username=str(data["username"]))


class _RedactToken(logging.Filter):
    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token and self.token in record.getMessage():
            record.msg = record.getMessage().replace(self.token, "<bot-token>")
            record.args = None
        return True


def redact_token_in_logs(token: str) -> None:
    """Blank ``token`` out of the request lines httpx logs (its logger is "httpx" itself)."""
    target = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactToken) and f.token == token for f in target.filters):
        target.addFilter(_RedactToken(token))


def build_bot(settings: TelegramSettings, *, poll: bool = False) -> ExtBot[None]:
    """An ``ExtBot`` on ``settings.api_base_url`` that waits out ``RetryAfter`` (the flood
    limits themselves are paced across processes by ``ratelimit.SharedPacer``).

    ``poll``: the request objects wait long enough for a ``getUpdates`` long poll.
    """
    token = settings.bot_token.get_secret_value()
    redact_token_in_logs(token)
    timeout = settings.request_timeout_seconds
    request = HTTPXRequest(
        connection_pool_size=8,
        read_timeout=timeout,
        write_timeout=timeout,
        connect_timeout=timeout,
        pool_timeout=timeout,
    )
    updates_read = timeout + (settings.poll_timeout_seconds if poll else 0)
    updates_request = HTTPXRequest(
        connection_pool_size=1,
        read_timeout=updates_read,
        connect_timeout=timeout,
        pool_timeout=timeout,
    )
    return ExtBot(
        token=token,
        base_url=settings.api_base_url,
        request=request,
        get_updates_request=updates_request,
        rate_limiter=retry_on_flood(),
    )


async def close_bot(bot: ExtBot[None]) -> None:
    """Close the bot's connections, whether or not it was initialized (a sender never is)."""
    await bot.shutdown()
    await bot.request.shutdown()


def bot_id_of(settings: TelegramSettings) -> int:
    # A bot token is "<bot id>:<secret>" (settings validate the shape).
    return int(settings.bot_token.get_secret_value().split(":", 1)[0])


async def fetch_identity(bot: ExtBot[None], redis: Redis) -> BotIdentity:
    """Ask Telegram who we are (getMe) and share the answer with every process via Redis."""
    try:
        await bot.initialize()
    except InvalidToken:
        raise TokenRejected("Telegram rejected telegram.bot_token (Unauthorized)") from None
    identity = BotIdentity(id=bot.bot.id, username=bot.bot.username or "")
    await redis.set(keys.telegram_bot_identity(), identity.to_json())
    logger.info("Telegram bot is @%s (id %d)", identity.username, identity.id)
    return identity


class IdentityCache:
    """The webhook's view of the identity: configured, else as a start-up loop stored it."""

    def __init__(self, settings: TelegramSettings) -> None:
        self._known: BotIdentity | None = None
        if settings.bot_username:
            self._known = BotIdentity(bot_id_of(settings), settings.bot_username.lstrip("@"))

    async def get(self, redis: Redis) -> BotIdentity | None:
        if self._known is None:
            raw = await redis.get(keys.telegram_bot_identity())
            if raw:
                self._known = BotIdentity.from_json(raw)
        return self._known
