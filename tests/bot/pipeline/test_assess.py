"""The assess stage: the full per-message result, and bursts counted in Redis."""

from __future__ import annotations

import logging

import pytest
from redis.asyncio import Redis

from bot.brain import Brain
from bot.conversations import ConversationState
from bot.pipeline import Turn
from bot.pipeline.assess import AssessStage
from bot.pipeline.understand import UnderstandStage
from bot.settings import AssessmentSettings
from bot.understanding.assessment import Assessor
from bot.understanding.severity import BurstRule
from tests.conftest import CACHE_DIR
from tests.factories import inbound

ANGRY = [
    "你们的东西太垃圾了，我要退款！",
    "质量太差了，垃圾东西，我要退款",
    "什么垃圾东西，赶紧给我退款！",
]


@pytest.fixture(scope="module")
def assessor(brain: Brain) -> Assessor:
    return Assessor.build(brain.classifier.encoder, AssessmentSettings(), CACHE_DIR)


def _with(brain: Brain, assessor: Assessor) -> Brain:
    return Brain(classifier=brain.classifier, assessor=assessor)


async def _run(brain: Brain, stage: AssessStage, text: str, customer: str) -> Turn:
    turn = Turn(message=inbound(text, conversation=customer), state=ConversationState())
    await UnderstandStage(brain)(turn)
    await stage(turn)
    return turn


async def test_fills_negativity_human_request_and_severity(
    brain: Brain, assessor: Assessor, redis_client: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    stage = AssessStage(_with(brain, assessor), redis_client, BurstRule(3, 600))
    with caplog.at_level(logging.DEBUG, logger="bot.pipeline.assess"):
        calm = await _run(brain, stage, "退货政策是什么?", "c1")
    assert calm.understanding is not None
    assert calm.understanding.intent == "return_policy"
    assert calm.understanding.severity == "normal"
    assert '"severity": "normal"' in caplog.text  # the whole result, at debug level
    human = await _run(brain, stage, "转人工", "c2")
    assert human.understanding is not None and human.understanding.human_requested
    crisis = await _run(brain, stage, "用了你们的面霜过敏了,烂脸", "c3")
    assert crisis.understanding is not None and crisis.understanding.severity == "crisis"


async def test_three_customers_on_one_topic_make_a_burst(
    brain: Brain, assessor: Assessor, redis_client: Redis
) -> None:
    stage = AssessStage(_with(brain, assessor), redis_client, BurstRule(3, 600))
    texts = ANGRY
    turns = [await _run(brain, stage, text, f"customer-{i}") for i, text in enumerate(texts)]
    severities = [t.understanding.severity for t in turns if t.understanding is not None]
    assert severities == ["negative", "negative", "crisis"]
    last = turns[-1].understanding
    assert last is not None
    assert any(
        reason.startswith("burst: 3 customers on intent:refund_status")
        for reason in last.assessment_reasons
    ), last.assessment_reasons


async def test_one_customer_three_times_is_not_a_burst(
    brain: Brain, assessor: Assessor, redis_client: Redis
) -> None:
    stage = AssessStage(_with(brain, assessor), redis_client, BurstRule(3, 600))
    texts = ANGRY
    turns = [await _run(brain, stage, text, "same-customer") for text in texts]
    assert [t.understanding.severity for t in turns if t.understanding is not None] == [
        "negative"
    ] * 3


async def test_the_stage_needs_understanding_first(
    brain: Brain, assessor: Assessor, redis_client: Redis
) -> None:
    stage = AssessStage(_with(brain, assessor), redis_client, BurstRule(3, 600))
    with pytest.raises(RuntimeError, match="before understand"):
        await stage(Turn(message=inbound("hi"), state=ConversationState()))


def test_the_topic_is_the_subject_not_the_tone(brain: Brain) -> None:
    # Ranked complaint first on one CPU and refund_status first on another: both are refunds.
    rule = BurstRule(3, 600)
    first = brain.classifier.predict(ANGRY[0])
    subjects = [n for n, i in brain.intent_set.intents.items() if not i.handoff]
    assert rule.topic_of(first, None, subjects) == "intent:refund_status"
    assert rule.topic_of(first, "过敏", subjects) == "keyword:过敏"
    assert BurstRule(3, 600, topic="any").topic_of(first, None, subjects) == "any"
