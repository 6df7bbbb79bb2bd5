"""Stage 3: the policy's decision, and the bookkeeping it depends on."""

from __future__ import annotations

from bot.brain import Brain
from bot.pipeline.turn import Turn
from bot.policy import AutoAnswer, Clarify, decide


class DecideStage:
    name = "decide"

    def __init__(self, brain: Brain, max_misunderstood: int) -> None:
        self.brain = brain
        self.max_misunderstood = max_misunderstood

    async def __call__(self, turn: Turn) -> None:
        if turn.understanding is None:
            raise RuntimeError("decide ran before understand")
        decision = decide(
            turn.understanding, turn.state, self.brain.intent_set,
            max_misunderstood=self.max_misunderstood,
        )
        turn.decision = decision
        if isinstance(decision, Clarify):
            turn.state.misunderstood_in_a_row += 1
        else:
            turn.state.misunderstood_in_a_row = 0
        if isinstance(decision, AutoAnswer):
            turn.state.last_intent = decision.intent
