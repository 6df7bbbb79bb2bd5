"""WeCom customer service (微信客服): pull with ``sync_msg``, reply with ``send_msg``, move the
session between the bot and people.

The callback only says "there is something new" (with a short-lived ``Token``); the messages
themselves are pulled here, outside the request, by a loop that takes the callback's requests
from a Redis list. The cursor is kept in Redis, one pull per account at a time (a lock), so
several API processes neither skip nor repeat messages. Only the customer's own messages
(``origin`` 3) are queued; conversations are ``wecom_kf:<open_kfid>:<external_userid>``.

WeCom lets the API send only while the session is new (state 0) or with the bot (state 1),
within 48 hours of the customer's last message and at most 5 times: the same budget as the
official account (``window.py``). A session handed to a WeCom member (state 3) can only go on to
"ended" (4): WeCom has no way back from 3 to 1 (see docs/wechat.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from typing import Any

import requests
from redis.asyncio import Redis
from wechatpy.exceptions import WeChatClientException

from bot import keys
from bot.addresses import ConversationAddress
from bot.inbox import Inbox
from bot.lease import Lease
from bot.messages import InboundMessage, OutboundReply, Sender
from bot.send_guard import SendGuard
from bot.vocabulary import MessageKind
from connectors.wechat.client import KfClient, call_api, redact
from connectors.wechat.sender import UnreachableHook
from connectors.wechat.settings import WecomKfSettings
from connectors.wechat.window import CustomerUnreachable, ServiceWindow

logger = logging.getLogger(__name__)

PLATFORM = "wecom_kf"
CUSTOMER = 3  # sync_msg "origin": the WeChat customer wrote it
STATE_BOT, STATE_HUMAN, STATE_ENDED = 1, 3, 4
IN_DOUBT = (requests.exceptions.ReadTimeout,)
_LOCK_MS = 30_000


def kf_message(item: dict[str, Any]) -> InboundMessage | None:
    """One ``msg_list`` entry as an inbound message; None for what the bot does not answer."""
    if int(item.get("origin", 0)) != CUSTOMER:
        return None
    kind = str(item.get("msgtype", ""))
    content = item.get(kind) or {}
    if kind == "text":
        text, message_kind, detail = str(content.get("content", "")), MessageKind.TEXT, ""
    elif kind in (
        "image",
        "voice",
        "video",
        "file",
        "location",
        "link",
        "business_card",
        "miniprogram",
    ):
        text, message_kind, detail = f"[{kind}]", MessageKind.MEDIA, kind
    else:
        logger.info("Ignoring WeCom customer-service message of type %r", kind)
        return None
    user, account, msgid = (
        str(item.get(f) or "") for f in ("external_userid", "open_kfid", "msgid")
    )
    if not (user and account and msgid):
        logger.warning("Skipping a sync_msg entry without external_userid/open_kfid/msgid")
        return None
    return InboundMessage(
        platform=PLATFORM,
        channel="private",
        chat_id=account,
        sender=Sender(user_id=user),
        text=text,
        platform_message_id=msgid,
        timestamp=float(item.get("send_time", 0)),
        kind=message_kind,
        detail=detail,
    )


class KfSync:
    """Pulls what the callback announced, into the inbox."""

    def __init__(
        self, redis: Redis, inbox: Inbox, client: KfClient, settings: WecomKfSettings
    ) -> None:
        self.redis = redis
        self.inbox = inbox
        self.client = client
        self.settings = settings
        self.window = ServiceWindow(redis, PLATFORM)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                popped = await self.redis.blpop([keys.wecom_kf_sync_requests()], timeout=1)
                if popped:
                    request = json.loads(popped[1])
                    await self.sync(
                        request.get("open_kfid") or self.settings.open_kfid,
                        request.get("token", ""),
                    )
            except Exception as exc:
                logger.warning(
                    "WeCom sync_msg pull failed (%s); waiting for the next callback",
                    redact(repr(exc)),
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 1)

    async def sync(self, open_kfid: str, token: str) -> int:
        """Pull every new message of ``open_kfid`` (``has_more`` pages); return how many
        were queued. One process pulls an account at a time; the others wait their turn (the
        messages this callback announced may have arrived after the current pull's last page).
        """
        lease = Lease(self.redis, keys.wecom_kf_sync_lock(open_kfid), _LOCK_MS)
        deadline = time.monotonic() + _LOCK_MS / 1000
        while not await lease.acquire():
            if time.monotonic() > deadline:
                raise TimeoutError(f"another process kept the sync_msg lock of {open_kfid}")
            await asyncio.sleep(0.1)
        try:
            return await self._pull(open_kfid, token, lease)
        finally:
            await lease.release()

    async def _pull(self, open_kfid: str, token: str, lease: Lease) -> int:
        cursor_key = keys.wecom_kf_cursor(open_kfid)
        cursor = json.loads(await self.redis.get(cursor_key) or '""')
        queued = 0
        while True:
            result = await call_api(self.client.kf.sync_msg, token, cursor)
            for item in result.get("msg_list") or []:
                queued += await self._accept(item)
            cursor = result.get("next_cursor") or cursor
            # Saved after the page is queued: a crash repeats a page, and the inbox dedupes it.
            await self.redis.set(cursor_key, json.dumps(cursor))
            if not int(result.get("has_more", 0)):
                return queued
            if not await lease.renew():  # lapsed mid-pull: another process owns the cursor now
                raise TimeoutError(f"lost the sync_msg lock of {open_kfid} during a pull")

    async def _accept(self, item: dict[str, Any]) -> int:
        message = kf_message(item)
        if message is None:
            return 0
        # The budget before the message is queued (a worker may answer at once), once per
        # message however often a pull returns it.
        await self.window.opened_by(message.sender.user_id, "message", message.message_key)
        accepted = await self.inbox.accept(message)
        return 0 if accepted.duplicate else 1


class KfSender:
    """Replies through ``kf/send_msg``, within the 48-hour budget, at most once."""

    platform = PLATFORM

    def __init__(
        self,
        redis: Redis,
        client: KfClient,
        guard: SendGuard,
        on_unreachable: UnreachableHook | None = None,
    ) -> None:
        self.client = client
        self.guard = guard
        self.window = ServiceWindow(redis, PLATFORM)
        self.on_unreachable = on_unreachable

    async def send(self, reply: OutboundReply) -> None:
        try:
            await self.guard.send_once(reply, lambda: self._send(reply), in_doubt=IN_DOUBT)
        except CustomerUnreachable as exc:
            if self.on_unreachable is not None:
                await self.on_unreachable(reply, exc)
            raise

    async def _send(self, reply: OutboundReply) -> None:
        user = ConversationAddress.parse(reply.conversation_key).user_id
        grant = await self.window.reserve(user)
        # WeCom refuses a msgid it has seen: a second attempt can never show twice.
        msgid = hashlib.sha256(reply.reply_id.encode()).hexdigest()[:32]
        try:
            await call_api(self.client.kf_message.send_text, user, reply.chat_id, reply.text, msgid)
        except IN_DOUBT:
            raise
        except Exception:
            await self.window.release(user, grant)
            raise


class KfSessions:
    """Moves a WeCom customer-service session to a person and back (ticket claim/resolve)."""

    def __init__(self, client: KfClient, settings: WecomKfSettings) -> None:
        self.client = client
        self.settings = settings

    async def state(self, external_userid: str) -> int:
        result = await call_api(
            self.client.kf.get_service_state, self.settings.open_kfid, external_userid
        )
        return int(result.get("service_state", 0))

    async def to_human(self, external_userid: str, servicer_userid: str) -> None:
        """A ticket was claimed: a WeCom member (``servicer_userid``) serves the customer."""
        await self._trans(external_userid, STATE_HUMAN, servicer_userid)

    async def to_bot(self, external_userid: str) -> None:
        """The ticket was resolved. From human service WeCom only allows "ended"; the next
        message of the customer opens a new session the bot answers."""
        current = await self.state(external_userid)
        target = STATE_ENDED if current == STATE_HUMAN else STATE_BOT
        if current != target:
            await self._trans(external_userid, target)

    async def _trans(self, external_userid: str, state: int, servicer: str = "") -> None:
        try:
            await call_api(
                self.client.kf.trans_service_state,
                self.settings.open_kfid,
                external_userid,
                state,
                servicer,
            )
        except WeChatClientException as exc:
            logger.warning("WeCom refused to move a session to state %d: %s", state, exc)
            raise
