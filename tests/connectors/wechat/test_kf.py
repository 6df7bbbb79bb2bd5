"""WeCom customer service against the stand-in: sync_msg pulls, send_msg replies, states."""

from __future__ import annotations

import asyncio
import json

import pytest
import redis.asyncio as aioredis

from bot import keys
from bot.inbox import Inbox
from bot.messages import OutboundReply
from bot.send_guard import SendGuard
from bot.settings import InboxSettings
from bot.transcript import Transcripts
from connectors.wechat.client import KfClient, session_storage
from connectors.wechat.kf import KfSender, KfSessions, KfSync
from connectors.wechat.window import CustomerUnreachable, ServiceWindow
from tests.connectors.wechat.conftest import kf_section
from tests.connectors.wechat.pushes import OPEN_KFID
from tests.connectors.wechat.standin import KF_SECRET, StandinState

CUSTOMER = "wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw"


def kf_item(msgid: str, text: str, origin: int = 3, user: str = CUSTOMER) -> dict:
    """One sync_msg "msg_list" entry, as documented."""
    return {
        "msgid": msgid,
        "open_kfid": OPEN_KFID,
        "external_userid": user,
        "send_time": 1615478585,
        "origin": origin,
        "msgtype": "text",
        "text": {"content": text},
    }


@pytest.fixture
def client(
    standin: tuple[str, StandinState], redis_client: aioredis.Redis, redis_url: str
) -> KfClient:
    return KfClient(kf_section(standin[0]), session_storage(redis_url))


@pytest.fixture
def sync(
    client: KfClient, standin: tuple[str, StandinState], redis_client: aioredis.Redis
) -> KfSync:
    return KfSync(
        redis_client, Inbox(redis_client, InboxSettings(), "test"), client, kf_section(standin[0])
    )


async def _queued(redis_client: aioredis.Redis) -> list[dict]:
    return [json.loads(f["msg"]) for _, f in await redis_client.xrange(keys.INBOX_STREAM)]


async def test_sync_pulls_every_page_and_keeps_the_cursor(
    sync: KfSync, standin_state: StandinState, redis_client: aioredis.Redis
) -> None:
    standin_state.kf_messages = [
        kf_item("m1", "退货政策是什么?"),
        kf_item("m2", "您好", origin=5),
        kf_item("m3", "发货要多久?"),
    ]
    assert await sync.sync(OPEN_KFID, "CALLBACK_TOKEN") == 2
    queued = await _queued(redis_client)
    assert [m["text"] for m in queued] == ["退货政策是什么?", "发货要多久?"]
    assert queued[0]["platform"] == "wecom_kf"
    assert queued[0]["chat_id"] == OPEN_KFID and queued[0]["sender"]["user_id"] == CUSTOMER
    assert standin_state.kf_sync_calls[0]["token"] == "CALLBACK_TOKEN"
    # The next callback resumes from the stored cursor: nothing is pulled twice.
    standin_state.kf_messages.append(kf_item("m4", "谢谢"))
    assert await sync.sync(OPEN_KFID, "") == 1
    assert standin_state.kf_sync_calls[-1]["cursor"] == "3"
    assert await redis_client.hget(keys.wechat_window("wecom_kf", CUSTOMER), "message:left") == "5"


async def test_a_callback_request_is_pulled_by_the_loop(
    sync: KfSync, standin_state: StandinState, redis_client: aioredis.Redis
) -> None:
    standin_state.kf_messages = [kf_item("m1", "在吗")]
    await redis_client.rpush(
        keys.wecom_kf_sync_requests(), json.dumps({"token": "T", "open_kfid": OPEN_KFID})
    )
    stop = asyncio.Event()
    task = asyncio.create_task(sync.run(stop))
    for _ in range(100):
        if await _queued(redis_client):
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert [m["text"] for m in await _queued(redis_client)] == ["在吗"]


async def test_replies_go_out_once_with_send_msg_within_the_budget(
    client: KfClient, standin_state: StandinState, redis_client: aioredis.Redis
) -> None:
    sender = KfSender(
        redis_client, client, SendGuard(redis_client, Transcripts(redis_client, 100, 3600), 3600)
    )
    reply = OutboundReply(
        reply_id="wecom_kf:m1:0",
        platform="wecom_kf",
        conversation_key=f"wecom_kf:{OPEN_KFID}:{CUSTOMER}",
        chat_id=OPEN_KFID,
        text="7天无理由退货",
    )
    with pytest.raises(CustomerUnreachable):
        await sender.send(reply)  # the customer never wrote: no budget
    await ServiceWindow(redis_client, "wecom_kf").opened(CUSTOMER, "message")
    await sender.send(reply)
    await sender.send(reply)
    [sent] = standin_state.kf_sent
    assert (sent["touser"], sent["open_kfid"], sent["text"]["content"]) == (
        CUSTOMER,
        OPEN_KFID,
        "7天无理由退货",
    )
    assert len(sent["msgid"]) == 32


async def test_session_moves_to_a_person_and_back(
    client: KfClient, standin: tuple[str, StandinState], standin_state: StandinState
) -> None:
    sessions = KfSessions(client, kf_section(standin[0]))
    standin_state.kf_states[CUSTOMER] = 1
    await sessions.to_human(CUSTOMER, "zhangsan")
    assert await sessions.state(CUSTOMER) == 3
    await sessions.to_bot(CUSTOMER)
    # WeCom allows no way back from human service to the bot: the session ends, and the
    # customer's next message starts a new one that the bot answers.
    assert await sessions.state(CUSTOMER) == 4


def test_the_token_key_does_not_contain_the_secret(client: KfClient) -> None:
    assert KF_SECRET[:10] not in client.access_token_key


async def test_a_malformed_entry_is_skipped_and_the_cursor_moves_on(
    sync: KfSync, standin_state: StandinState, redis_client: aioredis.Redis
) -> None:
    standin_state.kf_messages = [
        {"msgid": "bad", "origin": 3, "msgtype": "text"},
        kf_item("m2", "在吗"),
    ]
    assert await sync.sync(OPEN_KFID, "") == 1
    assert json.loads(await redis_client.get(keys.wecom_kf_cursor(OPEN_KFID))) == "2"
