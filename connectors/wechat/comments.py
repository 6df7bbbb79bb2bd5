"""Article comments (留言): polled into the pipeline, answered publicly.

Comments have no push, so a poller lists them (``/cgi-bin/comment/list``) for each configured
article and queues each new one as a ``comment`` message. wechatpy has no comment API; the
endpoints are called with its client's ``post``. One process polls per round (a Redis lock),
however many API processes run. A comment conversation is one user under one article:
``wechat:article-<msg_data_id>-<index>:<openid>``. Comments the brand already answered in the
console are skipped. Replies go out with ``/cgi-bin/comment/reply/add``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot import keys
from bot.inbox import Inbox
from bot.lease import Lease
from bot.messages import InboundMessage, OutboundReply, Sender
from bot.outbox import PermanentSendError
from connectors.wechat.client import OfficialAccountClient, call_api, redact
from connectors.wechat.parse import PLATFORM
from connectors.wechat.settings import WechatArticle, WechatSettings

logger = logging.getLogger(__name__)

PAGE_SIZE = 50  # the API's maximum
MAX_PAGES = 40


@dataclass(frozen=True, slots=True)
class CommentRef:
    msg_data_id: str
    index: int
    user_comment_id: int

    @property
    def message_id(self) -> str:
        return f"comment-{self.msg_data_id}-{self.index}-{self.user_comment_id}"

    @classmethod
    def from_message_id(cls, message_id: str) -> CommentRef | None:
        parts = message_id.split("-")
        if len(parts) != 4 or parts[0] != "comment" or not all(p.isdigit() for p in parts[2:]):
            return None
        return cls(parts[1], int(parts[2]), int(parts[3]))


def article_chat_id(msg_data_id: str, index: int) -> str:
    return f"article-{msg_data_id}-{index}"


def _id_value(msg_data_id: str) -> int | str:
    # The API documents msg_data_id as a number; keep the configured string otherwise.
    return int(msg_data_id) if msg_data_id.isdigit() else msg_data_id


def list_comments(
    client: OfficialAccountClient, article: WechatArticle, begin: int
) -> dict[str, Any]:
    """One page of an article's comments (blocking; run in a thread)."""
    result: dict[str, Any] = client.post(
        "comment/list",
        data={
            "msg_data_id": _id_value(article.msg_data_id),
            "index": article.index,
            "begin": begin,
            "count": PAGE_SIZE,
            "type": 0,
        },
    )
    return result


def add_reply(client: OfficialAccountClient, ref: CommentRef, content: str) -> dict[str, Any]:
    """Answer one comment publicly (blocking; run in a thread)."""
    result: dict[str, Any] = client.post(
        "comment/reply/add",
        data={
            "msg_data_id": _id_value(ref.msg_data_id),
            "index": ref.index,
            "user_comment_id": ref.user_comment_id,
            "content": content,
        },
    )
    return result


def comment_message(article: WechatArticle, comment: dict[str, Any]) -> InboundMessage:
    ref = CommentRef(article.msg_data_id, article.index, int(comment["user_comment_id"]))
    return InboundMessage(
        platform=PLATFORM,
        channel="comment",
        chat_id=article_chat_id(article.msg_data_id, article.index),
        sender=Sender(user_id=str(comment["openid"])),
        text=str(comment.get("content", "")),
        platform_message_id=ref.message_id,
        timestamp=float(comment.get("create_time", 0)),
    )


class CommentPoller:
    def __init__(
        self, redis: Redis, inbox: Inbox, client: OfficialAccountClient, settings: WechatSettings
    ) -> None:
        self.redis = redis
        self.inbox = inbox
        self.client = client
        self.settings = settings

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.poll_once()
            except Exception as exc:
                logger.warning(
                    "Polling WeChat article comments failed (%s); retrying next round",
                    redact(repr(exc)),
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.comment_poll_seconds)

    async def poll_once(self) -> int:
        """Queue new comments of every article; return how many were queued. One process
        per round: the lock lapses by itself, so a crashed poller delays nobody for long."""
        lock_ms = max(int(self.settings.comment_poll_seconds * 1000) - 100, 100)
        lease = Lease(self.redis, keys.wechat_comment_poll_lock(), lock_ms)
        if not await lease.acquire():
            return 0
        queued = 0
        for article in self.settings.comment_articles:
            # A slow round must not overlap the next process's: go on only while ours.
            if not await lease.renew():
                logger.warning("Lost the comment poll lease; another process polls now")
                break
            queued += await self._poll_article(article)
        return queued

    async def _poll_article(self, article: WechatArticle) -> int:
        seen_key = keys.wechat_comment_high_water(article.msg_data_id, article.index)
        high_water = int(json.loads(await self.redis.get(seen_key) or "0"))
        comments = await self._new_comments(article, high_water)
        queued = 0
        for comment in sorted(comments, key=lambda c: int(c["user_comment_id"])):
            comment_id = int(comment["user_comment_id"])
            if not (comment.get("reply") or {}).get("content"):
                message = comment_message(article, comment)
                accepted = await self.inbox.accept(message)
                await self.redis.set(
                    keys.wechat_comment_last(message.conversation_key),
                    json.dumps(message.platform_message_id),
                )
                queued += 0 if accepted.duplicate else 1
            high_water = max(high_water, comment_id)
            await self.redis.set(seen_key, json.dumps(high_water))
        if queued:
            logger.info(
                "Queued %d new comments of article %s/%d",
                queued,
                article.msg_data_id,
                article.index,
            )
        return queued

    async def _new_comments(self, article: WechatArticle, high_water: int) -> list[dict]:
        found: list[dict] = []
        for page in range(MAX_PAGES):
            result = await call_api(list_comments, self.client, article, page * PAGE_SIZE)
            items = result.get("comment") or []
            found += [
                c for c in items if _well_formed(c) and int(c["user_comment_id"]) > high_water
            ]
            if len(items) < PAGE_SIZE or (page + 1) * PAGE_SIZE >= int(result.get("total", 0)):
                break
        return found


def _well_formed(comment: dict[str, Any]) -> bool:
    # One odd entry must not stop every later poll (and every later comment) for good.
    if str(comment.get("user_comment_id", "")).isdigit() and comment.get("openid"):
        return True
    logger.warning("Skipping a comment/list entry without user_comment_id or openid")
    return False


async def comment_to_answer(redis: Redis, reply: OutboundReply) -> CommentRef:
    """The comment a reply answers: its ``in_reply_to``, else the user's latest comment."""
    ref = CommentRef.from_message_id(reply.in_reply_to)
    if ref is None:
        raw = await redis.get(keys.wechat_comment_last(reply.conversation_key))
        ref = CommentRef.from_message_id(json.loads(raw)) if raw else None
    if ref is None:
        raise PermanentSendError(f"reply {reply.reply_id} names no comment to answer")
    return ref
