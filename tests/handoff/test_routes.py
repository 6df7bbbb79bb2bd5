"""The handoff API end to end: web chat in, ticket, agent reply out, back to the bot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from bot.brain import Brain
from handoff.tickets import TicketStore
from switchboard.settings import Settings
from tests.agents import api_with_users, bearer
from tests.factories import handoff_signals, inbound

ANGRY = "你们的东西太垃圾了，用了两天就坏了，我要投诉！"


@pytest.fixture
async def api(
    settings: Settings, brain: Brain, redis_client: Redis
) -> AsyncIterator[httpx.AsyncClient]:
    users = {"alice": "agent", "bob": "agent", "root": "admin"}
    async with api_with_users(settings, brain, redis_client, users) as client:
        yield client


async def _say(api: httpx.AsyncClient, conversation: str, text: str) -> None:
    response = await api.post(
        "/webchat/messages", json={"conversation_id": conversation, "text": text}
    )
    assert response.status_code == 202


async def _messages(api: httpx.AsyncClient, conversation: str, count: int) -> list[dict]:
    for _ in range(150):
        response = await api.get(f"/webchat/conversations/{conversation}/messages")
        if response.status_code == 200 and len(response.json()["messages"]) >= count:
            return response.json()["messages"]
        await asyncio.sleep(0.1)
    raise AssertionError(f"conversation {conversation} never reached {count} messages")


async def test_unauthorized_requests_are_refused(api: httpx.AsyncClient) -> None:
    assert (await api.get("/api/tickets")).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert (await api.get("/api/tickets", headers=bad)).status_code == 401
    wrong = await api.post("/api/auth/token", data={"username": "alice", "password": "nope"})
    assert wrong.status_code == 401
    assert (await api.get("/api/events?ticket=nope")).status_code == 401
    agent = await bearer(api, "alice")
    refused = await api.post("/api/customers/import", content=b"webchat:x,vip\n", headers=agent)
    assert refused.status_code == 403
    admin = await bearer(api, "root")
    accepted = await api.post("/api/customers/import", content=b"webchat:x,vip\n", headers=admin)
    assert accepted.json() == {"imported": 1}


async def test_an_angry_customer_reaches_an_agent_and_then_the_bot_again(
    api: httpx.AsyncClient,
) -> None:
    alice, bob = await bearer(api, "alice"), await bearer(api, "bob")
    await _say(api, "conv-angry-01", ANGRY)
    [_, ack] = await _messages(api, "conv-angry-01", 2)
    assert ack["role"] == "bot" and "抱歉" in ack["text"] and "分钟" in ack["text"]

    [ticket] = (await api.get("/api/tickets", headers=alice)).json()
    assert ticket["severity"] == "negative" and ticket["tier"] == "new"
    assert ticket["priority"] == 4 and ticket["status"] == "waiting"
    assert ticket["customer"]["platform"] == "webchat"

    claimed = await api.post(f"/api/tickets/{ticket['id']}/claim", headers=alice)
    assert claimed.status_code == 200 and claimed.json()["agent"] == "alice"
    assert claimed.json()["transcript"][0]["text"] == ANGRY
    lost = await api.post(f"/api/tickets/{ticket['id']}/claim", headers=bob)
    assert lost.status_code == 409 and "alice" in lost.json()["detail"]

    sent = await api.post(
        f"/api/tickets/{ticket['id']}/messages",
        json={"text": "非常抱歉！我是客服小李，马上为您换新。"},
        headers=alice,
    )
    assert sent.status_code == 202
    messages = await _messages(api, "conv-angry-01", 3)
    assert messages[-1]["role"] == "agent" and "小李" in messages[-1]["text"]

    await _say(api, "conv-angry-01", "好的，订单号是 8812")  # the bot stays silent
    await asyncio.sleep(0.8)
    assert len(await _messages(api, "conv-angry-01", 4)) == 4
    detail = (await api.get(f"/api/tickets/{ticket['id']}", headers=alice)).json()
    assert detail["last_message"]["text"] == "好的，订单号是 8812"

    resolved = await api.post(
        f"/api/tickets/{ticket['id']}/resolve", json={"ask_csat": True}, headers=alice
    )
    assert resolved.json()["status"] == "resolved"
    question = (await _messages(api, "conv-angry-01", 5))[-1]
    assert "1-5" in question["text"]
    await _say(api, "conv-angry-01", "5")
    assert "感谢" in (await _messages(api, "conv-angry-01", 7))[-1]["text"]
    detail = (await api.get(f"/api/tickets/{ticket['id']}", headers=alice)).json()
    assert detail["csat"] == 5

    await _say(api, "conv-angry-01", "退货政策是什么?")
    answer = (await _messages(api, "conv-angry-01", 9))[-1]
    assert answer["role"] == "bot" and "7天" in answer["text"]
    assert (await api.get("/api/tickets", headers=alice)).json() == []


async def test_vip_tier_set_by_an_agent_raises_priority(api: httpx.AsyncClient) -> None:
    alice = await bearer(api, "alice")
    changed = await api.put(
        "/api/customers/webchat:conv-vip-0001", json={"tier": "vip"}, headers=alice
    )
    assert changed.json()["tier"] == "vip" and changed.json()["tier_source"] == "profile"
    await _say(api, "conv-vip-0001", "转人工")
    [_, ack] = await _messages(api, "conv-vip-0001", 2)
    assert "VIP" in ack["text"]
    [ticket] = (await api.get("/api/tickets", headers=alice)).json()
    assert ticket["tier"] == "vip" and ticket["priority"] == 3


async def test_metrics_and_presence(api: httpx.AsyncClient) -> None:
    alice = await bearer(api, "alice")
    me = await api.put("/api/me/presence", json={"status": "online"}, headers=alice)
    assert me.json()["status"] == "online"
    await _say(api, "conv-metrics-1", "退货政策是什么?")
    await _messages(api, "conv-metrics-1", 2)
    summary = (await api.get("/api/metrics/summary", headers=alice)).json()
    assert summary["auto_answer_rate"] == 1.0
    text = (await api.get("/metrics")).text
    assert 'switchboard_queue_waiting{severity="crisis"} 0' in text
    assert "switchboard_auto_answer_ratio 1" in text


async def test_sign_out_ends_the_session(api: httpx.AsyncClient) -> None:
    alice = await bearer(api, "alice")
    assert (await api.delete("/api/auth/token", headers=alice)).status_code == 204
    assert (await api.get("/api/me", headers=alice)).status_code == 401


async def test_canned_replies_are_signed_by_the_agent(api: httpx.AsyncClient) -> None:
    replies = (await api.get("/api/canned", headers=await bearer(api, "alice"))).json()
    greeting = next(r for r in replies if r["id"] == "greeting")
    assert "alice" in greeting["text"]["zh"] and "alice" in greeting["text"]["en"]


async def test_live_events_carry_new_tickets_and_messages(api: httpx.AsyncClient) -> None:
    alice = await bearer(api, "alice")
    ticket = (await api.post("/api/events/ticket", headers=alice)).json()["ticket"]
    events: list[tuple[str, str]] = []
    connected = asyncio.Event()

    async def listen() -> None:
        async with api.stream("GET", f"/api/events?ticket={ticket}") as stream:
            assert stream.status_code == 200
            kind = ""
            async for line in stream.aiter_lines():
                if line == ": connected":
                    connected.set()
                elif line.startswith("event: "):
                    kind = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    events.append((kind, line.removeprefix("data: ")))
                    if kind == "message" and "还有吗" in line:
                        return

    listener = asyncio.create_task(listen())
    await asyncio.wait_for(connected.wait(), 10)
    await _say(api, "conv-live-0001", "转人工")
    await _messages(api, "conv-live-0001", 2)
    await _say(api, "conv-live-0001", "还有吗")
    await asyncio.wait_for(listener, 15)
    kinds = [kind for kind, _ in events]
    assert "ticket" in kinds and kinds[-1] == "message"
    assert '"role": "customer"' in events[-1][1]


async def test_the_satisfaction_question_follows_the_conversations_language(
    api: httpx.AsyncClient,
) -> None:
    """Opened with the Chinese keyword, then carried on in English with the agent: the
    question and the thanks come in English."""
    alice = await bearer(api, "alice")
    await _say(api, "conv-switch-01", "转人工")
    await _messages(api, "conv-switch-01", 2)
    [ticket] = (await api.get("/api/tickets", headers=alice)).json()
    await api.post(f"/api/tickets/{ticket['id']}/claim", headers=alice)
    await _say(api, "conv-switch-01", "Sorry, can we talk in English? My parcel is damaged.")
    detail = await _poll_ticket(api, ticket["id"], alice, "Sorry, can we talk in English?")
    assert detail["status"] == "assigned"

    resolved = await api.post(
        f"/api/tickets/{ticket['id']}/resolve", json={"ask_csat": True}, headers=alice
    )
    assert resolved.status_code == 200
    question = (await _messages(api, "conv-switch-01", 4))[-1]
    assert "How satisfied" in question["text"], question
    await _say(api, "conv-switch-01", "4")
    thanks = (await _messages(api, "conv-switch-01", 6))[-1]
    assert thanks["text"].startswith("Thank you"), thanks


async def _poll_ticket(
    api: httpx.AsyncClient, ticket_id: str, headers: dict[str, str], last_text: str
) -> dict:
    for _ in range(150):
        detail = (await api.get(f"/api/tickets/{ticket_id}", headers=headers)).json()
        if (detail.get("last_message") or {}).get("text", "").startswith(last_text):
            return detail
        await asyncio.sleep(0.1)
    raise AssertionError(f"ticket {ticket_id} never saw {last_text!r}")


async def test_an_unnecessary_hand_over_lands_in_the_misses_once(
    api: httpx.AsyncClient,
    settings: Settings,
    redis_client: Redis,
) -> None:
    text = "退款多久到账？"
    signals = handoff_signals(text, person_reason="complaint 0.62")
    ticket, _ = await TicketStore(redis_client, settings.handoff).open(
        "t-unneeded",
        inbound(text, conversation="conv-unneeded"),
        reason="complaint 0.62",
        severity="negative",
        tier="new",
        signals=signals,
    )
    await TicketStore(redis_client, settings.handoff).customer_wrote(
        ticket.id, inbound("还在吗", conversation="conv-unneeded")
    )  # the trigger stays
    alice, bob, root = (
        await bearer(api, "alice"),
        await bearer(api, "bob"),
        await bearer(api, "root"),
    )
    detail = (await api.get(f"/api/tickets/{ticket.id}", headers=alice)).json()
    assert detail["signals"]["why"] == {
        "kind": "complaint",
        "score": 0.62,
        "quote": "",
        "detail": "",
        "text": "complaint 0.62",
    }
    assert detail["signals"]["triage_top"][0] == {"class": "complaint", "p": 0.94}
    assert detail["signals"]["suggested_reply"]["intent"] == "refund_status"
    [row] = (await api.get("/api/tickets", headers=alice)).json()
    assert row["why"]["kind"] == "complaint" and row["unnecessary"] is None

    assert (await api.post(f"/api/tickets/{ticket.id}/unnecessary")).status_code == 401
    assert (await api.post("/api/tickets/nope/unnecessary", headers=alice)).status_code == 404
    first = await api.post(f"/api/tickets/{ticket.id}/unnecessary", headers=alice)
    assert first.status_code == 200, first.text
    assert first.json()["recorded"] is True and first.json()["by"] == "alice"
    again = await api.post(f"/api/tickets/{ticket.id}/unnecessary", headers=bob)
    assert again.json()["recorded"] is False and again.json()["by"] == "alice"
    assert again.json()["miss_id"] == first.json()["miss_id"]

    misses = (await api.get("/api/misses", headers=root)).json()
    [miss] = [m for group in misses for m in group["messages"]]
    assert (miss["text"], miss["source"], miss["flagged_by"]) == (text, "unnecessary", "alice")
    assert miss["extra"]["triage"]["complaint"] == 0.94
    assert miss["extra"]["person_reason"] == "complaint 0.62"
    after = (await api.get(f"/api/tickets/{ticket.id}", headers=alice)).json()
    assert after["status"] == "waiting" and after["unnecessary"]["by"] == "alice"
    assert [e["type"] for e in after["events"]].count("unnecessary") == 1
