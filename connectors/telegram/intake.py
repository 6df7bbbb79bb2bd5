"""From a parsed update to the inbox: shared by the webhook and the poller.

Dedupe is the inbox's: the platform message id carries the ``update_id`` (see ``ids.py``), and
``Inbox.accept`` sets it with SET NX EX, so a redelivered update is queued (and answered) once.
"""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from telegram import ChatMember, Update
from telegram.constants import ChatType

from bot import keys
from bot.inbox import Accepted, Inbox
from bot.messages import InboundMessage
from connectors.telegram.client import BotIdentity
from connectors.telegram.normalize import Ignored, normalize, post_thread_root
from connectors.telegram.private_chats import PrivateChats

logger = logging.getLogger(__name__)

# Comments under a channel post keep coming for weeks; after that a thread is forgotten.
POST_THREAD_TTL_SECONDS = 90 * 24 * 3600


class TelegramIntake:
    def __init__(self, redis: Redis, inbox: Inbox) -> None:
        self.redis = redis
        self.inbox = inbox
        self.private_chats = PrivateChats(redis)

    async def handle(self, update: Update, me: BotIdentity) -> Accepted | None:
        """Queue the update's customer message; None when there is none (and why is logged)."""
        if update.my_chat_member is not None:
            await self._membership(update)
            return None
        known_thread = await self._remember_post_thread(update)
        try:
            result: InboundMessage | Ignored = normalize(update, me, known_post_thread=known_thread)
        except Exception as exc:
            # A shape we did not foresee must not make Telegram re-deliver it forever. No
            # traceback: its locals and messages can quote what the customer wrote.
            logger.warning(
                "Telegram update %d could not be normalized (%s)",
                update.update_id,
                type(exc).__name__,
            )
            return None
        if isinstance(result, Ignored):
            logger.debug("Telegram update %d not queued: %s", update.update_id, result.reason)
            return None
        if result.channel == "private":
            await self.private_chats.remember(result.sender.user_id)
        accepted = await self.inbox.accept(result)
        if accepted.duplicate:
            logger.info("Telegram update %d was delivered again; queued once", update.update_id)
        return accepted

    async def _remember_post_thread(self, update: Update) -> bool:
        """Record threads under channel posts; True when this message's thread is one."""
        message = update.message
        if message is None or message.chat.type != ChatType.SUPERGROUP:
            return False
        chat = str(message.chat.id)
        root = message.message_id if message.is_automatic_forward else post_thread_root(message)
        if root is not None:
            await self.redis.set(
                keys.telegram_discussion_thread(chat, str(root)), "1", ex=POST_THREAD_TTL_SECONDS
            )
            return True
        if message.message_thread_id:
            thread = keys.telegram_discussion_thread(chat, str(message.message_thread_id))
            return bool(await self.redis.exists(thread))
        return False

    async def _membership(self, update: Update) -> None:
        change = update.my_chat_member
        if change is None or change.chat.type != ChatType.PRIVATE:
            return
        user = str(change.from_user.id)
        if change.new_chat_member.status == ChatMember.BANNED:  # "kicked": the user blocked us
            await self.private_chats.forget(user)
        elif change.new_chat_member.status == ChatMember.MEMBER:
            await self.private_chats.remember(user)
