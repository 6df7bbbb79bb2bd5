"""The sending half against the stand-in, with wechatpy's real client underneath."""

from __future__ import annotations

import json

import pytest
import redis.asyncio as aioredis
import requests

from bot import keys
from bot.messages import OutboundReply
from bot.send_guard import DeliveryInDoubt, SendGuard
from bot.transcript import Transcripts
from connectors.wechat.client import OfficialAccountClient, session_storage
from connectors.wechat.sender import WechatSender
from connectors.wechat.window import CustomerUnreachable, ServiceWindow, unreachable
from tests.connectors.wechat.conftest import wechat_section
from tests.connectors.wechat.standin import APP_SECRET, StandinState

USER = "oia2TjjewbmiOUlr6X-1crbLOvLw"


@pytest.fixture
def make_sender(standin: tuple[str, StandinState], redis_client: aioredis.Redis, redis_url: str):
    def make(**overrides: object) -> WechatSender:
        client = OfficialAccountClient(
            wechat_section(standin[0], **overrides), session_storage(redis_url)
        )
        guard = SendGuard(redis_client, Transcripts(redis_client, 100, 3600), 3600)
        return WechatSender(redis_client, client, guard, ServiceWindow(redis_client, "wechat"))

    return make


def _reply(
    reply_id: str = "wechat:1:0", text: str = "7天无理由退货", **fields: str
) -> OutboundReply:
    values = {"conversation_key": f"wechat:{USER}:{USER}", "chat_id": USER}
    values.update(fields)
    return OutboundReply(reply_id=reply_id, platform="wechat", text=text, **values)


async def test_a_reply_goes_out_once_through_the_customer_service_api(
    make_sender, standin_state: StandinState, redis_client: aioredis.Redis
) -> None:
    sender = make_sender()
    await ServiceWindow(redis_client, "wechat").opened(USER, "message")
    await sender.send(_reply())
    await sender.send(_reply())  # the outbox redelivers: nothing more is sent
    assert standin_state.sent == [
        {"touser": USER, "msgtype": "text", "text": {"content": "7天无理由退货"}}
    ]
    transcript = await redis_client.lrange(keys.transcript(f"wechat:{USER}:{USER}"), 0, -1)
    assert [json.loads(e)["id"] for e in transcript] == ["wechat:1:0"]


async def test_an_agents_reply_uses_the_same_api(
    make_sender, standin_state: StandinState, redis_client: aioredis.Redis
) -> None:
    await ServiceWindow(redis_client, "wechat").opened(USER, "message")
    await make_sender().send(_reply("agent:1", "您好,我是客服小王", author="agent"))
    assert standin_state.sent[-1]["text"]["content"] == "您好,我是客服小王"


async def test_no_window_means_no_call_and_an_unreachable_mark(
    make_sender, standin_state: StandinState, redis_client: aioredis.Redis
) -> None:
    with pytest.raises(CustomerUnreachable) as refused:
        await make_sender().send(_reply())
    assert refused.value.reason == "window_closed"
    assert standin_state.sent == []
    assert (await unreachable(redis_client, "wechat", USER))["reason"] == "window_closed"


@pytest.mark.parametrize(("code", "reason"), [(45015, "window_closed"), (45047, "count_exceeded")])
async def test_wechat_refusals_are_permanent_and_shown_to_the_agent(
    make_sender,
    standin_state: StandinState,
    redis_client: aioredis.Redis,
    code: int,
    reason: str,
) -> None:
    await ServiceWindow(redis_client, "wechat").opened(USER, "message")
    standin_state.refuse[USER] = code
    with pytest.raises(CustomerUnreachable) as refused:
        await make_sender().send(_reply())
    assert (refused.value.reason, refused.value.code) == (reason, code)
    mark = await unreachable(redis_client, "wechat", USER)
    assert (mark["reason"], mark["code"]) == (reason, code)
    # Not retried blindly: the next reply is refused locally, without calling WeChat.
    del standin_state.refuse[USER]
    with pytest.raises(CustomerUnreachable):
        await make_sender().send(_reply("wechat:2:0"))
    assert standin_state.sent == []


async def test_five_replies_then_the_budget_is_spent(
    make_sender, standin_state: StandinState, redis_client: aioredis.Redis
) -> None:
    await ServiceWindow(redis_client, "wechat").opened(USER, "message")
    sender = make_sender()
    for n in range(5):
        await sender.send(_reply(f"wechat:{n}:0"))
    with pytest.raises(CustomerUnreachable, match="count_exceeded"):
        await sender.send(_reply("wechat:5:0"))
    assert len(standin_state.sent) == 5


async def test_a_timed_out_send_is_never_resent(
    make_sender, standin_state: StandinState, redis_client: aioredis.Redis
) -> None:
    await ServiceWindow(redis_client, "wechat").opened(USER, "message")
    standin_state.slow[USER] = 1.0
    sender = make_sender(request_timeout_seconds=0.3)
    with pytest.raises(DeliveryInDoubt):
        await sender.send(_reply())
    await sender.send(_reply())  # recorded as in doubt: not sent again
    # The second attempt never reached WeChat; the timed-out one still counts against the
    # budget, since it may have been delivered.
    assert await redis_client.hget(keys.wechat_window("wechat", USER), "message:left") == "4"


async def test_a_comment_reply_is_posted_publicly(
    make_sender, standin_state: StandinState, redis_client: aioredis.Redis
) -> None:
    conversation = f"wechat:article-2247483650-0:{USER}"
    reply = _reply(
        "comment:1",
        "您好,退货政策是7天无理由",
        channel="comment",
        conversation_key=conversation,
        chat_id="article-2247483650-0",
        in_reply_to="comment-2247483650-0-12",
    )
    await make_sender().send(reply)
    await make_sender().send(reply)
    assert standin_state.comment_replies == [
        {
            "msg_data_id": 2247483650,
            "index": 0,
            "user_comment_id": 12,
            "content": "您好,退货政策是7天无理由",
        }
    ]
    assert standin_state.sent == []


async def test_an_agents_comment_reply_answers_the_latest_comment(
    make_sender, standin_state: StandinState, redis_client: aioredis.Redis
) -> None:
    conversation = f"wechat:article-2247483650-0:{USER}"
    await redis_client.set(
        keys.wechat_comment_last(conversation), json.dumps("comment-2247483650-0-15")
    )
    await make_sender().send(
        _reply(
            "agent:c",
            "已私信您",
            channel="comment",
            author="agent",
            conversation_key=conversation,
            chat_id="article-2247483650-0",
        )
    )
    assert standin_state.comment_replies[-1]["user_comment_id"] == 15


async def test_errors_never_carry_the_secret_or_the_token(
    make_sender, standin_state: StandinState, redis_client: aioredis.Redis, redis_url: str
) -> None:
    await ServiceWindow(redis_client, "wechat").opened(USER, "message")
    unreachable_api = "http://127.0.0.1:9/cgi-bin/"  # nothing listens there
    with pytest.raises(Exception) as no_token:
        await make_sender(api_base_url=unreachable_api).send(_reply("wechat:x:0"))
    assert APP_SECRET not in str(no_token.value) and "secret=***" in str(no_token.value)
    token = make_sender().client.access_token  # now a token is cached...
    with pytest.raises(requests.ConnectionError) as refused:
        await make_sender(api_base_url=unreachable_api).send(_reply("wechat:y:0"))
    assert token not in repr(refused.value) and "access_token=***" in repr(refused.value)
