"""The hand-over port as the pipeline uses it, on real tickets in Redis."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from redis.asyncio import Redis

from bot.intents import load_intent_set
from bot.ports import HandoffPort
from bot.vocabulary import HandoverReason, ReasonKind, Severity, Tier
from handoff.desk import TicketDesk
from handoff.settings import HandoffSettings
from handoff.tickets import TicketStore
from tests.factories import inbound
from tests.handoff.test_tickets import Clock

INTENTS = load_intent_set(Path(__file__).resolve().parents[2] / "intents")


def _desk(redis: Redis, clock: Clock) -> TicketDesk:
    return TicketDesk(TicketStore(redis, HandoffSettings(grace_minutes=30), clock=clock))


async def test_a_case_opens_once_and_keeps_its_reason_code(redis_client: Redis) -> None:
    desk: HandoffPort = _desk(redis_client, Clock())
    message = inbound("I want to complain", conversation="desk-1")
    reason = HandoverReason(ReasonKind.INTENT, "complaint")
    case, opened = await desk.open_case(
        "d1", message, reason=reason, severity=Severity.NEGATIVE, tier=Tier.VIP, signals={}
    )
    again, reopened = await desk.open_case(
        "d1", message, reason=reason, severity=Severity.NEGATIVE, tier=Tier.VIP, signals={}
    )
    assert (opened, reopened, case.id, again.id) == (True, False, "d1", "d1")
    current = await desk.current_case(message.conversation_key)
    assert current is not None and current.is_open
    assert (current.reason, current.tier, current.severity) == (
        "intent:complaint",
        "vip",
        "negative",
    )


async def test_a_rating_is_awaited_only_after_a_resolution_that_asked_within_grace(
    redis_client: Redis,
) -> None:
    clock = Clock()
    desk = _desk(redis_client, clock)
    message = inbound("help", conversation="desk-2")
    reason = HandoverReason(ReasonKind.REPEATED_FAILURE)
    await desk.open_case(
        "d2", message, reason=reason, severity=Severity.NORMAL, tier=Tier.NEW, signals={}
    )
    key = message.conversation_key
    assert await desk.rating_awaited(key, clock()) is None  # still open
    await desk.tickets.resolve("d2", "ana", ask_csat=True)
    assert await desk.rating_awaited(key, clock() + 60) == "d2"
    assert await desk.rating_awaited(key, clock() + 31 * 60) is None  # grace is over
    await desk.record_satisfaction("d2", 5)
    assert await desk.rating_awaited(key, clock() + 60) is None  # rated once
    assert (await desk.tickets.get("d2")).csat == 5


async def test_a_public_comment_gets_a_short_note_and_the_promise_in_private(
    redis_client: Redis,
) -> None:
    clock = Clock()
    desk = _desk(redis_client, clock)
    comment = replace(inbound("过敏了", conversation="desk-3"), channel="comment")
    case, _ = await desk.open_case(
        "d3",
        comment,
        reason=HandoverReason(ReasonKind.SEVERITY, "crisis"),
        severity=Severity.CRISIS,
        tier=Tier.NEW,
        signals={},
    )
    ack = desk.acknowledgement(case, INTENTS, "zh", clock())
    assert ack.text == INTENTS.system["ack_public"]["zh"]
    assert ack.private_details and "分钟" in ack.private_details
