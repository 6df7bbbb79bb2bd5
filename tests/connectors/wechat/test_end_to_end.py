"""WeChat end to end: signed, encrypted pushes and polled comments in; the real worker,
classifier and delivery loop; the answers out through the stand-in's APIs."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import httpx
import pytest
import redis

from bot import keys
from bot.brain import Brain
from bot.messages import OutboundReply
from switchboard.settings import Settings
from tests.agents import signed_in_agent
from tests.connectors.wechat.conftest import wechat_section
from tests.connectors.wechat.pushes import encrypted_push, fixture
from tests.connectors.wechat.standin import StandinState, running_standin
from tests.connectors.wechat.test_comments import ARTICLE, comment
from tests.live_server import live_server

USER = "oia2TjjewbmiOUlr6X-1crbLOvLw"


@pytest.fixture(scope="module")
def served(
    redis_url: str, brain: Brain, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[httpx.Client, StandinState]]:
    redis.Redis.from_url(redis_url).flushdb()
    with running_standin() as (base_url, state):
        settings = Settings(
            data_dir=tmp_path_factory.mktemp("data"),
            redis={"url": redis_url},
            inbox={"block_ms": 100, "reclaim_idle_ms": 500},
            wechat=wechat_section(base_url, security_mode="safe", comment_poll_seconds=0.3),
            understanding={"intents_dir": "intents"},
        )
        with live_server(settings, brain) as base, httpx.Client(base_url=base, timeout=10) as c:
            yield c, state


def wait_for(condition: Callable[[], object], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def _to(state: StandinState, user: str) -> list[str]:
    return [m["text"]["content"] for m in state.sent if m["touser"] == user]


def test_three_deliveries_of_one_push_get_one_answer(
    served: tuple[httpx.Client, StandinState],
) -> None:
    http, state = served
    delivery = encrypted_push(fixture("text", MsgId=880001))
    # WeChat redelivers 5 s apart; dedupe does not depend on timing, so no sleeping here.
    for _ in range(3):
        response = http.post("/wechat/callback", params=delivery.params, content=delivery.body)
        assert response.text == "success"
    wait_for(lambda: _to(state, USER))
    time.sleep(1.0)  # give a second answer every chance to show up
    [answer] = _to(state, USER)
    assert "7天" in answer


def test_a_faq_comment_is_answered_publicly(served: tuple[httpx.Client, StandinState]) -> None:
    _, state = served
    state.comments.setdefault(ARTICLE, []).append(comment(501, "退货政策是什么?", "oReader1"))
    wait_for(lambda: any(r["user_comment_id"] == 501 for r in state.comment_replies))
    [reply] = [r for r in state.comment_replies if r["user_comment_id"] == 501]
    assert (reply["msg_data_id"], reply["index"]) == ARTICLE
    assert "7天" in reply["content"]


def test_an_agents_reply_reaches_the_customer_through_customer_service(
    served: tuple[httpx.Client, StandinState], redis_url: str
) -> None:
    http, state = served
    user = "oAgentCustomer0000000000000"
    delivery = encrypted_push(
        fixture("text", MsgId=880002, FromUserName=user, Content="我要投诉,转人工")
    )
    assert (
        http.post("/wechat/callback", params=delivery.params, content=delivery.body).text
        == "success"
    )
    reply = OutboundReply(
        reply_id="agent-reply-1",
        platform="wechat",
        conversation_key=f"wechat:{user}:{user}",
        chat_id=user,
        text="您好,我是客服小王,马上为您处理",
        author="agent",
    )
    # What the agent console does when an agent answers: queue the reply in the outbox.
    redis.Redis.from_url(redis_url).xadd(keys.OUTBOX_STREAM, {"reply": reply.to_json()})
    wait_for(lambda: "您好,我是客服小王,马上为您处理" in _to(state, user))


def test_a_crisis_comment_becomes_the_most_urgent_ticket_and_the_agent_answers_in_private(
    served: tuple[httpx.Client, StandinState], redis_url: str
) -> None:
    http, state = served
    agent = signed_in_agent(http, redis_url, "wang")
    # The commenter wrote to the official account before: the 48-hour window is open.
    hello = encrypted_push(fixture("text", MsgId=880010, FromUserName="oCrisis", Content="你好"))
    assert http.post("/wechat/callback", params=hello.params, content=hello.body).text == "success"
    wait_for(lambda: _to(state, "oCrisis"))
    state.comments.setdefault(ARTICLE, []).append(
        comment(777, "用了你们的面霜过敏了,烂脸", "oCrisis")
    )
    wait_for(lambda: any(r["user_comment_id"] == 777 for r in state.comment_replies))
    [note] = [r for r in state.comment_replies if r["user_comment_id"] == 777]
    assert "抱歉" in note["content"] and "分钟" not in note["content"]  # short, public
    wait_for(lambda: any("分钟" in text for text in _to(state, "oCrisis")))  # details, private

    tickets = http.get("/api/tickets", headers=agent).json()
    top = tickets[0]
    assert top["severity"] == "crisis" and top["priority"] == 2  # the most urgent (new, crisis)
    assert top["customer"]["key"] == "wechat:oCrisis" and top["channel"] == "comment"
    assert len(tickets) >= 2  # it went ahead of the earlier, merely negative ticket
    sent = http.post(
        f"/api/tickets/{top['id']}/messages",
        headers=agent,
        json={"text": "非常抱歉！请先停用，我们马上联系您安排退款和就医费用。"},
    )
    assert sent.status_code == 202
    wait_for(
        lambda: "非常抱歉！请先停用，我们马上联系您安排退款和就医费用。" in _to(state, "oCrisis")
    )


def test_a_customer_outside_the_window_is_shown_as_unreachable(
    served: tuple[httpx.Client, StandinState], redis_url: str
) -> None:
    http, state = served
    agent = signed_in_agent(http, redis_url, "wang")
    state.comments.setdefault(ARTICLE, []).append(
        comment(778, "你们家的东西质量太差了，我要投诉", "oNeverWrote")
    )
    wait_for(
        lambda: any(
            t["customer"]["key"] == "wechat:oNeverWrote"
            for t in http.get("/api/tickets", headers=agent).json()
        )
    )
    [ticket] = [
        t
        for t in http.get("/api/tickets", headers=agent).json()
        if t["customer"]["key"] == "wechat:oNeverWrote"
    ]
    http.post(f"/api/tickets/{ticket['id']}/messages", headers=agent, json={"text": "您好"})
    wait_for(lambda: http.get(f"/api/tickets/{ticket['id']}", headers=agent).json()["unreachable"])
    assert (
        "write again"
        in http.get(f"/api/tickets/{ticket['id']}", headers=agent).json()["unreachable"]
    )
    assert "您好" not in _to(state, "oNeverWrote")
