"""Replies to Telegram: in the same chat, and in groups as a reply in the customer's thread.

Idempotent per reply id through ``SendGuard``: a ``sendMessage`` whose answer was lost (read
timeout, connection dropped after the request went out) may have been delivered, so it is never
sent again blindly. Flood limits are waited out (``ratelimit.SharedPacer``, shared by every
process) before the guard's claim, so a reply still waiting for its turn has not started. One
that provably did not go out (no connection) or was refused for now (429 after the rate
limiter's own retries) is retried by the outbox. ``Forbidden`` (the user blocked
the bot, the bot left the group) and ``BadRequest`` are permanent.

Where a reply goes (ids are decoded by ``ids.py``):
- ``in_reply_to`` names the customer's message: in a group the reply quotes it, which also
  keeps it in that message's thread (the comments under a channel post are such a thread);
- without one (an agent writing from the console), a reply in a post's thread quotes the post;
- a forum topic is named by ``message_thread_id``.
"""

from __future__ import annotations

import logging
import re

import httpx
from redis.asyncio import Redis
from telegram import ReplyParameters
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
)

from bot.errors import DeliveryError
from bot.messages import OutboundReply
from bot.outbox import PermanentSendError
from bot.replies import private_reply
from bot.send_guard import DeliveryInDoubt, SendGuard
from bot.transcript import Transcripts
from connectors.telegram import ids
from connectors.telegram.client import PLATFORM, build_bot, close_bot
from connectors.telegram.private_chats import PrivateChats
from connectors.telegram.ratelimit import SharedPacer
from connectors.telegram.settings import TelegramSettings

logger = logging.getLogger(__name__)

_NUMERIC = re.compile(r"-?\d+")
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
)

# Telegram's limit is 4096 characters (UTF-16 units); leave room for surrogate pairs.
MAX_MESSAGE_CHARS = 4000


class TelegramRefused(PermanentSendError):
    """Telegram refused the reply for good (blocked, not a member, malformed): not retried."""


class ReplyMayHaveArrived(DeliveryError):
    """The request reached Telegram but the answer did not come back (or came half-way)."""


class TelegramSender:
    platform = PLATFORM

    def __init__(
        self,
        redis: Redis,
        transcripts: Transcripts,
        settings: TelegramSettings,
        *,
        claim_ttl_seconds: int,
    ) -> None:
        self.bot = build_bot(settings)
        self.guard = SendGuard(redis, transcripts, claim_ttl_seconds)
        self.private_chats = PrivateChats(redis)
        self.pacer = SharedPacer(redis)

    async def close(self) -> None:
        await close_bot(self.bot)

    async def send(self, reply: OutboundReply) -> None:
        async def deliver() -> None:
            await self._deliver(reply)

        try:
            await self.guard.send_once(
                reply,
                deliver,
                in_doubt=(ReplyMayHaveArrived,),
                pace=lambda: self.pacer.wait_turn(reply.chat_id),
            )
        except Forbidden as exc:
            if reply.channel == "private":
                await self.private_chats.forget(reply.chat_id)
            raise TelegramRefused(f"Telegram refused {reply.reply_id}: {exc.message}") from exc
        except BadRequest as exc:
            raise TelegramRefused(f"Telegram refused {reply.reply_id}: {exc.message}") from exc
        except InvalidToken:
            raise TelegramRefused("Telegram rejected telegram.bot_token") from None
        if reply.private_details and reply.user_id:
            # The public note is out; the details (the promise, the apology) go in private when
            # the customer has a private chat with the bot. A refusal there costs nothing.
            await self.send_private(
                reply.user_id, reply.private_details, reply_id=f"{reply.reply_id}:private"
            )

    async def send_private(self, user_id: str, text: str, *, reply_id: str) -> bool:
        """Write to ``user_id`` in private, if they have a private chat with the bot.

        For the details of a comment that needs a person: the public note stays short and this
        carries the rest. True when sent (or possibly sent, after a timeout); False when the
        user never started a private chat or has blocked the bot. Transient failures raise.
        """
        if not await self.private_chats.has(user_id):
            return False
        reply = private_reply(PLATFORM, user_id, reply_id, text)
        try:
            await self.send(reply)
        except DeliveryInDoubt:
            return True
        except TelegramRefused:
            return False
        return True

    async def _deliver(self, reply: OutboundReply) -> None:
        # Numeric ids as numbers: the rate limiter tells groups (negative ids) by them.
        chat_id: int | str = (
            int(reply.chat_id) if _NUMERIC.fullmatch(reply.chat_id) else reply.chat_id
        )
        chunks = _chunks(reply.text)
        try:
            await self._send_chunk(chat_id, chunks[0], **_placement(reply))
        except ChatMigrated as exc:  # a group became a supergroup; nothing was delivered
            logger.info("Telegram chat %s moved to %s", chat_id, exc.new_chat_id)
            chat_id = exc.new_chat_id
            await self._send_chunk(chat_id, chunks[0], **_placement(reply, reply_to=False))
        thread = _placement(reply, reply_to=False)
        for chunk in chunks[1:]:
            try:
                await self.pacer.wait_turn(chat_id)
                await self._send_chunk(chat_id, chunk, **thread)
            except TelegramError as exc:  # the first part is out: a retry would repeat it
                raise ReplyMayHaveArrived(f"part of {reply.reply_id} was sent: {exc}") from exc

    async def _send_chunk(self, chat_id: int | str, text: str, **placement: object) -> None:
        try:
            await self.bot.send_message(chat_id=chat_id, text=text, **placement)  # type: ignore[arg-type]
        except NetworkError as exc:  # TimedOut included
            # Safe to retry only when the request provably never (fully) reached Telegram;
            # after that, a lost answer may hide a delivered message.
            if isinstance(exc.__cause__, _NOT_SENT):
                raise
            raise ReplyMayHaveArrived(f"no answer from Telegram: {exc.message}") from exc


def _placement(reply: OutboundReply, *, reply_to: bool = True) -> dict[str, object]:
    placement: dict[str, object] = {}
    thread = ids.thread_of(reply.thread_id)
    if thread is not None and thread.kind == "topic":
        placement["message_thread_id"] = thread.message_thread_id
    if reply.channel != "comment":
        return placement
    target = ids.message_id_of(reply.in_reply_to) if reply_to else None
    if target is None and thread is not None and thread.kind == "post":
        target = thread.message_thread_id
    if target is not None:
        # If the customer deleted their message meanwhile, the reply still goes out.
        placement["reply_parameters"] = ReplyParameters(
            message_id=target, allow_sending_without_reply=True
        )
    return placement


def _chunks(text: str) -> list[str]:
    text = text or " "
    return [text[i : i + MAX_MESSAGE_CHARS] for i in range(0, len(text), MAX_MESSAGE_CHARS)]
