"""The standard pipeline: every stage, in the order a message meets them.

Add a stage here (and its module beside this one); the composition root only supplies what
the stages need: the brain, Redis, the people's side (``HandoffPort``) and the settings.
"""

from __future__ import annotations

from redis.asyncio import Redis

from bot.brain import Brain
from bot.customers import CustomerStore
from bot.misses import MissLog
from bot.pipeline.assess import AssessStage
from bot.pipeline.conversation import ConversationStage
from bot.pipeline.decide import DecideStage
from bot.pipeline.handoff import HandoffStage
from bot.pipeline.respond import RespondStage
from bot.pipeline.runner import Pipeline, Stage
from bot.pipeline.satisfaction import SatisfactionStage
from bot.pipeline.special import SpecialMessageStage
from bot.pipeline.understand import UnderstandStage
from bot.ports import HandoffPort
from bot.settings import EngineSettings, TierRules
from bot.understanding.severity import BurstRule


def standard_pipeline(
    brain: Brain, redis: Redis, people: HandoffPort, settings: EngineSettings, tiers: TierRules
) -> Pipeline:
    customers = CustomerStore(redis, tiers)
    burst = settings.assessment.burst
    assess: list[Stage] = (
        []
        if brain.assessor is None
        else [AssessStage(brain, redis, BurstRule(burst.count, burst.window_seconds, burst.topic))]
    )
    return Pipeline(
        [
            # Silent while a person owns the conversation; counts the customer.
            ConversationStage(people, customers),
            # "5" after a resolved case is a rating, not a question.
            SatisfactionStage(brain, people),
            # Media, welcomes, menu clicks.
            SpecialMessageStage(brain, customers),
            UnderstandStage(brain),
            *assess,
            DecideStage(
                brain, max_misunderstood=settings.policy.max_misunderstood, misses=MissLog(redis)
            ),
            HandoffStage(people, customers, brain),
            RespondStage(brain, people, customers),
        ]
    )
