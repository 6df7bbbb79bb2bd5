"""The official account's sending half: private replies through the customer-service message
API (``message.send_text``), comment replies through ``/cgi-bin/comment/reply/add``.

Every call goes through ``SendGuard`` (a read timeout may have delivered: never resent) and,
for private replies, through the 48-hour budget (``window.py``): a reply the budget refuses,
or that WeChat refuses with 45015/45047, is not retried; the user is marked unreachable.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

import requests
from redis.asyncio import Redis
from wechatpy.exceptions import WeChatClientException

from bot.messages import OutboundReply
from bot.send_guard import SendGuard
from connectors.wechat.client import OfficialAccountClient, call_api
from connectors.wechat.comments import add_reply, comment_to_answer
from connectors.wechat.parse import PLATFORM
from connectors.wechat.window import REFUSALS, CustomerUnreachable, ServiceWindow

logger = logging.getLogger(__name__)

# A read timeout means WeChat may have delivered: resending could show the answer twice.
IN_DOUBT = (requests.exceptions.ReadTimeout,)

# Called when a reply cannot reach the customer until they write again (e.g. to mark the
# conversation's ticket for the agent), before the outbox gives up on the reply.
UnreachableHook = Callable[[OutboundReply, CustomerUnreachable], Awaitable[None]]


class WechatSender:
    platform = PLATFORM

    def __init__(
        self,
        redis: Redis,
        client: OfficialAccountClient,
        guard: SendGuard,
        window: ServiceWindow,
        on_unreachable: UnreachableHook | None = None,
    ) -> None:
        self.redis = redis
        self.client = client
        self.guard = guard
        self.window = window
        self.on_unreachable = on_unreachable

    async def send(self, reply: OutboundReply) -> None:
        if reply.channel == "comment":
            await self._send_comment_reply(reply)
            return
        try:
            await self.guard.send_once(reply, lambda: self._send_private(reply), in_doubt=IN_DOUBT)
        except CustomerUnreachable as exc:
            logger.warning("Reply %s cannot reach its WeChat user: %s", reply.reply_id, exc)
            if self.on_unreachable is not None:
                await self.on_unreachable(reply, exc)
            raise

    async def _send_private(self, reply: OutboundReply) -> None:
        user = reply.chat_id
        grant = await self.window.reserve(user)
        try:
            await call_api(self.client.message.send_text, user, reply.text)
        except WeChatClientException as exc:
            if exc.errcode in REFUSALS:
                raise await self.window.refused(user, int(exc.errcode)) from exc
            await self.window.release(user, grant)
            raise
        except IN_DOUBT:
            raise  # the message may have gone out: it stays counted
        except Exception:
            await self.window.release(user, grant)
            raise
        logger.info("Sent reply %s (%s) to a WeChat user", reply.reply_id, reply.author)

    async def _send_comment_reply(self, reply: OutboundReply) -> None:
        ref = await comment_to_answer(self.redis, reply)
        await self.guard.send_once(
            reply,
            lambda: call_api(add_reply, self.client, ref, reply.text),
            in_doubt=IN_DOUBT,
        )
        logger.info("Answered comment %s publicly (reply %s)", ref.message_id, reply.reply_id)
        if reply.private_details and reply.user_id:
            await self._send_details(reply)

    async def _send_details(self, reply: OutboundReply) -> None:
        """A hand-over's details in private, where the 48-hour window allows (a commenter who
        never wrote to the account cannot be messaged: the public note must do)."""
        details = replace(
            reply,
            reply_id=f"{reply.reply_id}:private",
            chat_id=reply.user_id,
            channel="private",
            text=reply.private_details,
            private_details="",
        )
        try:
            await self.guard.send_once(
                details, lambda: self._send_private(details), in_doubt=IN_DOUBT
            )
        except CustomerUnreachable as exc:
            logger.info("Hand-over details for %s stay public only: %s", reply.reply_id, exc)
