"""Each stage on its own, with the real trained brain."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest
from redis.asyncio import Redis

from bot.brain import Brain
from bot.conversations import ConversationState
from bot.customers import CustomerStore
from bot.pipeline import Pipeline, StopPipeline, Turn
from bot.pipeline.conversation import ConversationStage
from bot.pipeline.decide import DecideStage
from bot.pipeline.respond import RespondStage
from bot.pipeline.understand import UnderstandStage
from bot.policy import AutoAnswer, Clarify, Handoff
from bot.vocabulary import HandoverReason
from handoff.desk import TicketDesk
from handoff.settings import HandoffSettings
from handoff.tickets import TicketStore
from switchboard.runtime import build_pipeline
from switchboard.settings import Settings
from tests.factories import inbound


def _turn(text: str, state: ConversationState | None = None) -> Turn:
    return Turn(message=inbound(text), state=state or ConversationState())


def _stores(redis: Redis) -> tuple[TicketDesk, CustomerStore]:
    """The people's side as the pipeline sees it (the hand-over port), on real tickets."""
    settings = HandoffSettings()
    return TicketDesk(TicketStore(redis, settings)), CustomerStore(redis, settings.tiers)


async def test_conversation_stage_stops_while_a_ticket_is_open(redis_client: Redis) -> None:
    people, customers = _stores(redis_client)
    first = _turn("I want to talk to a person")
    await people.tickets.open(
        "t1",
        first.message,
        reason="intent:contact_human",
        severity="normal",
        tier="new",
        signals={},
    )
    later = Turn(
        message=inbound("hello?", conversation=first.message.chat_id), state=ConversationState()
    )
    with pytest.raises(StopPipeline, match="case t1 is open"):
        await ConversationStage(people, customers)(later)
    assert later.state.turns == 1
    ticket = await people.tickets.get("t1")
    assert ticket.last_message["text"] == "hello?"  # the agent sees it
    assert (await customers.get("webchat:conv-0001")).history["messages"] == 1


async def test_understand_stage_keeps_the_language_for_messages_without_words(
    brain: Brain,
) -> None:
    turn = _turn("👍", ConversationState(language="zh"))
    await UnderstandStage(brain)(turn)
    assert turn.understanding is not None
    assert turn.understanding.language == "zh"


async def test_decide_stage_counts_misunderstandings(brain: Brain) -> None:
    stage = DecideStage(brain, max_misunderstood=2)
    turn = _turn("asdf qwer")
    await UnderstandStage(brain)(turn)
    await stage(turn)
    assert isinstance(turn.decision, Clarify)
    assert turn.state.misunderstood_in_a_row == 1
    again = _turn("qwer asdf zxcv", turn.state)
    await UnderstandStage(brain)(again)
    await stage(again)
    assert again.decision == Handoff(reason=HandoverReason.parse("repeated_failure"))
    understood = _turn("how long does shipping take?", again.state)
    await UnderstandStage(brain)(understood)
    await stage(understood)
    assert understood.decision == AutoAnswer("shipping_time")
    assert understood.state.misunderstood_in_a_row == 0
    assert understood.state.last_intent == "shipping_time"


async def test_the_whole_pipeline_replies_once_keyed_on_the_message(
    brain: Brain, redis_client: Redis
) -> None:
    turn = await build_pipeline(brain, Settings(), redis_client).run(_turn("退货政策是什么?"))
    [reply] = turn.replies
    assert reply.reply_id == f"{turn.message.message_key}:0"
    assert reply.intent == "return_policy"
    assert reply.in_reply_to == turn.message.platform_message_id
    assert "7天" in reply.text


async def test_a_stopped_pipeline_runs_no_later_stage(brain: Brain, redis_client: Redis) -> None:
    people, customers = _stores(redis_client)
    turn = _turn("hi")
    await people.tickets.open(
        "t2", turn.message, reason="test", severity="normal", tier="new", signals={}
    )
    pipeline = Pipeline([ConversationStage(people, customers), RespondStage(brain)])
    turn = await pipeline.run(turn)
    assert turn.replies == []
    assert turn.stopped_by.startswith("conversation:")


async def test_answers_use_the_variant_for_the_customers_tier(
    brain: Brain, redis_client: Redis
) -> None:
    greet = brain.intent_set.intents["greet"]
    with_variant = replace(greet, variants={"vip": {"en": "Welcome back, valued member!"}})
    classifier = copy.copy(brain.classifier)
    classifier.intent_set = replace(
        brain.intent_set, intents={**brain.intent_set.intents, "greet": with_variant}
    )
    vip_brain = Brain(classifier=classifier)
    people, customers = _stores(redis_client)
    stage = RespondStage(vip_brain, people, customers)
    turn = _turn("hello")
    await UnderstandStage(vip_brain)(turn)
    await DecideStage(vip_brain, max_misunderstood=2)(turn)
    await stage(turn)
    assert turn.replies[0].text == greet.answers["en"]
    await customers.set_profile("webchat:conv-0001", "vip")
    again = _turn("hello")
    await UnderstandStage(vip_brain)(again)
    await DecideStage(vip_brain, max_misunderstood=2)(again)
    await stage(again)
    assert again.replies[0].text == "Welcome back, valued member!"
