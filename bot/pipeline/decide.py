"""Stage 3: the policy's decision, and the bookkeeping it depends on."""

from __future__ import annotations

from bot.brain import Brain
from bot.misses import MissLog
from bot.pipeline.turn import Turn
from bot.policy import AutoAnswer, Clarify, Handoff, decide
from bot.vocabulary import ReasonKind


class DecideStage:
    name = "decide"

    def __init__(self, brain: Brain, max_misunderstood: int, misses: MissLog | None = None) -> None:
        self.brain = brain
        self.max_misunderstood = max_misunderstood
        self.misses = misses

    async def __call__(self, turn: Turn) -> None:
        if turn.understanding is None:
            raise RuntimeError("decide ran before understand")
        decision = decide(
            turn.understanding,
            turn.state,
            self.brain.intent_set,
            max_misunderstood=self.max_misunderstood,
        )
        turn.decision = decision
        small_talk = isinstance(decision, Clarify) and decision.prompt == "chitchat"
        if isinstance(decision, Clarify) and not small_talk:
            turn.state.misunderstood_in_a_row += 1
        else:
            # After a hand-over the count starts afresh: once the person resolves the case, the
            # bot must not hand over again on the strength of the old misunderstandings.
            turn.state.misunderstood_in_a_row = 0
        if isinstance(decision, AutoAnswer):
            turn.state.last_intent = decision.intent
        missed = (isinstance(decision, Clarify) and not small_talk) or (
            isinstance(decision, Handoff) and decision.reason.kind is ReasonKind.REPEATED_FAILURE
        )
        if missed and self.misses is not None:
            source = "fallback" if isinstance(decision, Clarify) else "repeated_failure"
            await self.misses.record(turn.message.text, turn.understanding, source)
