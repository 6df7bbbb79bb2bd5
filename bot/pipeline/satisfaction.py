"""Stage 1b: a 1-5 answer to the satisfaction question after a resolved case is a rating."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from bot.brain import Brain
from bot.pipeline.turn import StopPipeline, Turn
from bot.ports import HandoffPort
from bot.responder import pick_text
from bot.understanding.language import detect_language

_SCORE = re.compile(r"^\s*([1-5])\s*(分|星|stars?|/5)?\s*[.!。！]?\s*$", re.IGNORECASE)


class SatisfactionStage:
    name = "satisfaction"

    def __init__(
        self, brain: Brain, people: HandoffPort, clock: Callable[[], float] = time.time
    ) -> None:
        self.brain = brain
        self.people = people
        self.clock = clock

    async def __call__(self, turn: Turn) -> None:
        match = _SCORE.match(turn.message.text)
        if match is None:
            return
        case_id = await self.people.rating_awaited(turn.message.conversation_key, self.clock())
        if case_id is None:
            return
        await self.people.record_satisfaction(case_id, int(match.group(1)))
        language = turn.state.language or detect_language(turn.message.text, default="zh")
        thanks = self.brain.intent_set.system.get("csat_thanks", {"en": "Thank you!"})
        turn.reply(pick_text(thanks, language))
        raise StopPipeline(f"satisfaction rating {match.group(1)} for case {case_id}")
