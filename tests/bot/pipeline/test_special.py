"""Messages that are not classifier text: media, welcomes, menu clicks."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest
from redis.asyncio import Redis

from bot.brain import Brain
from bot.conversations import ConversationState
from bot.customers import CustomerStore
from bot.pipeline import StopPipeline, Turn
from bot.pipeline.special import SpecialMessageStage
from bot.settings import TierRules
from bot.vocabulary import MessageKind
from tests.factories import inbound


def _turn(text: str, marker: str, language: str = "zh") -> Turn:
    """A message of the kind ``marker`` names, in the connectors' old marker language (which
    ``MessageKind.from_legacy_ref`` still reads, for messages queued before an upgrade)."""
    kind, detail = MessageKind.from_legacy_ref(marker)
    message = replace(inbound(text, platform="wechat"), kind=kind, detail=detail)
    return Turn(message=message, state=ConversationState(language=language))


async def test_media_without_words_gets_a_request_for_text(brain: Brain) -> None:
    turn = _turn("[sticker 😀]", "media:sticker:abc")
    with pytest.raises(StopPipeline, match="asked for text"):
        await SpecialMessageStage(brain)(turn)
    assert "文字" in turn.replies[0].text


async def test_a_photo_caption_is_understood_as_text(brain: Brain) -> None:
    turn = _turn("[photo] 这个能退货吗", "media:photo:abc")
    await SpecialMessageStage(brain)(turn)  # does not stop: the caption goes on
    assert turn.message.text == "这个能退货吗" and turn.replies == []


async def test_a_new_subscriber_is_welcomed_by_tier(brain: Brain, redis_client: Redis) -> None:
    greet = brain.intent_set.intents["greet"]
    classifier = copy.copy(brain.classifier)
    classifier.intent_set = replace(
        brain.intent_set,
        intents={
            **brain.intent_set.intents,
            "greet": replace(greet, variants={"vip": {"zh": "欢迎回来，尊贵的VIP会员！"}}),
        },
    )
    customers = CustomerStore(redis_client, TierRules())
    stage = SpecialMessageStage(Brain(classifier=classifier), customers)
    first = _turn("[subscribe]", "event:subscribe")
    with pytest.raises(StopPipeline, match="welcomed"):
        await stage(first)
    assert first.replies[0].text == greet.answers["zh"]
    await customers.set_profile("wechat:conv-0001", "vip")
    again = _turn("[subscribe]", "event:subscribe")
    with pytest.raises(StopPipeline):
        await stage(again)
    assert again.replies[0].text == "欢迎回来，尊贵的VIP会员！"


async def test_a_menu_click_on_an_intent_is_answered(brain: Brain) -> None:
    turn = _turn("return_policy", "event:click:return_policy")
    with pytest.raises(StopPipeline, match="menu click"):
        await SpecialMessageStage(brain)(turn)
    assert "7天" in turn.replies[0].text
