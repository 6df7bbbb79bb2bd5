"""The ticket store against real Redis: opening, the claim race, reopening, breaches."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from bot import keys
from handoff.models import TicketConflict
from handoff.settings import HandoffSettings
from handoff.tickets import TicketStore
from tests.factories import inbound


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _store(redis: Redis, clock: Clock | None = None) -> TicketStore:
    return TicketStore(redis, HandoffSettings(), clock=clock or Clock())


async def _open(
    store: TicketStore,
    ticket_id: str = "t1",
    severity: str = "normal",
    tier: str = "new",
    conversation: str = "conv-0001",
):
    message = inbound("I want a person", conversation=conversation)
    ticket, _ = await store.open(
        ticket_id,
        message,
        reason="test",
        severity=severity,
        tier=tier,
        signals={"intent": "contact_human"},
    )
    return ticket


async def test_priority_and_deadline_come_from_severity_and_tier(redis_client: Redis) -> None:
    clock = Clock()
    store = _store(redis_client, clock)
    crisis_vip = await _open(store, "a", "crisis", "vip", "conv-aaaa")
    normal_new = await _open(store, "b", "normal", "new", "conv-bbbb")
    await _open(store, "c", "negative", "loyal", "conv-cccc")
    assert crisis_vip.priority == 1
    assert crisis_vip.sla_deadline == clock.now + 5 * 60
    assert normal_new.sla_deadline == clock.now + 60 * 60
    assert [t.id for t in await store.list("open")] == ["a", "c", "b"]


async def test_opening_is_idempotent_per_message_and_per_conversation(
    redis_client: Redis,
) -> None:
    store = _store(redis_client)
    first = await _open(store, "t1")
    again, opened = await store.open(
        "t1",
        inbound(conversation="conv-0001"),
        reason="x",
        severity="normal",
        tier="new",
        signals={},
    )
    assert not opened and again.id == first.id
    other_message, opened = await store.open(
        "t9",
        inbound(conversation="conv-0001"),
        reason="x",
        severity="normal",
        tier="new",
        signals={},
    )
    assert not opened and other_message.id == "t1"  # one open ticket per conversation
    assert await redis_client.zcard(keys.TICKETS_WAITING) == 1


async def test_many_agents_racing_to_claim_exactly_one_wins(redis_client: Redis) -> None:
    store = _store(redis_client)
    await _open(store)
    agents = [f"agent{i}" for i in range(20)]
    results = await asyncio.gather(*(store.claim("t1", a) for a in agents), return_exceptions=True)
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, TicketConflict)]
    assert len(winners) == 1
    assert len(losers) == 19
    ticket = await store.get("t1")
    assert ticket.status == "assigned" and ticket.agent == winners[0].agent
    assert "already claimed by" in str(losers[0])
    assert await redis_client.zscore(keys.TICKETS_ASSIGNED, "t1") is not None
    assert await redis_client.zscore(keys.TICKETS_WAITING, "t1") is None


async def test_reply_claims_and_times_the_first_response(redis_client: Redis) -> None:
    clock = Clock()
    store = _store(redis_client, clock)
    await _open(store)
    clock.now += 120
    ticket = await store.agent_replied("t1", "alice")
    assert ticket.status == "assigned" and ticket.first_response_at == clock.now
    with pytest.raises(TicketConflict, match="alice is handling"):
        await store.agent_replied("t1", "bob")
    assert await redis_client.lrange(keys.FIRST_RESPONSES, 0, -1) == ["120.000"]
    assert await redis_client.hget(keys.METRICS, "sla_met") == "1"


async def test_release_transfer_note_resolve(redis_client: Redis) -> None:
    store = _store(redis_client)
    await _open(store)
    await store.claim("t1", "alice")
    assert (await store.release("t1", "alice")).status == "waiting"
    moved = await store.transfer("t1", "alice", agent="bob", team=None)
    assert (moved.status, moved.agent) == ("assigned", "bob")
    with pytest.raises(TicketConflict, match="unknown team"):
        await store.transfer("t1", "bob", agent=None, team="nope")
    noted = await store.note("t1", "bob", "customer is a journalist, be careful")
    assert noted.notes[-1]["text"].startswith("customer is")
    resolved = await store.resolve("t1", "bob")
    assert resolved.status == "resolved"
    with pytest.raises(TicketConflict, match="resolved"):
        await store.claim("t1", "carol")
    assert [e["type"] for e in resolved.events] == [
        "opened",
        "claimed",
        "released",
        "transferred",
        "resolved",
    ]


async def test_a_customer_back_within_the_grace_period_reopens_the_same_ticket(
    redis_client: Redis,
) -> None:
    clock = Clock()
    store = _store(redis_client, clock)
    await _open(store, "t1")
    await store.resolve("t1", "alice")
    clock.now += 10 * 60  # within the 30-minute grace period
    ticket, opened = await store.open(
        "t2",
        inbound(conversation="conv-0001"),
        reason="again",
        severity="negative",
        tier="new",
        signals={},
    )
    assert opened and ticket.id == "t1" and ticket.status == "waiting"
    assert ticket.reopened == 1 and ticket.severity == "negative"
    await store.resolve("t1", "alice")
    clock.now += 31 * 60  # after the grace period: a new ticket
    fresh, opened = await store.open(
        "t3",
        inbound(conversation="conv-0001"),
        reason="later",
        severity="normal",
        tier="new",
        signals={},
    )
    assert opened and fresh.id == "t3"


async def test_changes_are_published_for_live_consoles(redis_client: Redis) -> None:
    store = _store(redis_client)
    pubsub = redis_client.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(keys.CONSOLE_CHANNEL)
    await _open(store)
    await store.claim("t1", "alice")
    seen = []
    for _ in range(20):
        message = await pubsub.get_message(timeout=0.2)
        if message:
            seen.append(message["data"])
        if len(seen) == 2:
            break
    await pubsub.aclose()
    assert '"status": "waiting"' in seen[0] and '"status": "assigned"' in seen[1]
