"""Each stage on its own, with the real trained brain."""

from __future__ import annotations

import pytest

from bot.brain import Brain
from bot.conversations import ConversationState
from bot.pipeline import Pipeline, StopPipeline, Turn
from bot.pipeline.conversation import ConversationStage
from bot.pipeline.decide import DecideStage
from bot.pipeline.respond import RespondStage
from bot.pipeline.understand import UnderstandStage
from bot.policy import AutoAnswer, Clarify, Handoff
from tests.factories import inbound


def _turn(text: str, state: ConversationState | None = None) -> Turn:
    return Turn(message=inbound(text), state=state or ConversationState())


async def test_conversation_stage_stops_when_a_person_owns_it() -> None:
    turn = _turn("hello", ConversationState(owner="human"))
    with pytest.raises(StopPipeline, match="person owns"):
        await ConversationStage()(turn)
    assert turn.state.turns == 1


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
    assert again.decision == Handoff(reason="repeated_failure")
    understood = _turn("how long does shipping take?", again.state)
    await UnderstandStage(brain)(understood)
    await stage(understood)
    assert understood.decision == AutoAnswer("shipping_time")
    assert understood.state.misunderstood_in_a_row == 0
    assert understood.state.last_intent == "shipping_time"


async def test_the_whole_pipeline_replies_once_keyed_on_the_message(brain: Brain) -> None:
    from bot.runtime import build_pipeline
    from bot.settings import Settings

    turn = await build_pipeline(brain, Settings()).run(_turn("退货政策是什么?"))
    [reply] = turn.replies
    assert reply.reply_id == f"{turn.message.message_key}:0"
    assert reply.intent == "return_policy"
    assert reply.in_reply_to == turn.message.platform_message_id
    assert "7天" in reply.text


async def test_a_stopped_pipeline_runs_no_later_stage(brain: Brain) -> None:
    pipeline = Pipeline([ConversationStage(), RespondStage(brain)])
    turn = await pipeline.run(_turn("hi", ConversationState(owner="human")))
    assert turn.replies == []
    assert turn.stopped_by.startswith("conversation:")
