"""The comment poller against the stand-in's /cgi-bin/comment/list."""

from __future__ import annotations

import json

import pytest
import redis.asyncio as aioredis

from bot import keys
from bot.inbox import Inbox
from bot.settings import InboxSettings
from connectors.wechat.client import OfficialAccountClient, session_storage
from connectors.wechat.comments import CommentPoller, CommentRef
from tests.connectors.wechat.conftest import wechat_section
from tests.connectors.wechat.standin import StandinState

ARTICLE = (2247483650, 0)


def comment(
    comment_id: int, content: str, openid: str = "oCommenter", *, answered: bool = False
) -> dict:
    """One entry of comment/list's "comment" array, as documented."""
    entry = {
        "user_comment_id": comment_id,
        "openid": openid,
        "create_time": 1700000000 + comment_id,
        "content": content,
        "comment_type": 0,
    }
    if answered:
        entry["reply"] = {"content": "谢谢", "create_time": 1700000100}
    return entry


@pytest.fixture
def make_poller(standin: tuple[str, StandinState], redis_client: aioredis.Redis, redis_url: str):
    def make() -> CommentPoller:
        settings = wechat_section(standin[0], comment_poll_seconds=30)
        client = OfficialAccountClient(settings, session_storage(redis_url))
        inbox = Inbox(redis_client, InboxSettings(), "test")
        return CommentPoller(redis_client, inbox, client, settings)

    return make


async def _queued(redis_client: aioredis.Redis) -> list[dict]:
    return [json.loads(f["msg"]) for _, f in await redis_client.xrange(keys.INBOX_STREAM)]


async def test_new_comments_are_queued_as_comment_messages(
    make_poller, standin_state: StandinState, redis_client: aioredis.Redis
) -> None:
    standin_state.comments[ARTICLE] = [
        comment(2, "用了你们的面霜过敏了,烂脸"),
        comment(1, "退货政策是什么?", "oOther"),
    ]
    assert await make_poller().poll_once() == 2
    first, second = await _queued(redis_client)
    assert (first["text"], first["channel"], first["kind"]) == (
        "退货政策是什么?",
        "comment",
        "text",
    )
    assert second["text"] == "用了你们的面霜过敏了,烂脸"
    assert second["chat_id"] == "article-2247483650-0"
    assert second["platform_message_id"] == "comment-2247483650-0-2"
    assert CommentRef.from_message_id(second["platform_message_id"]) == CommentRef(
        "2247483650", 0, 2
    )


async def test_each_comment_is_queued_once_across_polls_and_pollers(
    make_poller, standin_state: StandinState, redis_client: aioredis.Redis
) -> None:
    standin_state.comments[ARTICLE] = [comment(1, "发货要多久?")]
    assert await make_poller().poll_once() == 1
    assert await make_poller().poll_once() == 0  # another process, same round: it skips
    await redis_client.delete(keys.wechat_comment_poll_lock())
    standin_state.comments[ARTICLE].append(comment(2, "怎么开发票?"))
    assert await make_poller().poll_once() == 1
    assert [m["text"] for m in await _queued(redis_client)] == ["发货要多久?", "怎么开发票?"]


async def test_comments_the_brand_answered_are_skipped(
    make_poller, standin_state: StandinState, redis_client: aioredis.Redis
) -> None:
    standin_state.comments[ARTICLE] = [comment(1, "好用!", answered=True)]
    assert await make_poller().poll_once() == 0
    assert await _queued(redis_client) == []


async def test_every_page_is_read(
    make_poller, standin_state: StandinState, redis_client: aioredis.Redis
) -> None:
    standin_state.comments[ARTICLE] = [comment(n, f"第{n}条", f"o{n}") for n in range(1, 121)]
    assert await make_poller().poll_once() == 120
    assert standin_state.comment_lists == 3


async def test_a_malformed_entry_is_skipped_not_fatal(
    make_poller, standin_state: StandinState, redis_client: aioredis.Redis
) -> None:
    standin_state.comments[ARTICLE] = [{"content": "no ids"}, comment(3, "怎么退货?")]
    assert await make_poller().poll_once() == 1
