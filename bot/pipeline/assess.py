"""Stage 2b (between understand and decide): negativity, a request for a person, severity.

Severity counts history too: when ``burst.count`` different customers send negative messages on
one topic within ``burst.window_seconds``, the message that completes the count is a crisis.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace

from redis.asyncio import Redis

from bot.brain import Brain
from bot.pipeline.turn import Turn
from bot.understanding.severity import BurstRule, record_negative

logger = logging.getLogger(__name__)


class AssessStage:
    name = "assess"

    def __init__(self, brain: Brain, redis: Redis, burst: BurstRule) -> None:
        # The brain, not its assessor: a published intent set with new triage examples
        # swaps the assessor, and the next turn must use the new one.
        self.brain = brain
        self.redis = redis
        self.burst = burst

    async def __call__(self, turn: Turn) -> None:
        if turn.understanding is None:
            raise RuntimeError("assess ran before understand")
        assessor = self.brain.assessor
        if assessor is None:
            return
        message = turn.message
        # The message's embedding is still in the encoder's recent cache: no second encoding.
        understanding = await asyncio.to_thread(assessor.assess, message.text, turn.understanding)
        if understanding.severity != "normal":
            keyword = assessor.rules.crisis_keyword(message.text)
            intents = self.brain.intent_set.intents
            subjects = [name for name, intent in intents.items() if not intent.handoff]
            topic = self.burst.topic_of(understanding, keyword, subjects)
            customers = await record_negative(
                self.redis,
                topic,
                f"{message.platform}:{message.sender.user_id}",
                message.timestamp,
                self.burst.window_seconds,
            )
            if self.burst.fires(customers):
                understanding = replace(
                    understanding,
                    severity="crisis",
                    assessment_reasons=(
                        *understanding.assessment_reasons,
                        f"burst: {customers} customers on {topic} within "
                        f"{self.burst.window_seconds:g} s",
                    ),
                )
        turn.understanding = understanding
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "Understood %s: %s",
                message.log_ref,
                json.dumps(understanding.to_dict(), ensure_ascii=False),
            )
