"""A commit whose connection is cut (a failover, a dropped link) is never taken for done unless
it was: cut before EXEC, the message stays pending and is committed on the next try; cut after
EXEC ran (its answer lost), it counts as committed once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from redis.asyncio import Redis

from bot import keys
from bot.conversations import ConversationState
from bot.inbox import Inbox, Readiness
from bot.messages import OutboundReply
from bot.redis_conn import build_client
from bot.settings import InboxSettings
from tests.cutting_proxy import CuttingProxy, cutting_proxy
from tests.factories import inbound


@pytest.fixture
async def proxy(redis_client: Redis, redis_url: str) -> AsyncIterator[CuttingProxy]:
    port = urlsplit(redis_url).port
    if port is None:
        pytest.skip("the cut needs Redis on TCP")
    async with cutting_proxy(port) as running:
        yield running


@pytest.fixture
async def cut_client(proxy: CuttingProxy) -> AsyncIterator[Redis]:
    client = build_client(f"redis://127.0.0.1:{proxy.port}/0")
    yield client
    await client.aclose()


async def _taken(inbox: Inbox) -> tuple:
    await inbox.ensure_group()
    message = inbound(conversation="conv-cut")
    await inbox.accept(message)
    [entry] = await inbox.read(50)
    reply = OutboundReply(
        reply_id=f"{message.message_key}:0",
        platform="webchat",
        conversation_key=message.conversation_key,
        chat_id="conv-cut",
        text="ok",
    )
    return entry, reply


async def test_a_commit_cut_before_exec_stays_pending_and_commits_next_time(
    proxy: CuttingProxy, cut_client: Redis, redis_client: Redis
) -> None:
    inbox = Inbox(cut_client, InboxSettings(), "worker-cut")
    entry, reply = await _taken(inbox)
    proxy.cut_at("EXEC", after_forwarding=False)

    assert await inbox.commit(entry, ConversationState(turns=1), [reply]) is Readiness.WAIT
    assert proxy.cuts == 1
    assert await redis_client.xlen(keys.OUTBOX_STREAM) == 0  # nothing was written ...
    assert (await redis_client.xpending(keys.INBOX_STREAM, keys.INBOX_GROUP))["pending"] == 1
    assert await inbox.readiness(entry) is Readiness.READY  # ... nor taken for done

    assert await inbox.commit(entry, ConversationState(turns=1), [reply]) is Readiness.READY
    assert await redis_client.xlen(keys.OUTBOX_STREAM) == 1
    assert await redis_client.xlen(keys.INBOX_STREAM) == 0


async def test_a_commit_whose_answer_is_cut_counts_as_committed_once(
    proxy: CuttingProxy, cut_client: Redis, redis_client: Redis
) -> None:
    inbox = Inbox(cut_client, InboxSettings(), "worker-cut")
    entry, reply = await _taken(inbox)
    proxy.cut_at("EXEC", after_forwarding=True)

    assert await inbox.commit(entry, ConversationState(turns=1), [reply]) is Readiness.DONE
    assert proxy.cuts == 1
    assert await redis_client.xlen(keys.OUTBOX_STREAM) == 1
    assert await redis_client.xlen(keys.INBOX_STREAM) == 0
    assert await inbox.readiness(entry) is Readiness.DONE
