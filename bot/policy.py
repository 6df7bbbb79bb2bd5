"""The decision: answer from an FAQ, ask the customer to rephrase, or hand over to a person."""

from __future__ import annotations

from dataclasses import dataclass

from bot.conversations import ConversationState
from bot.intents import IntentSet
from bot.understanding.result import Understanding


@dataclass(frozen=True, slots=True)
class AutoAnswer:
    intent: str
    kind: str = "auto_answer"


@dataclass(frozen=True, slots=True)
class Clarify:
    reason: str
    kind: str = "clarify"


@dataclass(frozen=True, slots=True)
class Handoff:
    reason: str
    severity: str = "normal"
    kind: str = "handoff"


Decision = AutoAnswer | Clarify | Handoff


def decide(
    understanding: Understanding,
    state: ConversationState,
    intent_set: IntentSet,
    *,
    max_misunderstood: int,
) -> Decision:
    """Choose what to do with one understood message.

    An angry customer answered with a canned FAQ is worse than a hand-over, so how the customer
    sounds is weighed before what they asked: crisis, an explicit request for a person and
    negativity all go to a person, whatever the intent.
    """
    severity = understanding.severity
    if severity == "crisis":
        why = "; ".join(understanding.assessment_reasons) or "crisis"
        return Handoff(reason=f"crisis: {why}", severity="crisis")
    if understanding.human_requested:
        return Handoff(reason="customer asked for a person", severity=severity)
    if severity == "negative":
        why = "; ".join(understanding.assessment_reasons) or "negative"
        return Handoff(reason=f"negative: {why}", severity="negative")
    if understanding.out_of_scope or understanding.intent is None:
        # The customer already had to rephrase: asking again would be a loop, not help.
        if state.misunderstood_in_a_row + 1 >= max_misunderstood:
            return Handoff(reason="repeated_failure")
        return Clarify(reason="; ".join(understanding.reasons) or "out of scope")
    intent = intent_set.intents.get(understanding.intent)
    if intent is None:
        return Clarify(reason=f"intent {understanding.intent!r} is not in the live intent set")
    if intent.handoff:
        # A complaint is negative even when the wording is calm.
        floor = "negative" if intent.name == "complaint" else "normal"
        return Handoff(reason=f"intent:{intent.name}", severity=_worse(severity, floor))
    if not intent.answers:
        return Handoff(reason=f"no_answer:{intent.name}")
    return AutoAnswer(intent=intent.name)


_ORDER = ("normal", "negative", "crisis")


def _worse(a: str, b: str) -> str:
    return max(a, b, key=_ORDER.index)
